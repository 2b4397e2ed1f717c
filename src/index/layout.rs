//! The index directory on disk: numbered generations, a `CURRENT` pointer switched by an
//! atomic rename, and an exclusive write lock.
//!
//! ```text
//! index/
//!   CURRENT        "gen-000002": the generation readers open
//!   gen-000002/    a tantivy index, its manifest (manifest-*.bin), the stored
//!                  documents (documents-*.bin) and the files last checked whole (verified.json)
//!   write.lock     held (flock) by the one process writing; released by the OS if it dies
//!   last-ingest.json  what the last ingest run did (for /api/health), replaced by a rename
//! ```
//! A full rebuild writes a new generation and only then moves `CURRENT`, so a crash at any
//! point leaves the previous generation searchable.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::{Error, Result};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "write.lock";
/// How long `lock` tries before it says the index is busy.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);
const LAST_INGEST: &str = "last-ingest.json";

/// What the last ingest run did (`last_ingest` of `/api/health`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LastIngest {
    /// RFC 3339, UTC.
    pub finished_at: String,
    pub files_indexed: u64,
    pub files_failed: u64,
    pub documents: u64,
}
const GEN_PREFIX: &str = "gen-";

/// The root of an index directory.
#[derive(Debug, Clone)]
pub struct IndexDir {
    root: PathBuf,
}

/// A version of a file, told apart without reading it: a file renamed into its place (how
/// `CURRENT` and tantivy's `meta.json` are replaced) has another inode, and a rewrite changes
/// its length or modification time. A search checks these stamps instead of reading files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    /// `None` when the file cannot be seen.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = fs::metadata(path).ok()?;
        Some(FileStamp {
            inode: inode(&meta),
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

#[cfg(unix)]
fn inode(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &fs::Metadata) -> u64 {
    0
}

/// Held while writing; dropping it releases the lock.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

impl IndexDir {
    pub fn new(root: impl Into<PathBuf>) -> IndexDir {
        IndexDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The name in `CURRENT` (e.g. `gen-000002`), if an index was ever committed here.
    pub fn current_name(&self) -> Result<Option<String>> {
        match fs::read_to_string(self.root.join(CURRENT)) {
            Ok(name) => Ok(Some(name.trim().to_string()).filter(|n| is_generation(n))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(Error::io(
                format!("cannot read {}", self.root.join(CURRENT).display()),
                err,
            )),
        }
    }

    /// The stamp of `CURRENT` (`None` when there is none): when it is unchanged, so is
    /// `current_name`.
    pub fn current_stamp(&self) -> Option<FileStamp> {
        FileStamp::of(&self.root.join(CURRENT))
    }

    /// Records what an ingest run did (written to a temporary file, then renamed into place).
    pub fn write_last_ingest(&self, last: &LastIngest) -> Result<()> {
        let path = self.root.join(LAST_INGEST);
        let tmp = self.root.join(format!("{LAST_INGEST}.tmp"));
        let bytes = serde_json::to_vec(last)?;
        fs::write(&tmp, bytes)
            .and_then(|()| fs::rename(&tmp, &path))
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    }

    /// What the last ingest run did, when one has recorded it.
    pub fn last_ingest(&self) -> Option<LastIngest> {
        let bytes = fs::read(self.root.join(LAST_INGEST)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Directory of the current generation, if any.
    pub fn current(&self) -> Result<Option<PathBuf>> {
        Ok(self.current_name()?.map(|name| self.root.join(name)))
    }

    /// Takes the exclusive write lock, or fails within a second when another process holds
    /// it. (It tries again for that second: a lock just released can stay held for a moment
    /// by a process that was forked while it was taken and has not yet run its program.)
    pub fn lock(&self) -> Result<WriteLock> {
        let deadline = std::time::Instant::now() + LOCK_PATIENCE;
        loop {
            match self.try_lock() {
                Err(Error::IndexBusy(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn try_lock(&self) -> Result<WriteLock> {
        fs::create_dir_all(&self.root).map_err(|e| {
            Error::io(
                format!("cannot create the index directory {}", self.root.display()),
                e,
            )
        })?;
        let path = self.root.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::IndexBusy(self.root.clone())),
            Err(fs::TryLockError::Error(err)) => {
                Err(Error::io(format!("cannot lock {}", path.display()), err))
            }
        }
    }

    /// Removes generations newer than the current one: the partial work of a failed rebuild.
    pub fn remove_uncommitted(&self, _lock: &WriteLock) -> Result<()> {
        let current = self
            .current_name()?
            .and_then(|name| name.strip_prefix(GEN_PREFIX)?.parse::<u64>().ok())
            .unwrap_or(0);
        for (n, name) in self.generations()? {
            if n > current {
                let path = self.root.join(name);
                fs::remove_dir_all(&path)
                    .map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
            }
        }
        Ok(())
    }

    /// Creates an empty directory for the next generation (not yet current).
    pub fn create_next(&self, _lock: &WriteLock) -> Result<PathBuf> {
        let next = self.generations()?.last().map_or(1, |(n, _)| n + 1);
        let dir = self.root.join(format!("{GEN_PREFIX}{next:06}"));
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(format!("cannot clear {}", dir.display()), e))?;
        }
        fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        Ok(dir)
    }

    /// Makes `generation` current with an atomic rename, then removes generations older than
    /// the one it replaces (that one stays for readers still using it).
    pub fn switch_to(&self, generation: &Path, _lock: &WriteLock) -> Result<()> {
        let name = generation
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                Error::internal(format!("bad generation path {}", generation.display()))
            })?;
        let previous = self.current_name()?;
        let tmp = self.root.join("CURRENT.tmp");
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&tmp)?;
            file.write_all(name.as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, self.root.join(CURRENT))?;
            File::open(&self.root)?.sync_all()
        };
        write().map_err(|e| {
            Error::io(
                format!("cannot switch {} to {name}", self.root.display()),
                e,
            )
        })?;
        self.remove_old(&[Some(name.to_string()), previous])
    }

    fn remove_old(&self, keep: &[Option<String>]) -> Result<()> {
        for (_, name) in self.generations()? {
            if !keep.iter().flatten().any(|k| *k == name) {
                // A failure here only leaves garbage behind; the switch has happened.
                let _ = fs::remove_dir_all(self.root.join(&name));
            }
        }
        Ok(())
    }

    /// Existing generation directories, oldest first.
    fn generations(&self) -> Result<Vec<(u64, String)>> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => {
                return Err(Error::io(
                    format!("cannot list {}", self.root.display()),
                    err,
                ));
            }
        };
        let mut found: Vec<(u64, String)> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| Some((name.strip_prefix(GEN_PREFIX)?.parse().ok()?, name)))
            .collect();
        found.sort();
        Ok(found)
    }
}

fn is_generation(name: &str) -> bool {
    name.strip_prefix(GEN_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_keeps_the_previous_generation_and_drops_older_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = IndexDir::new(tmp.path());
        assert_eq!(dir.current().unwrap(), None);
        let lock = dir.lock().unwrap();
        let mut made = Vec::new();
        for _ in 0..3 {
            let generation = dir.create_next(&lock).unwrap();
            dir.switch_to(&generation, &lock).unwrap();
            made.push(generation);
        }
        assert_eq!(dir.current().unwrap().as_deref(), Some(made[2].as_path()));
        assert!(!made[0].exists());
        assert!(made[1].exists());
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = IndexDir::new(tmp.path());
        let first = dir.lock().unwrap();
        assert!(matches!(dir.lock(), Err(Error::IndexBusy(_))));
        drop(first);
        assert!(dir.lock().is_ok());
    }
}
