//! RSS 2.0, RSS 1.0 and Atom feeds (`feed-rs`): one article per item, its full content when the
//! feed carries it (`content:encoded`, Atom `content`), else its description or summary; the
//! HTML inside items is turned into text.

use feed_rs::model::{Entry, Feed, Text};

use crate::article::RawArticle;
use std::time::Duration;

use crate::ingest::{Emit, Item, Location, Reject, SkipKind, into_parsed, isolate, nesting};

/// Reads a feed document (the XML declaration's encoding is honoured by the parser). The XML
/// is parsed on a thread of its own within `limit`, as a web page is.
pub(crate) fn read(name: &str, bytes: Vec<u8>, limit: Duration, emit: &mut Emit) {
    let parsed = isolate::isolated(limit, move || {
        let parser = feed_rs::parser::Builder::new()
            .sanitize_content(false)
            .build();
        parser.parse(&bytes[..]).map_err(|e| {
            Reject::new(
                SkipKind::Malformed,
                format!("not a well-formed RSS or Atom feed ({e}): no item was read"),
            )
        })
    });
    let feed = match parsed {
        Ok(feed) => feed,
        Err(reject) => {
            emit(Item::Skipped(reject.at(name, Location::File)));
            return;
        }
    };
    for (i, entry) in feed.entries.iter().enumerate() {
        let location = Location::Item(i as u64 + 1);
        let raw = isolate::contained(|| Ok(article(&feed, entry)));
        let item = match raw.and_then(|raw| into_parsed(raw, location)) {
            Ok(parsed) => Item::Article(parsed),
            Err(reject) => Item::Skipped(reject.at(name, location)),
        };
        if !emit(item) {
            return;
        }
    }
}

fn article(feed: &Feed, entry: &Entry) -> RawArticle {
    let body = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .filter(|b| !b.trim().is_empty())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.as_str()))
        .map(html_to_text);
    let url = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    let authors: Vec<&str> = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    RawArticle {
        // Items with a link get the id of that URL, so the same story from a page or a WARC
        // replaces rather than duplicates it.
        id: url
            .is_none()
            .then(|| entry.id.clone())
            .filter(|id| !id.is_empty()),
        url,
        title: entry.title.as_ref().map(text_of),
        body,
        published: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
        source: feed.title.as_ref().map(text_of),
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        language: entry.language.clone().or_else(|| feed.language.clone()),
        tags: entry
            .categories
            .iter()
            .map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()))
            .collect(),
        ..RawArticle::default()
    }
}

fn text_of(text: &Text) -> String {
    html_to_text(&text.content)
}

/// The text of an HTML fragment, with paragraph breaks; plain text passes unchanged.
fn html_to_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return html.to_string();
    }
    dom_query::Document::fragment(nesting::flatten(html, nesting::MAX_DEPTH).as_ref())
        .formatted_text()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(xml: &str) -> Vec<Result<(String, String), String>> {
        let mut out = Vec::new();
        read(
            "f.xml",
            xml.as_bytes().to_vec(),
            Duration::from_secs(30),
            &mut |item| {
                out.push(match item {
                    Item::Article(p) => Ok((p.article.title, p.article.body)),
                    Item::Skipped(e) => Err(e.to_string()),
                    Item::Passed(what) => Err(what.to_string()),
                });
                true
            },
        );
        out
    }

    #[test]
    fn rss_items_prefer_full_content() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Harbour Ledger</title>
<item><title>Pact signed</title><link>https://ledger.example/pact</link>
<description>Short teaser</description>
<content:encoded><![CDATA[<p>First <b>paragraph</b>.</p><p>Second &amp; last.</p>]]></content:encoded>
<pubDate>Wed, 19 Jun 2024 10:00:00 +0900</pubDate></item>
<item><title>Only a teaser</title><description>Talks &lt;b&gt;resume&lt;/b&gt;</description></item>
<item><title></title><description></description></item>
</channel></rss>"#;
        let out = read_all(rss);
        assert_eq!(
            out[0],
            Ok((
                "Pact signed".to_string(),
                "First paragraph.\n\nSecond & last.".to_string()
            ))
        );
        assert_eq!(out[1], Ok(("Only a teaser".into(), "Talks resume".into())));
        assert!(
            out[2]
                .as_ref()
                .unwrap_err()
                .starts_with("f.xml: item 3: empty article")
        );
    }

    #[test]
    fn broken_feed_is_one_error() {
        let out = read_all("<rss><channel><item><title>x</title></channel>");
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .starts_with("f.xml: not a well-formed")
        );
    }
}
