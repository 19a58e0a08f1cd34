//! Key bindings per UI layer, loaded from `assets/keymap.toml` and overridable from the config.
//! The help screen and the status-bar hints are built from the live map.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where keys are looked up: the panes, the full queue view, the account picker, the top
/// modal (the picker's forms included), or the dialogs with keys of their own: help, an
/// entry's info, the conflict question and the captcha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Panes,
    Queue,
    Picker,
    Modal,
    Help,
    Info,
    Conflict,
    Captcha,
}

impl Layer {
    pub const ALL: [Layer; 8] = [
        Layer::Panes,
        Layer::Queue,
        Layer::Picker,
        Layer::Modal,
        Layer::Help,
        Layer::Info,
        Layer::Conflict,
        Layer::Captcha,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Panes => "panes",
            Layer::Queue => "queue",
            Layer::Picker => "picker",
            Layer::Modal => "modal",
            Layer::Help => "help",
            Layer::Info => "info",
            Layer::Conflict => "conflict",
            Layer::Captcha => "captcha",
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
    ClearFilter = "clear_filter": "clear the filter",
    Sort = "sort": "sort name/size/date",
    ToggleHidden = "toggle_hidden": "show hidden files",
    Yank = "yank": "yank marked",
    Paste = "paste": "paste yanked here",
    Fetch = "fetch": "download a file id or link",
    ExportLinks = "export_links": "export links of marked",
    SetAccess = "set_access": "public/private/premium",
    Mirror = "mirror": "mirror marked to accounts",
    Check = "check": "ask the host if it lives",
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
    Close = "close": "close / back to panes",
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
    PrevChoice = "prev_choice": "previous choice",
    NextChoice = "next_choice": "next choice",
    Overwrite = "overwrite": "overwrite it",
    Skip = "skip": "skip this one",
    KeepBoth = "keep_both": "keep both (rename)",
    ContinueFile = "continue_file": "continue (resume) it",
    SkipIdentical = "skip_identical": "skip if the same",
    ApplyToAll = "apply_to_all": "apply to all later",
}

/// The highest function key a terminal sends.
const MAX_F_KEY: u8 = 24;

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
            f if f.len() > 1 && f.starts_with('F') => match f[1..].parse() {
                Ok(n) if (1..=MAX_F_KEY).contains(&n) => KeyCode::F(n),
                _ => return None,
            },
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

pub type Overrides = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// What a key name may be, for errors.
const KEY_NAMES: &str = "a character, Enter, Esc, Tab, BackTab, Backspace, Delete, Insert, \
     Space, Up, Down, Left, Right, PageUp, PageDown, Home, End or F1-F24, with Ctrl-/Alt-/Shift-";

impl Keymap {
    /// The built-in map with the config's `[keys]` overrides applied; `config` names the
    /// config file in errors.
    pub fn load(overrides: &Overrides, config: &str) -> Result<Keymap, String> {
        let base: Overrides =
            toml::from_str(DEFAULT_KEYMAP).map_err(|e| format!("assets/keymap.toml: {e}"))?;
        let mut map = Keymap::default();
        map.apply(&base, "assets/keymap.toml", "")?;
        map.apply(overrides, config, "keys.")?;
        Ok(map)
    }

    /// The built-in map (it is part of the binary, and a test checks that it parses).
    pub fn builtin() -> Keymap {
        Keymap::load(&Overrides::new(), "the config").unwrap_or_default()
    }

    /// Apply `[PREFIX LAYER]` tables read from `origin`; an unknown layer, action or key is an
    /// error naming the file, the table and the key.
    fn apply(&mut self, tables: &Overrides, origin: &str, prefix: &str) -> Result<(), String> {
        for (layer_name, actions) in tables {
            let layer = Layer::parse(layer_name).ok_or_else(|| {
                let known: Vec<&str> = Layer::ALL.iter().map(|l| l.name()).collect();
                format!(
                    "{origin}: [{prefix}{layer_name}]: no such layer (layers: {})",
                    known.join(", ")
                )
            })?;
            let entries = self.layers.entry(layer).or_default();
            for (action_name, keys) in actions {
                let action = Action::parse(action_name).ok_or_else(|| {
                    format!("{origin}: [{prefix}{layer_name}] {action_name}: no such action")
                })?;
                let keys = keys
                    .iter()
                    .map(|k| {
                        Key::parse(k).ok_or_else(|| {
                            format!(
                                "{origin}: [{prefix}{layer_name}] {action_name}: unknown key {k:?} (a key is {KEY_NAMES})"
                            )
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
        let map = Keymap::load(&o, "haul.toml").unwrap();
        assert_eq!(map.lookup(Layer::Panes, &key(KeyCode::F(5))), None);
        let ctrl_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Layer::Panes, &ctrl_k), Some(Action::Copy));
        assert_eq!(map.keys_label(Layer::Panes, Action::Copy), "C-k");
        o.entry("panes".into())
            .or_default()
            .insert("nope".into(), vec![]);
        let e = Keymap::load(&o, "haul.toml").unwrap_err();
        assert_eq!(e, "haul.toml: [keys.panes] nope: no such action");
    }

    #[test]
    fn unknown_key_names_are_errors_naming_the_file_the_layer_and_the_key() {
        for bad in ["F55", "Ctrl-Foo", "F0", "Ctrl-", "Enterr"] {
            let mut o = Overrides::new();
            o.entry("queue".into())
                .or_default()
                .insert("pause".into(), vec!["p".into(), bad.into()]);
            let e = Keymap::load(&o, "/home/me/haul.toml").unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "/home/me/haul.toml: [keys.queue] pause: unknown key {bad:?}"
                )),
                "{e}"
            );
        }
        let mut o = Overrides::new();
        o.entry("pane".into()).or_default();
        let e = Keymap::load(&o, "haul.toml").unwrap_err();
        assert!(
            e.starts_with("haul.toml: [keys.pane]: no such layer"),
            "{e}"
        );
        // The highest function key terminals send is taken.
        o.clear();
        o.entry("panes".into())
            .or_default()
            .insert("help".into(), vec!["F24".into()]);
        let map = Keymap::load(&o, "haul.toml").unwrap();
        assert_eq!(map.keys_label(Layer::Panes, Action::Help), "F24");
    }

    #[test]
    fn the_builtin_map_parses_and_binds_every_layer() {
        let base: Overrides = toml::from_str(DEFAULT_KEYMAP).unwrap();
        let mut map = Keymap::default();
        map.apply(&base, "assets/keymap.toml", "").unwrap();
        for layer in Layer::ALL {
            assert!(!map.bindings(layer).is_empty(), "{}", layer.name());
            let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
            assert_eq!(
                map.lookup(layer, &ctrl_c),
                Some(Action::Quit),
                "{}",
                layer.name()
            );
        }
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
