//! What a search returns: the body of `/api/search` and of `dateline search --json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The result of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// How many articles match.
    pub total: u64,
    /// How many stories match, when hits are collapsed into stories (`collapse=story`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stories: Option<u64>,
    /// Time spent searching, in milliseconds.
    pub took_ms: u64,
    /// The page returned (1-based).
    pub page: usize,
    /// The page size.
    pub size: usize,
    /// The articles of this page.
    pub hits: Vec<Hit>,
    /// Counts per value of each requested facet, most frequent first.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// Matching articles per period, oldest first.
    pub histogram: Vec<Bucket>,
    /// What was searched: the query as parsed, and the words each pattern matched.
    pub query: QueryInfo,
    /// Present when few articles hold every word of a plain-words query and the hits go on
    /// with articles holding most of them (each lists the words it lacks in `missing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// The state of the index that answered: its latest `indexed_at` stamp (absent in an index
    /// built before stamps were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// How many articles match and a hash of which (`COUNT-HASH`): with `snapshot`, a citation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_hash: Option<String>,
    /// With a citation's `snapshot` and `result_hash` in the request: what changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<crate::search::Changed>,
}

/// The relaxed tier of a search: articles holding most, not all, of the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relaxed {
    /// Articles holding every word (the search's `total`).
    pub matched_all: u64,
    /// Words each relaxed article holds at least, not counting `not_counted`.
    pub min_should_match: usize,
    /// Distinct words in the query.
    pub words: usize,
    /// Words in more than half the articles ("the", "said"): they add to the score but do
    /// not count towards `min_should_match`.
    pub not_counted: Vec<String>,
    /// Relaxed articles, listed after the `matched_all` exact ones.
    pub more: u64,
}

/// What a search searched, so a journalist can check it was what they meant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct QueryInfo {
    /// The parsed query in canonical form (operators upper case, groups in parentheses).
    pub parsed: String,
    /// Each truncation or wildcard pattern, with the words it matched.
    pub patterns: Vec<PatternTerms>,
}

/// A pattern of the query and the words (as written in the articles) it matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternTerms {
    /// The pattern as typed.
    pub pattern: String,
    /// The words it matched, sorted.
    pub terms: Vec<String>,
}

/// One matching article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Original URL.
    pub url: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// Publication time (RFC 3339, UTC).
    pub published: Option<String>,
    /// ISO 639-1 language.
    pub language: Option<String>,
    /// Relevance score (absent when sorting by date).
    pub score: Option<f32>,
    /// HTML-escaped passage with the matched words in `<mark>`.
    pub snippet: String,
    /// Canonical entities of the article.
    pub entities: Entities,
    /// For an article of the relaxed tier, the query's words it does not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The place of the opening dateline, canonical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline_place: Option<String>,
    /// The agency or outlet the article credits, canonical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    /// The story the article is in (absent in an index built before stories were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<crate::search::StoryRef>,
}

/// Canonical entity names of an article, by type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    /// People.
    pub person: Vec<String>,
    /// Places.
    pub place: Vec<String>,
    /// Organisations.
    pub org: Vec<String>,
}

/// A facet value and how many matching articles have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value.
    pub value: String,
    /// Matching articles with it.
    pub count: u64,
}

/// A histogram bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// First day of the period (YYYY-MM-DD).
    pub date: String,
    /// Matching articles published in it.
    pub count: u64,
}
