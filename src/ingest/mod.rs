//! Stage 1, files → `RawCase`s: walk a corpus, decode each file (UTF-8, UTF-16, GB18030 by
//! detection; HTML and docx reduced to text), clean it, split it into documents and passages,
//! and fingerprint documents for near-duplicate detection. Never touches the index.

pub mod dedup;

use std::path::{Path, PathBuf};

use crate::model::{RawCase, RawFile};

/// Limits for reading one file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files larger than this are skipped (default 50 MB).
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: 50 * 1024 * 1024,
        }
    }
}

/// Every candidate input file under `root` (a file or a directory), sorted, skipping hidden
/// files/dirs and zhili's own sidecar files. Unsupported files ARE returned: `read_file`
/// reports them, so the user sees one error line per skipped file.
pub fn walk(root: &Path) -> Vec<PathBuf> {
    let _ = root;
    todo!("helper A")
}

/// Reads and decodes one file. `display_path` is the path shown to users and stored
/// (corpus-relative, `/`-separated). The error is one short reason in words a person
/// understands, e.g. "not a text, HTML or docx file", "empty file", "binary data",
/// "larger than the 50 MB limit", "truncated or corrupt docx".
pub fn read_file(
    path: &Path,
    display_path: &str,
    options: &ReadOptions,
) -> Result<RawFile, String> {
    let _ = (path, display_path, options);
    todo!("helper A")
}

/// Cleans a decoded file and splits it into its documents, each with passages.
/// Always returns at least one document for a file with any text.
pub fn split_file(file: &RawFile) -> Vec<RawCase> {
    let _ = file;
    todo!("helper A")
}
