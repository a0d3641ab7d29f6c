//! Bounding how deeply a page's elements nest, before the page is parsed.
//!
//! The HTML parser copes with any depth, but what walks the tree afterwards (selector matching,
//! Readability) recurses once per level: 30,000 nested `<div>`s overflow its stack. [`flatten`]
//! drops the tags that would open an element deeper than a bound — and their end tags — and
//! keeps everything between them, so the text of an absurdly nested page is still read.
//!
//! The depth is estimated from the tags alone: void elements (`<br>`, `<img>`) and elements
//! whose end tag is optional (`<p>`, `<li>`, `<td>`) do not count, so the estimate never runs
//! ahead of a real page with thousands of unclosed paragraphs.

use std::borrow::Cow;

/// Elements nested deeper than this are unwrapped. Real pages stay below 100.
pub const MAX_DEPTH: usize = 256;

/// Elements that never have content or whose end tag may be left out: not counted.
const NOT_COUNTED: [&str; 32] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody",
    "thead", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc",
];

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: [&str; 6] = ["script", "style", "textarea", "title", "xmp", "noscript"];

/// The page with every tag that would nest an element more than `max_depth` deep removed
/// (the text inside is kept); the page itself when it nests less.
pub fn flatten(html: &str, max_depth: usize) -> Cow<'_, str> {
    // A page with fewer tags than the bound cannot exceed it.
    if memchr::memchr_iter(b'<', html.as_bytes()).count() <= max_depth {
        return Cow::Borrowed(html);
    }
    let bytes = html.as_bytes();
    let mut out = String::new();
    // The part of `html` not yet copied to `out` starts here.
    let mut copied = 0;
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        if bytes[start..].starts_with(b"<!--") {
            at = memchr::memmem::find(&bytes[start + 4..], b"-->")
                .map_or(html.len(), |e| start + 4 + e + 3);
            continue;
        }
        let Some(tag) = Tag::read(html, start) else {
            at = start + 1;
            continue;
        };
        at = tag.end;
        if let Some(raw) = RAW_TEXT.iter().find(|r| tag.opens(r)) {
            // Skip the element's text to its end tag, whatever it holds.
            at = find_end_tag(html, at, raw).unwrap_or(html.len());
            continue;
        }
        if tag.closing {
            if NOT_COUNTED.iter().any(|n| tag.name_is(n)) {
                continue;
            }
            // Every element opened deeper than the bound lost its start tag: its end tag goes.
            if depth > max_depth {
                out.push_str(&html[copied..start]);
                copied = tag.end;
            }
            depth = depth.saturating_sub(1);
            continue;
        }
        if tag.self_closing || NOT_COUNTED.iter().any(|n| tag.name_is(n)) {
            continue;
        }
        depth += 1;
        if depth > max_depth {
            out.push_str(&html[copied..start]);
            copied = tag.end;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// One tag of the page.
struct Tag<'a> {
    /// The element name as written.
    name: &'a str,
    /// `</name>`.
    closing: bool,
    /// `<name/>`.
    self_closing: bool,
    /// The byte after the tag's `>`.
    end: usize,
}

impl<'a> Tag<'a> {
    /// The start or end tag at `start` (a `<`); `None` for a comment, a doctype, a processing
    /// instruction or a `<` that begins no tag.
    fn read(html: &'a str, start: usize) -> Option<Tag<'a>> {
        let bytes = html.as_bytes();
        let mut i = start + 1;
        let closing = bytes.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            i += 1;
        }
        if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
            return None;
        }
        let name = &html[name_start..i];
        // The tag ends at the first `>` outside a quoted attribute value.
        let mut quote = None;
        while let Some(&b) = bytes.get(i) {
            match (quote, b) {
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(q), _) if b == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        Some(Tag {
            name,
            closing,
            self_closing: bytes[i - 1] == b'/',
            end: i + 1,
        })
    }

    fn name_is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    fn opens(&self, name: &str) -> bool {
        !self.closing && !self.self_closing && self.name_is(name)
    }
}

/// The byte after `</name…>` at or after `from`, case-insensitively.
fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let after = start + 2 + name.len();
        if bytes.get(start + 1) == Some(&b'/')
            && bytes
                .get(start + 2..after)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        {
            return Some(
                memchr::memchr(b'>', &bytes[after..]).map_or(html.len(), |g| after + g + 1),
            );
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_within_the_bound_is_untouched() {
        let page = "<html><body><div><p>One<p>Two<br><img src=x></div></body></html>";
        assert!(matches!(flatten(page, 3), Cow::Borrowed(_)));
        // Unclosed paragraphs and void elements do not count as nesting.
        let paragraphs = format!("<div>{}</div>", "<p>para<br>".repeat(1000));
        assert!(matches!(flatten(&paragraphs, 4), Cow::Borrowed(_)));
    }

    #[test]
    fn tags_past_the_bound_go_and_their_text_stays() {
        let page = "<div a='>'><div><div><b>deep</b> text</div></div> tail</div>";
        assert_eq!(
            flatten(page, 2),
            "<div a='>'><div>deep text</div> tail</div>"
        );
        let deep = format!("{}core{}", "<div>".repeat(30_000), "</div>".repeat(30_000));
        let flat = flatten(&deep, MAX_DEPTH);
        assert_eq!(
            flat,
            format!(
                "{}core{}",
                "<div>".repeat(MAX_DEPTH),
                "</div>".repeat(MAX_DEPTH)
            )
        );
    }

    #[test]
    fn scripts_and_comments_are_not_tags() {
        let page = format!(
            "<div><script>{}</script><!-- <div><div> --><span>x</span></div>",
            "<div>".repeat(50)
        );
        assert!(matches!(flatten(&page, 2), Cow::Borrowed(_)));
        // Unterminated things end the scan without a panic.
        for broken in [
            "<div",
            "<div a='",
            "<script>",
            "</",
            "<",
            "<1>",
            "<div>\u{e9}<",
        ] {
            let _ = flatten(&broken.repeat(400), 1);
        }
    }
}
