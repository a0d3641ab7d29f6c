//! One hit per story: a collector that groups the matching articles by story and keeps, per
//! story, its rank and the version that represents it.
//!
//! When a story's rank can only rise as more of its versions are seen (its best score, or its
//! newest date when the newest version represents it, newest first), only the stories that may
//! make the page are kept, as Lucene's first-pass grouping does: an article ranked below the
//! page's last story cannot lift a story onto the page, and costs a hash-set insert (for the
//! count of matching stories) and nothing else. Ranked by score, the versions representing the
//! page's stories are then found by a second, small pass ([`Collapse::representatives`]).
//! Otherwise (oldest first with the newest representing, or the reverse) every story is kept.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

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
    /// Stories wanted from the top (the page's end): with a rank that only rises, no more are
    /// kept.
    pub top: usize,
}

/// A story's matching versions, as far as ranking needs them.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// Best ranking score of its matching versions.
    pub score: Score,
    /// The first version (in index order) with that score: ties between stories are broken by
    /// it, so that every page cut from the same ranking agrees.
    best: DocAddress,
    /// The representing version and its date (`None`: undated).
    pub address: DocAddress,
    published: Option<i64>,
}

/// What [`Collapse`] found: matching articles and stories, and the stories' groups.
pub struct Collapsed {
    /// Matching articles.
    pub total: usize,
    /// Matching stories.
    pub stories: usize,
    /// The top stories (all of them when every story was kept), in rank order.
    pub groups: Vec<(u64, Group)>,
    /// Whether the groups' representatives are known (else [`Collapse::representatives`]
    /// finds them).
    pub represented: bool,
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

fn address_key(address: DocAddress) -> (u32, u32) {
    (address.segment_ord, address.doc_id)
}

fn merge(into: &mut Group, other: Group, represent: Represent) {
    if other.score > into.score
        || (other.score == into.score && address_key(other.best) < address_key(into.best))
    {
        into.score = other.score;
        into.best = other.best;
    }
    if represents(represent, &other, into) {
        into.address = other.address;
        into.published = other.published;
    }
}

/// How stories are ranked.
#[derive(Debug, Clone, Copy)]
struct Ranking {
    sort: Sort,
    represent: Represent,
}

impl Ranking {
    /// Whether a story's rank can only rise as versions are added: then only the top stories
    /// need be kept.
    fn rises(self) -> bool {
        matches!(
            (self.sort, self.represent),
            (Sort::Relevance | Sort::RelevanceRecent, _)
                | (Sort::Newest, Represent::Latest)
                | (Sort::Oldest, Represent::Earliest)
        )
    }

    /// Whether story `a` ranks before story `b`.
    fn before(self, a: &Group, b: &Group) -> bool {
        self.order(a, b) == std::cmp::Ordering::Less
    }

    /// The order of two stories: a total order, the same however many are kept.
    fn order(self, a: &Group, b: &Group) -> std::cmp::Ordering {
        match self.sort {
            Sort::Relevance | Sort::RelevanceRecent => b
                .score
                .total_cmp(&a.score)
                .then_with(|| address_key(a.best).cmp(&address_key(b.best))),
            Sort::Newest => (
                a.published.is_none(),
                std::cmp::Reverse(a.published),
                address_key(a.address),
            )
                .cmp(&(
                    b.published.is_none(),
                    std::cmp::Reverse(b.published),
                    address_key(b.address),
                )),
            Sort::Oldest => (a.published.is_none(), a.published, address_key(a.address)).cmp(&(
                b.published.is_none(),
                b.published,
                address_key(b.address),
            )),
        }
    }
}

/// The stories kept while collecting.
pub enum Kept {
    /// Every story.
    All(HashMap<u64, Group>),
    /// The `top` best stories so far, and every matching story's id.
    Top {
        top: usize,
        groups: Vec<(u64, Group)>,
        at: HashMap<u64, usize>,
        /// Where in `groups` the lowest-ranked story is, once `top` are kept.
        last: usize,
        stories: HashSet<u64>,
    },
}

impl Kept {
    fn new(ranking: Ranking, top: usize) -> Kept {
        if ranking.rises() {
            Kept::Top {
                top: top.max(1),
                groups: Vec::new(),
                at: HashMap::default(),
                last: 0,
                stories: HashSet::default(),
            }
        } else {
            Kept::All(HashMap::default())
        }
    }

