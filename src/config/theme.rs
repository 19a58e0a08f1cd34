//! The TUI theme's named styles, typed: one field per style, declared once here for the
//! built-in `assets/theme.toml`, the config's `[theme.NAME]` overrides and the styles the UI
//! draws with. A misspelt name is an unknown field: a config error with the file and line.

use serde::{Deserialize, Serialize};

/// One named style's override: each given field replaces the built-in one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleOverride {
    pub fg: Option<String>,
    pub bg: Option<String>,
    pub modifiers: Option<Vec<String>>,
}

macro_rules! named_styles {
    ($($name:ident: $doc:literal,)*) => {
        /// A value for each named style of the theme.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(
            deny_unknown_fields,
            default,
            bound(deserialize = "T: Deserialize<'de> + Default")
        )]
        pub struct Styles<T> {
            $(#[doc = $doc] pub $name: T,)*
        }

        impl<T> Styles<T> {
            /// Every style's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name),)*];

            /// Each style's value through `f` (given the style's name); the first error stops.
            pub fn try_map<U, E>(
                self,
                mut f: impl FnMut(&'static str, T) -> Result<U, E>,
            ) -> Result<Styles<U>, E> {
                Ok(Styles { $($name: f(stringify!($name), self.$name)?,)* })
            }

            /// Pairs of this and `other`'s value for each style.
            pub fn zip<U>(self, other: Styles<U>) -> Styles<(T, U)> {
                Styles { $($name: (self.$name, other.$name),)* }
            }
        }
    };
}

named_styles! {
    border: "A pane's or the queue strip's border.",
    border_focused: "The focused pane's border.",
    title: "Titles.",
    header: "Column headers and the help screen's layer headings.",
    folder: "Folders in a pane.",
    file: "Files in a pane, and plain text in dialogs.",
    marked: "Marked entries.",
    cursor: "The cursor row in the focused pane or list.",
    cursor_unfocused: "The cursor row in the other pane, and text fields.",
    dim: "Hints and secondary text.",
    error: "Errors and failed jobs.",
    ok: "Finished jobs and signed-in accounts.",
    gauge: "Progress bars.",
    status: "The status bar.",
    hint_key: "A key in the hint line.",
    hint_label: "What a key in the hint line does.",
    badge: "The badge for questions waiting for a person.",
    modal: "A dialog's body.",
    modal_border: "A dialog's border.",
    drag: "The label that follows a mouse drag.",
    drop_target: "Where a drag would drop.",
}

/// `[theme.NAME]` tables of the config.
pub type ThemeOverrides = Styles<Option<StyleOverride>>;

impl ThemeOverrides {
    pub fn is_empty(&self) -> bool {
        *self == ThemeOverrides::default()
    }
}
