//! The stories of hits and exported articles: which story an article is in, how many versions
//! it has, which outlet ran it first.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, Term};

use crate::index::Fields;
use crate::index::schema::{PUBLISHED, SOURCE, STORY};
use crate::stories::{StoryFields, format_id};
use crate::{Error, Result};

/// What a hit or an exported article says of its story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryRef {
    /// The story id (16 hex digits): `/api/stories/{id}`, `dateline story ID`.
    pub id: String,
    /// Articles in the story, this one included.
    pub versions: u64,
    /// Id of the earliest dated version: the originator (`None` when no version is dated).
    pub first: Option<String>,
    /// Outlet of the earliest dated version.
    pub first_source: Option<String>,
    /// The outlets that ran the story, earliest first, each once.
    pub sources: Vec<String>,
}

/// One article of a story, as the story lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Where it is.
    pub address: DocAddress,
    /// Publication time (Unix seconds).
    pub published: Option<i64>,
    /// Outlet.
    pub source: Option<String>,
}

/// Looks up the stories of articles, each story once per search or export.
pub struct StoryBook<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    stories: Option<StoryFields>,
    known: HashMap<u64, StoryRef>,
}

impl<'a> StoryBook<'a> {
    /// A book over the articles `searcher` sees.
    pub fn new(searcher: &'a Searcher, fields: &'a Fields) -> StoryBook<'a> {
        StoryBook {
            searcher,
            fields,
            stories: fields.stories,
            known: HashMap::new(),
        }
    }

    /// The story of the article at `address`; `None` in an index built before stories.
    pub fn story_of(&self, address: DocAddress) -> Result<Option<u64>> {
        if self.stories.is_none() {
            return Ok(None);
        }
        let segment = self.searcher.segment_reader(address.segment_ord);
        let Ok(column) = segment.fast_fields().u64(STORY) else {
            return Ok(None);
        };
        Ok(column.first(address.doc_id))
    }

    /// What a hit says of the story of the article at `address`.
    /// (`id`: the id of the article at `address`, which saves reading it when it is the first.)
    pub fn reference(&mut self, address: DocAddress, id: &str) -> Result<Option<StoryRef>> {
        let Some(story) = self.story_of(address)? else {
            return Ok(None);
        };
        if let Some(known) = self.known.get(&story) {
            return Ok(Some(known.clone()));
        }
        let versions = versions(self.searcher, self.fields, story)?;
        let first = versions.iter().find(|v| v.published.is_some());
        let (first, first_source) = match first {
            Some(version) if version.address == address => {
                (Some(id.to_string()), version.source.clone())
            }
            Some(version) => {
                let doc: TantivyDocument = self.searcher.doc(version.address)?;
                let article = crate::index::stored_article(self.fields, &doc);
                (Some(article.id), version.source.clone())
            }
            None => (None, None),
        };
        let mut sources: Vec<String> = Vec::new();
        for source in versions.iter().filter_map(|v| v.source.as_ref()) {
            if !sources.contains(source) {
                sources.push(source.clone());
            }
        }
        let reference = StoryRef {
            id: format_id(story),
            versions: versions.len() as u64,
            first,
            first_source,
            sources,
        };
        self.known.insert(story, reference.clone());
        Ok(Some(reference))
    }
}

/// Every live article of a story, dated ones in time order first, then undated ones in index
/// order.
pub fn versions(searcher: &Searcher, fields: &Fields, story: u64) -> Result<Vec<Version>> {
    let Some(story_fields) = fields.stories else {
        return Ok(Vec::new());
    };
    let term = Term::from_field_u64(story_fields.story, story);
    let mut out = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let inverted = segment.inverted_index(story_fields.story)?;
        let Some(mut postings) = inverted
            .read_postings(&term, IndexRecordOption::Basic)
            .map_err(|e| Error::Tantivy(e.into()))?
        else {
            continue;
        };
        let fast = segment.fast_fields();
        let dates = fast.date(PUBLISHED)?;
        let sources = fast.str(SOURCE)?;
        let alive = segment.alive_bitset();
        let mut doc = postings.doc();
        let mut name = String::new();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let source = match &sources {
                    Some(column) => match column.term_ords(doc).next() {
                        Some(term) => {
                            name.clear();
                            column
                                .ord_to_str(term, &mut name)
                                .map_err(|e| Error::Tantivy(e.into()))?;
                            Some(name.clone())
                        }
                        None => None,
                    },
                    None => None,
                };
                out.push(Version {
                    address: DocAddress::new(ord as u32, doc),
                    published: dates.first(doc).map(|d| d.into_timestamp_secs()),
                    source,
                });
            }
            doc = postings.advance();
        }
    }
    out.sort_by_key(|v| {
        (
            v.published.is_none(),
            v.published,
            v.address.segment_ord,
            v.address.doc_id,
        )
    });
    Ok(out)
}

