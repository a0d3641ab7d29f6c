//! Assigning each article to a story as it is indexed.
//!
//! Every article's signature goes into the index: its LSH band keys as terms of `story_band`,
//! its stored signature as the `story_signature` fast field, its story as `story`. A new article
//! looks its band keys up in the committed index and among the articles written since the last
//! commit (kept in memory until then), compares its signature with each candidate's, and joins
//! the story of the most alike candidate that passes [`JOIN_CONTAINMENT`] and [`JOIN_JACCARD`];
//! with none, it founds a story of its own, whose id is the hash of its article id. A story
//! never changes once an article is in it: an article indexed a year later joins the story its
//! copies are in, and two stories are not merged behind the user's back.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::columnar::Column;
use tantivy::fastfield::AliveBitSet;
use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

use crate::Result;
use crate::index::schema::{PUBLISHED, STORY, STORY_SIGNATURE};
use crate::stories::filter::BandFilter;
use crate::stories::signature::{BANDS, LEAD_BANDS, Likeness, Signature, StoredSignature, id_hash};

/// Least share of the shorter text the longer must hold for two articles that open alike to
/// be one story (estimated from 64 bins: a third of a text trimmed to 40% estimates about 0.1
/// low, one time in twenty).
pub const JOIN_CONTAINMENT: f32 = 0.7;
/// Least Jaccard similarity of two articles of one story that open alike (a short brief inside
/// a long feature is not a copy of it).
pub const JOIN_JACCARD: f32 = 0.2;
/// Least share of the shorter text the longer must hold, for two articles that open
/// differently ("UPDATE 1-" put a paragraph on top).
pub const JOIN_CONTAINMENT_OTHER_LEAD: f32 = 0.75;
/// Least Jaccard similarity of two articles that open differently.
pub const JOIN_JACCARD_OTHER_LEAD: f32 = 0.45;
/// Least containment of two articles of one outlet in one story: an outlet's own articles share
/// templates and boilerplate (standard openings, related-links blocks, footers) far more than
/// other outlets' copies do, while its own new versions (UPDATE, CORRECTED, RPT) are close.
pub const JOIN_CONTAINMENT_SAME_SOURCE: f32 = 0.8;
/// Least Jaccard similarity of two articles of one outlet in one story.
pub const JOIN_JACCARD_SAME_SOURCE: f32 = 0.6;
/// Share of lead bins that must agree for two articles to open alike.
pub const SAME_LEAD: f32 = 0.5;
/// Least share of the numbers of the article with fewer numbers that the other holds too,
/// when both hold at least two: template stories ("Qtly div 25 cts vs 25 cts prior, Pay April
/// 30"; "arrange 1.5 billion dlrs … at 6-1/8 pct") differ in their figures.
pub const JOIN_FIGURES: f32 = 0.6;
/// Most days between the publication of a dated article and the dated articles of the story it
/// joins, its first among them: a template story run again next week ("Fed adds reserves via
/// customer repurchases") is another story, and such stories cannot chain day by day.
pub const WINDOW_DAYS: i64 = 7;
/// Texts with fewer shingles than this (about 20 words) are one story only when nearly equal:
/// a short text shares most of its words with any other short text of the same template.
pub const SHORT_SHINGLES: u32 = 16;
/// Least Jaccard similarity of two short texts of one story.
pub const SHORT_JACCARD: f32 = 0.8;

/// Whether two articles this alike are one story.
pub fn same_story(likeness: &Likeness) -> bool {
    let (containment, jaccard) = if likeness.shorter < SHORT_SHINGLES {
        (JOIN_CONTAINMENT_OTHER_LEAD, SHORT_JACCARD)
    } else if likeness.same_source {
        (JOIN_CONTAINMENT_SAME_SOURCE, JOIN_JACCARD_SAME_SOURCE)
    } else if likeness.lead >= SAME_LEAD {
        (JOIN_CONTAINMENT, JOIN_JACCARD)
    } else {
        (JOIN_CONTAINMENT_OTHER_LEAD, JOIN_JACCARD_OTHER_LEAD)
    };
    likeness.containment >= containment
        && likeness.jaccard >= jaccard
        && likeness.figures >= JOIN_FIGURES
}

/// Whether two publication times (Unix seconds) are close enough for one story; an undated
/// article can be in any story.
pub fn within_window(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= WINDOW_DAYS * 86_400,
        _ => true,
    }
}
/// Candidates read from one band's postings in one segment, and from one band's articles
/// written since the last commit (the newest), at most: a text repeated thousands of times
/// would otherwise be compared with all of them. Measured (stories and scale benches,
/// 2026-12-01): caps of 4 and 32 gave B-cubed recall 0.9288 and cost 21–23% of indexing
/// throughput at a million articles; 2 and 16 give 0.9262 and 13.5%.
const MAX_CANDIDATES_PER_BAND: usize = 2;
/// Candidates compared per new article, at most.
const MAX_CANDIDATES: usize = 16;
/// End of a list of pending articles.
const NONE: u32 = u32::MAX;
/// Band keys of a text with words.
const BAND_KEYS: usize = BANDS + LEAD_BANDS;
/// A candidate this alike (Jaccard) is a copy: the search for better ones stops.
const NEAR_EXACT: f32 = 0.9;

