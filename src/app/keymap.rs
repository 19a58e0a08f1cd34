//! Key bindings per UI layer, loaded from `assets/keymap.toml` and overridable from the config.
//! The help screen and the status-bar hints are built from the live map.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where keys are looked up: the panes, the full queue view, the account picker, or the top
/// modal (the picker's forms included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Panes,
    Queue,
    Picker,
    Modal,
}

impl Layer {
    pub const ALL: [Layer; 4] = [Layer::Panes, Layer::Queue, Layer::Picker, Layer::Modal];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Panes => "panes",
            Layer::Queue => "queue",
            Layer::Picker => "picker",
            Layer::Modal => "modal",
        }
    }
    fn parse(s: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.name() == s)
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal : $help:literal,)*) => {
        /// Everything a key can ask for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($variant,)* }
        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];
            pub fn name(self) -> &'static str { match self { $(Action::$variant => $name,)* } }
            pub fn help(self) -> &'static str { match self { $(Action::$variant => $help,)* } }
            pub fn parse(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Up = "up": "cursor up",
    Down = "down": "cursor down",
    PageUp = "page_up": "page up",
    PageDown = "page_down": "page down",
    First = "first": "first entry",
    Last = "last": "last entry",
    Open = "open": "open folder",
    Parent = "parent": "parent folder",
    SwitchPane = "switch_pane": "other pane",
    Mark = "mark": "mark / unmark",
    InvertMarks = "invert_marks": "invert marks",
    Copy = "copy": "copy to other pane",
    Move = "move": "move to other pane",
    Rename = "rename": "rename",
    Mkdir = "mkdir": "new folder",
    Delete = "delete": "delete",
    Info = "info": "info and public link",
    Filter = "filter": "filter as you type",
    Sort = "sort": "sort name/size/date",
    ToggleHidden = "toggle_hidden": "show hidden files",
    Yank = "yank": "yank marked",
    Paste = "paste": "paste yanked here",
    Fetch = "fetch": "download a file id or link",
    Refresh = "refresh": "reload",
    Queue = "queue": "queue view",
    Account = "account": "switch account",
    Help = "help": "help",
    Quit = "quit": "quit",
    Pause = "pause": "pause job",
    Resume = "resume": "resume job",
    Cancel = "cancel": "cancel job / close",
    Retry = "retry": "retry job",
    ShiftUp = "shift_up": "move job up",
    ShiftDown = "shift_down": "move job down",
    PauseAll = "pause_all": "pause all",
    Bandwidth = "bandwidth": "bandwidth limit",
    ResumeAll = "resume_all": "resume all",
    ClearFinished = "clear_finished": "clear finished",
    Details = "details": "job details",
    Close = "close": "back to panes",
    Confirm = "confirm": "confirm",
    Yes = "yes": "yes",
    No = "no": "no",
    OpenUrl = "open_url": "open URL in browser",
    CopyLink = "copy_link": "copy link (OSC 52)",
    NewAccount = "new_account": "add an account",
    EnterSecret = "enter_secret": "type its secret again",
    SignIn = "sign_in": "sign in again",
    NextField = "next_field": "next field",
    PrevField = "prev_field": "previous field",
}

/// One key: code plus modifiers (Shift is folded into characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        // Shift is part of a character, and of BackTab (terminals send Shift-Tab as BackTab
        // with Shift set).
        if !matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods |= ev.modifiers & KeyModifiers::SHIFT;
        }
        Key {
            code: ev.code,
            mods,
        }
    }

    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("Ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("Alt-") {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("Shift-")
                .filter(|r| r.chars().count() > 1)
            {
                mods |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "BackTab" => KeyCode::BackTab,
            "Backspace" => KeyCode::Backspace,
            "Delete" | "Del" => KeyCode::Delete,
            "Insert" | "Ins" => KeyCode::Insert,
            "Space" => KeyCode::Char(' '),
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            f if f.len() > 1 && f.starts_with('F') => KeyCode::F(f[1..].parse().ok()?),
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, mods })
    }

    /// How the key is shown in help and hints.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("M-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("S-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("Space"),
            KeyCode::Char(c) => out.push(c),
            KeyCode::F(n) => out.push_str(&format!("F{n}")),
            KeyCode::Enter => out.push_str("Enter"),
            KeyCode::Esc => out.push_str("Esc"),
            KeyCode::Tab => out.push_str("Tab"),
            KeyCode::BackTab => out.push_str("S-Tab"),
            KeyCode::Backspace => out.push_str("Bksp"),
            KeyCode::Delete => out.push_str("Del"),
            KeyCode::Insert => out.push_str("Ins"),
            KeyCode::Up => out.push('↑'),
            KeyCode::Down => out.push('↓'),
            KeyCode::Left => out.push('←'),
            KeyCode::Right => out.push('→'),
            KeyCode::PageUp => out.push_str("PgUp"),
            KeyCode::PageDown => out.push_str("PgDn"),
            KeyCode::Home => out.push_str("Home"),
            KeyCode::End => out.push_str("End"),
            _ => out.push('?'),
        }
        out
    }
}

