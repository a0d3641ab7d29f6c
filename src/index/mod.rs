//! The index on disk: its schema, how it is opened or created, and the write path.

mod document;
mod run;
pub mod schema;
mod writer;

pub use document::{stored_article, to_document};
pub use run::{Event, FormatCounts, Report, Timings, index_inputs, index_records};
pub use schema::{Fields, build_schema};
pub use writer::{Indexer, IndexerOptions, Upsert};

use std::path::Path;

use tantivy::Index;

use crate::analysis::register_analyzers;
use crate::{Error, Result};

/// Files that may sit in an index directory before an index is created there.
const HARMLESS_FILES: [&str; 3] = [".gitkeep", "README.md", ".dateline-demo"];

/// Opens the index in `dir`, with Dateline's analyzers registered.
pub fn open(dir: &Path) -> Result<(Index, Fields)> {
    if !dir.join("meta.json").is_file() {
        return Err(Error::IndexNotFound {
            path: dir.to_path_buf(),
        });
    }
    let index = Index::open_in_dir(dir)?;
    prepare(index, dir)
}

/// Opens the index in `dir`, creating the directory and an empty index when there is none.
/// Refuses to create an index in a directory that holds other files.
pub fn open_or_create(dir: &Path) -> Result<(Index, Fields)> {
    if dir.join("meta.json").is_file() {
        return open(dir);
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if !HARMLESS_FILES.iter().any(|h| name == *h) {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
                reason: format!("it already holds `{}` and no index", name.to_string_lossy()),
            });
        }
    }
    let index = Index::create_in_dir(dir, build_schema())?;
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
