//! Standing queries against the articles indexed since a cursor: what alerts deliver.
//!
//! Each saved search runs against the new articles only, not the archive: the new articles'
//! addresses are read once from the `indexed_at` column (segments holding none are skipped by
//! the column's maximum), and each query's matcher is asked, segment by segment, about those
//! documents alone (`seek` skips the rest of its postings). The cost grows with the new
//! articles and the saved searches, hardly with the archive.

use std::collections::HashMap;

use tantivy::query::EnableScoring;
use tantivy::schema::Value;
use tantivy::{DateTime, DocAddress, DocId, DocSet, Searcher, TERMINATED, TantivyDocument};

use crate::index::Fields;
use crate::index::schema::{INDEXED_AT, STORY};
use crate::search::compile::Compiler;
use crate::search::{Engine, SearchRequest, query};
use crate::{Error, Result};

/// A saved search standing over the index: its request, and the stamp (`indexed_at`, in
/// microseconds) of the last article it has been checked against.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The search.
    pub request: SearchRequest,
    /// Articles stamped after this are new to it.
    pub after: i64,
}

/// A newly indexed article that matches a standing search.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewMatch {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Original URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Publication time (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The story it is in (hex), when stories are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// When it was indexed (RFC 3339, microseconds).
    pub indexed_at: String,
    /// Its `indexed_at` stamp, in microseconds.
    #[serde(skip)]
    pub stamp: i64,
}

/// What a round of standing searches found.
#[derive(Debug)]
pub struct Percolation {
    /// The latest stamp of the index that answered (`None`: it holds no stamped article):
    /// every standing search has now been checked up to it.
    pub latest: Option<i64>,
    /// Articles newer than the oldest cursor.
    pub new_articles: usize,
    /// Per standing search, in order: its new matches (oldest first), or why its query
    /// cannot run (one bad query never stops the others).
    pub matches: Vec<Result<Vec<NewMatch>>>,
}

/// The new articles of one segment, ascending, each with its stamp.
struct Fresh {
    segment_ord: u32,
    docs: Vec<(DocId, i64)>,
}

impl Engine {
    /// The latest `indexed_at` stamp of the committed index, in microseconds (`None`: no
    /// article has one).
    pub fn latest_stamp(&self) -> Option<i64> {
        self.latest_stamp_of(&self.reader.searcher())
    }

    /// Runs each standing search against the articles indexed after its cursor.
    pub fn percolate(&self, standing: &[Standing]) -> Result<Percolation> {
        let Some(_) = self.fields.indexed_at else {
            return Err(Error::invalid(
                "alerts",
                "this index was built before Dateline kept when each article was indexed: \
                 index the archive again into a new directory to use alerts",
            ));
        };
        // A fresh view: alerts run right after a commit.
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        let latest = self.latest_stamp_of(&searcher);
        let oldest = standing.iter().map(|s| s.after).min();
        let fresh = match (oldest, latest) {
            (Some(oldest), Some(latest)) if latest > oldest => fresh_articles(&searcher, oldest)?,
            _ => Vec::new(),
        };
        let new_articles = fresh.iter().map(|f| f.docs.len()).sum();
        let compiler = Compiler::new(&self.index, &self.fields, &searcher)?;
        let mut read = ArticleCache::new(&searcher, &self.fields);
        let mut matches = Vec::with_capacity(standing.len());
        for search in standing {
            let found = if fresh.is_empty() {
                Ok(Vec::new())
            } else {
                matching(&searcher, &compiler, search, &fresh)
                    .and_then(|addresses| addresses.into_iter().map(|a| read.get(a)).collect())
            };
            matches.push(found);
        }
        Ok(Percolation {
            latest,
            new_articles,
            matches,
        })
    }

    /// The latest stamp of the articles `searcher` sees.
    pub(crate) fn latest_stamp_of(&self, searcher: &Searcher) -> Option<i64> {
        crate::index::latest_stamp(searcher, self.fields.indexed_at?)
            .map(DateTime::into_timestamp_micros)
    }
}

/// The live articles stamped after `after`, segment by segment.
fn fresh_articles(searcher: &Searcher, after: i64) -> Result<Vec<Fresh>> {
    let mut fresh = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let Ok(column) = segment.fast_fields().date(INDEXED_AT) else {
            continue;
        };
        if column.num_docs() == 0 || column.max_value().into_timestamp_micros() <= after {
            continue;
        }
        let mut docs = Vec::new();
        column.get_docids_for_value_range(
            DateTime::from_timestamp_micros(after.saturating_add(1))
                ..=DateTime::from_timestamp_nanos(i64::MAX),
            0..segment.max_doc(),
            &mut docs,
        );
        let alive = segment.alive_bitset();
        let docs: Vec<(DocId, i64)> = docs
            .into_iter()
            .filter(|&doc| alive.is_none_or(|a| a.is_alive(doc)))
            .filter_map(|doc| Some((doc, column.first(doc)?.into_timestamp_micros())))
            .collect();
        if !docs.is_empty() {
            fresh.push(Fresh {
                segment_ord: ord as u32,
                docs,
            });
        }
    }
    Ok(fresh)
}

/// The new articles (after the search's own cursor) its query matches.
fn matching(
    searcher: &Searcher,
    compiler: &Compiler,
    search: &Standing,
    fresh: &[Fresh],
) -> Result<Vec<(DocAddress, i64)>> {
    let node = query::parse(&search.request.q)?;
    let query = compiler.request(&node, &search.request)?;
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut found = Vec::new();
    for segment in fresh {
        let mut docs = segment
            .docs
            .iter()
            .filter(|(_, stamp)| *stamp > search.after)
            .peekable();
        if docs.peek().is_none() {
            continue;
        }
        let reader = searcher.segment_reader(segment.segment_ord);
        let mut scorer = weight.scorer(reader, 1.0)?;
        for &(doc, stamp) in docs {
            let at = if scorer.doc() < doc {
                scorer.seek(doc)
            } else {
                scorer.doc()
            };
            if at == TERMINATED {
                break;
            }
            if at == doc {
                found.push((DocAddress::new(segment.segment_ord, doc), stamp));
            }
        }
    }
    found.sort_by_key(|&(_, stamp)| stamp);
    Ok(found)
}

/// Reads each matching article once, however many searches it matches.
struct ArticleCache<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    read: HashMap<DocAddress, NewMatch>,
}

impl<'a> ArticleCache<'a> {
    fn new(searcher: &'a Searcher, fields: &'a Fields) -> Self {
        ArticleCache {
            searcher,
            fields,
            read: HashMap::new(),
        }
    }

    fn get(&mut self, (address, stamp): (DocAddress, i64)) -> Result<NewMatch> {
        if let Some(found) = self.read.get(&address) {
            return Ok(found.clone());
        }
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let article = crate::index::stored_article(self.fields, &doc);
        let story = self
            .searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64(STORY)
            .ok()
            .and_then(|column| column.first(address.doc_id))
            .map(crate::stories::format_id);
        let found = NewMatch {
            id: article.id,
            title: article.title,
            url: article.url,
            source: article.source,
            published: doc
                .get_first(self.fields.published)
                .and_then(|v| v.as_datetime())
                .map(crate::search::format_date),
            story,
            indexed_at: format_micros(stamp),
            stamp,
        };
        self.read.insert(address, found.clone());
        Ok(found)
    }
}

/// A stamp as RFC 3339 with microseconds.
pub fn format_micros(stamp: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(stamp) * 1_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
