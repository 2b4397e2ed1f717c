//! `ingest` end to end: walk → read → split → tag → dedup → index, incrementally against the
//! manifest kept in the index. The only code that runs the stages in order.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::Result;

/// What to ingest and where.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    /// Paths to import (default: the corpus dir). Each must be inside the corpus dir or be
    /// imported with its path as given.
    pub paths: Vec<PathBuf>,
    /// Rebuild from scratch in a fresh directory and switch to it atomically.
    pub full: bool,
    pub max_file_bytes: u64,
    /// Show a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileError {
    pub path: String,
    pub error: String,
}

/// The `zhili ingest --json` summary (spec/api.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestSummary {
    pub files_seen: u64,
    pub files_indexed: u64,
    pub files_unchanged: u64,
    pub files_removed: u64,
    pub files_failed: u64,
    /// Documents and passages the index holds after the run.
    pub documents: u64,
    pub passages: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub errors: Vec<FileError>,
}

/// Brings the index up to date with the corpus.
pub fn run_ingest(options: &IngestOptions) -> Result<IngestSummary> {
    let _ = options;
    todo!("lead")
}
