//! One hit per story: a collector that groups the matching articles by story and keeps, per
//! story, its best score and the version that represents it.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::{PUBLISHED, STORY};
use crate::search::request::Sort;

/// Which version of a story represents it when hits are collapsed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Represent {
    /// The earliest dated matching version: the originator, when it matches.
    #[default]
    Earliest,
    /// The newest dated matching version.
    Latest,
}

/// Groups matches by story. `boost` turns a document's score into its ranking score (for
/// recency); sorting by date ranks stories by their representative's date.
pub struct Collapse<F> {
    pub sort: Sort,
    pub represent: Represent,
    pub boost: F,
}

/// A story's matching versions, as far as ranking needs them.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// Best ranking score of its matching versions.
    pub score: Score,
    /// Matching versions.
    pub matched: u64,
    /// The representing version and its date (`i64::MIN`/`MAX` sentinel-free: `None` undated).
    pub address: DocAddress,
    published: Option<i64>,
}

/// What [`Collapse`] found: matching articles, and the groups by story.
pub struct Collapsed {
    /// Matching articles.
    pub total: usize,
    /// Matching stories, in rank order.
    pub groups: Vec<(u64, Group)>,
}

/// Per-segment part of [`Collapse`].
pub struct SegmentCollapse<G> {
    segment: SegmentOrdinal,
    stories: Option<Column<u64>>,
    dates: Option<Column<tantivy::DateTime>>,
    represent: Represent,
    boost: G,
    total: usize,
    groups: HashMap<u64, Group>,
}

/// Whether `candidate` represents a story better than `current`.
fn represents(represent: Represent, candidate: &Group, current: &Group) -> bool {
    match (candidate.published, current.published) {
        (Some(_), None) => true,
        (None, _) => false,
        (Some(a), Some(b)) => match represent {
            Represent::Earliest => a < b,
            Represent::Latest => a > b,
        },
    }
}

fn merge(into: &mut Group, other: Group, represent: Represent) {
    into.score = into.score.max(other.score);
    into.matched += other.matched;
    if represents(represent, &other, into) {
        into.address = other.address;
        into.published = other.published;
    }
}

impl<G: FnMut(DocId, Score) -> Score + 'static> SegmentCollector for SegmentCollapse<G> {
    type Fruit = (usize, HashMap<u64, Group>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        let address = DocAddress::new(self.segment, doc);
        // An article without a story (an index from before stories) is a story of its own.
        let story = self
            .stories
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(u64::MAX - u64::from(self.segment) * (1 << 32) - u64::from(doc));
        let group = Group {
            score: (self.boost)(doc, score),
            matched: 1,
            address,
            published: self
                .dates
                .as_ref()
                .and_then(|c| c.first(doc))
                .map(|d| d.into_timestamp_secs()),
        };
        match self.groups.get_mut(&story) {
            Some(into) => merge(into, group, self.represent),
            None => {
                self.groups.insert(story, group);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.total, self.groups)
    }
}

impl<F, G> Collector for Collapse<F>
where
    F: Fn(&SegmentReader) -> G + Send + Sync,
    G: FnMut(DocId, Score) -> Score + 'static,
{
    type Fruit = Collapsed;
    type Child = SegmentCollapse<G>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        Ok(SegmentCollapse {
            segment,
            stories: fast.u64(STORY).ok(),
            dates: fast.date(PUBLISHED).ok(),
            represent: self.represent,
            boost: (self.boost)(reader),
            total: 0,
            groups: HashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        matches!(self.sort, Sort::Relevance | Sort::RelevanceRecent)
    }

    fn merge_fruits(
        &self,
        segments: Vec<(usize, HashMap<u64, Group>)>,
    ) -> tantivy::Result<Collapsed> {
        let mut total = 0;
        let mut all: HashMap<u64, Group> = HashMap::default();
        for (count, groups) in segments {
            total += count;
            for (story, group) in groups {
                match all.get_mut(&story) {
                    Some(into) => merge(into, group, self.represent),
                    None => {
                        all.insert(story, group);
                    }
                }
            }
        }
        let mut groups: Vec<(u64, Group)> = all.into_iter().collect();
        let address = |g: &Group| (g.address.segment_ord, g.address.doc_id);
        match self.sort {
            Sort::Relevance | Sort::RelevanceRecent => groups.sort_by(|a, b| {
                b.1.score
                    .total_cmp(&a.1.score)
                    .then_with(|| address(&a.1).cmp(&address(&b.1)))
            }),
            Sort::Newest => groups.sort_by(|a, b| {
                (
                    a.1.published.is_none(),
                    std::cmp::Reverse(a.1.published),
                    address(&a.1),
                )
                    .cmp(&(
                        b.1.published.is_none(),
                        std::cmp::Reverse(b.1.published),
                        address(&b.1),
                    ))
            }),
            Sort::Oldest => {
                groups.sort_by_key(|g| (g.1.published.is_none(), g.1.published, address(&g.1)))
            }
        }
        Ok(Collapsed { total, groups })
    }
}
