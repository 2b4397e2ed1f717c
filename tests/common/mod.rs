//! Shared test helpers: paths to fixtures and to ../shared (absent on a user's clone), a
//! process's memory, the real server over TCP (`server`), and a temporary corpus and index
//! with the binary run on them (`workspace`).

#![allow(dead_code)]

pub mod server;
pub mod workspace;

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

/// The peak resident memory (VmHWM) of process `pid` so far, in MB (0 once it has exited).
pub fn peak_resident_mb(pid: u32) -> f64 {
    status_mb(pid, "VmHWM:")
}

/// The resident memory (VmRSS) of process `pid` now, in MB (0 once it has exited).
pub fn resident_mb(pid: u32) -> f64 {
    status_mb(pid, "VmRSS:")
}

fn status_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    kb as f64 / 1024.0
}
