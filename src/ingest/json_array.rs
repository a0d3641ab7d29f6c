//! A JSON file holding one array of article objects, read element by element so a large file
//! never has to fit in memory and a bad element costs only itself.

use std::io::{BufRead, Bytes, Read};

use crate::article::RawArticle;
use crate::ingest::{Emit, Item, Location, Reject, SkipKind, into_parsed, too_large};

/// Reads the array's elements, one article each.
pub(crate) fn read(name: &str, reader: impl BufRead, max: usize, emit: &mut Emit) {
    let mut scanner = Scanner {
        bytes: reader.bytes(),
        line: 1,
        peeked: None,
    };
    let file_error =
        |kind, reason: String| Item::Skipped(Reject::new(kind, reason).at(name, Location::File));
    match scanner.first_significant() {
        Ok(Some(b'[')) => {}
        Ok(_) => {
            emit(file_error(
                SkipKind::Malformed,
                "not a JSON array: a .json file must be one array of articles `[{…}, {…}]` or one article object per line".into(),
            ));
            return;
        }
        Err(reason) => {
            emit(file_error(SkipKind::Truncated, reason));
            return;
        }
    }
    let mut number = 0;
    loop {
        let first = match scanner.next_significant() {
            Ok(Some(b']')) => return,
            Ok(Some(b',')) if number > 0 => match scanner.next_significant() {
                Ok(b) => b.unwrap_or(0),
                Err(reason) => {
                    emit(file_error(SkipKind::Truncated, reason));
                    return;
                }
            },
            Ok(Some(b)) => b,
            Ok(None) => 0,
            Err(reason) => {
                emit(file_error(SkipKind::Truncated, reason));
                return;
            }
        };
        number += 1;
        let location = Location::Element {
            number,
            line: scanner.line,
        };
        if first == 0 {
            let reject = Reject::new(
                SkipKind::Truncated,
                "the file ends before the array is closed with `]`: it is truncated; elements before this one were read",
            );
            emit(Item::Skipped(reject.at(name, location)));
            return;
        }
        let item = match scanner.element(first, max) {
            Ok(Element::Complete(bytes)) => match parse(&bytes) {
                Ok(raw) => match into_parsed(raw, location) {
                    Ok(parsed) => Item::Article(parsed),
                    Err(reject) => Item::Skipped(reject.at(name, location)),
                },
                Err(reject) => Item::Skipped(reject.at(name, location)),
            },
            Ok(Element::TooLarge(size)) => Item::Skipped(
                Reject::new(SkipKind::TooLarge, too_large(size, max)).at(name, location),
            ),
            Err(reason) => {
                emit(Item::Skipped(
                    Reject::new(SkipKind::Truncated, reason).at(name, location),
                ));
                return;
            }
        };
        if !emit(item) {
            return;
        }
    }
}

fn parse(bytes: &[u8]) -> Result<RawArticle, Reject> {
    if bytes.first() != Some(&b'{') {
        return Err(Reject::new(
            SkipKind::Malformed,
            "not a JSON object: each element must be one article like {\"title\": …, \"body\": …}",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| Reject::new(SkipKind::Malformed, format!("invalid JSON: {e}")))
}

enum Element {
    Complete(Vec<u8>),
    TooLarge(u64),
}

struct Scanner<R> {
    bytes: Bytes<R>,
    line: u64,
    peeked: Option<u8>,
}

impl<R: Read> Scanner<R> {
    fn next_byte(&mut self) -> Result<Option<u8>, String> {
        if let Some(b) = self.peeked.take() {
            return Ok(Some(b));
        }
        match self.bytes.next() {
            None => Ok(None),
            Some(Ok(b)) => {
                if b == b'\n' {
                    self.line += 1;
                }
                Ok(Some(b))
            }
            Some(Err(e)) => Err(format!(
                "cannot read further ({e}): the file is truncated or corrupt; elements before this one were read"
            )),
        }
    }

    /// The next byte that is not white space.
    fn next_significant(&mut self) -> Result<Option<u8>, String> {
        loop {
            match self.next_byte()? {
                Some(b) if b.is_ascii_whitespace() => {}
                other => return Ok(other),
            }
        }
    }

    /// The first byte of the file that is not white space or part of a byte-order mark.
    fn first_significant(&mut self) -> Result<Option<u8>, String> {
        loop {
            match self.next_byte()? {
                Some(b) if b.is_ascii_whitespace() || matches!(b, 0xef | 0xbb | 0xbf) => {}
                other => return Ok(other),
            }
        }
    }

    /// Collects one element starting with `first`: until its brackets balance (outside strings),
    /// or for a bare value until the next `,` or `]`. Keeps at most `max` bytes.
    fn element(&mut self, first: u8, max: usize) -> Result<Element, String> {
        let mut out = vec![first];
        let mut size = 1u64;
        let mut depth: i64 = i64::from(matches!(first, b'{' | b'['));
        let mut in_string = first == b'"';
        let mut escaped = false;
        let scalar = depth == 0;
        loop {
            if depth == 0 && !in_string && !scalar {
                break;
            }
            let Some(b) = self.next_byte()? else {
                return Err(
                    "the file ends inside this element: it is truncated; elements before this one were read".into(),
                );
            };
            if scalar && !in_string && matches!(b, b',' | b']') {
                self.peeked = Some(b);
                break;
            }
            size += 1;
            if out.len() < max {
                out.push(b);
            }
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                _ => {}
            }
        }
        Ok(if size as usize > max {
            Element::TooLarge(size)
        } else {
            Element::Complete(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(json: &str, max: usize) -> Vec<Result<String, String>> {
        let mut out = Vec::new();
        read("a.json", json.as_bytes(), max, &mut |item| {
            out.push(match item {
                Item::Article(p) => Ok(p.article.title),
                Item::Skipped(e) => Err(e.to_string()),
                Item::Passed(what) => Err(what.to_string()),
            });
            true
        });
        out
    }

    #[test]
    fn elements_with_nesting_strings_and_errors() {
        let json = "\u{feff}[\n {\"title\": \"a ] } \\\" [\", \"tags\": [\"x\", \"y\"]},\n 42,\n {\"title\": \"\"},\n {\"title\": \"b\"}\n]";
        let out = read_all(json, 1000);
        assert_eq!(out[0], Ok("a ] } \" [".to_string()));
        assert_eq!(
            out[1].as_ref().unwrap_err(),
            "a.json:3: element 2: not a JSON object: each element must be one article like {\"title\": …, \"body\": …}"
        );
        assert!(
            out[2]
                .as_ref()
                .unwrap_err()
                .starts_with("a.json:4: element 3: empty article")
        );
        assert_eq!(out[3], Ok("b".to_string()));
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn too_large_and_truncated() {
        let json = format!(
            "[{{\"title\": \"{}\"}}, {{\"title\": \"ok\"}}, {{\"title\": \"cut",
            "x".repeat(300)
        );
        let out = read_all(&json, 100);
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .contains("record is 313 bytes, over the limit of 100")
        );
        assert_eq!(out[1], Ok("ok".to_string()));
        assert!(
            out[2]
                .as_ref()
                .unwrap_err()
                .contains("element 3: the file ends inside this element")
        );
        assert_eq!(read_all("[]", 10), Vec::<Result<String, String>>::new());
        assert!(
            read_all("{\"a\":1}", 10)[0]
                .as_ref()
                .unwrap_err()
                .contains("not a JSON array")
        );
    }
}
