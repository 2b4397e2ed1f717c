//! Finding the files to ingest (and the symbolic links not followed, each with the reason)
//! and deciding which changed since the manifest: size and mtime first (no read), then the
//! content hash. File names that are not UTF-8 are decoded as GB18030 or shown escaped, so
//! that no two files share a display path (which is also the manifest key and the id's seed).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

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
    /// Whether the walk listed a pinned-tags sidecar beside the file (`None`: not known, the
    /// file was named alone).
    pub pin_sidecar: Option<bool>,
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
        self.display_path_as(abs, Names::Decoded)
    }

    fn display_path_as(&self, abs: &Path, names: Names) -> String {
        let rel = abs
            .strip_prefix(&self.abs)
            .map(|rel| display_as(rel, names))
            .unwrap_or_default();
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
    let mut escaped = Vec::new();
    for root in roots {
        let walked = ingest::walk_with(&root.abs, &root.fence, follow);
        skipped.extend(walked.skipped.iter().map(|(abs, error)| FileError {
            path: root.display_path(abs),
            error: error.clone(),
            new: true,
        }));
        // The stats run in parallel: a no-op ingest of a large corpus is mostly these.
        let stats: Vec<_> = walked.files.par_iter().map(fs::metadata).collect();
        for (abs, meta) in walked.files.into_iter().zip(stats) {
            let Ok(meta) = meta else {
                continue;
            };
            let pin_sidecar = walked.sidecars.as_ref().map(|sidecars| {
                if sidecars.is_empty() {
                    return false;
                }
                let mut sidecar = abs.clone().into_os_string();
                sidecar.push(crate::tag::SIDECAR_SUFFIX);
                sidecars.contains(Path::new(&sidecar))
            });
            let path = root.display_path(&abs);
            if !is_utf8(&abs) {
                escaped.push((abs.clone(), root.display_path_as(&abs, Names::Escaped)));
            }
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
                pin_sidecar,
            });
        }
    }
    sort_and_dedup(&mut found);
    // Decoded names that collide (a GB18030 name beside its UTF-8 twin): those not in UTF-8
    // are shown escaped, which is lossless.
    let colliding: Vec<String> = found
        .windows(2)
        .filter(|w| w[0].path == w[1].path)
        .map(|w| w[0].path.clone())
        .collect();
    if !colliding.is_empty() {
        for file in found.iter_mut().filter(|f| colliding.contains(&f.path)) {
            if let Some((_, path)) = escaped.iter().find(|(abs, _)| *abs == file.abs) {
                file.path = path.clone();
            }
        }
        sort_and_dedup(&mut found);
    }
    let mut kept: Vec<Found> = Vec::with_capacity(found.len());
    for file in found {
        match kept.last() {
            Some(last) if last.path == file.path => skipped.push(FileError {
                error: format!(
                    "its name reads as {}, like another file's; rename it (not indexed)",
                    file.path
                ),
                path: file.abs.to_string_lossy().into_owned(),
                new: true,
            }),
            _ => kept.push(file),
        }
    }
    kept
}

/// Sorted by display path; the same file reached through two roots counted once.
fn sort_and_dedup(found: &mut Vec<Found>) {
    found.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.abs.cmp(&b.abs)));
    found.dedup_by(|a, b| a.path == b.path && a.abs == b.abs);
}

/// How names that are not UTF-8 are shown.
#[derive(Debug, Clone, Copy)]
enum Names {
    /// As GB18030 when they decode cleanly, else escaped.
    Decoded,
    /// Invalid bytes as `\xNN` (and `\` as `\x5C`): lossless.
    Escaped,
}

/// `/`-separated path text. A name that is not UTF-8 (unzipped from Chinese Windows) is read
/// as GB18030 when it decodes cleanly, and shown with its bytes escaped (`\xFF`) otherwise.
pub fn display(path: &Path) -> String {
    display_as(path, Names::Decoded)
}

fn display_as(path: &Path, names: Names) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let text = bytes
        .split(|&b| b == b'/')
        .map(|name| match (std::str::from_utf8(name), names) {
            (Ok(name), _) => name.replace('\\', "/"),
            (Err(_), Names::Decoded) => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(name)
                .map_or_else(|| escaped(name), |name| name.replace('\\', "/")),
            (Err(_), Names::Escaped) => escaped(name),
        })
        .collect::<Vec<_>>()
        .join("/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

fn is_utf8(path: &Path) -> bool {
    path.to_str().is_some()
}

/// `name` with the bytes that are not UTF-8, and backslashes, as `\xNN`.
fn escaped(name: &[u8]) -> String {
    let mut out = String::new();
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\x5C"),
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
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
    fn names_not_in_utf8_are_read_as_gb18030_or_escaped() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let path = |bytes: &[u8]| Path::new(OsStr::from_bytes(bytes)).to_path_buf();
        // 中文/案例.txt in GBK, under a UTF-8 directory.
        let gbk = path(b"\xe6\xb2\xbb/\xd6\xd0\xce\xc4/\xb0\xb8\xc0\xfd.txt");
        assert_eq!(display(&gbk), "治/中文/案例.txt");
        assert_eq!(
            display_as(&gbk, Names::Escaped),
            "治/\\xD6\\xD0\\xCE\\xC4/\\xB0\\xB8\\xC0\\xFD.txt"
        );
        // Not GB18030 either (0xFF never starts a character).
        assert_eq!(display(&path(b"./caf\xff\\.txt")), "caf\\xFF\\x5C.txt");
        assert_ne!(display(&path(b"a\xff")), display(&path(b"a\xfe")));
        assert_eq!(display(Path::new("./a\\b.txt")), "a/b.txt");
    }

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
