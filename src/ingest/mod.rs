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
    // Provisional (replaced by the ingest branch).
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
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
    // Provisional (replaced by the ingest branch).
    let _ = options;
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    Ok(RawFile {
        path: display_path.to_string(),
        kind: crate::model::FileKind::Text,
        text,
        url: None,
    })
}

/// Cleans a decoded file and splits it into its documents, each with passages.
/// Always returns at least one document for a file with any text.
pub fn split_file(file: &RawFile) -> Vec<RawCase> {
    // Provisional (replaced by the ingest branch).
    let mut lines = file.text.lines().map(str::trim).filter(|l| !l.is_empty());
    let title = lines.next().unwrap_or_default().to_string();
    let passages: Vec<String> = lines.map(str::to_string).collect();
    vec![RawCase {
        source_path: file.path.clone(),
        ordinal: 0,
        title,
        text: passages.join("\n"),
        url: None,
        passages,
    }]
}
