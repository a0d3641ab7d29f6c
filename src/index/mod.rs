//! The index on disk: its schema, how it is opened or created, and the write path.

mod directory;
mod document;
mod run;
pub mod schema;
mod stamp;
mod writer;

pub use document::{stored_article, stored_indexed_at, to_document};
pub use run::{Event, FormatCounts, Report, Timings, index_inputs, index_records};
pub use schema::{Fields, build_schema};
pub use stamp::{IndexClock, latest_stamp};
pub use writer::{Indexer, IndexerOptions, Upsert};

use std::path::Path;

use tantivy::directory::{Directory, INDEX_WRITER_LOCK, error::LockError};
use tantivy::{Index, IndexSettings};

pub use directory::IndexDirectory;
pub(crate) use directory::remove_leftovers;

use crate::analysis::register_analyzers;
use crate::{Error, Result};

/// Files that may sit in an index directory before an index is created there.
const HARMLESS_FILES: [&str; 6] = [
    ".gitkeep",
    "README.md",
    ".dateline-demo",
    // The state database (saved searches, history), which may be made before the index.
    crate::state::STATE_FILE,
    "dateline.db-wal",
    "dateline.db-shm",
];

/// Opens the index in `dir`, with Dateline's analyzers registered.
pub fn open(dir: &Path) -> Result<(Index, Fields)> {
    if !dir.join("meta.json").is_file() {
        return Err(Error::IndexNotFound {
            path: dir.to_path_buf(),
        });
    }
    let index = Index::open(IndexDirectory::open(dir)?).map_err(|e| unreadable(dir, e))?;
    prepare(index, dir)
}

/// An index whose files cannot be read as one: corrupt, truncated or of another version.
fn unreadable(dir: &Path, error: tantivy::TantivyError) -> Error {
    match error {
        tantivy::TantivyError::IoError(_) | tantivy::TantivyError::LockFailure(..) => {
            Error::from(error)
        }
        other => Error::NotAnIndex {
            path: dir.to_path_buf(),
            reason: format!("its files cannot be read: {other}"),
        },
    }
}

/// Opens the index in `dir`, creating the directory and an empty index when there is none.
/// Refuses to create an index in a directory that holds other files.
pub fn open_or_create(dir: &Path) -> Result<(Index, Fields)> {
    if dir.join("meta.json").is_file() {
        return open(dir);
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // Two first runs on one empty directory: the second waits for neither, it is told the
    // index is being written.
    let directory = IndexDirectory::open(dir)?;
    let _creating = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| match e {
            LockError::LockBusy => Error::IndexLocked {
                path: dir.to_path_buf(),
            },
            LockError::IoError(io) => {
                Error::io(dir, std::io::Error::new(io.kind(), io.to_string()))
            }
        })?;
    if dir.join("meta.json").is_file() {
        return open(dir);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let lock = INDEX_WRITER_LOCK.filepath.as_os_str();
        if !HARMLESS_FILES.iter().any(|h| name == *h) && name != lock {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
                reason: format!("it already holds `{}` and no index", name.to_string_lossy()),
            });
        }
    }
    let index = Index::create(directory, build_schema(), IndexSettings::default())?;
    prepare(index, dir)
}

fn prepare(index: Index, dir: &Path) -> Result<(Index, Fields)> {
    register_analyzers(index.tokenizers());
    let fields = Fields::from_schema(&index.schema()).map_err(|reason| Error::NotAnIndex {
        path: dir.to_path_buf(),
        reason,
    })?;
    Ok((index, fields))
}

/// Returns the size in bytes of the files of `index`'s committed segments and its meta file, in
/// `dir`: what the index takes, without files an interrupted run left behind.
pub fn index_size(index: &Index, dir: &Path) -> Result<u64> {
    let mut files: Vec<std::path::PathBuf> = vec!["meta.json".into()];
    for segment in index.searchable_segment_metas()? {
        use tantivy::index::SegmentComponent::*;
        let mut components = vec![Postings, Positions, Terms, Store, FastFields, FieldNorms];
        if segment.has_deletes() {
            components.push(Delete);
        }
        files.extend(components.into_iter().map(|c| segment.relative_path(c)));
    }
    Ok(files
        .iter()
        .filter_map(|file| std::fs::metadata(dir.join(file)).ok())
        .map(|m| m.len())
        .sum())
}

/// Returns the total size in bytes of the files in `dir`.
pub fn size_on_disk(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
