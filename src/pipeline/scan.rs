//! Finding the files to ingest and deciding which changed since the manifest: size and mtime
//! first (no read), then the content hash.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::index::manifest::{FileEntry, Manifest};
use crate::ingest;

use super::FileError;

/// A file found under one of the roots.
#[derive(Debug, Clone)]
pub struct Found {
    pub abs: PathBuf,
    /// Corpus-relative when inside the corpus, `/`-separated.
    pub path: String,
    pub size: u64,
    pub mtime_ns: u128,
}

/// Where a root lies, for deciding which manifest entries it covers.
#[derive(Debug, Clone)]
pub struct Root {
    pub abs: PathBuf,
    /// Display path prefix of everything under it ("" for the corpus dir itself).
    pub prefix: String,
}

impl Root {
    /// True when `path` (a manifest path) lies under this root.
    pub fn covers(&self, path: &str) -> bool {
        self.prefix.is_empty()
            || path == self.prefix
            || path
                .strip_prefix(&self.prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// Resolves the roots to ingest; a root that does not exist is reported, not fatal.
pub fn roots(corpus: &Path, paths: &[PathBuf], errors: &mut Vec<FileError>) -> Vec<Root> {
    let corpus_abs = fs::canonicalize(corpus).ok();
    let asked: Vec<PathBuf> = if paths.is_empty() {
        vec![corpus.to_path_buf()]
    } else {
        paths.to_vec()
    };
    let mut out = Vec::new();
    for path in asked {
        let Ok(abs) = fs::canonicalize(&path) else {
            errors.push(FileError {
                path: display(&path),
                error: "no such file or directory".into(),
            });
            continue;
        };
        let prefix = match corpus_abs.as_ref().and_then(|c| abs.strip_prefix(c).ok()) {
            Some(rel) => display(rel),
            None => display(&path),
        };
        out.push(Root { abs, prefix });
    }
    out
}

/// Every file under the roots, with its display path, size and mtime.
pub fn find_files(roots: &[Root]) -> Vec<Found> {
    let mut found = Vec::new();
    for root in roots {
        for abs in ingest::walk(&root.abs) {
            let Ok(meta) = fs::metadata(&abs) else {
                continue;
            };
            let rel = abs.strip_prefix(&root.abs).map(display).unwrap_or_default();
            let path = match (root.prefix.is_empty(), rel.is_empty()) {
                (true, _) => rel,
                (false, true) => root.prefix.clone(),
                (false, false) => format!("{}/{rel}", root.prefix),
            };
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            found.push(Found {
                abs,
                path,
                size: meta.len(),
                mtime_ns,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    found
}

/// `/`-separated path text.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// True when the manifest entry still describes the file without reading it.
pub fn unchanged_by_stat(entry: &FileEntry, file: &Found, fingerprint: &str) -> bool {
    entry.size == file.size && entry.mtime_ns == file.mtime_ns && entry.fingerprint == fingerprint
}

/// Manifest paths under the roots that are no longer on disk.
pub fn removed(previous: &Manifest, roots: &[Root], found: &[Found]) -> Vec<String> {
    previous
        .files
        .keys()
        .filter(|path| roots.iter().any(|r| r.covers(path)))
        .filter(|path| {
            found
                .binary_search_by(|f| f.path.as_str().cmp(path.as_str()))
                .is_err()
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_covers_its_own_subtree_only() {
        let root = Root {
            abs: PathBuf::from("/c/crawled"),
            prefix: "crawled".into(),
        };
        assert!(root.covers("crawled/a.html"));
        assert!(!root.covers("crawled2/a.html"));
        assert!(
            Root {
                abs: PathBuf::from("/c"),
                prefix: String::new()
            }
            .covers("x.txt")
        );
    }
}
