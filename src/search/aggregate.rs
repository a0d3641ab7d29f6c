//! Facet counts and the date histogram, computed with tantivy's aggregations in the same pass
//! as the search.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use time::{Date, Duration, Month, OffsetDateTime};

use crate::index::schema::PUBLISHED;
use crate::search::request::{FacetField, Interval};
use crate::search::response::{Bucket, FacetCount};
use crate::{Error, Result};

/// Name of the histogram aggregation (facet aggregations are named after their field).
const HISTOGRAM: &str = "published_histogram";
/// Histograms with at most this many buckets between the first and last date get their empty
/// buckets filled in, so a chart can draw them; longer spans list only non-empty buckets.
const MAX_FILLED_BUCKETS: usize = 1000;

/// Builds the aggregation request for facets and a histogram; `None` when nothing is asked.
pub fn request(
    facets: &[FacetField],
    interval: Interval,
    facet_size: usize,
) -> Option<Aggregations> {
    let mut aggs = serde_json::Map::new();
    for facet in facets {
        aggs.insert(
            facet.name().to_string(),
            json!({"terms": {
                "field": facet.name(),
                "size": facet_size,
                // Counts are exact when every segment reports enough candidates.
                "segment_size": (facet_size * 10).max(1000),
                "min_doc_count": 1,
            }}),
        );
    }
    if interval != Interval::None {
        // Day buckets are rolled up into weeks, months and years here: tantivy's date histogram
        // only has fixed intervals, and months are not fixed.
        aggs.insert(
            HISTOGRAM.to_string(),
            json!({"date_histogram": {"field": PUBLISHED, "fixed_interval": "1d", "min_doc_count": 1}}),
        );
    }
    if aggs.is_empty() {
        return None;
    }
    Some(serde_json::from_value(Value::Object(aggs)).expect("aggregation request is well-formed"))
}

/// Extracts the facet counts from aggregation results, most frequent first (ties by value).
pub fn facets(results: &Value, facets: &[FacetField]) -> BTreeMap<String, Vec<FacetCount>> {
    let mut out = BTreeMap::new();
    for facet in facets {
        let mut counts: Vec<FacetCount> = results[facet.name()]["buckets"]
            .as_array()
            .map(|buckets| {
                buckets
                    .iter()
                    .filter_map(|b| {
                        Some(FacetCount {
                            value: b["key"].as_str()?.to_string(),
                            count: b["doc_count"].as_u64()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        out.insert(facet.name().to_string(), counts);
    }
    out
}

/// Turns aggregation results into JSON for reading.
pub fn to_json(results: AggregationResults) -> Result<Value> {
    serde_json::to_value(results).map_err(|e| {
        Error::Tantivy(tantivy::TantivyError::InternalError(format!(
            "aggregation results: {e}"
        )))
    })
}

/// Extracts the histogram, rolled up to `interval`.
pub fn histogram(results: &Value, interval: Interval) -> Vec<Bucket> {
    let Some(buckets) = results[HISTOGRAM]["buckets"].as_array() else {
        return Vec::new();
    };
    let mut counts: BTreeMap<Date, u64> = BTreeMap::new();
    for bucket in buckets {
        let (Some(key_ms), Some(count)) = (bucket["key"].as_f64(), bucket["doc_count"].as_u64())
        else {
            continue;
        };
        if count == 0 {
            continue;
        }
        let Ok(at) = OffsetDateTime::from_unix_timestamp((key_ms / 1000.0).floor() as i64) else {
            continue;
        };
        *counts.entry(bucket_start(at.date(), interval)).or_default() += count;
    }
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

    fn day_buckets(days: &[(&str, u64)]) -> Value {
        let buckets: Vec<Value> = days
            .iter()
            .map(|(d, c)| {
                let date =
                    Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                        .unwrap();
                let ms = date.midnight().assume_utc().unix_timestamp() as f64 * 1000.0;
                json!({"key": ms, "doc_count": c})
            })
            .collect();
        json!({HISTOGRAM: {"buckets": buckets}})
    }

    fn pairs(buckets: Vec<Bucket>) -> Vec<(String, u64)> {
        buckets.into_iter().map(|b| (b.date, b.count)).collect()
    }

    #[test]
    fn days_roll_up_into_weeks_months_and_years_with_gaps_filled() {
        let r = day_buckets(&[("2024-06-19", 3), ("2024-06-20", 1), ("2024-08-02", 2)]);
        assert_eq!(
            pairs(histogram(&r, Interval::Month)),
            vec![
                ("2024-06-01".into(), 4),
                ("2024-07-01".into(), 0),
                ("2024-08-01".into(), 2)
            ]
        );
        let weeks = pairs(histogram(&r, Interval::Week));
        assert_eq!(weeks[0], ("2024-06-17".into(), 4));
        assert_eq!(weeks.len(), 7);
        assert_eq!(
            pairs(histogram(&r, Interval::Year)),
            vec![("2024-01-01".into(), 6)]
        );
        assert_eq!(histogram(&r, Interval::Day).len(), 45);
    }

    #[test]
    fn long_spans_list_only_non_empty_buckets() {
        let r = day_buckets(&[("1987-02-26", 1), ("2020-01-01", 1)]);
        assert_eq!(histogram(&r, Interval::Day).len(), 2);
        assert_eq!(histogram(&r, Interval::Year).len(), 34);
    }
}
