//! Reading articles from files, directories and standard input.
//!
//! [`discover`] expands the paths a user names into [`Input`]s; [`read`] opens one input
//! (gzip is detected from its first bytes, not its name) and yields, record by record, either a
//! [`Parsed`] article or a [`RecordError`] that names the file and line. A bad record never stops
//! the rest of the file from being read.

mod jsonl;

pub use jsonl::JsonlReader;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::article::{Article, Warning};
use crate::{Error, Result};

/// Default limit on one record's size: larger records are skipped with an error.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 32 << 20;

/// File name endings read when a directory is indexed.
const JSONL_EXTENSIONS: [&str; 4] = [".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"];

/// One place articles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// Returns the name used in messages (`-` for standard input).
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(path) => path.display().to_string(),
        }
    }

    /// Returns the size in bytes of a file input (`None` for standard input).
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
        }
    }
}

/// A record that could not become an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// File name (`-` for standard input).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// What is wrong with the record.
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// An article read from an input, with where it came from and any warnings.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The article.
    pub article: Article,
    /// 1-based line number in its file.
    pub line: u64,
    /// Problems that did not stop the article from being indexed.
    pub warnings: Vec<Warning>,
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Inputs to read, in a stable order.
    pub inputs: Vec<Input>,
    /// Files inside named directories that are not in a supported format.
    pub ignored: Vec<PathBuf>,
}

/// Expands paths: `-` is standard input, a file is read whatever its name, a directory is walked
/// recursively for `.jsonl`/`.ndjson` files (optionally `.gz`), in sorted order.
pub fn discover(paths: &[PathBuf]) -> Result<Discovered> {
    let mut found = Discovered::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_dir() {
            found.inputs.push(Input::File(path.clone()));
            continue;
        }
        let walker = walkdir::WalkDir::new(path).sort_by_file_name();
        for entry in walker {
            let entry = entry.map_err(|e| {
                let p = e.path().unwrap_or(path).to_path_buf();
                Error::io(p, e.into())
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            if JSONL_EXTENSIONS.iter().any(|ext| name.ends_with(ext)) {
                found.inputs.push(Input::File(entry.into_path()));
            } else if !name.starts_with('.') {
                found.ignored.push(entry.into_path());
            }
        }
    }
    Ok(found)
}

/// Counts the bytes read through it, for progress reporting.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens an input for reading records. `bytes_read` is increased by the raw (compressed)
/// bytes consumed, so progress can be shown against the file size.
pub fn read(
    input: &Input,
    max_record_bytes: usize,
    bytes_read: Arc<AtomicU64>,
) -> Result<JsonlReader<Box<dyn BufRead + Send>>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::File(path) => Box::new(File::open(path).map_err(|e| Error::io(path, e))?),
    };
    let mut buffered = BufReader::with_capacity(
        256 << 10,
        CountingReader {
            inner: raw,
            count: bytes_read,
        },
    );
    let head = buffered
        .fill_buf()
        .map_err(|e| Error::io(input.name(), e))?;
    let reader: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            256 << 10,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    Ok(JsonlReader::new(input.name(), reader, max_record_bytes))
}

/// Reads every record of a file at `path` (a convenience for tests and tools).
pub fn read_file(path: &Path) -> Result<JsonlReader<Box<dyn BufRead + Send>>> {
    read(
        &Input::File(path.to_path_buf()),
        DEFAULT_MAX_RECORD_BYTES,
        Arc::default(),
    )
}
