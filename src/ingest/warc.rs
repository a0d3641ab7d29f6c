//! WARC web archives (the format of the Internet Archive and Common Crawl's CC-NEWS): every
//! `response` record holding a 200 HTML page becomes an article, with the target URI as its
//! URL and the WARC-Date as its date when the page gives none. Records are streamed one at a
//! time (the `warc` crate's streaming reader), so memory stays flat however large the file.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use warc::{RecordType, WarcHeader, WarcReader};

use crate::ingest::decode::charset_of_content_type;
use crate::ingest::html::{self, OwnedHints};
use crate::ingest::{Emit, Item, Location, ReadOptions, Reject, SkipKind, into_parsed, too_large};

/// How many HTTP header lines a response may have.
const MAX_HTTP_HEADERS: usize = 128;
/// Most bytes a WARC record's header may take: what is read line by line between two bodies.
const MAX_WARC_HEADER_BYTES: usize = 1 << 20;

/// Reads every record of a WARC stream (already decompressed, when it was gzipped per record or
/// as a whole).
pub(crate) fn read(name: &str, reader: impl BufRead, options: &ReadOptions, emit: &mut Emit) {
    let position = Rc::new(Cell::new(0u64));
    let mut tracked = Tracked {
        inner: reader,
        position: position.clone(),
        pending: Vec::new(),
        pending_at: 0,
        header_bytes: 0,
    };
    let mut number = 0u64;
    // A record that claims more bytes than the limit and holds the start of another record is
    // lying about its length: reading starts over at that record, with a new WARC reader.
    while let Some(found) = read_records(name, &mut tracked, &position, &mut number, options, emit)
    {
        tracked
            .position
            .set(tracked.position.get() - found.len() as u64);
        tracked.pending = found;
        tracked.pending_at = 0;
    }
}

