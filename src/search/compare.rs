//! Comparing coverage: up to [`MAX_COMPARED`] queries on one timeline, each as a count of
//! articles per period and as a share of everything the archive published in that period
//! (within the same filters), and per outlet as a share of that outlet's output.

use std::collections::HashMap;

use serde::Serialize;

use crate::search::{Engine, FacetField, Interval, SearchRequest};
use crate::{Error, Result};

/// Queries one comparison may hold.
pub const MAX_COMPARED: usize = 6;
/// Outlets listed for each query.
pub const COMPARE_SOURCES: usize = 10;

/// What is compared.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    /// The period of the buckets.
    pub histogram: Interval,
    /// First day of each period, oldest first: every period from the first to the last dated
    /// article within the filters (past 1,000 periods, only those with articles).
    pub buckets: Vec<String>,
    /// Articles published in each period within the filters: what the shares are of.
    pub all: Vec<u64>,
    /// Articles within the filters, dated or not.
    pub all_total: u64,
    /// One per query, in the order given.
    pub series: Vec<Series>,
}

/// One query's coverage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Series {
    /// The query.
    pub q: String,
    /// Its matching articles.
    pub total: u64,
    /// Its share of all articles within the filters (0 to 1).
    pub share: f64,
    /// Its articles in each period.
    pub counts: Vec<u64>,
    /// Their share of each period's articles (0 when the period has none).
    pub shares: Vec<f64>,
    /// The outlets with the most of its articles, each with its share of the outlet's output.
    pub sources: Vec<SourceShare>,
}

/// One outlet's part in a query's coverage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourceShare {
    /// The outlet.
    pub source: String,
    /// Its articles matching the query.
    pub count: u64,
    /// All its articles within the filters.
    pub of: u64,
    /// `count / of`.
    pub share: f64,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl Engine {
    /// Compares `queries` within `base`'s filters, by `histogram` period.
    pub fn compare(
        &self,
        queries: &[String],
        base: &SearchRequest,
        histogram: Interval,
    ) -> Result<Comparison> {
        if queries.is_empty() || queries.len() > MAX_COMPARED {
            return Err(Error::invalid(
                "q",
                format!(
                    "give one to {MAX_COMPARED} queries to compare (`q=…&q=…`); {} given",
                    queries.len()
                ),
            ));
        }
        if histogram == Interval::None {
            return Err(Error::invalid(
                "histogram",
                "a comparison needs periods: day, week, month or year",
            ));
        }
        let counted = |q: &str, source: Option<&str>| SearchRequest {
            q: q.to_string(),
            page: 1,
            size: 1,
            facets: Some(if source.is_some() {
                Vec::new()
            } else {
                vec![FacetField::Source]
            }),
            histogram: if source.is_some() {
                Interval::None
            } else {
                histogram
            },
            source: source.map_or_else(|| base.source.clone(), |s| vec![s.to_string()]),
            ..base.clone()
        };
        let everything = self.search(&counted("*", None))?;
        let buckets: Vec<String> = everything
            .histogram
            .iter()
            .map(|b| b.date.clone())
            .collect();
        let all: Vec<u64> = everything.histogram.iter().map(|b| b.count).collect();
        let mut outlet_totals: HashMap<String, u64> = everything
            .facets
            .get(FacetField::Source.name())
            .into_iter()
            .flatten()
            .map(|f| (f.value.clone(), f.count))
            .collect();
        let mut series = Vec::with_capacity(queries.len());
        for q in queries {
            let found = self.search(&counted(q, None)).map_err(|e| match e {
                Error::QuerySyntax { .. } | Error::InvalidParameter { .. } => {
                    Error::invalid("q", format!("the query `{q}` cannot run: {e}"))
                }
                other => other,
            })?;
            let by_date: HashMap<&str, u64> = found
                .histogram
                .iter()
                .map(|b| (b.date.as_str(), b.count))
                .collect();
            let counts: Vec<u64> = buckets
                .iter()
                .map(|d| by_date.get(d.as_str()).copied().unwrap_or(0))
                .collect();
            let shares = counts
                .iter()
                .zip(&all)
                .map(|(&c, &a)| share(c, a))
                .collect();
            let mut sources = Vec::new();
            for facet in found
                .facets
                .get(FacetField::Source.name())
                .into_iter()
                .flatten()
                .take(COMPARE_SOURCES)
            {
                let of = match outlet_totals.get(&facet.value) {
                    Some(&n) => n,
                    None => {
                        let n = self.count(&counted("*", Some(&facet.value)))?;
                        outlet_totals.insert(facet.value.clone(), n);
                        n
                    }
                };
                sources.push(SourceShare {
                    source: facet.value.clone(),
                    count: facet.count,
                    of,
                    share: share(facet.count, of),
                });
            }
            series.push(Series {
                q: q.clone(),
                total: found.total,
                share: share(found.total, everything.total),
                counts,
                shares,
                sources,
            });
        }
        Ok(Comparison {
            histogram,
            buckets,
            all,
            all_total: everything.total,
            series,
        })
    }
}