/// The fields stories are kept in.
#[derive(Debug, Clone, Copy)]
pub struct StoryFields {
    /// `story`: the story id (fast, indexed).
    pub story: Field,
    /// `story_band`: LSH band keys (indexed).
    pub band: Field,
    /// `story_signature`: the stored signature (fast bytes).
    pub signature: Field,
}

/// What the index records of an article's story.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The story id.
    pub story: u64,
    /// The article's band keys.
    pub bands: Vec<u64>,
    /// Its stored signature.
    pub signature: StoredSignature,
}

/// An article written since the last commit.
struct Pending {
    signature: StoredSignature,
    published: Option<i64>,
    story: u64,
    /// False once a later article with the same id replaced it.
    alive: bool,
}

/// A committed segment's story fields.
struct SegmentStories {
    id: SegmentId,
    /// The band keys the segment holds: its term dictionary is asked about no others.
    filter: BandFilter,
    inverted: Arc<tantivy::InvertedIndexReader>,
    signatures: Column<u64>,
    stories: Column<u64>,
    dates: Column<tantivy::DateTime>,
    alive: Option<AliveBitSet>,
}

/// Finds each new article's story among the committed articles and those written since.
pub struct StoryDetector {
    fields: StoryFields,
    segments: Vec<SegmentStories>,
    pending: Vec<Pending>,
    /// The newest pending article holding each band key...
    pending_bands: FxHashMap<u64, u32>,
    /// ...and, for each pending article's each band, the next older one holding that key
    /// (`NONE` at the end): lists without an allocation per key.
    pending_older: Vec<u32>,
    /// Ids (hashed) written since the last commit, to their place in `pending`.
    pending_ids: FxHashMap<u64, u32>,
    /// When re-indexing everything: the ids (hashed) written in this run. Committed articles
    /// not yet re-written are the old versions, which must not decide the new stories.
    recomputing: Option<FxHashSet<u64>>,
    /// The candidates one article was compared with (segment, or `u32::MAX` for pending, and
    /// document), kept between articles for its allocation.
    seen: FxHashSet<(u32, u32)>,
}

impl StoryDetector {
    /// A detector over the articles `searcher` sees.
    pub fn new(fields: StoryFields, searcher: &Searcher) -> Result<StoryDetector> {
        let mut detector = StoryDetector {
            fields,
            segments: Vec::new(),
            pending: Vec::new(),
            pending_bands: FxHashMap::default(),
            pending_older: Vec::new(),
            pending_ids: FxHashMap::default(),
            recomputing: None,
            seen: FxHashSet::default(),
        };
        detector.committed(searcher)?;
        Ok(detector)
    }

    /// From now on every article of the index is being re-written: stories are recomputed
    /// from the new versions only.
    pub fn recompute(&mut self) {
        self.recomputing = Some(FxHashSet::default());
    }

