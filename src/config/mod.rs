//! Configuration and secrets.
