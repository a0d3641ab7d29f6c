//! What a search asks for: the parameters of `/api/search` and of `dateline search`.

use serde::{Deserialize, Serialize};

use crate::search::collapse::Represent;
use crate::{Error, Result};

/// Largest page size; deeper exports go through export, not search.
pub const MAX_PAGE_SIZE: usize = 100;
/// Results past this rank cannot be paged to.
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// How many values each facet lists.
pub const FACET_SIZE: usize = 30;

/// How many days older than the newest article halve what recency adds to a score
/// ([`Sort::RelevanceRecent`]).
pub const RECENCY_HALF_LIFE_DAYS: f32 = 30.0;

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Best match first, recent articles raised: the newest article of the index doubles its
    /// score, one [`RECENCY_HALF_LIFE_DAYS`] older gains half that, and so on.
    #[serde(rename = "relevance_recent")]
    #[value(name = "relevance_recent")]
    RelevanceRecent,
    /// Most recent first (undated articles last).
    Newest,
    /// Oldest first (undated articles last).
    Oldest,
}

/// Whether hits are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CollapseBy {
    /// One hit per article.
    #[default]
    None,
    /// One hit per story: copies of an article are listed once.
    Story,
}

/// What facets and the histogram count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CountBy {
    /// Matching articles.
    #[default]
    Articles,
    /// Matching stories: a story counts once per value any of its matching versions has, and
    /// once in each period it has a matching version.
    Stories,
}

/// Width of the date histogram's buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// One bucket per day.
    Day,
    /// One bucket per ISO week, starting on Monday.
    Week,
    /// One bucket per calendar month.
    #[default]
    Month,
    /// One bucket per year.
    Year,
    /// No histogram.
    None,
}

/// A field facet counts can be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FacetField {
    /// Canonical person names.
    Person,
    /// Canonical place names.
    Place,
    /// Canonical organisation names.
    Org,
    /// Outlets.
    Source,
    /// Languages.
    Language,
    /// Places of the opening datelines.
    #[serde(rename = "dateline_place")]
    #[value(name = "dateline_place")]
    DatelinePlace,
    /// Agencies and outlets credited.
    Credit,
}

impl FacetField {
    /// Every facet, in display order.
    pub const ALL: [FacetField; 7] = [
        FacetField::Person,
        FacetField::Place,
        FacetField::Org,
        FacetField::Source,
        FacetField::Language,
        FacetField::DatelinePlace,
        FacetField::Credit,
    ];

    /// Returns the schema field (and JSON key) of this facet.
    pub fn name(self) -> &'static str {
        match self {
            FacetField::Person => crate::index::schema::PERSON,
            FacetField::Place => crate::index::schema::PLACE,
            FacetField::Org => crate::index::schema::ORG,
            FacetField::Source => crate::index::schema::SOURCE,
            FacetField::Language => crate::index::schema::LANGUAGE,
            FacetField::DatelinePlace => crate::index::schema::DATELINE_PLACE,
            FacetField::Credit => crate::index::schema::CREDIT,
        }
    }

    /// The facets counted when a request names none: those of the first API, so a client that
    /// asks for nothing gets what it always got (`dateline_place` and `credit` are counted when
    /// asked for, as the page does).
    pub const DEFAULT: [FacetField; 5] = [
        FacetField::Person,
        FacetField::Place,
        FacetField::Org,
        FacetField::Source,
        FacetField::Language,
    ];

    /// Parses a facet name.
    pub fn parse(name: &str) -> Result<FacetField> {
        FacetField::ALL
            .into_iter()
            .find(|f| f.name() == name.trim())
            .ok_or_else(|| Error::UnknownFacet {
                name: name.trim().to_string(),
            })
    }
}

/// A search: query, filters, order, page, facets and histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The query in Dateline's query language (empty or `*`: every article).
    pub q: String,
    /// Articles must mention every one of these people.
    pub person: Vec<String>,
    /// Articles must mention every one of these places.
    pub place: Vec<String>,
    /// Articles must mention every one of these organisations.
    pub org: Vec<String>,
    /// Articles must come from one of these outlets.
    pub source: Vec<String>,
    /// Articles must be in one of these languages.
    pub language: Vec<String>,
    /// Articles must be datelined from one of these places.
    pub dateline_place: Vec<String>,
    /// Articles must credit one of these agencies or outlets.
    pub credit: Vec<String>,
    /// Published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339).
    pub from: Option<String>,
    /// Published on or before this date (the whole day, month or year it names).
    pub to: Option<String>,
    /// Only articles whose text has at least this many words.
    pub min_words: Option<u32>,
    /// Result order.
    pub sort: Sort,
    /// 1-based page number.
    pub page: usize,
    /// Hits per page.
    pub size: usize,
    /// Facets to count; `None` counts [`FacetField::DEFAULT`].
    pub facets: Option<Vec<FacetField>>,
    /// Histogram bucket width.
    pub histogram: Interval,
    /// One hit per story instead of one per article.
    pub collapse: CollapseBy,
    /// Which version stands for a collapsed story.
    pub represent: Represent,
    /// Whether facets and the histogram count articles or stories.
    pub count: CountBy,
    /// Only these articles, by id (empty: any). Not a parameter of the API: the feed of a
    /// saved search lists its alerts' articles with it.
    #[serde(skip)]
    pub ids: Vec<String>,
    /// A citation to check the result against (`snapshot` and `result_hash` of a response).
    #[serde(skip)]
    pub cited: Option<crate::search::Cited>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            person: Vec::new(),
            place: Vec::new(),
            org: Vec::new(),
            source: Vec::new(),
            language: Vec::new(),
            dateline_place: Vec::new(),
            credit: Vec::new(),
            from: None,
            to: None,
            min_words: None,
            sort: Sort::Relevance,
            page: 1,
            size: 10,
            facets: None,
            histogram: Interval::Month,
            collapse: CollapseBy::None,
            represent: Represent::Earliest,
            count: CountBy::Articles,
            ids: Vec::new(),
            cited: None,
        }
    }
}

impl SearchRequest {
    /// A request for `q` with every other parameter at its default.
    pub fn query(q: impl Into<String>) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    /// Checks the paging parameters; returns the offset of the first hit.
    pub fn offset(&self) -> Result<usize> {
        if self.size == 0 || self.size > MAX_PAGE_SIZE {
            return Err(Error::invalid(
                "size",
                format!("`{}` is out of range: use 1 to {MAX_PAGE_SIZE}", self.size),
            ));
        }
        if self.page == 0 {
            return Err(Error::PageOutOfRange {
                page: 0,
                message: "pages are numbered from 1".to_string(),
            });
        }
        let offset = (self.page - 1).saturating_mul(self.size);
        if offset.saturating_add(self.size) > MAX_RESULT_WINDOW {
            return Err(Error::PageOutOfRange {
                page: self.page,
                message: format!(
                    "only the first {MAX_RESULT_WINDOW} results can be paged to: narrow the search, or export every match with /api/export or `dateline export`"
                ),
            });
        }
        Ok(offset)
    }

    /// The version standing for each story, when hits are collapsed.
    pub fn collapsed(&self) -> Option<Represent> {
        (self.collapse == CollapseBy::Story).then_some(self.represent)
    }

    /// The facets to count, in display order.
    pub fn facet_fields(&self) -> Vec<FacetField> {
        match &self.facets {
            None => FacetField::DEFAULT.to_vec(),
            Some(list) => FacetField::ALL
                .into_iter()
                .filter(|f| list.contains(f))
                .collect(),
        }
    }
}
