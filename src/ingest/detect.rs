//! Deciding what format an input is in, from its name and its first bytes.

use std::fmt;

/// The formats Dateline reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// One JSON article object per line.
    Jsonl,
    /// One JSON array of article objects.
    JsonArray,
    /// A saved web page: one article.
    Html,
    /// An RSS 2.0, RSS 1.0 or Atom feed: one article per item.
    Feed,
    /// A WARC web archive: one article per HTML response record.
    Warc,
    /// Plain text: one article, its first non-empty line is the title.
    Text,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Jsonl => "JSON Lines",
            Format::JsonArray => "JSON array",
            Format::Html => "HTML",
            Format::Feed => "RSS/Atom",
            Format::Warc => "WARC",
            Format::Text => "plain text",
        })
    }
}

impl Format {
    /// The format a file name promises (ignoring a final `.gz`), if it is one Dateline reads.
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
        let extension = stem.rsplit_once('.')?.1;
        Some(match extension {
            "jsonl" | "ndjson" => Format::Jsonl,
            // Decided by the first byte: `[` is an array, anything else JSON Lines.
            "json" => Format::JsonArray,
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "rss" | "atom" | "xml" | "rdf" => Format::Feed,
            "warc" | "arc" => Format::Warc,
            "txt" | "text" => Format::Text,
            _ => return None,
        })
    }

    /// Decides the format of an input from its name and its first (decompressed) bytes. Markup
    /// that is recognisable wins over the name (a `.txt` that is really HTML is read as HTML);
    /// a name says JSON, JSON it is; without a known name the bytes decide. Returns the reason
    /// when the bytes are not text at all.
    pub fn detect(name: &str, head: &[u8]) -> Result<Format, &'static str> {
        if head.starts_with(b"WARC/") {
            return Ok(Format::Warc);
        }
        if looks_binary(head) {
            return Err(
                "binary file, not text: Dateline reads JSON Lines, JSON, HTML, RSS/Atom, WARC and plain text (optionally .gz)",
            );
        }
        let by_name = Format::from_name(name);
        let text = skip_bom_and_space(head);
        let json = match text.first() {
            Some(b'[') => Some(Format::JsonArray),
            Some(b'{') => Some(Format::Jsonl),
            _ => None,
        };
        Ok(match by_name {
            // A name that says JSON is read as JSON: each bad line will say what is wrong.
            Some(Format::Jsonl | Format::JsonArray) => json.unwrap_or(Format::Jsonl),
            _ => match (sniff_markup(text), by_name) {
                (Some(markup), _) => markup,
                // A `.html`, `.xml` or `.txt` without recognisable markup in its first bytes.
                (None, Some(format)) => format,
                (None, None) => json.unwrap_or(Format::Text),
            },
        })
    }
}

fn skip_bom_and_space(head: &[u8]) -> &[u8] {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    &head[start..]
}

/// NUL bytes do not occur in text in any encoding Dateline reads (UTF-16 is not one of them).
fn looks_binary(head: &[u8]) -> bool {
    head.contains(&0)
}

/// Recognises feeds and web pages by their first tags.
fn sniff_markup(text: &[u8]) -> Option<Format> {
    if text.first() != Some(&b'<') {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let has = |needle: &[u8]| memchr::memmem::find(&lower, needle).is_some();
    if has(b"<rss") || has(b"<feed") || has(b"<rdf:rdf") {
        // An HTML page may mention `<feed` in a script; only a document that is not HTML is a feed.
        if !has(b"<html") {
            return Some(Format::Feed);
        }
    }
    if has(b"<!doctype html") || has(b"<html") || has(b"<head") || has(b"<body") {
        return Some(Format::Html);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bytes_decide_together() {
        let page = b"<!DOCTYPE html><html><head><title>x</title></head></html>";
        assert_eq!(Format::detect("a.html", page), Ok(Format::Html));
        assert_eq!(Format::detect("a.txt", page), Ok(Format::Html));
        assert_eq!(Format::detect("noext", page), Ok(Format::Html));
        let rss = b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>";
        assert_eq!(Format::detect("feed.xml", rss), Ok(Format::Feed));
        assert_eq!(Format::detect("feed.txt", rss), Ok(Format::Feed));
        let atom = b"\xef\xbb\xbf<feed xmlns=\"http://www.w3.org/2005/Atom\">";
        assert_eq!(Format::detect("x", atom), Ok(Format::Feed));
        assert_eq!(
            Format::detect("crawl.warc.gz", b"WARC/1.1\r\n"),
            Ok(Format::Warc)
        );
        assert_eq!(
            Format::detect("a.json", b" [{\"title\":1}]"),
            Ok(Format::JsonArray)
        );
        assert_eq!(
            Format::detect("a.json", b"{\"title\":1}\n"),
            Ok(Format::Jsonl)
        );
        assert_eq!(Format::detect("a.jsonl", b"<html>"), Ok(Format::Jsonl));
        assert_eq!(Format::detect("notes.txt", b"{not json"), Ok(Format::Text));
        assert_eq!(Format::detect("notes", b"Summit ends"), Ok(Format::Text));
        assert!(Format::detect("photo.txt", b"\x89PNG\r\n\x1a\n\0\0\0").is_err());
    }

    #[test]
    fn extensions_are_read_through_gzip() {
        assert_eq!(Format::from_name("A.JSONL.GZ"), Some(Format::Jsonl));
        assert_eq!(Format::from_name("page.htm"), Some(Format::Html));
        assert_eq!(Format::from_name("crawl.warc.gz"), Some(Format::Warc));
        assert_eq!(Format::from_name("photo.jpg"), None);
        assert_eq!(Format::from_name("README"), None);
    }
}