/// The live bindings: per layer, each action with its keys (in the file's order of keys).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    layers: BTreeMap<Layer, Vec<(Action, Vec<Key>)>>,
}

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

type Overrides = BTreeMap<String, BTreeMap<String, Vec<String>>>;

impl Keymap {
    /// The built-in map with the config's `[keys]` overrides applied.
    pub fn load(overrides: &Overrides) -> Result<Keymap, String> {
        let base: Overrides =
            toml::from_str(DEFAULT_KEYMAP).map_err(|e| format!("assets/keymap.toml: {e}"))?;
        let mut map = Keymap::default();
        map.apply(&base, "assets/keymap.toml")?;
        map.apply(overrides, "[keys] in the config")?;
        Ok(map)
    }

    /// The built-in map (it is part of the binary, so it parses).
    pub fn builtin() -> Keymap {
        Keymap::load(&Overrides::new()).unwrap_or_default()
    }

    fn apply(&mut self, tables: &Overrides, origin: &str) -> Result<(), String> {
        for (layer_name, actions) in tables {
            let layer = Layer::parse(layer_name)
                .ok_or_else(|| format!("{origin}: unknown layer {layer_name:?}"))?;
            let entries = self.layers.entry(layer).or_default();
            for (action_name, keys) in actions {
                let action = Action::parse(action_name).ok_or_else(|| {
                    format!("{origin}: unknown action {action_name:?} in [{layer_name}]")
                })?;
                let keys = keys
                    .iter()
                    .map(|k| {
                        Key::parse(k).ok_or_else(|| {
                            format!("{origin}: [{layer_name}] {action_name}: bad key {k:?}")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                match entries.iter_mut().find(|(a, _)| *a == action) {
                    Some(slot) => slot.1 = keys,
                    None => entries.push((action, keys)),
                }
            }
            entries.sort_by_key(|(a, _)| Action::ALL.iter().position(|x| x == a));
        }
        Ok(())
    }

    pub fn lookup(&self, layer: Layer, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        self.layers
            .get(&layer)?
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(a, _)| *a)
    }

    /// Every binding of a layer, for the help screen.
    pub fn bindings(&self, layer: Layer) -> &[(Action, Vec<Key>)] {
        self.layers.get(&layer).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first key of an action, for hints ("F5 copy").
    pub fn first_key(&self, layer: Layer, action: Action) -> Option<String> {
        self.bindings(layer)
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, keys)| keys.first())
            .map(Key::label)
    }

    /// All keys of an action joined ("F5/c").
    pub fn keys_label(&self, layer: Layer, action: Action) -> String {
        self.bindings(layer)
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| keys.iter().map(Key::label).collect::<Vec<_>>().join("/"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn builtin_map_parses_and_overrides_apply() {
        let map = Keymap::builtin();
        assert_eq!(
            map.lookup(Layer::Panes, &key(KeyCode::F(5))),
            Some(Action::Copy)
        );
        assert_eq!(
            map.lookup(Layer::Panes, &key(KeyCode::Char('G'))),
            Some(Action::Last)
        );
        let mut o = Overrides::new();
        o.entry("panes".into())
            .or_default()
            .insert("copy".into(), vec!["Ctrl-k".into()]);
        let map = Keymap::load(&o).unwrap();
        assert_eq!(map.lookup(Layer::Panes, &key(KeyCode::F(5))), None);
        let ctrl_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Layer::Panes, &ctrl_k), Some(Action::Copy));
        assert_eq!(map.keys_label(Layer::Panes, Action::Copy), "C-k");
        o.entry("panes".into())
            .or_default()
            .insert("nope".into(), vec![]);
        assert!(Keymap::load(&o).is_err());
    }

    #[test]
    fn picker_layer_has_its_own_keys() {
        let map = Keymap::builtin();
        let n = key(KeyCode::Char('n'));
        assert_eq!(map.lookup(Layer::Picker, &n), Some(Action::NewAccount));
        assert_eq!(map.lookup(Layer::Modal, &n), Some(Action::No));
        let shift_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            map.lookup(Layer::Modal, &shift_tab),
            Some(Action::PrevField)
        );
    }
}
