//! Facets and the histogram counted in stories rather than articles (`count=stories`): a wire
//! story run by twelve outlets counts once for each outlet that ran it, once for each person
//! any version names, and once in each day it has a matching version.
//!
//! Each segment collects the distinct (story, facet value) and (story, day) pairs of its
//! matching articles; the merge unites them across segments (copies of one story sit in
//! different segments) and counts pairs. This costs a hash set entry per distinct pair, so it
//! is done only when asked for.

use std::sync::Arc;

use rustc_hash::FxHashSet;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::{PUBLISHED, STORY};
use crate::search::aggregate::{Counts, SECONDS_PER_DAY};
use crate::search::ordinals::{DocValues, FacetOrdinals};
use crate::search::request::FacetField;

/// Counts stories per facet value and per day, over the segments `ordinals` was built for.
pub struct StoryTally {
    ordinals: Arc<FacetOrdinals>,
    facets: Vec<FacetField>,
    days: bool,
}

impl StoryTally {
    /// A tally of `facets`, and of days when `histogram` is true.
    pub fn new(ordinals: Arc<FacetOrdinals>, facets: &[FacetField], histogram: bool) -> StoryTally {
        StoryTally {
            ordinals,
            facets: facets.to_vec(),
            days: histogram,
        }
    }
}

/// One facet of one segment: where its values are, and where they go in the global list.
struct SegmentFacet {
    column: Option<StrColumn>,
    cached: Option<Arc<DocValues>>,
    positions: Vec<u32>,
}

/// The distinct pairs one segment saw.
pub struct SegmentStories {
    stories: Option<Column<u64>>,
    dates: Option<Column<tantivy::DateTime>>,
    facets: Vec<SegmentFacet>,
    segment: u32,
    /// Per facet, (story, position of the value).
    pairs: Vec<FxHashSet<(u64, u32)>>,
    /// (story, day since 1970-01-01).
    days: FxHashSet<(u64, i64)>,
    counting_days: bool,
}

impl SegmentCollector for SegmentStories {
    type Fruit = (Vec<FxHashSet<(u64, u32)>>, FxHashSet<(u64, i64)>);

    fn collect(&mut self, doc: DocId, _: Score) {
        // An article without a story (an index from before stories) is a story of its own.
        let story = self
            .stories
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(u64::MAX - (u64::from(self.segment) << 32) - u64::from(doc));
        for (facet, pairs) in self.facets.iter().zip(&mut self.pairs) {
            if let Some(cached) = &facet.cached {
                for &ord in cached.of(doc) {
                    pairs.insert((story, facet.positions[ord as usize]));
                }
            } else if let Some(column) = &facet.column {
                for ord in column.term_ords(doc) {
                    pairs.insert((story, facet.positions[ord as usize]));
                }
            }
        }
        if self.counting_days
            && let Some(date) = self.dates.as_ref().and_then(|c| c.first(doc))
        {
            let day = date.into_timestamp_secs().div_euclid(SECONDS_PER_DAY);
            self.days.insert((story, day));
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.pairs, self.days)
    }
}

impl Collector for StoryTally {
    type Fruit = Counts;
    type Child = SegmentStories;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let mut facets = Vec::with_capacity(self.facets.len());
        for &facet in &self.facets {
            let values = self.ordinals.facet(facet);
            let positions = values
                .by_segment
                .get(segment_ord as usize)
                .cloned()
                .ok_or_else(|| {
                    tantivy::TantivyError::InternalError(
                        "facet values were listed for other segments".to_string(),
                    )
                })?;
            facets.push(SegmentFacet {
                column: fast.str(facet.name())?,
                cached: values.docs.get(segment_ord as usize).cloned().flatten(),
                positions,
            });
        }
        Ok(SegmentStories {
            stories: fast.u64(STORY).ok(),
            dates: fast.date(PUBLISHED).ok(),
            pairs: vec![FxHashSet::default(); facets.len()],
            facets,
            segment: segment_ord,
            days: FxHashSet::default(),
            counting_days: self.days,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<(Vec<FxHashSet<(u64, u32)>>, FxHashSet<(u64, i64)>)>,
    ) -> tantivy::Result<Counts> {
        let mut pairs: Vec<FxHashSet<(u64, u32)>> = vec![FxHashSet::default(); self.facets.len()];
        let mut days: FxHashSet<(u64, i64)> = FxHashSet::default();
        for (segment_pairs, segment_days) in segments {
            for (into, from) in pairs.iter_mut().zip(segment_pairs) {
                into.extend(from);
            }
            days.extend(segment_days);
        }
        let facets = self
            .facets
            .iter()
            .zip(pairs)
            .map(|(&facet, pairs)| {
                let mut totals = vec![0u64; self.ordinals.facet(facet).values.len()];
                for (_, at) in pairs {
                    totals[at as usize] += 1;
                }
                (facet, totals)
            })
            .collect();
        Ok(Counts::from_totals(
            self.ordinals.clone(),
            facets,
            days.into_iter().map(|(_, day)| (day, 1)),
        ))
    }
}
