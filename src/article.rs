//! The `Article` type: one news article, validated and normalised.
//!
//! Every input format maps onto [`RawArticle`] (the JSON Lines keys of DESIGN.md with their
//! aliases); [`RawArticle::into_article`] validates it and produces an [`Article`] whose fields
//! are trimmed, whose date is parsed and whose id is stable across re-ingestion.

use serde::Deserialize;
use time::OffsetDateTime;
use xxhash_rust::xxh3::xxh3_128;

use crate::dates::{self, Dated};

/// A validated, normalised news article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Stable identifier: the given id, else a hash of the canonical URL, else of title and body.
    pub id: String,
    /// Where the article was published, if known.
    pub url: Option<String>,
    /// Headline (may be empty when the body is not).
    pub title: String,
    /// Article text (may be empty when the title is not).
    pub body: String,
    /// Publication time in UTC.
    pub published: Option<OffsetDateTime>,
    /// Outlet that published it.
    pub source: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// ISO 639-1 language code, given or detected.
    pub language: Option<String>,
    /// Section or category.
    pub section: Option<String>,
    /// Free-form tags.
    pub tags: Vec<String>,
}

/// An article as it arrives, before validation. Keys and aliases follow DESIGN.md.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawArticle {
    /// `id`: a string or a number.
    #[serde(deserialize_with = "string_or_number")]
    pub id: Option<String>,
    /// `url`.
    pub url: Option<String>,
    /// `title` or `headline`.
    #[serde(alias = "headline")]
    pub title: Option<String>,
    /// `body`, `text` or `content`.
    #[serde(alias = "text", alias = "content")]
    pub body: Option<String>,
    /// `published`, `date` or `published_at`.
    #[serde(alias = "date", alias = "published_at")]
    pub published: Option<String>,
    /// `source`, `outlet` or `publisher`.
    #[serde(alias = "outlet", alias = "publisher")]
    pub source: Option<String>,
    /// `author` or `byline`.
    #[serde(alias = "byline")]
    pub author: Option<String>,
    /// `language` or `lang`.
    #[serde(alias = "lang")]
    pub language: Option<String>,
    /// `section` or `category`.
    #[serde(alias = "category")]
    pub section: Option<String>,
    /// `tags`: a list of strings or one string.
    #[serde(deserialize_with = "string_list")]
    pub tags: Vec<String>,
}

/// A problem with a record that did not stop it from being indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

/// Why a record cannot become an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// Neither a title nor a body.
    #[error("empty article: it needs a non-empty `title` or `body`")]
    Empty,
}

impl RawArticle {
    /// Validates and normalises this record. Problems that do not lose the article (a date
    /// that cannot be read, an unknown language code) become warnings.
    pub fn into_article(self) -> Result<(Article, Vec<Warning>), Invalid> {
        let mut warnings = Vec::new();
        let title = clean_line(self.title.as_deref().unwrap_or(""));
        let body = clean_text(self.body.as_deref().unwrap_or(""));
        if title.is_empty() && body.is_empty() {
            return Err(Invalid::Empty);
        }
        let published = match non_empty(self.published) {
            None => None,
            Some(text) => match dates::read(&text) {
                Dated::Exact(date) => Some(date),
                Dated::DayOnly(date) => {
                    warnings.push(Warning(format!(
                        "date `{text}` is malformed: kept its day {}",
                        date.date()
                    )));
                    Some(date)
                }
                Dated::OutOfRange(date) => {
                    warnings.push(Warning(format!(
                        "date `{text}` ({}) is outside the dates Dateline can store ({}): indexed without a date",
                        date.date(),
                        dates::STORABLE
                    )));
                    None
                }
                Dated::Unknown => {
                    warnings.push(Warning(format!(
                        "date `{text}` not understood: indexed without a date (use YYYY-MM-DD or RFC 3339)"
                    )));
                    None
                }
            },
        };
        let language = match non_empty(self.language) {
            None => None,
            Some(code) => match normalise_language(&code) {
                Some(lang) => Some(lang),
                None => {
                    warnings.push(Warning(format!(
                        "language `{code}` is not an ISO 639 code: detecting the language instead"
                    )));
                    None
                }
            },
        };
        let url = non_empty(self.url);
        let id = match non_empty(self.id) {
            Some(id) => id,
            None => match &url {
                Some(url) => hash_id(&canonical_url(url)),
                None => hash_id(&format!("{title}\u{1f}{body}")),
            },
        };
        let mut tags: Vec<String> = self
            .tags
            .iter()
            .map(|t| clean_line(t))
            .filter(|t| !t.is_empty())
            .collect();
        tags.sort();
        tags.dedup();
        let article = Article {
            id,
            url,
            title,
            body,
            published,
            source: non_empty(self.source).map(|s| clean_line(&s)),
            author: non_empty(self.author).map(|s| clean_line(&s)),
            language,
            section: non_empty(self.section).map(|s| clean_line(&s)),
            tags,
        };
        Ok((article, warnings))
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Collapses every run of white space (including newlines) into one space.
pub fn clean_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_words(&mut out, text);
    out
}

/// Appends the words of `line` to `out`, one space between them.
fn push_words(out: &mut String, line: &str) {
    for (i, word) in line.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Trims each line, collapses runs of spaces and keeps at most one blank line between paragraphs.
pub fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        push_words(&mut out, line);
        blank = false;
    }
    out
}

