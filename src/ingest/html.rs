//! Saved news pages: metadata from JSON-LD, OpenGraph / `article:*` meta tags and `<time>`
//! elements (in that order of trust), the article text with navigation, ads, related links,
//! comments and cookie banners removed by `dom_smoothie` (a port of Mozilla's Readability).

use std::time::Duration;

use dom_smoothie::{Config, Readability, TextMode};

use crate::article::RawArticle;
use crate::ingest::decode::decode;
use crate::ingest::{Location, Parsed, Reject, SkipKind, into_parsed, isolate, nesting};

/// Below this many bytes of (UTF-8) text, a page that Readability does not find readable is not
/// an article. Bytes rather than characters, so the denser CJK scripts (three bytes a
/// character) are not held to a Latin-length paragraph.
const MIN_UNREADABLE_TEXT: usize = 120;

/// Elements holding the byline.
const BYLINE: &str = "[class*=byline], [rel=author], [itemprop=author]";

/// Boilerplate that Readability's class-name rules miss: ad slots, cookie and consent
/// banners, newsletter and paywall boxes.
const BOILERPLATE: &str = "[class~=ad], [class~=ads], [class*=advert], [id*=advert], \
    [class*=ad-slot], [class*=ad-container], [class*=cookie], [id*=cookie], [class*=consent], \
    [id*=consent], [class*=gdpr], [class*=newsletter], [class*=paywall]";

/// What is known about a page from outside it (from a WARC record's headers).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PageHints<'a> {
    /// Where the page was fetched from: the URL when the page names none, and the base for
    /// relative links.
    pub url: Option<&'a str>,
    /// The character set of the HTTP `Content-Type` header.
    pub charset: Option<&'a str>,
    /// When it was fetched: the date when the page gives none.
    pub date: Option<&'a str>,
}

/// Reads a saved page file, within `limit`.
pub(crate) fn read(bytes: Vec<u8>, limit: Duration) -> Result<Parsed, Reject> {
    into_parsed(
        extract_isolated(bytes, OwnedHints::default(), limit)?,
        Location::File,
    )
}

/// [`PageHints`] that can be sent to another thread.
#[derive(Debug, Default, Clone)]
pub(crate) struct OwnedHints {
    pub url: Option<String>,
    pub charset: Option<String>,
    pub date: Option<String>,
}

/// Extracts the article of one page on a thread of its own, within `limit`: a page that
/// nests too deeply, takes too long or makes the extractor fail is skipped, and only it.
pub(crate) fn extract_isolated(
    bytes: Vec<u8>,
    hints: OwnedHints,
    limit: Duration,
) -> Result<RawArticle, Reject> {
    isolate::isolated(limit, move || {
        let hints = PageHints {
            url: hints.url.as_deref(),
            charset: hints.charset.as_deref(),
            date: hints.date.as_deref(),
        };
        extract(&bytes, &hints)
    })
}

/// Extracts the article of one page.
pub(crate) fn extract(bytes: &[u8], hints: &PageHints) -> Result<RawArticle, Reject> {
    let text = decode(bytes, hints.charset, true, hints.url);
    let text = nesting::flatten(&text, nesting::MAX_DEPTH);
    let document = dom_query::Document::from(text.as_ref());
    let attr = |selector: &str, name: &str| {
        document
            .select(selector)
            .attr(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let headline = single_headline(&document);
    let og_url = attr("meta[property='og:url']", "content");
    let canonical = attr("link[rel='canonical']", "href");
    let time =
        attr("article time[datetime]", "datetime").or_else(|| attr("time[datetime]", "datetime"));
    let byline = document
        .select(BYLINE)
        .iter()
        .map(|node| crate::article::clean_line(&node.text()))
        .find(|text| !text.is_empty() && text.len() < 120);
    // Readability keeps an in-text byline when the metadata already named the author, and
    // keeps ad slots and consent banners whose class names it does not know: removed first.
    document.select(BYLINE).remove();
    document.select(BOILERPLATE).remove();
    // A block that holds nothing but a timestamp is the page's dateline, not article text.
    for time in document.select("time").nodes() {
        if let Some(parent) = time.parent()
            && parent.text().trim() == time.text().trim()
        {
            parent.remove_from_parent();
        }
    }
    let base = hints
        .url
        .filter(|u| is_absolute(u))
        .map(str::to_string)
        .or_else(|| og_url.clone().filter(|u| is_absolute(u)))
        .or_else(|| canonical.clone().filter(|u| is_absolute(u)));
    let config = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let mut readability = Readability::with_document(document, base.as_deref(), Some(config))
        .map_err(|e| Reject::new(SkipKind::Malformed, format!("cannot read the page: {e}")))?;
    let readable = readability.is_probably_readable();
    let article = readability.parse().map_err(|_| no_text())?;
    let body = article.text_content.to_string();
    // Readability returns whatever text it finds; a page that does not look like an article and
    // has less than a short paragraph of it is a section front, a login wall or an error page.
    if body.trim().is_empty() || !readable && body.trim().len() < MIN_UNREADABLE_TEXT {
        return Err(no_text());
    }
    let url = [article.url, og_url, canonical]
        .into_iter()
        .flatten()
        .find_map(|u| resolve(base.as_deref(), &u))
        .or_else(|| hints.url.map(str::to_string));
    let source = article
        .site_name
        .filter(|s| !s.trim().is_empty())
        .or_else(|| url.as_deref().and_then(host));
    Ok(RawArticle {
        url,
        title: Some(match headline {
            // The page title with the outlet's name still around it (`Outlet｜Headline` with a
            // separator Readability does not know): the page's one <h1> is the headline.
            Some(h1) if article.title != h1 && article.title.contains(&h1) => h1,
            _ => article.title,
        }),
        body: Some(body),
        published: article
            .published_time
            .or(time)
            .or_else(|| hints.date.map(str::to_string)),
        source,
        author: article.byline.or(byline).map(|b| strip_by(&b).to_string()),
        language: article.lang,
        ..RawArticle::default()
    })
}

/// The text of the page's `<h1>` when it has exactly one.
fn single_headline(document: &dom_query::Document) -> Option<String> {
    let h1 = document.select("h1");
    if h1.length() != 1 {
        return None;
    }
    let text = crate::article::clean_line(&h1.text());
    (text.chars().count() >= 8).then_some(text)
}

fn no_text() -> Reject {
    Reject::new(
        SkipKind::NoText,
        "no article text found on the page (a section front, a login wall or an error page?)",
    )
}

fn is_absolute(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.has_host())
}

/// `url` made absolute against `base`; `None` when it cannot be.
fn resolve(base: Option<&str>, url: &str) -> Option<String> {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => Some(parsed.to_string()),
        _ => {
            let base = url::Url::parse(base?).ok()?;
            Some(base.join(url).ok()?.to_string())
        }
    }
}