/// Most versions a lineage lists (a boilerplate text run by thousands of pages would
/// otherwise make one answer unbounded).
pub const MAX_LINEAGE_VERSIONS: usize = 500;

/// A story's versions in time order, each with what it changed against the first
/// (`/api/stories/{id}`, `dateline story ID`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lineage {
    /// The story id.
    pub id: String,
    /// Articles in the story.
    pub versions: u64,
    /// Id of the earliest dated version (the originator); `None` when no version is dated.
    pub first: Option<String>,
    /// The versions listed (at most [`MAX_LINEAGE_VERSIONS`]): dated ones in time order, then
    /// undated ones.
    pub articles: Vec<LineageVersion>,
}

/// One version of a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineageVersion {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub source: Option<String>,
    /// Publication time (RFC 3339, UTC).
    pub published: Option<String>,
    /// ISO 639-1 language.
    pub language: Option<String>,
    /// Original URL.
    pub url: Option<String>,
    /// The place of its opening dateline.
    pub dateline_place: Option<String>,
    /// The agency or outlet it credits.
    pub credit: Option<String>,
    /// Whether it credits the first version's outlet (or the agency the first credits); absent
    /// for the first version.
    pub credits_first: Option<bool>,
    /// Seconds after the first version was published (absent for undated versions).
    pub after_first_seconds: Option<i64>,
    /// What it changed against the first version listed (absent for that one).
    pub changes: Option<crate::stories::Changes>,
}

/// The lineage of the story with this id (as [`crate::stories::format_id`] writes it).
pub fn lineage(searcher: &Searcher, fields: &Fields, id: &str) -> Result<Lineage> {
    let story = crate::stories::parse_id(id).ok_or_else(|| {
        Error::invalid(
            "story",
            format!("`{id}` is not a story id: story ids are 16 hex digits, as hits give them"),
        )
    })?;
    let versions = versions(searcher, fields, story)?;
    if versions.is_empty() {
        return Err(Error::StoryNotFound { id: id.to_string() });
    }
    let first_time = versions.first().and_then(|v| v.published);
    let mut articles: Vec<LineageVersion> = Vec::new();
    let mut first_body = None;
    // The names a version credits the first by: its outlet and the agency it credits.
    let mut originators: Vec<String> = Vec::new();
    for version in versions.iter().take(MAX_LINEAGE_VERSIONS) {
        let doc: TantivyDocument = searcher.doc(version.address)?;
        let stored = crate::search::StoredArticle::read(fields, &doc);
        let (changes, credits_first) = match &first_body {
            None => {
                first_body = Some(stored.body.clone());
                originators = [&stored.source, &stored.credit]
                    .into_iter()
                    .flatten()
                    .map(|name| name.to_lowercase())
                    .collect();
                (None, None)
            }
            Some(first) => (
                Some(crate::stories::changes(first, &stored.body)),
                Some(
                    stored
                        .credit
                        .as_ref()
                        .is_some_and(|c| originators.contains(&c.to_lowercase())),
                ),
            ),
        };
        articles.push(LineageVersion {
            after_first_seconds: match (version.published, first_time) {
                (Some(at), Some(first)) => Some(at - first),
                _ => None,
            },
            changes,
            credits_first,
            dateline_place: stored.dateline_place,
            credit: stored.credit,
            id: stored.id,
            title: stored.title,
            source: stored.source,
            published: stored.published,
            language: stored.language,
            url: stored.url,
        });
    }
    Ok(Lineage {
        id: crate::stories::format_id(story),
        versions: versions.len() as u64,
        first: first_time.map(|_| articles[0].id.clone()),
        articles,
    })
}
