//! Stage 1, files → `RawCase`s: walk a corpus, decode each file (UTF-8, UTF-16, GB18030 by
//! detection; HTML and docx reduced to text), clean it, split it into documents and passages,
//! and fingerprint documents for near-duplicate detection. Never touches the index.

pub mod article;
mod clean;
mod decode;
pub mod dedup;
mod docx;
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
    /// Files holding a document with more text than this are skipped (default 8 MB): every
    /// search hitting a document, and every view or export of it, handles its whole text.
    pub max_doc_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: 50 * 1024 * 1024,
            max_doc_bytes: 8 * 1024 * 1024,
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
    let mut meta = CrawlMeta::of(path);
    let (text, url) = match kind {
        FileKind::Docx => (docx_text(&bytes, options.max_bytes)?, meta.url),
        FileKind::Html => {
            let page_url = meta.url.as_deref().and_then(|u| url::Url::parse(u).ok());
            let page = article::extract(&decode::decode(&bytes)?, page_url.as_ref());
            if page.link_density >= article::MAX_ARTICLE_LINK_DENSITY {
                return Err("a page of links (a list or index page), not an article".into());
            }
            let text = match meta.title.as_deref() {
                Some(title) if !page.text.starts_with(title) => format!("{title}\n{}", page.text),
                _ => page.full_text(),
            };
            meta.published = meta.published.or(page.published);
            (text, meta.url.or(page.canonical))
        }
        FileKind::Text | FileKind::Markdown => (decode::decode(&bytes)?, meta.url),
    };
    if text.trim().is_empty() {
        return Err(EMPTY.into());
    }
    Ok(RawFile {
        path: display_path.to_owned(),
        kind,
        text,
        url,
        published: meta.published,
        publisher: meta.publisher,
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

/// `50 MB`, `1.5 KB`, `300 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// Largest crawl sidecar read; a larger one is not the crawler's and is left alone.
const MAX_SIDECAR_BYTES: u64 = 1024 * 1024;

/// What the crawler's sidecar `<file>.meta.json` (or `<stem>.meta.json`) says of a file.
#[derive(Default)]
struct CrawlMeta {
    /// `final_url`, else `url`.
    url: Option<String>,
    title: Option<String>,
    published: Option<String>,
    publisher: Option<String>,
}

impl CrawlMeta {
    fn of(path: &Path) -> CrawlMeta {
        let name = path.file_name().and_then(|n| n.to_str());
        let stem = path.file_stem().and_then(|n| n.to_str());
        let (Some(name), Some(stem)) = (name, stem) else {
            return CrawlMeta::default();
        };
        let meta = [format!("{name}.meta.json"), format!("{stem}.meta.json")]
            .iter()
            .map(|sidecar| path.with_file_name(sidecar))
            .filter(|p| {
                p.metadata()
                    .is_ok_and(|m| m.is_file() && m.len() <= MAX_SIDECAR_BYTES)
            })
            .find_map(|p| {
                let raw = std::fs::read_to_string(p).ok()?;
                serde_json::from_str::<serde_json::Value>(&raw).ok()
            });
        let Some(meta) = meta else {
            return CrawlMeta::default();
        };
        let text = |key: &str| meta.get(key)?.as_str().map(str::to_owned);
        CrawlMeta {
            url: text("final_url").or_else(|| text("url")),
            title: text("title"),
            published: text("published"),
            publisher: text("source"),
        }
    }
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
    // Source and date lines under the title (`来源：解放日报`, `发布时间：2023-05-06`).
    let head: String = doc
        .lines
        .iter()
        .take(12)
        .filter(|l| l.chars().count() < 120)
        .fold(String::new(), |mut head, l| {
            head.push_str(l);
            head.push('\n');
            head
        });
    let publisher = file
        .publisher
        .clone()
        .or_else(|| article::source_line(&head));
    let published = file
        .published
        .clone()
        .or_else(|| article::labelled_date(&head));
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
        published,
        publisher,
        passages,
    }
}
