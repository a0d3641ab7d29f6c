//! Batch search: a list of terms or names, each counted against the archive — articles,
//! stories, first and last date, top outlets — with its own error when it cannot run (one bad
//! line never stops the batch).

use serde::Serialize;

use crate::search::{
    CollapseBy, Engine, FacetCount, FacetField, Interval, Represent, SearchRequest, Sort,
};
use crate::{Error, Result};

/// Terms one batch may hold.
pub const MAX_BATCH_TERMS: usize = 10_000;
/// Outlets listed for each term.
pub const BATCH_SOURCES: usize = 3;

/// How each line of a batch is read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum TermsAs {
    /// A query in Dateline's query language (`putin w/5 kim`, `"state visit"`, `sanction*`).
    #[default]
    Query,
    /// A name or phrase, matched as the exact phrase (`Kim Jong Un`).
    Phrase,
}

/// One term's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRow {
    /// The term as given.
    pub term: String,
    /// Matching articles.
    pub total: u64,
    /// Matching stories (copies counted once), when the index keeps stories.
    pub stories: Option<u64>,
    /// Publication date of the earliest matching article (YYYY-MM-DD).
    pub first: Option<String>,
    /// Publication date of the latest.
    pub last: Option<String>,
    /// The outlets with the most matching articles, at most [`BATCH_SOURCES`].
    pub sources: Vec<FacetCount>,
    /// Why the term could not run; the counts are then 0.
    pub error: Option<String>,
}

/// The terms of a batch: one a line (blank lines and surrounding spaces dropped), or, with
/// `column`, that column of a CSV file with a header row.
pub fn batch_terms(text: &str, column: Option<&str>) -> Result<Vec<String>> {
    let terms: Vec<String> = match column {
        None => text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect(),
        Some(name) => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(text.as_bytes());
            let headers = reader
                .headers()
                .map_err(|e| Error::invalid("column", format!("the CSV cannot be read: {e}")))?
                .clone();
            let at = headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    Error::invalid(
                        "column",
                        format!(
                            "the CSV has no column `{name}`; its columns are {}",
                            headers
                                .iter()
                                .map(|h| format!("`{h}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
            let mut terms = Vec::new();
            for (line, record) in reader.records().enumerate() {
                let record = record
                    .map_err(|e| Error::invalid("column", format!("CSV row {}: {e}", line + 2)))?;
                if let Some(term) = record.get(at).map(str::trim).filter(|t| !t.is_empty()) {
                    terms.push(term.to_string());
                }
            }
            terms
        }
    };
    if terms.len() > MAX_BATCH_TERMS {
        return Err(Error::invalid(
            "batch",
            format!(
                "{} terms: a batch holds at most {MAX_BATCH_TERMS}; split the list",
                terms.len()
            ),
        ));
    }
    Ok(terms)
}

/// The query a term stands for.
fn term_query(term: &str, read_as: TermsAs) -> String {
    match read_as {
        TermsAs::Query => term.to_string(),
        TermsAs::Phrase => format!("\"{}\"", term.replace('"', " ")),
    }
}

impl Engine {
    /// Counts one term of a batch within `base`'s filters.
    pub fn batch_row(&self, term: &str, base: &SearchRequest, read_as: TermsAs) -> BatchRow {
        match self.batch_counts(term, base, read_as) {
            Ok(row) => row,
            Err(error) => BatchRow {
                term: term.to_string(),
                total: 0,
                stories: None,
                first: None,
                last: None,
                sources: Vec::new(),
                error: Some(error.to_string()),
            },
        }
    }

    fn batch_counts(&self, term: &str, base: &SearchRequest, read_as: TermsAs) -> Result<BatchRow> {
        let q = term_query(term, read_as);
        // The earliest story's earliest version is the earliest article; the facet counts
        // articles.
        let earliest = self.search(&SearchRequest {
            q: q.clone(),
            sort: Sort::Oldest,
            page: 1,
            size: 1,
            facets: Some(vec![FacetField::Source]),
            histogram: Interval::None,
            collapse: CollapseBy::Story,
            represent: Represent::Earliest,
            ..base.clone()
        })?;
        let total = earliest.total as u64;
        let date = |hit: Option<&crate::search::Hit>| {
            hit.and_then(|h| h.published.as_deref())
                .map(|p| p.get(..10).unwrap_or(p).to_string())
        };
        // Past the exact matches come the articles holding most of the words: not counted.
        let (first, last) = if total == 0 {
            (None, None)
        } else {
            let latest = self.search(&SearchRequest {
                q,
                sort: Sort::Newest,
                page: 1,
                size: 1,
                facets: Some(Vec::new()),
                histogram: Interval::None,
                collapse: CollapseBy::None,
                ..base.clone()
            })?;
            (date(earliest.hits.first()), date(latest.hits.first()))
        };
        let mut sources = earliest
            .facets
            .get(FacetField::Source.name())
            .cloned()
            .unwrap_or_default();
        sources.truncate(BATCH_SOURCES);
        Ok(BatchRow {
            term: term.to_string(),
            total,
            stories: earliest.stories,
            first,
            last,
            sources,
            error: None,
        })
    }
}

/// The CSV header of batch rows.
pub const BATCH_CSV_HEADER: [&str; 7] = [
    "term", "total", "stories", "first", "last", "sources", "error",
];

/// A row as CSV fields (outlets as `name (count); …`).
pub fn batch_csv_fields(row: &BatchRow) -> [String; 7] {
    [
        row.term.clone(),
        row.total.to_string(),
        row.stories.map(|s| s.to_string()).unwrap_or_default(),
        row.first.clone().unwrap_or_default(),
        row.last.clone().unwrap_or_default(),
        row.sources
            .iter()
            .map(|s| format!("{} ({})", s.value, s.count))
            .collect::<Vec<_>>()
            .join("; "),
        row.error.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lines_or_a_csv_column() {
        assert_eq!(
            batch_terms("  Putin \n\nKim Jong Un\r\n", None).unwrap(),
            ["Putin", "Kim Jong Un"]
        );
        let csv = "id,Name,notes\n1,Vladimir Putin,x\n2,\"Kim, Jong Un\",y\n3,,z\n";
        assert_eq!(
            batch_terms(csv, Some("name")).unwrap(),
            ["Vladimir Putin", "Kim, Jong Un"]
        );
        let missing = batch_terms(csv, Some("person")).unwrap_err().to_string();
        assert!(missing.contains("no column `person`"), "{missing}");
    }

    #[test]
    fn a_phrase_is_quoted_and_its_quotes_dropped() {
        assert_eq!(
            term_query("Kim Jong Un", TermsAs::Phrase),
            "\"Kim Jong Un\""
        );
        assert_eq!(term_query("say \"no\"", TermsAs::Phrase), "\"say  no \"");
        assert_eq!(term_query("putin w/5 kim", TermsAs::Query), "putin w/5 kim");
    }
}
