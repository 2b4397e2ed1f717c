//! Shared test helpers: paths to fixtures and to ../shared (absent on a user's clone), and the
//! real server over TCP (`server`).

#![allow(dead_code)]

pub mod server;

use std::path::PathBuf;

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `../shared/<rel>` when it exists; otherwise prints that the test is skipped and returns None.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {} is absent: CI must run every test",
            path.display()
        );
        eprintln!(
            "skipped: {} is absent (no ../shared on this clone)",
            path.display()
        );
        None
    }
}

/// The project's sample corpus (the five seeds).
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}
