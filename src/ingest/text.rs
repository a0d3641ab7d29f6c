//! Plain text files: one article, the first non-empty line is the title.

use crate::article::RawArticle;
use crate::ingest::decode::decode;
use crate::ingest::{Location, Parsed, Reject, into_parsed};

/// Reads a text file (UTF-8, or a legacy encoding that is recognised from the bytes).
pub(crate) fn read(bytes: &[u8]) -> Result<Parsed, Reject> {
    let text = decode(bytes, None, false, None);
    let text = text.trim_start();
    let (title, body) = text.split_once('\n').unwrap_or((text, ""));
    let raw = RawArticle {
        title: Some(title.to_string()),
        body: Some(body.to_string()),
        ..RawArticle::default()
    };
    into_parsed(raw, Location::File)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_the_title() {
        let parsed =
            read(b"\n\n  Summit ends in Pyongyang \r\n\r\nThe talks ended.\nMore later.\n")
                .unwrap();
        assert_eq!(parsed.article.title, "Summit ends in Pyongyang");
        assert_eq!(parsed.article.body, "The talks ended.\nMore later.");
        assert!(read(b" \n \n").is_err());
    }
}
