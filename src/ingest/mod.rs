//! Reading articles from files, directories and standard input, in every format an archive
//! comes in.
//!
//! [`discover`] expands the paths a user names into [`Input`]s; [`read`] opens one input (gzip
//! is detected from its first bytes, not its name), decides its [`Format`] from its name and its
//! first bytes (a `.txt` that is really HTML is read as HTML), and hands every record to a
//! callback as an [`Item`]: an article, a record that could not become one (a [`RecordError`]
//! naming file and line, record or byte), or a record that is rightly not an article (a WARC
//! request record, a 404 page), which is counted but is no error. A bad record never stops the
//! rest of the file from being read.

mod decode;
mod detect;
mod feed;
mod html;
mod isolate;
mod json_array;
mod jsonl;
mod nesting;
mod text;
mod warc;

pub use detect::Format;
pub use jsonl::JsonlReader;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::article::{Article, RawArticle, Warning};
use crate::{Error, Result};

/// Default limit on one record's size: larger records are skipped with an error.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 32 << 20;

/// Default limit on the time one web page may take to read: slower pages are skipped.
pub const DEFAULT_PAGE_TIME_LIMIT: Duration = Duration::from_secs(30);

pub(crate) use isolate::panic_message;
pub use nesting::MAX_DEPTH as MAX_HTML_DEPTH;

/// How many bytes of a file are looked at to decide its format.
const SNIFF_BYTES: u64 = 8 << 10;

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

/// Where in a file a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (an HTML page, a text file, a feed that cannot be parsed).
    File,
    /// A 1-based line (JSON Lines).
    Line(u64),
    /// A 1-based element of a JSON array, and the line it starts on.
    Element {
        /// Element number.
        number: u64,
        /// Line of its first byte.
        line: u64,
    },
    /// A 1-based item of an RSS or Atom feed.
    Item(u64),
    /// A 1-based WARC record and the byte it starts at (in the uncompressed stream).
    Record {
        /// Record number.
        number: u64,
        /// Offset of its first byte.
        offset: u64,
    },
}

impl fmt::Display for Location {
    /// Formats the location as it follows a file name: `:12`, ` record 3 at byte 1024`, or
    /// nothing for a whole file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(line) => write!(f, ":{line}"),
            Location::Element { number, line } => write!(f, ":{line}: element {number}"),
            Location::Item(number) => write!(f, ": item {number}"),
            Location::Record { number, offset } => write!(f, ": record {number} at byte {offset}"),
        }
    }
}

/// Why a record was skipped, for counting skips by reason in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// The file or stream could not be opened or read.
    Unreadable,
    /// The stream ends in the middle (a truncated gzip or WARC).
    Truncated,
    /// Not text at all (an image, an executable).
    Binary,
    /// Bytes that are not valid in the file's encoding.
    Encoding,
    /// A record over the size limit.
    TooLarge,
    /// Syntax errors: JSON, a feed that is not well-formed XML, a WARC header.
    Malformed,
    /// Neither title nor text (an HTML page with no article, an empty item).
    NoText,
    /// A web page that took longer than the time limit to read.
    TooSlow,
    /// Dateline itself failed on the record (a bug, contained to the record).
    Failed,
}

impl SkipKind {
    /// A short label for summaries.
    pub fn label(self) -> &'static str {
        match self {
            SkipKind::Unreadable => "unreadable",
            SkipKind::Truncated => "truncated",
            SkipKind::Binary => "binary, not text",
            SkipKind::Encoding => "invalid encoding",
            SkipKind::TooLarge => "too large",
            SkipKind::Malformed => "malformed",
            SkipKind::NoText => "no article text",
            SkipKind::TooSlow => "too slow to read",
            SkipKind::Failed => "failed in Dateline",
        }
    }
}

/// A record that could not become an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// File name (`-` for standard input).
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// The kind of problem, for counting.
    pub kind: SkipKind,
    /// What is wrong with the record, in words a user can act on.
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}: {}", self.file, self.location, self.reason)
    }
}

/// An article read from an input, with where it came from and any warnings.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The article.
    pub article: Article,
    /// Where in its file.
    pub location: Location,
    /// Problems that did not stop the article from being indexed.
    pub warnings: Vec<Warning>,
}

