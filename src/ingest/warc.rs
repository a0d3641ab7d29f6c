//! WARC web archives (the format of the Internet Archive and Common Crawl's CC-NEWS): every
//! `response` record holding a 200 HTML page becomes an article, with the target URI as its
//! URL and the WARC-Date as its date when the page gives none. Records are streamed one at a
//! time (the `warc` crate's streaming reader), so memory stays flat however large the file.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use warc::{RecordType, WarcHeader, WarcReader};

use crate::ingest::decode::charset_of_content_type;
use crate::ingest::html::{self, PageHints};
use crate::ingest::{Emit, Item, Location, Reject, SkipKind, into_parsed, too_large};

/// How many HTTP header lines a response may have.
const MAX_HTTP_HEADERS: usize = 128;

/// Reads every record of a WARC stream (already decompressed, when it was gzipped per record or
/// as a whole).
pub(crate) fn read(name: &str, reader: impl BufRead, max: usize, emit: &mut Emit) {
    let position = Rc::new(Cell::new(0u64));
    let tracked = Tracked {
        inner: reader,
        position: position.clone(),
    };
    let mut warc = WarcReader::new(tracked);
    let mut records = warc.stream_records();
    let mut number = 0u64;
    loop {
        // Each record's body is read to its end below, so the stream now stands at the end of
        // that body, before the record's closing blank lines (4 bytes).
        let offset = position.get() + if number > 0 { 4 } else { 0 };
        let Some(next) = records.next_item() else {
            return;
        };
        number += 1;
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
                    return;
                }
                continue;
            }
            Err(warc::Error::ParseHeaders(_)) => {
                emit(skipped(Reject::new(
                    SkipKind::Malformed,
                    "no WARC record header here: the file is corrupt from this point on; records before it were read",
                )));
                return;
            }
            Err(_) => {
                emit(skipped(truncated()));
                return;
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
                    return;
                }
                Ok(_) if cut_off => {
                    emit(skipped(truncated()));
                    return;
                }
                Ok(rest) if payload.len() > max => skipped(Reject::new(
                    SkipKind::TooLarge,
                    too_large(payload.len() as u64 + rest, max),
                )),
                Ok(_) if !is_http => Item::Passed("WARC responses that are not HTTP"),
                Ok(_) => match response(&payload, uri.as_deref(), &date, max) {
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
            return;
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
fn response(bytes: &[u8], uri: Option<&str>, date: &str, max: usize) -> Result<Response, Reject> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HTTP_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    let body_start = match parsed.parse(bytes) {
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
    let hints = PageHints {
        url: uri,
        charset: charset_of_content_type(&content_type),
        date: Some(date),
    };
    html::extract(&body, &hints).map(|raw| Response::Page(Box::new(raw)))
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

/// A reader that counts the bytes consumed through it, for record offsets.
struct Tracked<R> {
    inner: R,
    position: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position.set(self.position.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
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
