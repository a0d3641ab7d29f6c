//! "More like this": other stories on the subject of an article, not copies of it.
//!
//! tantivy's `MoreLikeThisQuery` picks the article's most telling words (by tf-idf, from its
//! title and body analysed as its language's fields) and searches for them; the article's own
//! story is excluded, and hits are collapsed into stories, so a wire story run by a dozen
//! outlets is one suggestion, not twelve.

use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue};
use tantivy::{Searcher, Term};

use crate::analysis::{LanguageGroup, PARAGRAPH_START, SENTENCE_START};
use crate::index::Fields;
use crate::search::stored::StoredArticle;

/// Most suggestions `/api/articles/{id}/similar` returns.
pub const MAX_SIMILAR: usize = 50;
/// Words of the article the query is built from, at most.
const QUERY_WORDS: usize = 25;

/// The query for articles like `article`, which is in `story` with `versions` articles (when
/// the index keeps stories).
pub fn query(
    searcher: &Searcher,
    fields: &Fields,
    article: &StoredArticle,
    story: Option<u64>,
    versions: u64,
) -> Box<dyn Query> {
    let group = fields.group(LanguageGroup::for_language(article.language.as_deref()));
    // A word in more than a fifth of the archive says little about a subject; the story's own
    // copies hold all its words, and do not make them common.
    let common = (searcher.num_docs() / 5).max(2 * versions + 10);
    let like = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(2)
        .with_max_doc_frequency(common)
        .with_min_term_frequency(1)
        .with_min_word_length(3)
        .with_max_query_terms(QUERY_WORDS)
        .with_stop_words(vec![
            SENTENCE_START.to_string(),
            PARAGRAPH_START.to_string(),
        ])
        .with_document_fields(vec![
            (group.title, vec![OwnedValue::Str(article.title.clone())]),
            (group.body, vec![OwnedValue::Str(article.body.clone())]),
        ]);
    let exclude: Box<dyn Query> = match (fields.stories, story) {
        (Some(stories), Some(story)) => Box::new(TermQuery::new(
            Term::from_field_u64(stories.story, story),
            IndexRecordOption::Basic,
        )),
        _ => Box::new(TermQuery::new(
            Term::from_field_text(fields.id, &article.id),
            IndexRecordOption::Basic,
        )),
    };
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(like) as Box<dyn Query>),
        (Occur::MustNot, exclude),
    ]))
}