/// The outlet a URL belongs to when the page does not name it: its host without `www.`.
fn host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(host.strip_prefix("www.").unwrap_or(host).to_string())
}

/// "By Anna Kim" → "Anna Kim".
fn strip_by(byline: &str) -> &str {
    let trimmed = byline.trim();
    trimmed
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("by "))
        .map_or(trimmed, |_| trimmed[3..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head>
<title>Leaders sign pact in Pyongyang | The Harbour Ledger</title>
<meta property="og:site_name" content="The Harbour Ledger">
<meta property="article:published_time" content="2024-06-19T09:30:00+09:00">
<link rel="canonical" href="/world/pact-signed">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<article><h1>Leaders sign pact in Pyongyang</h1>
<p class="byline">By Mira Holt</p>
<p>The two leaders signed a partnership treaty on Wednesday after talks that lasted
most of the day, officials said, describing the agreement as a turning point.</p>
<p>The treaty includes a mutual defence clause, according to a text published by state
media later in the evening, and commits both sides to deeper trade.</p>
<p>Analysts said the agreement would be watched closely in Seoul and Tokyo, where officials
have voiced concern about military cooperation between the two countries.</p>
<p>The visit was the first by the Russian leader in 24 years. Crowds lined the main avenue of
the capital as the motorcade passed, and a gala concert was held in the evening.</p>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Markets slip</a></li><li><a href="/b">Weather turns</a></li></ul></aside>
<footer>© The Harbour Ledger. All rights reserved.</footer>
</body></html>"#;

    #[test]
    fn article_text_and_metadata_without_boilerplate() {
        let hints = PageHints {
            url: Some("https://ledger.example/world/pact-signed?utm_source=x"),
            ..PageHints::default()
        };
        let raw = extract(PAGE.as_bytes(), &hints).unwrap();
        assert_eq!(raw.title.as_deref(), Some("Leaders sign pact in Pyongyang"));
        assert_eq!(raw.source.as_deref(), Some("The Harbour Ledger"));
        assert_eq!(raw.published.as_deref(), Some("2024-06-19T09:30:00+09:00"));
        assert_eq!(
            raw.url.as_deref(),
            Some("https://ledger.example/world/pact-signed")
        );
        assert_eq!(raw.language.as_deref(), Some("en"));
        let body = raw.body.unwrap();
        assert!(body.starts_with("The two leaders signed"), "{body}");
        assert!(body.contains("deeper trade"));
        for boilerplate in ["cookies", "Markets slip", "All rights", "Sport"] {
            assert!(!body.contains(boilerplate), "{boilerplate} in {body}");
        }
    }

    #[test]
    fn a_page_without_article_text_is_rejected() {
        let page = "<html><head><title>Index</title></head><body><nav><a href='/a'>A</a></nav></body></html>";
        let reject = extract(page.as_bytes(), &PageHints::default()).unwrap_err();
        assert_eq!(reject.kind, SkipKind::NoText);
    }

    #[test]
    fn bylines_lose_their_by() {
        assert_eq!(strip_by("By Anna Kim"), "Anna Kim");
        assert_eq!(strip_by("Byron Lee"), "Byron Lee");
    }
}
