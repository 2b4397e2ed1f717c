//! Crawl stage, storage: where a URL's copy lives under the out dir, its metadata sidecar, and
//! writes that never lose what is already there (temp file, then rename).
//!
//! Layout: `<out>/<host>[_<port>]/<name>.html` and `<name>.html.meta.json` (docx: `.docx`).
//! The name is derived from the URL path, so a re-crawl of the same URL overwrites the same file
//! and the document keeps its id. Touches nothing outside the out dir.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Error, Result};

/// The metadata sidecar (`*.meta.json`): the ingest reader takes `final_url`/`url`, `title`
/// and `published` from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageMeta {
    pub url: String,
    pub final_url: String,
    /// RFC 3339, UTC.
    pub fetched_at: String,
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub title: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub published: Option<String>,
    /// The `来源：` line.
    pub source: Option<String>,
    /// blake3 (hex) of the body exactly as received.
    pub content_hash: String,
    /// Charset the page was sent in (`utf-8`, `gbk`, …); `null` for docx.
    pub charset: Option<String>,
    /// Charset of the stored file: HTML is always stored as UTF-8 with its `<meta charset>`
    /// rewritten, so the stored bytes differ from the received ones when `charset` is not UTF-8.
    pub stored_charset: Option<String>,
    pub reencoded: bool,
    pub content_type: Option<String>,
    /// The extracted main text (densest block, without navigation and boilerplate).
    #[serde(default)]
    pub text: String,
}

/// Where one URL's copy and sidecar live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    pub file: PathBuf,
    pub meta: PathBuf,
}

impl Slot {
    fn new(file: PathBuf) -> Slot {
        let mut meta = file.clone().into_os_string();
        meta.push(".meta.json");
        Slot {
            file,
            meta: PathBuf::from(meta),
        }
    }

    pub(crate) fn read_meta(&self) -> Option<PageMeta> {
        read_meta(&self.meta)
    }
}

pub(crate) fn read_meta(path: &Path) -> Option<PageMeta> {
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// `host` or `host_port`, safe as a directory name.
pub(crate) fn host_dir(url: &Url) -> String {
    let host = url
        .host_str()
        .unwrap_or("unknown-host")
        .trim_matches(['[', ']']);
    let host = sanitize(&host.to_ascii_lowercase());
    match url.port() {
        Some(port) => format!("{host}_{port}"),
        None => host,
    }
}

/// Keeps letters, digits (Chinese too), `.` and `-`; turns every other run into one `_`.
fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '.' | '-') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches(['_', '.']).to_string()
}

fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..10].to_string()
}

/// The file name stem for a URL: its decoded path with `/` → `_`, the query as a short hash.
pub(crate) fn file_stem(url: &Url) -> String {
    let path = percent_decode(url.path());
    let path = path.trim_matches('/');
    let path = [
        "html", "htm", "shtml", "jhtml", "php", "asp", "aspx", "jsp", "docx",
    ]
    .iter()
    .find_map(|ext| path.strip_suffix(&format!(".{ext}")))
    .unwrap_or(path);
    let mut stem = sanitize(path);
    if stem.is_empty() {
        stem = "index".to_string();
    }
    if stem.len() > 120 {
        let cut = (0..=120)
            .rev()
            .find(|i| stem.is_char_boundary(*i))
            .unwrap_or(0);
        stem = format!("{}-{}", &stem[..cut], short_hash(url.path()));
    }
    match url.query() {
        Some(query) if !query.is_empty() => format!("{stem}-q{}", short_hash(query)),
        _ => stem,
    }
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The slot for `url` with extension `ext` (`html` or `docx`). When another URL already owns
/// the plain name (two paths that sanitize alike), the name gets a hash of the URL.
pub(crate) fn slot_for(out: &Path, url: &Url, ext: &str) -> Slot {
    let dir = out.join(host_dir(url));
    let stem = file_stem(url);
    let plain = Slot::new(dir.join(format!("{stem}.{ext}")));
    match plain.read_meta() {
        Some(meta) if meta.url != url.as_str() => {
            Slot::new(dir.join(format!("{stem}-{}.{ext}", short_hash(url.as_str()))))
        }
        _ => plain,
    }
}

/// The slot already holding a copy of `url`, if any, with its metadata.
pub(crate) fn existing(out: &Path, url: &Url) -> Option<(Slot, PageMeta)> {
    ["html", "docx"].iter().find_map(|ext| {
        let slot = slot_for(out, url, ext);
        let meta = slot.read_meta()?;
        (meta.url == url.as_str() && slot.file.exists()).then_some((slot, meta))
    })
}

/// Writes `bytes` to `path` through a temp file in the same directory and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|err| Error::io(format!("cannot create {}", dir.display()), err))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.part", std::process::id()));
    fs::write(&temp, bytes)
        .map_err(|err| Error::io(format!("cannot write {}", temp.display()), err))?;
    fs::rename(&temp, path).map_err(|err| {
        let _ = fs::remove_file(&temp);
        Error::io(format!("cannot replace {}", path.display()), err)
    })
}

/// Saves the copy first and the sidecar second: a crash in between leaves an old sidecar,
/// whose hash no longer matches, so the next crawl fetches and saves again.
pub(crate) fn save(slot: &Slot, bytes: &[u8], meta: &PageMeta) -> Result<()> {
    write_atomic(&slot.file, bytes)?;
    let json = serde_json::to_vec_pretty(meta)?;
    write_atomic(&slot.meta, &json)
}

/// Now as RFC 3339 (UTC, seconds).
pub(crate) fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_url_path() {
        let url = Url::parse("http://www.gov.example:8080/art/2023/5/t20230512_1.html").unwrap();
        assert_eq!(host_dir(&url), "www.gov.example_8080");
        assert_eq!(file_stem(&url), "art_2023_5_t20230512_1");
        let root = Url::parse("https://a.example/").unwrap();
        assert_eq!(file_stem(&root), "index");
        let query = Url::parse("https://a.example/show.jsp?id=1").unwrap();
        let other = Url::parse("https://a.example/show.jsp?id=2").unwrap();
        assert_ne!(file_stem(&query), file_stem(&other));
        assert!(file_stem(&query).starts_with("show-q"));
        let chinese = Url::parse("https://a.example/案例/一.html").unwrap();
        assert_eq!(file_stem(&chinese), "案例_一");
    }
}
