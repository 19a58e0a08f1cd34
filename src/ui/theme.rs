//! Named styles from `assets/theme.toml`.

use std::collections::HashMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

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

    pub fn parse(text: &str) -> Result<Theme, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut styles = HashMap::new();
        for (name, spec) in file.styles {
            let mut style = Style::default();
            if let Some(c) = spec.fg.as_deref().and_then(color) {
                style = style.fg(c);
            }
            if let Some(c) = spec.bg.as_deref().and_then(color) {
                style = style.bg(c);
            }
            for m in &spec.modifiers {
                style = style.add_modifier(match m.as_str() {
                    "bold" => Modifier::BOLD,
                    "dim" => Modifier::DIM,
                    "italic" => Modifier::ITALIC,
                    "underlined" => Modifier::UNDERLINED,
                    "reversed" => Modifier::REVERSED,
                    other => return Err(format!("style {name}: unknown modifier {other:?}")),
                });
            }
            styles.insert(name, style);
        }
        Ok(Theme { styles })
    }

    /// A named style (plain when the theme lacks it).
    pub fn get(&self, name: &str) -> Style {
        self.styles.get(name).copied().unwrap_or_default()
    }
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
}
