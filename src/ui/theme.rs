//! Named styles from `assets/theme.toml`.

use std::collections::{BTreeMap, HashMap};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::config::StyleOverride;

pub const DEFAULT_THEME: &str = include_str!("../../assets/theme.toml");

#[derive(Debug, Clone, Default)]
pub struct Theme {
    styles: HashMap<String, Style>,
}

#[derive(Deserialize)]
struct File {
    styles: HashMap<String, StyleSpec>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    modifiers: Vec<String>,
}

impl Theme {
    /// The built-in theme.
    pub fn builtin() -> Theme {
        Theme::parse(DEFAULT_THEME).unwrap_or_default()
    }

    /// The built-in theme with the config's `[theme]` overrides; without colours when
    /// `NO_COLOR` is set (<https://no-color.org>), keeping bold, reversed and the like.
    pub fn from_config(overrides: &BTreeMap<String, StyleOverride>) -> Result<Theme, String> {
        let mut theme = Theme::builtin();
        theme.apply(overrides)?;
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            theme.drop_colors();
        }
        Ok(theme)
    }

    pub fn parse(text: &str) -> Result<Theme, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut styles = HashMap::new();
        for (name, spec) in file.styles {
            let style = style_of(
                &name,
                spec.fg.as_deref(),
                spec.bg.as_deref(),
                &spec.modifiers,
            )?;
            styles.insert(name, style);
        }
        Ok(Theme { styles })
    }

    /// Replace the named styles' given parts; an unknown style, colour or modifier is an
    /// error naming it.
    pub fn apply(&mut self, overrides: &BTreeMap<String, StyleOverride>) -> Result<(), String> {
        for (name, o) in overrides {
            let Some(base) = self.styles.get(name).copied() else {
                let mut known: Vec<&str> = self.styles.keys().map(String::as_str).collect();
                known.sort_unstable();
                return Err(format!(
                    "[theme.{name}]: no such style (styles: {})",
                    known.join(", ")
                ));
            };
            let given = style_of(
                name,
                o.fg.as_deref(),
                o.bg.as_deref(),
                o.modifiers.as_deref().unwrap_or_default(),
            )
            .map_err(|e| format!("[theme.{name}]: {e}"))?;
            let mut style = base;
            if o.fg.is_some() {
                style.fg = given.fg;
            }
            if o.bg.is_some() {
                style.bg = given.bg;
            }
            if o.modifiers.is_some() {
                style.add_modifier = given.add_modifier;
                style.sub_modifier = Modifier::empty();
            }
            self.styles.insert(name.clone(), style);
        }
        Ok(())
    }

    fn drop_colors(&mut self) {
        for style in self.styles.values_mut() {
            style.fg = None;
            style.bg = None;
        }
    }

    /// A named style (plain when the theme lacks it).
    pub fn get(&self, name: &str) -> Style {
        self.styles.get(name).copied().unwrap_or_default()
    }
}

fn style_of(
    name: &str,
    fg: Option<&str>,
    bg: Option<&str>,
    modifiers: &[String],
) -> Result<Style, String> {
    let mut style = Style::default();
    if let Some(c) = fg {
        style = style.fg(color(c).ok_or_else(|| format!("style {name}: unknown colour {c:?}"))?);
    }
    if let Some(c) = bg {
        style = style.bg(color(c).ok_or_else(|| format!("style {name}: unknown colour {c:?}"))?);
    }
    for m in modifiers {
        style = style.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => return Err(format!("style {name}: unknown modifier {other:?}")),
        });
    }
    Ok(style)
}

fn color(s: &str) -> Option<Color> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_theme_parses() {
        let t = super::Theme::parse(super::DEFAULT_THEME).unwrap();
        assert_ne!(t.get("cursor"), ratatui::style::Style::default());
    }

    fn override_of(text: &str) -> std::collections::BTreeMap<String, super::StyleOverride> {
        #[derive(serde::Deserialize)]
        struct C {
            theme: std::collections::BTreeMap<String, super::StyleOverride>,
        }
        toml::from_str::<C>(text).unwrap().theme
    }

    #[test]
    fn config_overrides_replace_only_the_parts_given() {
        use ratatui::style::{Color, Modifier};
        let mut t = super::Theme::builtin();
        let before = t.get("cursor");
        t.apply(&override_of(
            "[theme.cursor]\nbg = \"#ffaf00\"\n[theme.folder]\nmodifiers = []",
        ))
        .unwrap();
        let after = t.get("cursor");
        assert_eq!(after.bg, Some(Color::Rgb(0xff, 0xaf, 0x00)));
        assert_eq!(after.fg, before.fg, "fg kept");
        assert!(!t.get("folder").add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn bad_overrides_name_the_style_and_what_is_wrong() {
        let mut t = super::Theme::builtin();
        let e = t
            .apply(&override_of("[theme.cursr]\nfg = \"red\""))
            .unwrap_err();
        assert!(
            e.starts_with("[theme.cursr]: no such style") && e.contains("cursor"),
            "{e}"
        );
        let e = t
            .apply(&override_of("[theme.cursor]\nfg = \"blu\""))
            .unwrap_err();
        assert!(e.contains("unknown colour \"blu\""), "{e}");
        let e = t
            .apply(&override_of("[theme.cursor]\nmodifiers = [\"blink\"]"))
            .unwrap_err();
        assert!(e.contains("unknown modifier \"blink\""), "{e}");
    }
}
