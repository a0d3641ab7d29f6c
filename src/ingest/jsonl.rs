//! JSON Lines: one article object per line.

use std::io::BufRead;

use crate::article::RawArticle;
use crate::ingest::{Location, Parsed, RecordError, SkipKind, too_large};

/// Iterates over the records of a JSON Lines stream. Blank lines are not records. After an
/// unreadable stream (a truncated gzip, an I/O error) it yields that error once and stops.
pub struct JsonlReader<R> {
    name: String,
    reader: R,
    max_record_bytes: usize,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> JsonlReader<R> {
    /// Wraps a buffered reader; `name` is used in error messages.
    pub fn new(name: String, reader: R, max_record_bytes: usize) -> Self {
        JsonlReader {
            name,
            reader,
            max_record_bytes,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn error(&self, kind: SkipKind, reason: String) -> RecordError {
        RecordError {
            file: self.name.clone(),
            location: Location::Line(self.line),
            kind,
            reason,
        }
    }

    /// Reads one line into `buf`, keeping at most `max_record_bytes` of it. Returns the line's
    /// full length, or `None` at the end of the stream.
    fn next_line(&mut self) -> std::io::Result<Option<usize>> {
        self.buf.clear();
        let mut total = 0usize;
        let mut any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(any.then_some(total));
            }
            any = true;
            let (chunk, found_newline) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], true),
                None => (available, false),
            };
            let room = self.max_record_bytes.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += chunk.len();
            let consumed = chunk.len() + usize::from(found_newline);
            self.reader.consume(consumed);
            if found_newline {
                return Ok(Some(total));
            }
        }
    }

    fn parse(&self, len: usize) -> Option<Result<Parsed, RecordError>> {
        if len > self.max_record_bytes {
            return Some(Err(self.error(
                SkipKind::TooLarge,
                too_large(len as u64, self.max_record_bytes),
            )));
        }
        let bytes = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                return Some(Err(self.error(
                    SkipKind::Encoding,
                    format!(
                        "invalid UTF-8 at byte {} of the line: save the file as UTF-8",
                        e.valid_up_to() + 1
                    ),
                )));
            }
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return None;
        }
        if !text.starts_with('{') {
            return Some(Err(self.error(
                SkipKind::Malformed,
                format!(
                "not a JSON object: a line must be one article like {{\"title\": …, \"body\": …}}, found `{}`",
                preview(text)
            ),
            )));
        }
        let raw: RawArticle = match serde_json::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                return Some(Err(
                    self.error(SkipKind::Malformed, format!("invalid JSON: {e}"))
                ));
            }
        };
        Some(match raw.into_article() {
            Ok((article, warnings)) => Ok(Parsed {
                article,
                location: Location::Line(self.line),
                warnings,
            }),
            Err(invalid) => Err(self.error(SkipKind::NoText, invalid.to_string())),
        })
    }
}

fn preview(text: &str) -> String {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = if end < text.len() { "…" } else { "" };
    format!("{}{cut}", &text[..end])
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Parsed, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.line += 1;
            let len = match self.next_line() {
                Ok(Some(len)) => len,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.error(
                        SkipKind::Truncated,
                        format!(
                        "cannot read further ({e}): the file is truncated or corrupt; records before this line were read"
                    ),
                    )));
                }
            };
            if let Some(result) = self.parse(len) {
                return Some(result);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], limit: usize) -> Vec<Result<(u64, String), String>> {
        JsonlReader::new("f.jsonl".into(), input, limit)
            .map(|r| match r {
                Ok(p) => Ok((
                    match p.location {
                        Location::Line(line) => line,
                        _ => 0,
                    },
                    p.article.title,
                )),
                Err(e) => Err(e.to_string()),
            })
            .collect()
    }

    #[test]
    fn good_and_bad_lines_are_told_apart_with_line_numbers() {
        let input = b"{\"title\":\"a\"}\n\n{bad json\n[1,2]\n{\"title\":\"\xff\"}\n{\"title\":\"\",\"body\":\" \"}\r\n{\"title\":\"b\"}";
        let out = read(input, 1000);
        assert_eq!(out[0], Ok((1, "a".to_string())));
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .starts_with("f.jsonl:3: invalid JSON")
        );
        assert!(
            out[2]
                .as_ref()
                .unwrap_err()
                .starts_with("f.jsonl:4: not a JSON object")
        );
        assert!(
            out[3]
                .as_ref()
                .unwrap_err()
                .starts_with("f.jsonl:5: invalid UTF-8 at byte 11")
        );
        assert!(
            out[4]
                .as_ref()
                .unwrap_err()
                .starts_with("f.jsonl:6: empty article")
        );
        assert_eq!(out[5], Ok((7, "b".to_string())));
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn oversized_record_is_skipped_and_reading_goes_on() {
        let big = format!(
            "{{\"title\":\"{}\"}}\n{{\"title\":\"small\"}}\n",
            "x".repeat(5000)
        );
        let out = read(big.as_bytes(), 100);
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .contains("record is 5012 bytes, over the limit of 100")
        );
        assert_eq!(out[1], Ok((2, "small".to_string())));
    }
}
