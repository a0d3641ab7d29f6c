//! The index directory on disk: tantivy's memory-mapped directory, with two changes.
//!
//! - A reader of an index it cannot write (a read-only mount, a snapshot, another user's
//!   files) needs no lock file: tantivy takes one while it opens segments, to keep a writer's
//!   clean-up from deleting them meanwhile, and creating it fails there. Where the lock file
//!   cannot be created for that reason, reading goes on without it.
//! - Files written whole (`meta.json`) get ordinary permissions, as the umask says, instead of
//!   the owner-only ones of a temporary file: other users and services may read the index.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, INDEX_WRITER_LOCK, Lock, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// Dateline's index directory (see the module documentation).
#[derive(Debug, Clone)]
pub struct IndexDirectory {
    root: PathBuf,
    inner: MmapDirectory,
}

impl IndexDirectory {
    /// Opens the directory at `root`, which must exist.
    pub fn open(root: &Path) -> crate::Result<IndexDirectory> {
        let inner = MmapDirectory::open(root).map_err(|e| crate::Error::NotAnIndex {
            path: root.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(IndexDirectory {
            root: root.to_path_buf(),
            inner,
        })
    }
}

/// Whether an error means the directory cannot be written by this process.
fn cannot_write(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
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

    /// Writes `data` to a new file beside `path` (created with the umask's permissions), makes
    /// it durable and renames it over `path`.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let target = self.root.join(path);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = self.root.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let written = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temporary)?;
            file.write_all(data)?;
            file.sync_data()?;
            std::fs::rename(&temporary, &target)
        })();
        if written.is_err() {
            std::fs::remove_file(&temporary).ok();
        }
        written
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(error))
                if lock.filepath != INDEX_WRITER_LOCK.filepath && cannot_write(&error) =>
            {
                Ok(DirectoryLock::from(Box::new(ReadOnly)))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// The lock of a reader that cannot write the directory: nothing to release.
struct ReadOnly;

/// Removes what an interrupted run left in `dir` that no index file refers to: the temporary
/// files of whole-file writes. (Segment files of an interrupted merge or of a commit that ran
/// out of disk are tantivy's own; its writer deletes them when it opens.)
pub fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") || name.starts_with(".tmp") {
            std::fs::remove_file(entry.path()).ok();
        }
    }
}