    fn add(&mut self, story: u64, group: Group, ranking: Ranking) {
        match self {
            Kept::All(all) => match all.get_mut(&story) {
                Some(into) => merge(into, group, ranking.represent),
                None => {
                    all.insert(story, group);
                }
            },
            Kept::Top {
                top,
                groups,
                at,
                last,
                stories,
            } => {
                stories.insert(story);
                if let Some(&i) = at.get(&story) {
                    merge(&mut groups[i].1, group, ranking.represent);
                    if i == *last && groups.len() == *top {
                        *last = lowest(groups, ranking);
                    }
                } else if groups.len() < *top {
                    at.insert(story, groups.len());
                    groups.push((story, group));
                    if groups.len() == *top {
                        *last = lowest(groups, ranking);
                    }
                } else if ranking.before(&group, &groups[*last].1) {
                    at.remove(&groups[*last].0);
                    at.insert(story, *last);
                    groups[*last] = (story, group);
                    *last = lowest(groups, ranking);
                }
            }
        }
    }
}

/// Where the lowest-ranked of `groups` is.
fn lowest(groups: &[(u64, Group)], ranking: Ranking) -> usize {
    let mut last = 0;
    for (i, (_, group)) in groups.iter().enumerate().skip(1) {
        if ranking.before(&groups[last].1, group) {
            last = i;
        }
    }
    last
}

/// Per-segment part of [`Collapse`].
pub struct SegmentCollapse<G> {
    segment: SegmentOrdinal,
    stories: Option<Column<u64>>,
    dates: Option<Column<tantivy::DateTime>>,
    ranking: Ranking,
    boost: G,
    total: usize,
    kept: Kept,
}

impl<G: FnMut(DocId, Score) -> Score + 'static> SegmentCollector for SegmentCollapse<G> {
    type Fruit = (usize, Kept);

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
            best: address,
            address,
            published: self
                .dates
                .as_ref()
                .and_then(|c| c.first(doc))
                .map(|d| d.into_timestamp_secs()),
        };
        self.kept.add(story, group, self.ranking);
    }

    fn harvest(self) -> Self::Fruit {
        (self.total, self.kept)
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
            ranking: self.ranking(),
            boost: (self.boost)(reader),
            total: 0,
            kept: Kept::new(self.ranking(), self.top),
        })
    }

    fn requires_scoring(&self) -> bool {
        matches!(self.sort, Sort::Relevance | Sort::RelevanceRecent)
    }

    fn merge_fruits(&self, segments: Vec<(usize, Kept)>) -> tantivy::Result<Collapsed> {
        let ranking = self.ranking();
        let mut total = 0;
        let mut all: HashMap<u64, Group> = HashMap::default();
        let mut matching: HashSet<u64> = HashSet::default();
        let mut bounded = false;
        for (count, kept) in segments {
            total += count;
            let groups: Box<dyn Iterator<Item = (u64, Group)>> = match kept {
                Kept::All(groups) => Box::new(groups.into_iter()),
                Kept::Top {
                    groups, stories, ..
                } => {
                    bounded = true;
                    // The smaller set goes into the larger.
                    let (mut larger, smaller) = if stories.len() > matching.len() {
                        (stories, std::mem::take(&mut matching))
                    } else {
                        (std::mem::take(&mut matching), stories)
                    };
                    larger.extend(smaller);
                    matching = larger;
                    Box::new(groups.into_iter())
                }
            };
            for (story, group) in groups {
                match all.get_mut(&story) {
                    Some(into) => merge(into, group, self.represent),
                    None => {
                        all.insert(story, group);
                    }
                }
            }
        }
        let stories = if bounded { matching.len() } else { all.len() };
        let mut groups: Vec<(u64, Group)> = all.into_iter().collect();
        groups.sort_by(|a, b| ranking.order(&a.1, &b.1));
        if bounded {
            groups.truncate(self.top);
        }
        Ok(Collapsed {
            total,
            stories,
            groups,
            // Ranked by date, the representative is the version that ranks the story.
            represented: !bounded || !self.requires_scoring(),
        })
    }
}

impl<F> Collapse<F> {
    fn ranking(&self) -> Ranking {
        Ranking {
            sort: self.sort,
            represent: self.represent,
        }
    }
}

/// The versions representing `stories` among the articles `query` matches: the second pass
/// of a collapse ranked by score.
pub fn representatives(
    searcher: &tantivy::Searcher,
    query: &dyn tantivy::query::Query,
    story_field: tantivy::schema::Field,
    stories: &[u64],
    represent: Represent,
) -> tantivy::Result<HashMap<u64, DocAddress>> {
    use tantivy::query::{BooleanQuery, Occur, TermSetQuery};
    let terms = stories
        .iter()
        .map(|story| tantivy::Term::from_field_u64(story_field, *story));
    let within = BooleanQuery::new(vec![
        (Occur::Must, query.box_clone()),
        (Occur::Must, Box::new(TermSetQuery::new(terms))),
    ]);
    let collapse = Collapse {
        // Dates decide, not scores: nothing to score.
        sort: Sort::Oldest,
        represent,
        boost: |_: &SegmentReader| |_: DocId, score: Score| score,
        top: stories.len(),
    };
    let found = searcher.search(&within, &collapse)?;
    Ok(found
        .groups
        .into_iter()
        .map(|(story, group)| (story, group.address))
        .collect())
}
