//! The sample tree (`assets/demo/`, embedded in the binary) that fills empty demo accounts.

use include_dir::{Dir, include_dir};

pub(crate) static DEMO_TREE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");