/// Reads records until the stream ends, `emit` says stop, or a record over the size limit turns
/// out to hold the start of the next one: then returns the bytes read from that start on.
fn read_records<R: BufRead>(
    name: &str,
    tracked: &mut Tracked<R>,
    position: &Rc<Cell<u64>>,
    number: &mut u64,
    options: &ReadOptions,
    emit: &mut Emit,
) -> Option<Vec<u8>> {
    let max = options.max_record_bytes;
    let mut warc = WarcReader::new(tracked);
    let mut records = warc.stream_records();
    let mut first = true;
    loop {
        // Each record's body is read to its end below, so the stream now stands at the end of
        // that body, before the record's closing blank lines (4 bytes).
        let offset = position.get() + if first { 0 } else { 4 };
        first = false;
        let next = records.next_item()?;
        *number += 1;
        let number = *number;
        let location = Location::Record { number, offset };
        let skipped = |reject: Reject| Item::Skipped(reject.at(name, location));
        let mut record = match next {
            Ok(record) => record,
            Err(warc::Error::MissingHeader(header) | warc::Error::MalformedHeader(header, _)) => {
                let reject = Reject::new(
                    SkipKind::Malformed,
                    format!("WARC record without a valid `{header}` header"),
                );
                if !emit(skipped(reject)) {
                    return None;
                }
                continue;
            }
            Err(warc::Error::ReadData(error)) if error.kind() == io::ErrorKind::InvalidData => {
                emit(skipped(Reject::new(
                    SkipKind::Malformed,
                    format!(
                        "{error}: the file is corrupt from this point on; records before it were read"
                    ),
                )));
                return None;
            }
            Err(warc::Error::ParseHeaders(_)) => {
                emit(skipped(Reject::new(
                    SkipKind::Malformed,
                    "no WARC record header here: the file is corrupt from this point on; records before it were read",
                )));
                return None;
            }
            Err(_) => {
                emit(skipped(truncated()));
                return None;
            }
        };
        let item = if *record.warc_type() != RecordType::Response {
            Item::Passed("WARC records other than responses")
        } else {
            let uri = record.header(WarcHeader::TargetURI).map(|u| u.into_owned());
            let date = record.date().to_rfc3339();
            let is_http = record.header(WarcHeader::ContentType).is_some_and(|t| {
                t.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/http")
            });
            let claimed = record.content_length();
            if claimed > max as u64 {
                // Not kept, whatever it holds: read through, looking for a record inside.
                let item = match skip_oversized(&mut record) {
                    Err(_) => {
                        emit(skipped(truncated()));
                        return None;
                    }
                    Ok((read, Some(next))) => {
                        emit(skipped(Reject::new(
                            SkipKind::Malformed,
                            format!(
                                "the record claims {claimed} bytes, but another record starts {read} bytes into it: skipped, reading on from there"
                            ),
                        )));
                        return Some(next);
                    }
                    Ok((read, None)) if record.content_length() > 0 => skipped(Reject::new(
                        SkipKind::Truncated,
                        format!(
                            "the record claims {claimed} bytes, but the file ends {read} bytes into it: it is truncated; records before it were read"
                        ),
                    )),
                    Ok(_) => skipped(Reject::new(SkipKind::TooLarge, too_large(claimed, max))),
                };
                if !emit(item) {
                    return None;
                }
                continue;
            }
            let mut payload = Vec::new();
            let read = (&mut record)
                .take(max as u64 + 1)
                .read_to_end(&mut payload)
                .and_then(|_| io::copy(&mut record, &mut io::sink()));
            // A body shorter than its Content-Length: the file ends inside it.
            let cut_off = record.content_length() > 0;
            match read {
                Err(_) => {
                    emit(skipped(truncated()));
                    return None;
                }
                Ok(_) if cut_off => {
                    emit(skipped(truncated()));
                    return None;
                }
                Ok(rest) if payload.len() > max => skipped(Reject::new(
                    SkipKind::TooLarge,
                    too_large(payload.len() as u64 + rest, max),
                )),
                Ok(_) if !is_http => Item::Passed("WARC responses that are not HTTP"),
                Ok(_) => match response(payload, uri, date, options) {
                    Ok(Response::Page(raw)) => match into_parsed(*raw, location) {
                        Ok(parsed) => Item::Article(parsed),
                        Err(reject) => skipped(reject),
                    },
                    Ok(Response::Passed(what)) => Item::Passed(what),
                    Err(reject) => skipped(reject),
                },
            }
        };
        if !emit(item) {
            return None;
        }
    }
}

fn truncated() -> Reject {
    Reject::new(
        SkipKind::Truncated,
        "the file ends in the middle of this record: it is truncated; records before it were read",
    )
}

enum Response {
    Page(Box<crate::article::RawArticle>),
    Passed(&'static str),
}

/// Reads an HTTP response: status, headers, de-chunked and decompressed HTML payload.
fn response(
    bytes: Vec<u8>,
    uri: Option<String>,
    date: String,
    options: &ReadOptions,
) -> Result<Response, Reject> {
    let max = options.max_record_bytes;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HTTP_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    let body_start = match parsed.parse(&bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            return Err(Reject::new(
                SkipKind::Truncated,
                "the HTTP response headers are cut off",
            ));
        }
        Err(e) => {
            return Err(Reject::new(
                SkipKind::Malformed,
                format!("not a readable HTTP response ({e})"),
            ));
        }
    };
    if parsed.code != Some(200) {
        return Ok(Response::Passed("HTTP responses other than 200 OK"));
    }
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let content_type = header("content-type").unwrap_or_default();
    let lower = content_type.to_ascii_lowercase();
    if !(lower.contains("html") || lower.is_empty()) {
        return Ok(Response::Passed("non-HTML responses"));
    }
    let mut body = bytes[body_start..].to_vec();
    if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body).ok_or_else(|| {
            Reject::new(SkipKind::Malformed, "the chunked HTTP body is malformed")
        })?;
    }
    match header("content-encoding")
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("" | "identity") => {}
        Some(encoding @ ("gzip" | "x-gzip" | "deflate")) => {
            let mut out = Vec::new();
            let decoder: Box<dyn Read + '_> = if encoding == "deflate" {
                Box::new(flate2::read::ZlibDecoder::new(&body[..]))
            } else {
                Box::new(flate2::read::MultiGzDecoder::new(&body[..]))
            };
            let result = decoder.take(max as u64 + 1).read_to_end(&mut out);
            if result.is_err() {
                return Err(Reject::new(
                    SkipKind::Malformed,
                    format!("the {encoding}-compressed HTTP body cannot be decompressed"),
                ));
            }
            if out.len() > max {
                return Err(Reject::new(
                    SkipKind::TooLarge,
                    too_large(out.len() as u64, max),
                ));
            }
            body = out;
        }
        Some(other) => {
            return Err(Reject::new(
                SkipKind::Malformed,
                format!("the HTTP body is compressed with `{other}`, which Dateline does not read"),
            ));
        }
    }
    let hints = OwnedHints {
        url: uri,
        charset: charset_of_content_type(&content_type).map(str::to_string),
        date: Some(date),
    };
    html::extract_isolated(body, hints, options.page_time_limit)
        .map(|raw| Response::Page(Box::new(raw)))
}