/// What a reader found in one record.
#[derive(Debug)]
pub enum Item {
    /// An article to index.
    Article(Parsed),
    /// A record that should have been an article but cannot be.
    Skipped(RecordError),
    /// A record that is rightly not an article (a WARC request or metadata record, a non-HTML
    /// or non-200 response): counted, not an error.
    Passed(&'static str),
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Inputs to read, in a stable order.
    pub inputs: Vec<Input>,
    /// Files inside named directories that are not in a supported format.
    pub ignored: Vec<PathBuf>,
    /// Entries inside named directories that cannot be followed (a broken or looping symbolic
    /// link, a folder that cannot be listed), with why.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Expands paths: `-` is standard input, a file is read whatever its name, a directory is walked
/// recursively for files of the supported formats (by extension, optionally `.gz`), in sorted
/// order. Symbolic links inside it are followed (a link that loops or leads nowhere is listed as
/// unreadable, and the walk goes on).
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
        let walker = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let at = e.path().unwrap_or(path).to_path_buf();
                    let why = if e.loop_ancestor().is_some() {
                        "a symbolic link that loops back to a folder above it".to_string()
                    } else {
                        e.io_error()
                            .map_or_else(|| e.to_string(), |io| io.to_string())
                    };
                    found.unreadable.push((at, why));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            if Format::from_name(&name).is_some() {
                found.inputs.push(Input::File(entry.into_path()));
            } else {
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

/// Settings for reading inputs.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Records (lines, pages, WARC payloads, whole text files) larger than this are skipped.
    pub max_record_bytes: usize,
    /// A web page (a file, a WARC record) that takes longer than this to read is skipped.
    pub page_time_limit: Duration,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            page_time_limit: DEFAULT_PAGE_TIME_LIMIT,
        }
    }
}

/// Receives the items of an input; returns `false` to stop reading.
pub type Emit<'a> = dyn FnMut(Item) -> bool + 'a;

/// Reads one input and hands every record to `emit`. Returns the format the input was read as,
/// or an error when the input cannot be opened at all. `bytes_read` is increased by the raw
/// (compressed) bytes consumed, so progress can be shown against the file size. A failure
/// inside Dateline while reading ends this input only, as an error naming it.
pub fn read(
    input: &Input,
    options: &ReadOptions,
    bytes_read: Arc<AtomicU64>,
    emit: &mut Emit,
) -> std::result::Result<Format, RecordError> {
    let name = input.name();
    contained_read(&name, emit, |emit| {
        let raw: Box<dyn Read + Send> = match input {
            Input::Stdin => Box::new(io::stdin()),
            Input::File(path) => match File::open(path) {
                Ok(file) => Box::new(file),
                Err(e) => {
                    return Err(RecordError {
                        file: name.clone(),
                        location: Location::File,
                        kind: SkipKind::Unreadable,
                        reason: format!("cannot open: {e}"),
                    });
                }
            },
        };
        let streaming = *input == Input::Stdin;
        read_stream(&name, raw, streaming, options, bytes_read, emit)
    })
}

/// Reads the records of an input already in memory, as [`read`] reads a file called `name`
/// (whose name, with its first bytes, decides the format).
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
    emit: &mut Emit,
) -> std::result::Result<Format, RecordError> {
    contained_read(name, emit, |emit| {
        let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(bytes.to_vec()));
        read_stream(name, raw, false, options, Arc::default(), emit)
    })
}

/// Runs `read` on `emit`, turning a failure inside Dateline into an error naming the input and
/// how many of its records were read (and kept) before it.
fn contained_read(
    name: &str,
    emit: &mut Emit,
    read: impl FnOnce(&mut Emit) -> std::result::Result<Format, RecordError>,
) -> std::result::Result<Format, RecordError> {
    let mut records = 0u64;
    let mut counted = |item: Item| {
        records += 1;
        emit(item)
    };
    isolate::contained(|| Ok(read(&mut counted))).unwrap_or_else(|reject| {
        Err(RecordError {
            file: name.to_string(),
            location: Location::File,
            kind: SkipKind::Failed,
            reason: format!(
                "{} (after {records} record(s), which were kept)",
                reject.reason
            ),
        })
    })
}

