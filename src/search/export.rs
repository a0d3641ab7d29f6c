//! Export: every article matching a search, streamed in index order with constant memory.

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument};

use crate::Result;
use crate::index::Fields;
use crate::search::stored::StoredArticle;
use crate::search::stories::StoryBook;

/// Export formats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// Columns of the CSV export.
pub const CSV_HEADER: [&str; 18] = [
    "id",
    "published",
    "source",
    "language",
    "author",
    "section",
    "title",
    "url",
    "person",
    "place",
    "org",
    "tags",
    "body",
    "dateline_place",
    "credit",
    "story",
    "story_versions",
    "story_first",
];

/// Calls `sink` with every article matching `query`, segment by segment, without collecting
/// them; stops early when `sink` returns `false`. Returns how many articles were sent.
pub fn for_each_match(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    sink: &mut dyn FnMut(StoredArticle) -> bool,
) -> Result<u64> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut sent = 0;
    let mut stories = StoryBook::new(searcher, fields);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let store = segment
            .get_store_reader(16)
            .map_err(|e| crate::Error::Tantivy(e.into()))?;
        let alive = segment.alive_bitset();
        let mut scorer = weight.scorer(segment, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let stored: TantivyDocument = store.get(doc)?;
                sent += 1;
                let mut article = StoredArticle::read(fields, &stored);
                article.story = stories.reference(DocAddress::new(ord as u32, doc), &article.id)?;
                if !sink(article) {
                    return Ok(sent);
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(sent)
}

/// Appends the export's header (CSV only) to `out`.
pub fn write_header(format: ExportFormat, out: &mut Vec<u8>) {
    if format == ExportFormat::Csv {
        csv_line(out, CSV_HEADER.iter().copied());
    }
}

/// Appends one article in `format` to `out`: an NDJSON line or a CSV record (lists joined with
/// `; `).
pub fn write_row(format: ExportFormat, article: &StoredArticle, out: &mut Vec<u8>) {
    match format {
        ExportFormat::Ndjson => {
            serde_json::to_writer(&mut *out, article).expect("articles serialise");
            out.push(b'\n');
        }
        ExportFormat::Csv => {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let story = article.story.as_ref();
            let record = [
                article.id.clone(),
                opt(&article.published),
                opt(&article.source),
                opt(&article.language),
                opt(&article.author),
                opt(&article.section),
                article.title.clone(),
                opt(&article.url),
                article.entities.person.join("; "),
                article.entities.place.join("; "),
                article.entities.org.join("; "),
                article.tags.join("; "),
                article.body.clone(),
                opt(&article.dateline_place),
                opt(&article.credit),
                story.map(|s| s.id.clone()).unwrap_or_default(),
                story.map(|s| s.versions.to_string()).unwrap_or_default(),
                story.and_then(|s| s.first.clone()).unwrap_or_default(),
            ];
            csv_line(
                out,
                record
                    .iter()
                    .map(|cell| spreadsheet_safe(cell).into_owned()),
            );
        }
    }
}

/// A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return would be read as a formula (`=HYPERLINK(…)`), so it gets a leading `'`, as OWASP
/// recommends for CSV exports.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn csv_line<S: AsRef<[u8]>>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = S>) {
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(4096)
        .from_writer(out);
    writer.write_record(fields).expect("writing to memory");
    writer.flush().expect("writing to memory");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_text_is_not() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://evil\",\"click\")",
                "'=HYPERLINK(\"http://evil\",\"click\")",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Kim = Putin", "Kim = Putin"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe);
        }
    }
}
