//! Facet counts and the date histogram of the matching articles, counted in the same pass as
//! the search by one collector.
//!
//! Why not tantivy's aggregations: they answer through a generic request/JSON tree, dedupe
//! multi-valued columns by sorting each block, bucket dates in hash maps, and make facet counts
//! approximate across segments (`segment_size`). Here each segment counts term ordinals into a
//! plain array (multi-valued facets from the per-document lists [`FacetOrdinals`] keeps, each
//! value once per document) and dates into an array of days, a block of documents at a time;
//! segments are merged exactly by adding arrays, and only the values listed are turned into
//! strings. On the scale benchmark's query mix this halved the time of a faceted search
//! (BENCHMARKS.md, "Scale").

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex, RowId, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};
use time::{Date, Duration, Month};

use crate::index::schema::PUBLISHED;
use crate::search::ordinals::{DocValues, FacetOrdinals};
use crate::search::request::{FacetField, Interval};
use crate::search::response::{Bucket, FacetCount};

/// Histograms with at most this many buckets between the first and last date get their empty
/// buckets filled in, so a chart can draw them; longer spans list only non-empty buckets.
const MAX_FILLED_BUCKETS: usize = 1000;
/// Dates spanning more days than this (about 180 years: a stray date far from the rest) are
/// counted in a map instead of an array.
const MAX_DAY_ARRAY: i64 = 1 << 16;
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;
/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// Counts the given facets, and the publication days when a histogram is wanted, of every
/// document the query matches.
pub struct Tally {
    ordinals: Arc<FacetOrdinals>,
    facets: Vec<FacetField>,
    days: bool,
}

impl Tally {
    /// A tally of `facets`, and of days when `histogram` is true, on the segments `ordinals`
    /// was built for.
    pub fn new(ordinals: Arc<FacetOrdinals>, facets: &[FacetField], histogram: bool) -> Tally {
        Tally {
            ordinals,
            facets: facets.to_vec(),
            days: histogram,
        }
    }
}

/// What a [`Tally`] counted.
#[derive(Debug, Default)]
pub struct Counts {
    ordinals: Option<Arc<FacetOrdinals>>,
    /// Per facet, the values that occurred (positions in the facet's list of values) and
    /// their counts, most frequent first, ties in the order of the values.
    facets: Vec<(FacetField, Vec<(u32, u64)>)>,
    days: Days,
}

/// Articles per day (days since 1970-01-01): an array from a first day, and a map for days
/// outside it. Each segment counts into one spanning its own dates; the merge into one spanning
/// all of theirs.
#[derive(Debug, Default)]
struct Days {
    first: i64,
    dense: Vec<u64>,
    sparse: BTreeMap<i64, u64>,
}

impl Days {
    /// Days with an array from `first` to `last` (inclusive), unless that is more than
    /// [`MAX_DAY_ARRAY`] days (then every day goes in the map).
    fn spanning(first: i64, last: i64) -> Days {
        let span = last - first + 1;
        Days {
            first,
            dense: if (1..=MAX_DAY_ARRAY).contains(&span) {
                vec![0; span as usize]
            } else {
                Vec::new()
            },
            sparse: BTreeMap::new(),
        }
    }

    /// Room in the array for every day the segments' arrays cover.
    fn covering(segments: &[SegmentTally]) -> Days {
        let spans = segments
            .iter()
            .filter_map(|s| s.days.as_ref())
            .filter(|d| !d.days.dense.is_empty())
            .map(|d| (d.days.first, d.days.first + d.days.dense.len() as i64 - 1));
        match (
            spans.clone().map(|(first, _)| first).min(),
            spans.map(|(_, last)| last).max(),
        ) {
            (Some(first), Some(last)) => Days::spanning(first, last),
            _ => Days::default(),
        }
    }

