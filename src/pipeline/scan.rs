//! Finding the files to ingest (and the symbolic links not followed, each with the reason)
//! and deciding which changed since the manifest: size and mtime first (no read), then the
//! content hash.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::index::manifest::{FileEntry, Manifest};
use crate::ingest::{self, FollowSymlinks};

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
    /// Symbolic links are followed only to targets under this: the corpus dir for roots
    /// inside it, the root itself otherwise.
    pub fence: PathBuf,
}

impl Root {
    /// The display path of `abs`, a path under this root.
    pub fn display_path(&self, abs: &Path) -> String {
        let rel = abs.strip_prefix(&self.abs).map(display).unwrap_or_default();
        match (self.prefix.is_empty(), rel.is_empty()) {
            (true, _) => rel,
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}/{rel}", self.prefix),
        }
    }

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
                new: true,
            });
            continue;
        };
        let inside = corpus_abs.as_ref().filter(|c| abs.starts_with(c));
        let prefix = match inside.and_then(|c| abs.strip_prefix(c).ok()) {
            Some(rel) => display(rel),
            None => display(&path),
        };
        let fence = inside.cloned().unwrap_or_else(|| abs.clone());
        out.push(Root { abs, prefix, fence });
    }
    out
}

/// Every file under the roots, with its display path, size and mtime; the links not followed
/// (and entries that cannot be read) go to `skipped`, one each, with the reason.
pub fn find_files(
    roots: &[Root],
    follow: FollowSymlinks,
    skipped: &mut Vec<FileError>,
) -> Vec<Found> {
    let mut found = Vec::new();
    for root in roots {
        let walked = ingest::walk_with(&root.abs, &root.fence, follow);
        skipped.extend(walked.skipped.iter().map(|(abs, error)| FileError {
            path: root.display_path(abs),
            error: error.clone(),
            new: true,
        }));
        for abs in walked.files {
            let Ok(meta) = fs::metadata(&abs) else {
                continue;
            };
            let path = root.display_path(&abs);
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
            fence: PathBuf::from("/c"),
        };
        assert!(root.covers("crawled/a.html"));
        assert!(!root.covers("crawled2/a.html"));
        assert!(
            Root {
                abs: PathBuf::from("/c"),
                prefix: String::new(),
                fence: PathBuf::from("/c"),
            }
            .covers("x.txt")
        );
    }
}
