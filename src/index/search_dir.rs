//! Opening a generation for searching, also on a read-only volume. Input: a generation
//! directory; output: a tantivy `Index` whose directory never fails to take tantivy's meta
//! lock because the directory cannot be written. Writers (`IndexUpdate`) do not use this.
//!
//! tantivy's reader takes the meta lock (`.tantivy-meta.lock`, a file it creates and locks in
//! the index) each time it opens segments, so that a writer's garbage collection in another
//! process cannot delete them half-way. tantivy opens that file for writing, which fails on a
//! read-only mount or for a user who may not write the index. `SearchDirectory` then opens the
//! existing lock file for reading and locks it all the same (a file lock needs no write
//! access), so an ingest run by another user is still held off. Only when there is no lock
//! file to open (it could not be created either) does it hand back a no-op lock.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Index;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

use crate::{Error, Result};

use super::tokenizer;

/// An `MmapDirectory` whose locks turn into no-ops when the directory is read-only.
#[derive(Debug, Clone)]
pub struct SearchDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl SearchDirectory {
    pub fn open(path: &Path) -> Result<SearchDirectory, OpenDirectoryError> {
        Ok(SearchDirectory {
            inner: MmapDirectory::open(path)?,
            root: path.to_path_buf(),
        })
    }

    /// `lock` taken on its file opened for reading; a no-op lock when there is no such file.
    fn lock_without_writing(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        let Ok(file) = std::fs::File::open(self.root.join(&lock.filepath)) else {
            return Ok(DirectoryLock::from(Box::new(())));
        };
        if lock.is_blocking {
            file.lock()
                .map_err(|err| LockError::IoError(Arc::new(err)))?;
        } else {
            file.try_lock().map_err(|err| match err {
                std::fs::TryLockError::WouldBlock => LockError::LockBusy,
                std::fs::TryLockError::Error(err) => LockError::IoError(Arc::new(err)),
            })?;
        }
        Ok(DirectoryLock::from(Box::new(file)))
    }
}

/// Opens the generation at `generation` for searching only (see the module header).
pub fn open_index_for_search(generation: &Path) -> Result<Index> {
    let cannot_open = |err: &dyn std::fmt::Display| {
        Error::internal(format!(
            "cannot open the index in {}: {err}",
            generation.display()
        ))
    };
    let directory = SearchDirectory::open(generation).map_err(|err| cannot_open(&err))?;
    let index = Index::open(directory).map_err(|err| cannot_open(&err))?;
    tokenizer::register(&index);
    Ok(index)
}

/// True when `err` says the directory cannot be written to at all.
fn is_read_only(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for SearchDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    /// The real lock; where the lock file cannot be opened for writing, the same lock taken
    /// through a read-only handle (see the module header).
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(err)) if is_read_only(&err) => self.lock_without_writing(lock),
            taken => taken,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::directory::META_LOCK;

    /// On a writable directory the meta lock stays real: it still keeps a writer's garbage
    /// collection in another process from deleting segments being opened.
    #[test]
    fn a_writable_directory_still_takes_the_real_meta_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let directory = SearchDirectory::open(tmp.path()).unwrap();
        let held = directory.acquire_lock(&META_LOCK).unwrap();
        assert_holds(tmp.path(), held);
    }

    /// `held` keeps another holder of the meta lock waiting until it is dropped.
    fn assert_holds(dir: &Path, held: DirectoryLock) {
        let file = std::fs::File::open(dir.join(&META_LOCK.filepath)).unwrap();
        assert!(matches!(
            file.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(file.try_lock().is_ok());
    }

    /// Through a read-only handle the lock is still real (what a reader that may not write
    /// the index gets): another holder is kept waiting.
    #[test]
    fn the_read_only_fallback_still_locks_the_existing_lock_file() {
        let tmp = tempfile::tempdir().unwrap();
        let directory = SearchDirectory::open(tmp.path()).unwrap();
        drop(directory.acquire_lock(&META_LOCK).unwrap()); // creates the file
        assert_holds(
            tmp.path(),
            directory.lock_without_writing(&META_LOCK).unwrap(),
        );
        let empty = tempfile::tempdir().unwrap();
        let no_file = SearchDirectory::open(empty.path()).unwrap();
        assert!(
            no_file.lock_without_writing(&META_LOCK).is_ok(),
            "no file: no-op"
        );
    }

    #[test]
    fn only_read_only_and_permission_errors_count_as_a_read_only_directory() {
        let kinds = [
            (io::ErrorKind::ReadOnlyFilesystem, true),
            (io::ErrorKind::PermissionDenied, true),
            (io::ErrorKind::StorageFull, false),
            (io::ErrorKind::NotFound, false),
        ];
        for (kind, read_only) in kinds {
            assert_eq!(is_read_only(&io::Error::from(kind)), read_only, "{kind:?}");
        }
    }
}