    fn add(&mut self, day: i64, count: u64) {
        match usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.dense.get_mut(i))
        {
            Some(total) => *total += count,
            None => *self.sparse.entry(day).or_default() += count,
        }
    }

    /// Adds `other`'s counts: array to array where this one covers it, else day by day.
    fn merge(&mut self, other: Days) {
        for (day, count) in other.sparse {
            self.add(day, count);
        }
        let within = usize::try_from(other.first - self.first)
            .ok()
            .and_then(|at| self.dense.get_mut(at..at + other.dense.len()));
        match within {
            Some(into) => {
                for (total, count) in into.iter_mut().zip(&other.dense) {
                    *total += count;
                }
            }
            None => {
                for (i, &count) in other.dense.iter().enumerate() {
                    if count > 0 {
                        self.add(other.first + i as i64, count);
                    }
                }
            }
        }
    }

    /// Every day with articles, with their number.
    fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(i, &count)| (self.first + i as i64, count));
        dense.chain(self.sparse.iter().map(|(&day, &count)| (day, count)))
    }
}

/// The values that occurred (positions) with their counts, most frequent first, ties in the
/// order of the values.
fn most_frequent_first(totals: Vec<u64>) -> Vec<(u32, u64)> {
    let mut counted: Vec<(u32, u64)> = totals
        .into_iter()
        .enumerate()
        .filter(|(_, count)| *count > 0)
        .map(|(at, count)| (at as u32, count))
        .collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counted
}

impl Counts {
    /// Counts from totals per facet value (positions in `ordinals`' lists) and per day.
    pub(crate) fn from_totals(
        ordinals: Arc<FacetOrdinals>,
        facets: Vec<(FacetField, Vec<u64>)>,
        days: impl Iterator<Item = (i64, u64)>,
    ) -> Counts {
        let mut counted_days = Days::default();
        for (day, count) in days {
            counted_days.add(day, count);
        }
        Counts {
            ordinals: Some(ordinals),
            facets: facets
                .into_iter()
                .map(|(facet, totals)| (facet, most_frequent_first(totals)))
                .collect(),
            days: counted_days,
        }
    }

    /// The facet counts, most frequent first (ties by value), at most `limit` per facet.
    pub fn facets(&self, limit: usize) -> BTreeMap<String, Vec<FacetCount>> {
        self.facets
            .iter()
            .map(|(facet, counted)| {
                let counts = match &self.ordinals {
                    Some(ordinals) => {
                        let values = &ordinals.facet(*facet).values;
                        counted
                            .iter()
                            .take(limit)
                            .map(|&(at, count)| FacetCount {
                                value: values[at as usize].clone(),
                                count,
                            })
                            .collect()
                    }
                    None => Vec::new(),
                };
                (facet.name().to_string(), counts)
            })
            .collect()
    }