/// Reads one input's bytes: gzip detected, format sniffed, every record handed to `emit`.
/// `streaming` inputs (standard input) are sniffed from whatever their first read brings.
fn read_stream(
    name: &str,
    raw: Box<dyn Read + Send>,
    streaming: bool,
    options: &ReadOptions,
    bytes_read: Arc<AtomicU64>,
    emit: &mut Emit,
) -> std::result::Result<Format, RecordError> {
    let name = name.to_string();
    let file_error = |kind, reason: String| RecordError {
        file: name.clone(),
        location: Location::File,
        kind,
        reason,
    };
    let mut buffered = BufReader::with_capacity(
        256 << 10,
        CountingReader {
            inner: raw,
            count: bytes_read,
        },
    );
    let unreadable = |e: io::Error| file_error(SkipKind::Unreadable, format!("cannot read: {e}"));
    let gzipped = buffered
        .fill_buf()
        .map_err(unreadable)?
        .starts_with(&[0x1f, 0x8b]);
    let mut stream: Box<dyn Read + Send> = if gzipped {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    // The first bytes decide the format; they are then read again as part of the stream. From
    // standard input, whatever the first read brings is enough: waiting for more would stall a
    // stream that is being written (`tail -f … | dateline index -`).
    let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
    let sniffed = if streaming {
        let mut buf = vec![0; SNIFF_BYTES as usize];
        loop {
            match stream.read(&mut buf) {
                Ok(n) => {
                    head.extend_from_slice(&buf[..n]);
                    break Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        }
    } else {
        stream
            .by_ref()
            .take(SNIFF_BYTES)
            .read_to_end(&mut head)
            .map(drop)
    };
    if let Err(e) = sniffed {
        let kind = if gzipped {
            SkipKind::Truncated
        } else {
            SkipKind::Unreadable
        };
        return Err(file_error(
            kind,
            format!("cannot read the start of the file ({e}): is it a complete .gz file?"),
        ));
    }
    let format = Format::detect(&name, &head)
        .map_err(|reason| file_error(SkipKind::Binary, reason.to_string()))?;
    let reader = BufReader::with_capacity(256 << 10, io::Cursor::new(head).chain(stream));
    let max = options.max_record_bytes;
    match format {
        Format::Jsonl => {
            for record in JsonlReader::new(name, reader, max) {
                let item = match record {
                    Ok(parsed) => Item::Article(parsed),
                    Err(error) => Item::Skipped(error),
                };
                if !emit(item) {
                    break;
                }
            }
        }
        Format::JsonArray => json_array::read(&name, reader, max, emit),
        Format::Warc => warc::read(&name, reader, options, emit),
        Format::Html | Format::Text | Format::Feed => {
            let bytes = read_whole(reader, max).map_err(|e| RecordError {
                file: name.clone(),
                location: Location::File,
                kind: e.0,
                reason: e.1,
            })?;
            match format {
                Format::Html => {
                    emit(whole_file_item(
                        &name,
                        html::read(bytes, options.page_time_limit),
                    ));
                }
                Format::Text => {
                    emit(whole_file_item(
                        &name,
                        isolate::contained(|| text::read(&bytes)),
                    ));
                }
                _ => feed::read(&name, bytes, options.page_time_limit, emit),
            }
        }
    }
    Ok(format)
}

/// Turns the outcome of reading a one-article file into an item.
fn whole_file_item(name: &str, result: std::result::Result<Parsed, Reject>) -> Item {
    match result {
        Ok(parsed) => Item::Article(parsed),
        Err(reject) => Item::Skipped(reject.at(name, Location::File)),
    }
}

/// A record rejected by a format reader, before the file and location are attached.
#[derive(Debug)]
pub(crate) struct Reject {
    pub kind: SkipKind,
    pub reason: String,
}

impl Reject {
    pub(crate) fn new(kind: SkipKind, reason: impl Into<String>) -> Self {
        Reject {
            kind,
            reason: reason.into(),
        }
    }

    pub(crate) fn at(self, file: &str, location: Location) -> RecordError {
        RecordError {
            file: file.to_string(),
            location,
            kind: self.kind,
            reason: self.reason,
        }
    }
}

/// Validates an extracted article; a panic while doing so rejects this record only.
pub(crate) fn into_parsed(
    raw: RawArticle,
    location: Location,
) -> std::result::Result<Parsed, Reject> {
    isolate::contained(|| match raw.into_article() {
        Ok((article, warnings)) => Ok(Parsed {
            article,
            location,
            warnings,
        }),
        Err(invalid) => Err(Reject::new(SkipKind::NoText, invalid.to_string())),
    })
}

/// Reads a whole stream that must fit the record limit. A larger stream is read to its end (so
/// progress stays right) and rejected with its size.
fn read_whole(
    mut reader: impl Read,
    max: usize,
) -> std::result::Result<Vec<u8>, (SkipKind, String)> {
    let mut bytes = Vec::new();
    let truncated = |e: io::Error| {
        (
            SkipKind::Truncated,
            format!("cannot read to the end ({e}): the file is truncated or corrupt"),
        )
    };
    reader
        .by_ref()
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(truncated)?;
    if bytes.len() > max {
        let rest = io::copy(&mut reader, &mut io::sink()).map_err(truncated)?;
        return Err((
            SkipKind::TooLarge,
            too_large(bytes.len() as u64 + rest, max),
        ));
    }
    Ok(bytes)
}

/// The message for a record over the size limit.
pub(crate) fn too_large(size: u64, max: usize) -> String {
    format!("record is {size} bytes, over the limit of {max} (raise it with `--max-record-bytes`)")
}

/// Reads every item of a file at `path` (a convenience for tests and tools).
pub fn read_file(path: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    let input = Input::File(path.to_path_buf());
    if let Err(error) = read(
        &input,
        &ReadOptions::default(),
        Arc::default(),
        &mut |item| {
            items.push(item);
            true
        },
    ) {
        items.push(Item::Skipped(error));
    }
    items
}
