//! Search: a [`SearchRequest`] in, a [`SearchResponse`] out.
//!
//! [`Engine`] opens the index once and answers searches and statistics; the CLI and the HTTP
//! server both call it, so a search means the same thing everywhere. The pieces:
//! [`query`] parses the query language, `compile` builds the tantivy query, `aggregate` counts
//! facets and the histogram, `snippet` highlights passages.

mod aggregate;
mod batch;
mod citation;
mod collapse;
mod compare;
mod compile;
mod entities;
mod export;
mod ordinals;
mod percolate;
pub mod query;
mod relax;
mod request;
mod response;
mod similar;
mod snippet;
mod span;
mod stats;
mod stored;
mod stories;
mod story_counts;
mod word;

pub use batch::{
    BATCH_CSV_HEADER, BATCH_SOURCES, BatchRow, MAX_BATCH_TERMS, TermsAs, batch_csv_fields,
    batch_terms,
};
pub use citation::{Changed, Cited};
pub use collapse::Represent;
pub use compare::{COMPARE_SOURCES, Comparison, MAX_COMPARED, Series, SourceShare};
pub use entities::EntityCount;
pub use export::{CSV_HEADER, ExportFormat, write_header, write_row};
pub use percolate::{NewMatch, Percolation, Standing, format_micros};
pub use relax::RELAXED_TARGET;
pub use request::{
    CollapseBy, CountBy, FACET_SIZE, FacetField, Interval, MAX_PAGE_SIZE, MAX_RESULT_WINDOW,
    RECENCY_HALF_LIFE_DAYS, SearchRequest, Sort,
};
pub use response::{
    Bucket, Entities, FacetCount, Hit, PatternTerms, QueryInfo, Relaxed, SearchResponse,
};
pub use similar::MAX_SIMILAR;
pub use snippet::escape_html;
pub use stats::Stats;
pub use stored::{ArticleView, StoredArticle};
pub use stories::{
    Lineage, LineageVersion, MAX_LINEAGE_VERSIONS, StoryRef, Version, lineage, versions,
};

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::index::SegmentId;
use tantivy::query::{AllQuery, EnableScoring, Query, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DateTime, DocAddress, DocId, Executor, Index, IndexReader, Order, ReloadPolicy, Score,
    Searcher, SegmentReader, TantivyDocument, Term,
};

use crate::index::Fields;
use crate::index::schema::PUBLISHED;
use crate::{Result, index};
use collapse::Collapse;
use compile::Compiler;
use ordinals::FacetOrdinals;
use relax::RELAX_BELOW;
use snippet::Snippets;
use stories::StoryBook;
use story_counts::StoryTally;

/// Most threads one search spreads its segments over.
pub const MAX_SEARCH_THREADS: usize = 4;
/// Indexes with fewer articles are searched on one thread.
pub const PARALLEL_FROM_ARTICLES: u64 = 200_000;

/// A searchable view of an index, opened once and shared (it is `Send + Sync`).
pub struct Engine {
    dir: PathBuf,
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// Threads segments are searched on, when more than one.
    executor: Option<Executor>,
    /// The facet values of the segments last searched (rebuilt when they change).
    ordinals: Mutex<Option<Arc<FacetOrdinals>>>,
    /// Facet counts over every article, for autocomplete and statistics, with the segments and
    /// deletions they were counted on.
    all_counts: Mutex<Option<(CountedOn, Arc<aggregate::Counts>)>>,
}

/// The relaxed tier of a search: what the response says of it, its articles on this page,
/// and each word's label and weight.
struct RelaxedTier {
    relaxed: Relaxed,
    docs: Ranked,
    words: Vec<(String, Box<dyn Weight>)>,
}

/// Articles in rank order, each with its score (none when sorted by date).
type Ranked = Vec<(Option<f32>, DocAddress)>;

/// How many articles, and when collapsed how many stories, a query matches.
#[derive(Debug, Clone, Copy)]
struct Matches {
    total: usize,
    stories: Option<usize>,
}

/// The segments of a searcher and how many deleted articles each holds.
type CountedOn = Vec<(SegmentId, u32)>;

