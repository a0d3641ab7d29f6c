//! What an index holds.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::AllQuery;
use tantivy::{DateTime, Order, Searcher};

use crate::Result;
use crate::index::schema::PUBLISHED;
use crate::search::aggregate::Counts;
use crate::search::request::FacetField;
use crate::search::response::FacetCount;

/// Every source and language is listed, up to this many.
const MAX_LISTED: usize = 10_000;

/// A summary of an index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of articles.
    pub articles: u64,
    /// Articles per outlet, most first.
    pub sources: Vec<FacetCount>,
    /// Articles per language, most first.
    pub languages: Vec<FacetCount>,
    /// Earliest publication date (RFC 3339).
    pub first_published: Option<String>,
    /// Latest publication date (RFC 3339).
    pub last_published: Option<String>,
    /// Articles without a publication date.
    pub undated: u64,
    /// Size of the index directory in bytes.
    pub index_bytes: u64,
    /// Number of index segments.
    pub segments: usize,
}

/// Computes the statistics of the index `searcher` sees, stored in `dir`.
/// `all` holds the facet counts of every article.
pub fn compute(searcher: &Searcher, all: &Counts, dir: &Path) -> Result<Stats> {
    let mut counts = all.facets(MAX_LISTED);
    let edge = |order: Order| -> Result<Option<String>> {
        let top = TopDocs::with_limit(1).order_by_fast_field::<DateTime>(PUBLISHED, order);
        let found = searcher.search(&AllQuery, &top)?;
        Ok(found
            .first()
            .and_then(|(date, _)| *date)
            .map(super::format_date))
    };
    let dated = searcher.search(
        &tantivy::query::ExistsQuery::new(PUBLISHED.to_string(), false),
        &tantivy::collector::Count,
    )? as u64;
    let articles = searcher.num_docs();
    Ok(Stats {
        articles,
        sources: counts.remove(FacetField::Source.name()).unwrap_or_default(),
        languages: counts
            .remove(FacetField::Language.name())
            .unwrap_or_default(),
        first_published: edge(Order::Asc)?,
        last_published: edge(Order::Desc)?,
        undated: articles.saturating_sub(dated),
        index_bytes: crate::index::index_size(searcher.index(), dir)?,
        segments: searcher.segment_readers().len(),
    })
}