    /// The histogram at `interval`.
    pub fn histogram(&self, interval: Interval) -> Vec<Bucket> {
        let mut counts: BTreeMap<Date, u64> = BTreeMap::new();
        // The bucket the last day fell in, as days [start, end): days come mostly in order, so
        // most of them need no date arithmetic.
        let mut current: Option<(i64, i64, Date, u64)> = None;
        for (day, count) in self.days.iter() {
            if let Some((start, end, _, total)) = &mut current
                && (*start..*end).contains(&day)
            {
                *total += count;
                continue;
            }
            if let Some((_, _, date, total)) = current.take() {
                *counts.entry(date).or_default() += total;
            }
            let Ok(date) = Date::from_julian_day((day + UNIX_EPOCH_JULIAN_DAY) as i32) else {
                continue;
            };
            let start = bucket_start(date, interval);
            let end = next_start(start, interval);
            current = Some((
                i64::from(start.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY,
                i64::from(end.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY,
                start,
                count,
            ));
        }
        if let Some((_, _, date, total)) = current {
            *counts.entry(date).or_default() += total;
        }
        fill(counts, interval)
    }
}

impl Collector for Tally {
    type Fruit = Counts;
    type Child = SegmentTally;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let mut facets = Vec::with_capacity(self.facets.len());
        for &facet in &self.facets {
            let column = fast.str(facet.name())?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            let cached = self
                .ordinals
                .facet(facet)
                .docs
                .get(segment_ord as usize)
                .cloned()
                .flatten();
            facets.push(FacetTally {
                column,
                cached,
                counts: vec![0; terms],
            });
        }
        let days = if self.days {
            Some(DayTally::new(fast.date(PUBLISHED)?))
        } else {
            None
        };
        Ok(SegmentTally {
            segment: segment_ord as usize,
            facets,
            days,
            pending: Vec::with_capacity(BLOCK),
            scratch: Scratch::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentTally>) -> tantivy::Result<Counts> {
        let mut totals: Vec<Vec<u64>> = self
            .facets
            .iter()
            .map(|&f| vec![0; self.ordinals.facet(f).values.len()])
            .collect();
        let mut days = Days::covering(&segments);
        for segment in segments {
            for ((facet, into), counted) in self.facets.iter().zip(&mut totals).zip(segment.facets)
            {
                let positions = self
                    .ordinals
                    .facet(*facet)
                    .by_segment
                    .get(segment.segment)
                    .ok_or_else(|| {
                        tantivy::TantivyError::InternalError(
                            "facet values were listed for other segments".to_string(),
                        )
                    })?;
                for (&count, &at) in counted.counts.iter().zip(positions) {
                    into[at as usize] += u64::from(count);
                }
            }
            if let Some(segment_days) = segment.days {
                days.merge(segment_days.days);
            }
        }
        let facets = self
            .facets
            .iter()
            .zip(totals)
            .map(|(&facet, totals)| (facet, most_frequent_first(totals)))
            .collect();
        Ok(Counts {
            ordinals: Some(self.ordinals.clone()),
            facets,
            days,
        })
    }
}

/// One facet's counts in one segment, by term ordinal.
struct FacetTally {
    /// The column, read directly when it holds at most one value per document.
    column: Option<StrColumn>,
    /// The documents' ordinals copied out of a multi-valued column, each once per document
    /// ([`FacetOrdinals`] lists every multi-valued column of the searcher's segments).
    cached: Option<Arc<DocValues>>,
    counts: Vec<u32>,
}

impl FacetTally {
    fn collect_block(&mut self, docs: &[DocId], scratch: &mut Scratch) {
        if let Some(cached) = &self.cached {
            for &doc in docs {
                for &ord in cached.of(doc) {
                    self.counts[ord as usize] += 1;
                }
            }
            return;
        }
        let Some(column) = &self.column else {
            return;
        };
        let ords = column.ords();
        scratch.rows_of(&ords.index, docs);
        scratch.values.clear();
        scratch.values.resize(scratch.rows.len(), 0);
        ords.values.get_vals(&scratch.rows, &mut scratch.values);
        for &ord in &scratch.values {
            self.counts[ord as usize] += 1;
        }
    }
}

/// Publication days in one segment, spanning the segment's first to last date.
struct DayTally {
    column: Column<tantivy::DateTime>,
    days: Days,
    dates: Vec<tantivy::DateTime>,
}

impl DayTally {
    fn new(column: Column<tantivy::DateTime>) -> DayTally {
        let day = |d: tantivy::DateTime| d.into_timestamp_secs().div_euclid(SECONDS_PER_DAY);
        DayTally {
            days: Days::spanning(day(column.min_value()), day(column.max_value())),
            column,
            dates: Vec::new(),
        }
    }

    /// Counts each document's first date.
    fn collect_block(&mut self, docs: &[DocId], scratch: &mut Scratch) {
        scratch.rows_of(&self.column.index, docs);
        self.dates.clear();
        self.dates
            .resize(scratch.rows.len(), tantivy::DateTime::MIN);
        self.column.values.get_vals(&scratch.rows, &mut self.dates);
        let mut previous = None;
        for (&doc, date) in scratch.docs.iter().zip(&self.dates) {
            if previous == Some(doc) {
                continue;
            }
            previous = Some(doc);
            self.days
                .add(date.into_timestamp_secs().div_euclid(SECONDS_PER_DAY), 1);
        }
    }
}

/// Documents are counted in blocks of this many.
const BLOCK: usize = 64;

/// The per-segment part of a [`Tally`]: documents are buffered and counted a block at a time,
/// which lets the column indexes find rows block by block instead of document by document.
pub struct SegmentTally {
    segment: usize,
    facets: Vec<FacetTally>,
    days: Option<DayTally>,
    pending: Vec<DocId>,
    scratch: Scratch,
}

impl SegmentTally {
    fn count(&mut self, docs: &[DocId]) {
        for facet in &mut self.facets {
            facet.collect_block(docs, &mut self.scratch);
        }
        if let Some(days) = &mut self.days {
            days.collect_block(docs, &mut self.scratch);
        }
    }

    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.count(&pending);
        self.pending = pending;
        self.pending.clear();
    }
}

impl SegmentCollector for SegmentTally {
    type Fruit = SegmentTally;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.pending.push(doc);
        if self.pending.len() == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.flush();
        self.count(docs);
    }

    fn harvest(mut self) -> SegmentTally {
        self.flush();
        self
    }
}

/// Reusable buffers: the rows of a block of documents in one column, and their values.
#[derive(Default)]
struct Scratch {
    /// The document of each row (a document with several values repeats).
    docs: Vec<DocId>,
    rows: Vec<RowId>,
    values: Vec<u64>,
}

impl Scratch {
    /// Fills `docs` and `rows` with the rows `index` holds for `block` (sorted documents).
    fn rows_of(&mut self, index: &ColumnIndex, block: &[DocId]) {
        self.docs.clear();
        self.rows.clear();
        index.docids_to_rowids(block, &mut self.docs, &mut self.rows);
    }
}

/// Lists buckets from the first to the last date, empty ones included, unless that would be
/// more than [`MAX_FILLED_BUCKETS`].
fn fill(counts: BTreeMap<Date, u64>, interval: Interval) -> Vec<Bucket> {
    let (Some(first), Some(last)) = (
        counts.keys().next().copied(),
        counts.keys().next_back().copied(),
    ) else {
        return Vec::new();
    };
    let mut starts = vec![first];
    while let Some(&current) = starts.last() {
        if current >= last || starts.len() > MAX_FILLED_BUCKETS {
            break;
        }
        starts.push(next_start(current, interval));
    }
    if starts.len() > MAX_FILLED_BUCKETS {
        starts = counts.keys().copied().collect();
    }
    starts
        .into_iter()
        .map(|date| Bucket {
            date: date.to_string(),
            count: counts.get(&date).copied().unwrap_or(0),
        })
        .collect()
}

fn bucket_start(date: Date, interval: Interval) -> Date {
    match interval {
        Interval::Day | Interval::None => date,
        Interval::Week => date - Duration::days(date.weekday().number_days_from_monday() as i64),
        Interval::Month => date.replace_day(1).expect("day 1 exists"),
        Interval::Year => Date::from_calendar_date(date.year(), Month::January, 1).expect("valid"),
    }
}

fn next_start(date: Date, interval: Interval) -> Date {
    match interval {
        Interval::Day | Interval::None => date + Duration::DAY,
        Interval::Week => date + Duration::WEEK,
        Interval::Month => {
            let (year, month) = if date.month() == Month::December {
                (date.year() + 1, Month::January)
            } else {
                (date.year(), date.month().next())
            };
            Date::from_calendar_date(year, month, 1).expect("valid")
        }
        Interval::Year => {
            Date::from_calendar_date(date.year() + 1, Month::January, 1).expect("valid")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_counts(days: &[(&str, u64)]) -> Counts {
        let mut counts = Counts::default();
        for (d, c) in days {
            let date =
                Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
            counts.days.add(
                date.midnight().assume_utc().unix_timestamp() / SECONDS_PER_DAY,
                *c,
            );
        }
        counts
    }

    fn pairs(buckets: Vec<Bucket>) -> Vec<(String, u64)> {
        buckets.into_iter().map(|b| (b.date, b.count)).collect()
    }

    #[test]
    fn days_roll_up_into_weeks_months_and_years_with_gaps_filled() {
        let r = day_counts(&[("2024-06-19", 3), ("2024-06-20", 1), ("2024-08-02", 2)]);
        assert_eq!(
            pairs(r.histogram(Interval::Month)),
            vec![
                ("2024-06-01".into(), 4),
                ("2024-07-01".into(), 0),
                ("2024-08-01".into(), 2)
            ]
        );
        let weeks = pairs(r.histogram(Interval::Week));
        assert_eq!(weeks[0], ("2024-06-17".into(), 4));
        assert_eq!(weeks.len(), 7);
        assert_eq!(
            pairs(r.histogram(Interval::Year)),
            vec![("2024-01-01".into(), 6)]
        );
        assert_eq!(r.histogram(Interval::Day).len(), 45);
    }

    #[test]
    fn long_spans_list_only_non_empty_buckets() {
        let r = day_counts(&[("1987-02-26", 1), ("2020-01-01", 1)]);
        assert_eq!(r.histogram(Interval::Day).len(), 2);
        assert_eq!(r.histogram(Interval::Year).len(), 34);
    }

    /// Three segments; one article names a person twice (counted once); dates on both sides of
    /// 1970 and one far from the rest (counted in the map, not the array); undated articles.
    #[test]
    fn counts_are_exact_across_segments() {
        use crate::index::schema::{PERSON, SOURCE};
        use tantivy::schema::Schema;
        use tantivy::{DateTime, Index, TantivyDocument, query::AllQuery, query::TermQuery};

        let schema: Schema = crate::index::build_schema();
        let index = Index::create_in_ram(schema.clone());
        crate::analysis::register_analyzers(index.tokenizers());
        let field = |name: &str| schema.get_field(name).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let day = |d: &str| {
            let date =
                Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
            DateTime::from_timestamp_secs(date.midnight().assume_utc().unix_timestamp() + 3600)
        };
        /// Source, people, publication day.
        type Article<'a> = (&'a str, &'a [&'a str], Option<&'a str>);
        let segments: [&[Article]; 3] = [
            &[
                (
                    "Tass",
                    &["Vladimir Putin", "Kim Jong Un"],
                    Some("2024-06-19"),
                ),
                (
                    "Tass",
                    &["Vladimir Putin", "Vladimir Putin"],
                    Some("1969-12-31"),
                ),
            ],
            &[
                ("KCNA", &["Kim Jong Un"], Some("2024-06-20")),
                ("Tass", &[], None),
                ("KCNA", &["Vladimir Putin"], Some("1700-01-01")),
            ],
            &[("Tass", &["Kim Jong Un"], Some("2024-06-19"))],
        ];
        for articles in segments {
            for (source, people, published) in articles {
                let mut doc = TantivyDocument::default();
                doc.add_text(field(SOURCE), source);
                for person in *people {
                    doc.add_text(field(PERSON), person);
                }
                if let Some(d) = published {
                    doc.add_date(field(PUBLISHED), day(d));
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let ordinals = Arc::new(FacetOrdinals::build(&searcher).unwrap());
        let tally = Tally::new(ordinals, &[FacetField::Person, FacetField::Source], true);
        let counts = searcher.search(&AllQuery, &tally).unwrap();
        let facet = |counts: &Counts, name: &str| -> Vec<(String, u64)> {
            counts.facets(10)[name]
                .iter()
                .map(|f| (f.value.clone(), f.count))
                .collect()
        };
        assert_eq!(
            facet(&counts, PERSON),
            vec![("Kim Jong Un".into(), 3), ("Vladimir Putin".into(), 3)]
        );
        assert_eq!(
            facet(&counts, SOURCE),
            vec![("Tass".into(), 4), ("KCNA".into(), 2)]
        );
        let years = pairs(counts.histogram(Interval::Year));
        assert_eq!(years.len(), 2024 - 1700 + 1);
        assert_eq!(
            years
                .into_iter()
                .filter(|(_, c)| *c > 0)
                .collect::<Vec<_>>(),
            vec![
                ("1700-01-01".into(), 1),
                ("1969-01-01".into(), 1),
                ("2024-01-01".into(), 3)
            ]
        );
        assert_eq!(counts.facets(1)[PERSON].len(), 1);
        // Only what the query matches is counted.
        let kcna = TermQuery::new(
            tantivy::Term::from_field_text(field(SOURCE), "kcna"),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let counts = searcher.search(&kcna, &tally).unwrap();
        assert_eq!(
            facet(&counts, PERSON),
            vec![("Kim Jong Un".into(), 1), ("Vladimir Putin".into(), 1)]
        );
        // Over 1,000 days apart: only the non-empty days are listed.
        assert_eq!(
            pairs(counts.histogram(Interval::Day)),
            vec![("1700-01-01".into(), 1), ("2024-06-20".into(), 1)]
        );
    }

    #[test]
    fn days_before_1970_are_counted_on_their_own_day() {
        let r = day_counts(&[("1969-12-31", 2), ("1970-01-01", 1)]);
        assert_eq!(
            pairs(r.histogram(Interval::Day)),
            vec![("1969-12-31".into(), 2), ("1970-01-01".into(), 1)]
        );
    }
}
