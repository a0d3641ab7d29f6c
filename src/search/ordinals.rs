//! One numbering of every facet value across the segments a searcher sees.
//!
//! Each segment numbers its facet values (term ordinals) on its own. Merging per-segment
//! counts by value would turn every value that occurred into a string and hash it, for every
//! search; instead the values of all segments are listed once per set of segments (the engine
//! keeps the list until a commit or merge changes the segments), and each segment's ordinals are
//! mapped to positions in that list, so counts are merged by adding arrays.

use std::collections::BTreeSet;

use tantivy::Searcher;
use tantivy::index::SegmentId;

use crate::Result;
use crate::search::request::FacetField;

/// Every value of every facet, and each segment's ordinals mapped into that list.
#[derive(Debug)]
pub struct FacetOrdinals {
    segments: Vec<SegmentId>,
    facets: Vec<FacetValues>,
}

/// One facet's values over all segments.
#[derive(Debug)]
pub struct FacetValues {
    /// Every value, sorted.
    pub values: Vec<String>,
    /// For each segment (in the searcher's order), the position in `values` of each ordinal.
    pub by_segment: Vec<Vec<u32>>,
}

impl FacetOrdinals {
    /// Lists the facet values of every segment `searcher` sees.
    pub fn build(searcher: &Searcher) -> Result<FacetOrdinals> {
        let mut facets = Vec::with_capacity(FacetField::ALL.len());
        for facet in FacetField::ALL {
            let mut per_segment: Vec<Vec<String>> = Vec::new();
            for segment in searcher.segment_readers() {
                let mut terms = Vec::new();
                if let Some(column) = segment.fast_fields().str(facet.name())? {
                    let mut stream = column
                        .dictionary()
                        .stream()
                        .map_err(tantivy::TantivyError::from)?;
                    while stream.advance() {
                        terms.push(String::from_utf8_lossy(stream.key()).into_owned());
                    }
                }
                per_segment.push(terms);
            }
            let values: Vec<String> = per_segment
                .iter()
                .flatten()
                .cloned()
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect();
            let by_segment = per_segment
                .iter()
                .map(|terms| {
                    terms
                        .iter()
                        .map(|t| values.binary_search(t).expect("listed above") as u32)
                        .collect()
                })
                .collect();
            facets.push(FacetValues { values, by_segment });
        }
        Ok(FacetOrdinals {
            segments: searcher
                .segment_readers()
                .iter()
                .map(|s| s.segment_id())
                .collect(),
            facets,
        })
    }

    /// Whether this list was built for the segments `searcher` sees.
    pub fn is_for(&self, searcher: &Searcher) -> bool {
        self.segments.len() == searcher.segment_readers().len()
            && self
                .segments
                .iter()
                .zip(searcher.segment_readers())
                .all(|(id, segment)| *id == segment.segment_id())
    }

    /// The values of one facet.
    pub fn facet(&self, facet: FacetField) -> &FacetValues {
        let at = FacetField::ALL
            .iter()
            .position(|f| *f == facet)
            .expect("every facet is listed");
        &self.facets[at]
    }
}