/// Joins the chunks of a `Transfer-Encoding: chunked` body; `None` when it is malformed. A body
/// cut off after whole chunks keeps what it has.
fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    loop {
        let line_end = memchr::memmem::find(bytes, b"\r\n")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        let chunk = bytes.get(..size)?;
        out.extend_from_slice(chunk);
        bytes = bytes.get(size..)?;
        bytes = bytes.strip_prefix(b"\r\n").unwrap_or(bytes);
        if bytes.is_empty() {
            return Some(out);
        }
    }
}

/// Reads the body of a record over the size limit without keeping it, looking for the start of
/// another record inside (`\r\n\r\nWARC/1.`). Returns how many bytes of the body came before
/// that start and, when one was found, the bytes read from it on.
fn skip_oversized(body: &mut impl Read) -> io::Result<(u64, Option<Vec<u8>>)> {
    const NEXT: &[u8] = b"\r\n\r\nWARC/1.";
    let mut buffer = vec![0; 64 << 10];
    // The end of the previous read, so a start split over two reads is found.
    let mut window: Vec<u8> = Vec::with_capacity(buffer.len() + NEXT.len());
    let mut before = 0u64;
    loop {
        let n = match body.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok((before + window.len() as u64, None));
        }
        window.extend_from_slice(&buffer[..n]);
        if let Some(at) = memchr::memmem::find(&window, NEXT) {
            return Ok((before + at as u64 + 4, Some(window[at + 4..].to_vec())));
        }
        let keep = window.len().min(NEXT.len() - 1);
        before += (window.len() - keep) as u64;
        window.drain(..window.len() - keep);
    }
}

/// A reader that counts the bytes consumed through it, for record offsets, and first serves
/// bytes given back to it (`pending`) when reading starts over inside a record.
struct Tracked<R> {
    inner: R,
    position: Rc<Cell<u64>>,
    pending: Vec<u8>,
    pending_at: usize,
    /// Bytes read line by line (record headers) since the last body read.
    header_bytes: usize,
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.header_bytes = 0;
        let n = if self.pending_at < self.pending.len() {
            let n = buf.len().min(self.pending.len() - self.pending_at);
            buf[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
            self.pending_at += n;
            n
        } else {
            self.inner.read(buf)?
        };
        self.position.set(self.position.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.header_bytes > MAX_WARC_HEADER_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a WARC record header is over {MAX_WARC_HEADER_BYTES} bytes"),
            ));
        }
        if self.pending_at < self.pending.len() {
            return Ok(&self.pending[self.pending_at..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.header_bytes += amount;
        if self.pending_at < self.pending.len() {
            self.pending_at += amount;
        } else {
            self.inner.consume(amount);
        }
        self.position.set(self.position.get() + amount as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(
            dechunk(b"5\r\nHello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n").unwrap(),
            b"Hello, world"
        );
        assert!(dechunk(b"zz\r\nHello").is_none());
    }
}