impl Engine {
    /// Opens the index in `dir` for searching. New commits become visible shortly after they
    /// happen, without reopening. Segments are searched in parallel on up to as many threads
    /// as the machine has cores (at most [`MAX_SEARCH_THREADS`]).
    pub fn open(dir: &Path) -> Result<Engine> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Engine::open_with_threads(dir, threads.min(MAX_SEARCH_THREADS))
    }

    /// Opens the index in `dir`, searching segments on `threads` threads (1: on the caller's).
    ///
    /// A search is one pass over each segment, so on an idle machine spreading segments over
    /// the cores divides a search's latency; under many concurrent searches it changes little.
    pub fn open_with_threads(dir: &Path, threads: usize) -> Result<Engine> {
        let (index, fields) = index::open(dir)?;
        let executor = if threads > 1 {
            Some(Executor::multi_thread(threads, "dateline-search-")?)
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Engine {
            dir: dir.to_path_buf(),
            index,
            fields,
            reader,
            executor,
            ordinals: Mutex::new(None),
            all_counts: Mutex::new(None),
        })
    }

    /// Every facet counted over every article `searcher` sees; counted once per set of
    /// segments and deletions (autocomplete asks on every keystroke).
    fn all_counts(&self, searcher: &Searcher) -> Result<Arc<aggregate::Counts>> {
        let key: CountedOn = searcher
            .segment_readers()
            .iter()
            .map(|s| (s.segment_id(), s.num_deleted_docs()))
            .collect();
        let mut cached = self.all_counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((counted_on, counts)) = cached.as_ref()
            && *counted_on == key
        {
            return Ok(counts.clone());
        }
        let tally = aggregate::Tally::new(self.ordinals(searcher)?, &FacetField::ALL, false);
        let counts = Arc::new(self.collect(searcher, &AllQuery, &tally)?);
        *cached = Some((key, counts.clone()));
        Ok(counts)
    }

    /// Runs `collector` over the segments `searcher` sees: on the engine's threads when the
    /// index is big enough for that to pay (below [`PARALLEL_FROM_ARTICLES`] handing segments
    /// to other threads cost more than it saved on the scale benchmark), else on this one.
    fn collect<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> Result<C::Fruit> {
        match &self.executor {
            Some(executor)
                if searcher.num_docs() >= PARALLEL_FROM_ARTICLES
                    && searcher.segment_readers().len() > 1 =>
            {
                let scoring = if collector.requires_scoring() {
                    EnableScoring::enabled_from_searcher(searcher)
                } else {
                    EnableScoring::disabled_from_searcher(searcher)
                };
                Ok(searcher.search_with_executor(query, collector, executor, scoring)?)
            }
            _ => Ok(searcher.search(query, collector)?),
        }
    }

    /// The facet values of the segments `searcher` sees, listed once per set of segments.
    fn ordinals(&self, searcher: &Searcher) -> Result<Arc<FacetOrdinals>> {
        let mut cached = self.ordinals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ordinals) = cached.as_ref()
            && ordinals.is_for(searcher)
        {
            return Ok(ordinals.clone());
        }
        let ordinals = Arc::new(FacetOrdinals::build(searcher)?);
        *cached = Some(ordinals.clone());
        Ok(ordinals)
    }

    /// Makes the latest commit visible now (the reader also reloads by itself shortly after).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let offset = request.offset()?;
        let node = query::parse(&request.q)?;
        let searcher = self.reader.searcher();
        let compiler = Compiler::new(&self.index, &self.fields, &searcher)?;
        let query = compiler.request(&node, request)?;
        let facet_fields = request.facet_fields();
        let ordinals = if facet_fields.is_empty() {
            Arc::new(FacetOrdinals::none())
        } else {
            self.ordinals(&searcher)?
        };
        let histogram = request.histogram != Interval::None;
        let fingerprint = citation::Fingerprint {
            before: request.cited.map(|c| c.snapshot),
        };
        let (matches, mut ranked, (counts, print)) = match request.count {
            CountBy::Articles => {
                let tally = aggregate::Tally::new(ordinals, &facet_fields, histogram);
                self.page(
                    &searcher,
                    query.as_ref(),
                    request,
                    offset,
                    (tally, fingerprint),
                )?
            }
            CountBy::Stories => {
                let tally = StoryTally::new(ordinals, &facet_fields, histogram);
                self.page(
                    &searcher,
                    query.as_ref(),
                    request,
                    offset,
                    (tally, fingerprint),
                )?
            }
        };
        // An index with stamps but no article yet answers from snapshot 0.
        let snapshot = self
            .fields
            .indexed_at
            .map(|_| self.latest_stamp_of(&searcher).unwrap_or(0));
        let total = matches.total;
        let exact_hits = ranked.len();
        // Few articles hold every plain word: those holding most of them follow.
        let tier = match relax::plain_words(&node, request) {
            Some(words) if total < RELAX_BELOW => self.relaxed_tier(
                &compiler,
                &searcher,
                words,
                request,
                (total, matches.stories.unwrap_or(total)),
                offset,
            )?,
            _ => None,
        };
        let (highlights, spans, expansions) = compiler.into_parts();
        let (relaxed, words) = match tier {
            Some(tier) => {
                ranked.extend(tier.docs);
                (Some(tier.relaxed), tier.words)
            }
            None => (None, Vec::new()),
        };
        let mut snippets = Snippets::new(&self.index, &self.fields, highlights, spans);
        let mut stories = StoryBook::new(&searcher, &self.fields);
        let mut hits = Vec::with_capacity(ranked.len());
        let mut listed_stories = HashSet::new();
        for (i, (score, address)) in ranked.into_iter().enumerate() {
            if i >= exact_hits
                && request.collapse == CollapseBy::Story
                && stories
                    .story_of(address)?
                    .is_some_and(|story| listed_stories.contains(&story))
            {
                // Collapsed, a story the exact matches list is not listed again below them.
                continue;
            }
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut hit = self.hit(&doc, score, &mut snippets)?;
            hit.story = stories.reference(address, &hit.id)?;
            if i >= exact_hits {
                hit.missing = relax::missing(&searcher, &words, address)?;
            } else if let Some(story) = stories.story_of(address)? {
                listed_stories.insert(story);
            }
            hits.push(hit);
        }
        Ok(SearchResponse {
            total: total as u64,
            stories: matches.stories.map(|n| n as u64),
            took_ms: started.elapsed().as_millis() as u64,
            page: request.page,
            size: request.size,
            hits,
            facets: counts.facets(FACET_SIZE),
            histogram: counts.histogram(request.histogram),
            query: QueryInfo {
                parsed: node.to_string(),
                patterns: expansions,
            },
            relaxed,
            snapshot: snapshot.map(|s| s.to_string()),
            result_hash: snapshot.map(|_| print.result_hash()),
            changed: snapshot
                .and(request.cited)
                .map(|cited| print.changed(&cited)),
        })
    }

    /// The page of hits a request asks for, with what `tally` counts over every match.
    fn page<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &SearchRequest,
        offset: usize,
        tally: C,
    ) -> Result<(Matches, Ranked, C::Fruit)> {
        let collapse = request.collapsed();
        self.ranked(
            searcher,
            query,
            request.sort,
            collapse,
            request.size,
            offset,
            tally,
        )
    }

    /// The relaxed tier of a plain-words query that `total` (< [`RELAX_BELOW`]) articles hold
    /// all of, listed as `listed` hits (fewer when collapsed into stories): this page's share of
    /// the articles holding most of the words, and each word (its label and weight, to tell
    /// which words a relaxed article lacks).
    fn relaxed_tier(
        &self,
        compiler: &Compiler,
        searcher: &Searcher,
        children: &[query::Node],
        request: &SearchRequest,
        (total, listed): (usize, usize),
        offset: usize,
    ) -> Result<Option<RelaxedTier>> {
        let mut labels = Vec::new();
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        let mut common = Vec::new();
        for (child, times) in compile::repeats(children) {
            if let Some(q) = compiler.node(child)? {
                labels.push(child.to_string());
                clauses.push(compile::weighted(q, times));
                common.push(compiler.in_more_than(child, 2)?);
            }
        }
        let Some(plan) = relax::plan(searcher, &clauses, &common)? else {
            return Ok(None);
        };
        // The relaxed articles follow the exact ones: this page's share of them.
        let first = offset.max(listed);
        let wanted = (offset + request.size).saturating_sub(first);
        let (more, mut docs, _) = self.ranked(
            searcher,
            plan.query.as_ref(),
            request.sort,
            request.collapsed(),
            wanted.max(1),
            first - listed,
            Count,
        )?;
        let more = more.stories.unwrap_or(more.total);
        if wanted == 0 {
            docs.clear();
        }
        let relaxed = Relaxed {
            matched_all: total as u64,
            min_should_match: plan.min_should_match,
            words: labels.len(),
            not_counted: (0..labels.len())
                .filter(|i| !plan.counted.contains(i))
                .map(|i| labels[i].clone())
                .collect(),
            more: more as u64,
        };
        let scoring = EnableScoring::disabled_from_searcher(searcher);
        let mut words = Vec::with_capacity(labels.len());
        for (label, clause) in labels.into_iter().zip(&clauses) {
            words.push((label, clause.weight(scoring)?));
        }
        Ok(Some(RelaxedTier {
            relaxed,
            docs,
            words,
        }))
    }

    /// Runs `query` in `sort` order: how many articles (and, collapsed, stories) match, the
    /// `limit` articles from `offset` on, and what `extra` collects over every match.
    /// `collapse` lists one article per story, the one it names.
    #[allow(clippy::too_many_arguments)]
    fn ranked<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: Sort,
        collapse: Option<Represent>,
        limit: usize,
        offset: usize,
        extra: C,
    ) -> Result<(Matches, Ranked, C::Fruit)> {
        let newest = match sort {
            Sort::RelevanceRecent => newest_published(searcher)?,
            _ => None,
        };
        let recent = move |segment: &SegmentReader| {
            let dates = segment.fast_fields().date(PUBLISHED).ok();
            move |doc: DocId, score: Score| match (&dates, newest) {
                (Some(dates), Some(newest)) => recency_boosted(score, dates.first(doc), newest),
                _ => score,
            }
        };
        if let Some(represent) = collapse {
            let collapse = Collapse {
                sort,
                represent,
                boost: recent,
                top: offset + limit,
            };
            let (collapsed, fruit) = self.collect(searcher, query, &(collapse, extra))?;
            let page = collapsed.groups.get(offset..).unwrap_or_default();
            let page = &page[..limit.min(page.len())];
            let represented = match (&self.fields.stories, collapsed.represented) {
                (Some(fields), false) => {
                    let stories: Vec<u64> = page.iter().map(|(story, _)| *story).collect();
                    collapse::representatives(searcher, query, fields.story, &stories, represent)?
                }
                _ => Default::default(),
            };
            let scored = matches!(sort, Sort::Relevance | Sort::RelevanceRecent);
            let docs = page
                .iter()
                .map(|(story, g)| {
                    let address = represented.get(story).copied().unwrap_or(g.address);
                    (scored.then_some(g.score), address)
                })
                .collect();
            let matches = Matches {
                total: collapsed.total,
                stories: Some(collapsed.stories),
            };
            return Ok((matches, docs, fruit));
        }
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (total, docs, fruit) = match sort {
            Sort::Relevance => {
                let (total, docs, fruit) =
                    self.collect(searcher, query, &(Count, top.order_by_score(), extra))?;
                (
                    total,
                    docs.into_iter().map(|(s, d)| (Some(s), d)).collect(),
                    fruit,
                )
            }
            Sort::RelevanceRecent => {
                let (total, docs, fruit) =
                    self.collect(searcher, query, &(Count, top.tweak_score(recent), extra))?;
                (
                    total,
                    docs.into_iter().map(|(s, d)| (Some(s), d)).collect(),
                    fruit,
                )
            }
            Sort::Newest | Sort::Oldest => {
                let order = if sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let by_date = top.order_by_fast_field::<DateTime>(PUBLISHED, order);
                let (total, docs, fruit) =
                    self.collect(searcher, query, &(Count, by_date, extra))?;
                (
                    total,
                    docs.into_iter().map(|(_, d)| (None, d)).collect(),
                    fruit,
                )
            }
        };
        let matches = Matches {
            total,
            stories: None,
        };
        Ok((matches, docs, fruit))
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: Option<f32>,
        snippets: &mut Snippets,
    ) -> Result<Hit> {
        let stored = StoredArticle::read(&self.fields, doc);
        Ok(Hit {
            snippet: snippets.for_body(stored.language.as_deref(), &stored.body)?,
            id: stored.id,
            title: stored.title,
            url: stored.url,
            source: stored.source,
            author: stored.author,
            published: stored.published,
            language: stored.language,
            score,
            entities: stored.entities,
            missing: Vec::new(),
            dateline_place: stored.dateline_place,
            credit: stored.credit,
            story: None,
        })
    }

    /// How many articles a request matches (its paging, facets and histogram aside).
    pub fn count(&self, request: &SearchRequest) -> Result<u64> {
        let counted = self.search(&SearchRequest {
            page: 1,
            size: 1,
            facets: Some(Vec::new()),
            histogram: Interval::None,
            ..request.clone()
        })?;
        Ok(counted.total)
    }

    /// Returns the stored article with this id.
    pub fn article(&self, id: &str) -> Result<ArticleView> {
        let searcher = self.reader.searcher();
        let address = self.address(&searcher, id)?;
        let doc: TantivyDocument = searcher.doc(address)?;
        let mut view = ArticleView::read(&self.fields, &doc);
        view.article.story =
            StoryBook::new(&searcher, &self.fields).reference(address, &view.article.id)?;
        Ok(view)
    }

    /// Where the article with this id is.
    fn address(&self, searcher: &Searcher, id: &str) -> Result<DocAddress> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match found.first() {
            Some((_, address)) => Ok(*address),
            None => Err(crate::Error::ArticleNotFound { id: id.to_string() }),
        }
    }

    /// Up to `size` other stories on the subject of the article with this id (not copies of
    /// it), best first, each as the hit of its earliest version.
    pub fn similar(&self, id: &str, size: usize) -> Result<Vec<Hit>> {
        if size == 0 || size > MAX_SIMILAR {
            return Err(crate::Error::invalid(
                "size",
                format!("`{size}` is out of range: use 1 to {MAX_SIMILAR}"),
            ));
        }
        let searcher = self.reader.searcher();
        let address = self.address(&searcher, id)?;
        let doc: TantivyDocument = searcher.doc(address)?;
        let article = StoredArticle::read(&self.fields, &doc);
        let mut stories = StoryBook::new(&searcher, &self.fields);
        let versions = stories
            .reference(address, &article.id)?
            .map_or(1, |s| s.versions);
        let query = similar::query(
            &searcher,
            &self.fields,
            &article,
            stories.story_of(address)?,
            versions,
        );
        let (_, ranked, _) = self.ranked(
            &searcher,
            query.as_ref(),
            Sort::Relevance,
            Some(Represent::Earliest),
            size,
            0,
            Count,
        )?;
        let (highlights, spans, _) =
            Compiler::new(&self.index, &self.fields, &searcher)?.into_parts();
        let mut snippets = Snippets::new(&self.index, &self.fields, highlights, spans);
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, address) in ranked {
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut hit = self.hit(&doc, score, &mut snippets)?;
            hit.story = stories.reference(address, &hit.id)?;
            hits.push(hit);
        }
        Ok(hits)
    }

    /// Returns the versions of a story in time order, each with what it changed.
    pub fn story(&self, id: &str) -> Result<Lineage> {
        lineage(&self.reader.searcher(), &self.fields, id)
    }

    /// Returns people, places or organisations whose name has a word starting with `prefix`,
    /// most mentioned first.
    pub fn entities(
        &self,
        prefix: &str,
        types: &[FacetField],
        limit: usize,
    ) -> Result<Vec<EntityCount>> {
        let counts = self.all_counts(&self.reader.searcher())?;
        Ok(entities::complete(&counts, prefix, types, limit))
    }

    /// Calls `sink` with every article matching the request's query and filters (paging and
    /// sort are ignored), in index order, with constant memory; stops when `sink` returns
    /// `false`. Returns how many articles were sent.
    pub fn export(
        &self,
        request: &SearchRequest,
        sink: &mut dyn FnMut(StoredArticle) -> bool,
    ) -> Result<u64> {
        let node = query::parse(&request.q)?;
        let searcher = self.reader.searcher();
        let query = Compiler::new(&self.index, &self.fields, &searcher)?.request(&node, request)?;
        export::for_each_match(&searcher, &self.fields, query.as_ref(), sink)
    }

    /// Returns what the index holds: counts by source and language, date range, size.
    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.reader.searcher();
        let counts = self.all_counts(&searcher)?;
        stats::compute(&searcher, &counts, &self.dir)
    }
}

/// A score raised by recency ([`Sort::RelevanceRecent`]): doubled for the newest article,
/// by half as much one [`RECENCY_HALF_LIFE_DAYS`] older, and so on.
fn recency_boosted(score: Score, published: Option<DateTime>, newest: i64) -> Score {
    match published {
        Some(published) => {
            let days = (newest - published.into_timestamp_secs()).max(0) as f32 / 86_400.0;
            score * (1.0 + (-days / RECENCY_HALF_LIFE_DAYS).exp2())
        }
        None => score,
    }
}

/// The publication time of the newest dated article `searcher` sees (Unix seconds).
fn newest_published(searcher: &Searcher) -> Result<Option<i64>> {
    let mut newest = None;
    for segment in searcher.segment_readers() {
        let dates = segment.fast_fields().date(PUBLISHED)?;
        if dates.values.num_vals() > 0 {
            let max = dates.max_value().into_timestamp_secs();
            newest = Some(newest.map_or(max, |n: i64| n.max(max)));
        }
    }
    Ok(newest)
}

/// Formats a stored date as RFC 3339 in UTC.
pub fn format_date(date: DateTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(date.into_timestamp_secs())
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