fn hash_id(text: &str) -> String {
    format!("{:032x}", xxh3_128(text.as_bytes()))
}

/// Returns the URL in a canonical form so that the same article reached by slightly different
/// links gets the same id: lower-case scheme and host, no fragment, no tracking parameters, no
/// trailing slash.
pub fn canonical_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw.trim()) else {
        return raw.trim().to_string();
    };
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !(k.starts_with("utm_") || k == "fbclid" || k == "gclid"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let mut text = url.to_string();
    while text.ends_with('/') && text.matches('/').count() > 3 {
        text.pop();
    }
    text
}

/// Normalises a language tag (`en`, `EN-us`, `eng`, `German`?) to ISO 639-1 where one exists.
pub fn normalise_language(code: &str) -> Option<String> {
    let lower = code.trim().to_ascii_lowercase().replace('_', "-");
    let primary = lower.split('-').next().unwrap_or("");
    match primary.len() {
        2 => isolang::Language::from_639_1(primary).map(|_| primary.to_string()),
        3 => {
            let lang = isolang::Language::from_639_3(primary)?;
            Some(lang.to_639_1().unwrap_or(primary).to_string())
        }
        _ => None,
    }
}

fn string_or_number<'de, D>(de: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Int(i64),
        UInt(u64),
        Float(f64),
    }
    Ok(Option::<Id>::deserialize(de)?.map(|id| match id {
        Id::Text(s) => s,
        Id::Int(n) => n.to_string(),
        Id::UInt(n) => n.to_string(),
        Id::Float(n) => n.to_string(),
    }))
}

fn string_list<'de, D>(de: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Tags {
        One(String),
        Many(Vec<Option<String>>),
    }
    Ok(match Option::<Tags>::deserialize(de)? {
        None => Vec::new(),
        Some(Tags::One(s)) => vec![s],
        Some(Tags::Many(list)) => list.into_iter().flatten().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<(Article, Vec<Warning>), Invalid> {
        serde_json::from_str::<RawArticle>(json)
            .unwrap()
            .into_article()
    }

    #[test]
    fn aliases_map_onto_fields() {
        let (a, w) = parse(
            r#"{"headline":"H","text":"B","date":"2024-06-19","outlet":"O","byline":"A","lang":"EN","category":"World","tags":"x","extra":1}"#,
        )
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(a.title, "H");
        assert_eq!(a.body, "B");
        assert_eq!(a.source.as_deref(), Some("O"));
        assert_eq!(a.author.as_deref(), Some("A"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.section.as_deref(), Some("World"));
        assert_eq!(a.tags, vec!["x"]);
        assert_eq!(a.published.unwrap().unix_timestamp(), 1_718_755_200);
    }

    #[test]
    fn malformed_timestamp_keeps_its_day_with_a_warning() {
        let (a, w) = parse(r#"{"title":"t","date":"1987-03-31T605:12:19"}"#).unwrap();
        assert_eq!(a.published.unwrap().date().to_string(), "1987-03-31");
        assert_eq!(w.len(), 1);
        let (a, w) = parse(r#"{"title":"t","date":"last Tuesday"}"#).unwrap();
        assert!(a.published.is_none());
        assert!(w[0].0.contains("last Tuesday"));
    }

    #[test]
    fn dates_beyond_what_can_be_stored_are_a_warning_not_a_wrap() {
        for date in [
            "9999-12-31T23:59:59-23:59",
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "1665-11-16",
            "2262-04-12",
        ] {
            let json = format!(r#"{{"title":"t","date":"{date}"}}"#);
            let (a, w) = parse(&json).unwrap();
            assert_eq!(a.published, None, "{date}");
            assert_eq!(w.len(), 1, "{date}");
            assert!(
                w[0].0
                    .contains("outside the dates Dateline can store (1677-09-22 to 2262-04-10)"),
                "{date}: {}",
                w[0].0
            );
        }
        let (a, w) = parse(r#"{"title":"t","date":"1701-03-04"}"#).unwrap();
        assert!(w.is_empty());
        assert_eq!(a.published.unwrap().date().to_string(), "1701-03-04");
    }

    #[test]
    fn ids_are_stable_and_url_canonical() {
        let (a, _) =
            parse(r#"{"title":"t","url":"HTTPS://Example.com/a/?utm_source=x#top"}"#).unwrap();
        let (b, _) = parse(r#"{"title":"other","url":"https://example.com/a"}"#).unwrap();
        assert_eq!(a.id, b.id);
        let (c, _) = parse(r#"{"title":"t","body":"b"}"#).unwrap();
        let (d, _) = parse(r#"{"title":" t ","body":"b\n"}"#).unwrap();
        assert_eq!(c.id, d.id);
        let (e, _) = parse(r#"{"id":42,"title":"t"}"#).unwrap();
        assert_eq!(e.id, "42");
    }

    #[test]
    fn empty_article_is_invalid() {
        assert_eq!(parse(r#"{"title":" ","body":""}"#), Err(Invalid::Empty));
    }

    #[test]
    fn language_codes_are_normalised() {
        assert_eq!(normalise_language("en-US").as_deref(), Some("en"));
        assert_eq!(normalise_language("deu").as_deref(), Some("de"));
        assert_eq!(normalise_language("xx"), None);
    }

    #[test]
    fn body_whitespace_is_normalised() {
        assert_eq!(clean_text("  a  b \n\n\n\n c\r\nd "), "a b\n\nc\nd");
    }
}