    /// Everything written so far is committed and `searcher` sees it.
    pub fn committed(&mut self, searcher: &Searcher) -> Result<()> {
        // A segment's filter is built once: segments do not change until merged away.
        let mut filters: FxHashMap<SegmentId, BandFilter> = self
            .segments
            .drain(..)
            .map(|segment| (segment.id, segment.filter))
            .collect();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            // An index whose signatures are in another form finds no copies in these segments.
            let (Ok(signatures), Ok(stories)) = (fast.u64(STORY_SIGNATURE), fast.u64(STORY)) else {
                continue;
            };
            let id = segment.segment_id();
            let filter = match filters.remove(&id) {
                Some(filter) => filter,
                None => BandFilter::of_segment(segment, self.fields.band)?,
            };
            self.segments.push(SegmentStories {
                id,
                filter,
                inverted: segment.inverted_index(self.fields.band)?,
                signatures,
                stories,
                dates: fast.date(PUBLISHED)?,
                alive: segment.alive_bitset().cloned(),
            });
        }
        self.pending.clear();
        self.pending_bands.clear();
        self.pending_older.clear();
        self.pending_ids.clear();
        Ok(())
    }

    /// The story of a new article with this id, outlet, body signature and publication time
    /// (Unix seconds).
    pub fn assign(
        &mut self,
        id: &str,
        source: Option<&str>,
        computed: &Signature,
        published: Option<i64>,
    ) -> Result<Assignment> {
        let signature = computed.stored(id, source);
        let bands = computed.bands();
        let hash = id_hash(id);
        if let Some(&earlier) = self.pending_ids.get(&hash) {
            self.pending[earlier as usize].alive = false;
        }
        if let Some(run) = &mut self.recomputing {
            run.insert(hash);
        }
        // (containment, jaccard, story, when the story started)
        let mut best: Option<(f32, f32, u64, Option<i64>)> = None;
        let mut compared = 0;
        // Compares a candidate published `when` (its signature and story read only when that
        // is within the window); true when the search is over. A story stays within
        // [`WINDOW_DAYS`] of its first dated article: template stories run day after day do
        // not chain into one. A candidate out of the window counts as compared.
        let mut consider =
            |when: Option<i64>, other: &mut dyn FnMut() -> Option<(StoredSignature, u64)>| {
                if within_window(published, when) {
                    let Some((other, story)) = other() else {
                        return false;
                    };
                    let start = other.story_start.or(when);
                    if within_window(published, start) {
                        let likeness = signature.likeness(&other);
                        let key = (likeness.containment, likeness.jaccard, story, start);
                        if same_story(&likeness) && best.is_none_or(|b| (key.0, key.1) > (b.0, b.1))
                        {
                            best = Some(key);
                        }
                    }
                }
                compared += 1;
                compared >= MAX_CANDIDATES || best.is_some_and(|b| b.1 >= NEAR_EXACT)
            };
        let mut seen = std::mem::take(&mut self.seen);
        seen.clear();
        let mut over = false;
        'pending: for (slot, band) in bands.iter().enumerate() {
            let mut next = self.pending_bands.get(band).copied().unwrap_or(NONE);
            let mut read = 0;
            while next != NONE && read < MAX_CANDIDATES_PER_BAND {
                read += 1;
                let at = next;
                next = self.pending_older[at as usize * BAND_KEYS + slot];
                let pending = &self.pending[at as usize];
                if pending.alive
                    && seen.insert((u32::MAX, at))
                    && consider(pending.published, &mut || {
                        Some((pending.signature, pending.story))
                    })
                {
                    over = true;
                    break 'pending;
                }
            }
        }
        let asked = bands.iter().filter(|_| !over);
        'committed: for band in asked {
            let term = Term::from_field_u64(self.fields.band, *band);
            for (at, segment) in self.segments.iter().enumerate() {
                if !segment.filter.may_hold(*band) {
                    continue;
                }
                let Some(mut postings) = segment
                    .inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(|e| crate::Error::Tantivy(e.into()))?
                else {
                    continue;
                };
                let mut read = 0;
                let mut doc = postings.doc();
                while doc != TERMINATED && read < MAX_CANDIDATES_PER_BAND {
                    read += 1;
                    let live = segment.alive.as_ref().is_none_or(|a| a.is_alive(doc));
                    // Skipped: an article replaced since the last commit (its new version is
                    // pending) and, when recomputing, an old version not yet re-written.
                    if live && seen.insert((at as u32, doc)) {
                        let when = segment.dates.first(doc).map(|d| d.into_timestamp_secs());
                        let pending_ids = &self.pending_ids;
                        let recomputing = &self.recomputing;
                        let mut read_candidate = || {
                            let other = stored_signature(segment, doc)?;
                            let current = !pending_ids.contains_key(&other.id_hash)
                                && recomputing
                                    .as_ref()
                                    .is_none_or(|run| run.contains(&other.id_hash));
                            current.then(|| Some((other, segment.stories.first(doc)?)))?
                        };
                        if consider(when, &mut read_candidate) {
                            break 'committed;
                        }
                    }
                    doc = postings.advance();
                }
            }
        }
        self.seen = seen;
        let (story, start) = match best {
            Some((_, _, story, start)) => (story, start.or(published)),
            None => (hash, published),
        };
        let signature = StoredSignature {
            story_start: start,
            ..signature
        };
        let at = self.pending.len() as u32;
        // Bands are the same number for every text that has words; a text without has none.
        if bands.len() == BAND_KEYS {
            for band in &bands {
                let older = self.pending_bands.insert(*band, at).unwrap_or(NONE);
                self.pending_older.push(older);
            }
        } else {
            self.pending_older.extend([NONE; BAND_KEYS]);
        }
        self.pending_ids.insert(hash, at);
        self.pending.push(Pending {
            signature,
            published,
            story,
            alive: true,
        });
        Ok(Assignment {
            story,
            bands,
            signature,
        })
    }
}

/// The stored signature of a committed article, if it has one.
fn stored_signature(segment: &SegmentStories, doc: u32) -> Option<StoredSignature> {
    StoredSignature::from_words(segment.signatures.values_for_doc(doc))
}
