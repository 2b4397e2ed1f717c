//! Stage 1, files → `RawCase`s: walk a corpus, decode each file (UTF-8, UTF-16, GB18030 by
//! detection; HTML and docx reduced to text), clean it, split it into documents and passages,
//! and fingerprint documents for near-duplicate detection. Never touches the index.

mod clean;
mod decode;
pub mod dedup;
mod docx;
mod html;
mod passage;
mod split;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::model::{FileKind, RawCase, RawFile};
pub use walk::{FollowSymlinks, Walked};

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

/// Reason given for a file whose extension is not one we read.
pub const UNSUPPORTED: &str = "not a text, HTML or docx file";
/// Reason given for a file with no text.
pub const EMPTY: &str = "empty file";

/// Every candidate input file under `root` (a file or a directory), sorted, skipping hidden
/// files/dirs and zhili's own sidecar files. Unsupported files ARE returned: `read_file`
/// reports them, so the user sees one error line per skipped file. Symbolic links are
/// followed only inside `root`; see [`walk_with`] for the links skipped.
pub fn walk(root: &Path) -> Vec<PathBuf> {
    let fence = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    walk::walk(root, &fence, FollowSymlinks::Inside).files
}

/// [`walk`], following the links `follow` allows whose target lies under `fence` (the
/// canonical corpus root), and listing every link not followed with the reason.
pub fn walk_with(root: &Path, fence: &Path, follow: FollowSymlinks) -> Walked {
    walk::walk(root, fence, follow)
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
    let kind = kind_of(path).ok_or(UNSUPPORTED)?;
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    if size > options.max_bytes {
        return Err(format!(
            "larger than the {} limit",
            human_size(options.max_bytes)
        ));
    }
    if size == 0 {
        return Err(EMPTY.into());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let (text, url) = match kind {
        FileKind::Docx => (docx_text(&bytes, options.max_bytes)?, None),
        FileKind::Html => {
            let page = html::extract(&decode::decode(&bytes)?);
            (page.text, sidecar_url(path).or(page.url))
        }
        FileKind::Text | FileKind::Markdown => (decode::decode(&bytes)?, None),
    };
    if text.trim().is_empty() {
        return Err(EMPTY.into());
    }
    Ok(RawFile {
        path: display_path.to_owned(),
        kind,
        text,
        url,
    })
}

/// The text of a docx, refused when it is longer than a text file may be (`max_bytes`).
fn docx_text(bytes: &[u8], max_bytes: u64) -> Result<String, String> {
    let text = docx::extract(bytes)?;
    if text.len() as u64 > max_bytes {
        return Err(format!(
            "its text unpacks to more than the {} limit; not read",
            human_size(max_bytes)
        ));
    }
    Ok(text)
}

fn kind_of(path: &Path) -> Option<FileKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" => Some(FileKind::Text),
        "md" | "markdown" => Some(FileKind::Markdown),
        "html" | "htm" | "xhtml" | "shtml" => Some(FileKind::Html),
        "docx" => Some(FileKind::Docx),
        _ => None,
    }
}

fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// `final_url` or `url` from the crawler's sidecar `<file>.meta.json` (or `<stem>.meta.json`).
fn sidecar_url(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = path.file_stem()?.to_str()?;
    [format!("{name}.meta.json"), format!("{stem}.meta.json")]
        .iter()
        .find_map(|sidecar| {
            let raw = std::fs::read_to_string(path.with_file_name(sidecar)).ok()?;
            let meta: serde_json::Value = serde_json::from_str(&raw).ok()?;
            ["final_url", "url"]
                .iter()
                .find_map(|key| meta.get(key)?.as_str().map(str::to_owned))
        })
}

/// `文章来源：http…`, `来源：http…`, `原文链接：http…`.
static SOURCE_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来源|原文链接|原文地址|原文网址|出处)\s*[:：]\s*(https?://[^\s，。；）)]+)")
        .unwrap()
});

/// Cleans a decoded file and splits it into its documents, each with passages.
/// Always returns at least one document for a file with any text.
pub fn split_file(file: &RawFile) -> Vec<RawCase> {
    let markdown = file.kind == FileKind::Markdown;
    let cleaned = clean::clean(&file.text, markdown);
    let mut docs = split::documents(&cleaned, markdown);
    if docs.is_empty() && !file.text.trim().is_empty() {
        // Only boilerplate: keep the file visible rather than silently empty.
        let text = clean::normalize_line(file.text.trim());
        docs.push(split::Doc {
            title: text.chars().take(40).collect(),
            lines: vec![text],
        });
    }
    docs.into_iter()
        .enumerate()
        .map(|(ordinal, doc)| to_case(file, ordinal, doc))
        .collect()
}

fn to_case(file: &RawFile, ordinal: usize, doc: split::Doc) -> RawCase {
    let url = doc
        .lines
        .iter()
        .filter(|l| l.len() < 600 && l.contains("http"))
        .find_map(|l| SOURCE_URL.captures(l).map(|c| c[1].to_owned()))
        .or_else(|| file.url.clone());
    let mut passages = passage::passages(&doc.lines);
    if passages.is_empty() {
        passages.push(doc.title.clone());
    }
    RawCase {
        source_path: file.path.clone(),
        ordinal,
        title: doc.title,
        text: passages.join("\n"),
        url,
        passages,
    }
}
