//! The named styles of `assets/theme.toml`, as fields (`theme.cursor`), with the config's
//! `[theme.NAME]` overrides applied.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::config::theme::Styles;
use crate::config::{StyleOverride, ThemeOverrides};

pub const DEFAULT_THEME: &str = include_str!("../../assets/theme.toml");

/// Every named style, ready to draw with.
pub type Theme = Styles<Style>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    styles: Styles<StyleSpec>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    modifiers: Vec<String>,
}

impl Theme {
    /// The built-in theme (part of the binary; a test checks that it parses).
    pub fn builtin() -> Theme {
        Theme::parse(DEFAULT_THEME).unwrap_or_default()
    }

    /// The built-in theme with the config's `[theme]` overrides; without colours when
    /// `NO_COLOR` is set (<https://no-color.org>), keeping bold, reversed and the like.
    pub fn from_config(overrides: &ThemeOverrides) -> Result<Theme, String> {
        let mut theme = Theme::builtin().with(overrides)?;
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            theme = theme.without_colors();
        }
        Ok(theme)
    }

    pub fn parse(text: &str) -> Result<Theme, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        file.styles.try_map(|name, spec| {
            style_of(
                name,
                spec.fg.as_deref(),
                spec.bg.as_deref(),
                &spec.modifiers,
            )
        })
    }

    /// Replace the given parts of the overridden styles; an unknown colour or modifier is an
    /// error naming the style.
    pub fn with(self, overrides: &ThemeOverrides) -> Result<Theme, String> {
        self.zip(overrides.clone())
            .try_map(|name, (base, o)| match o {
                Some(o) => overridden(name, base, &o).map_err(|e| format!("[theme.{name}]: {e}")),
                None => Ok(base),
            })
    }

    fn without_colors(self) -> Theme {
        let plain = |_, style: Style| {
            Ok::<_, ()>(Style {
                fg: None,
                bg: None,
                ..style
            })
        };
        self.try_map(plain).unwrap_or_default()
    }
}

fn overridden(name: &str, base: Style, o: &StyleOverride) -> Result<Style, String> {
    let given = style_of(
        name,
        o.fg.as_deref(),
        o.bg.as_deref(),
        o.modifiers.as_deref().unwrap_or_default(),
    )?;
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
    Ok(style)
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
    use super::*;

    #[test]
    fn builtin_theme_parses_and_names_every_style() {
        let t = Theme::parse(DEFAULT_THEME).unwrap();
        assert_ne!(t.cursor, Style::default());
        let file: toml::Table = toml::from_str(DEFAULT_THEME).unwrap();
        let mut names: Vec<&str> = file["styles"]
            .as_table()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let mut all = Theme::NAMES.to_vec();
        all.sort_unstable();
        assert_eq!(names, all, "assets/theme.toml defines each style once");
        let e = Theme::parse("[styles]\ncursr = {}\n").unwrap_err();
        assert!(e.contains("cursr"), "{e}");
    }

    fn override_of(text: &str) -> ThemeOverrides {
        crate::config::Config::parse(text, "c.toml").unwrap().theme
    }

    #[test]
    fn config_overrides_replace_only_the_parts_given() {
        use ratatui::style::{Color, Modifier};
        let before = Theme::builtin();
        let t = Theme::builtin()
            .with(&override_of(
                "[theme.cursor]\nbg = \"#ffaf00\"\n[theme.folder]\nmodifiers = []",
            ))
            .unwrap();
        assert_eq!(t.cursor.bg, Some(Color::Rgb(0xff, 0xaf, 0x00)));
        assert_eq!(t.cursor.fg, before.cursor.fg, "fg kept");
        assert!(!t.folder.add_modifier.contains(Modifier::BOLD));
        assert_eq!(t.border, before.border, "the rest as built in");
    }

    #[test]
    fn bad_colours_and_modifiers_name_the_style_and_what_is_wrong() {
        let t = Theme::builtin();
        let e = t
            .with(&override_of("[theme.cursor]\nfg = \"blu\""))
            .unwrap_err();
        assert!(
            e.starts_with("[theme.cursor]") && e.contains("unknown colour \"blu\""),
            "{e}"
        );
        let e = t
            .with(&override_of("[theme.cursor]\nmodifiers = [\"blink\"]"))
            .unwrap_err();
        assert!(e.contains("unknown modifier \"blink\""), "{e}");
    }
}
