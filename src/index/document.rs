//! Turns an [`Article`] into the tantivy document the schema describes.

use tantivy::TantivyDocument;
use tantivy::tokenizer::{TokenStream, Tokenizer};

use crate::analysis::{LanguageGroup, WordTokenizer};
use crate::article::Article;
use crate::entities::ArticleEntities;
use crate::index::Fields;
use crate::stories::Assignment;

/// How many words a text holds, counted as proximity counts them (a CJK bigram is one).
pub fn word_count(text: &str) -> u64 {
    let mut tokenizer = WordTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut n = 0;
    while stream.advance() {
        n += 1;
    }
    n
}

/// Builds the document for an article and its entities, indexed at `indexed_at` (the
/// writer's stamp, [`crate::index::schema::INDEXED_AT`]). The article's language decides which
/// per-language fields its title and body go into.
pub fn to_document(
    fields: &Fields,
    article: &Article,
    entities: &ArticleEntities,
    story: Option<&Assignment>,
    indexed_at: tantivy::DateTime,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &article.id);
    if let Some(field) = fields.indexed_at {
        doc.add_date(field, indexed_at);
    }
    if let Some(url) = &article.url {
        doc.add_text(fields.url, url);
    }
    let group = fields.group(LanguageGroup::for_language(article.language.as_deref()));
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.body, &article.body);
    doc.add_text(group.title, &article.title);
    doc.add_text(group.body, &article.body);
    if let Some(words) = fields.words {
        doc.add_u64(words, word_count(&article.body));
    }
    let keywords = [
        (fields.source, &article.source),
        (fields.author, &article.author),
        (fields.language, &article.language),
        (fields.section, &article.section),
    ];
    for (field, value) in keywords {
        if let Some(value) = value {
            doc.add_text(field, value);
        }
    }
    let credits = crate::entities::credits(&article.body);
    for (field, value) in [
        (fields.dateline_place, &credits.place),
        (fields.credit, &credits.credit),
    ] {
        if let (Some(field), Some(value)) = (field, value) {
            doc.add_text(field, value);
        }
    }
    for tag in &article.tags {
        doc.add_text(fields.tag, tag);
    }
    if let Some(published) = article.published {
        doc.add_date(fields.published, crate::dates::to_index(published));
    }
    for (field, names) in [
        (fields.person, &entities.person),
        (fields.place, &entities.place),
        (fields.org, &entities.org),
    ] {
        for name in names {
            doc.add_text(field, name);
            // Queries name entities in any script; `compile` maps the alias to this name.
            doc.add_text(fields.entity, name);
        }
    }
    match (&fields.stories, story) {
        (Some(fields), Some(story)) => {
            doc.add_u64(fields.story, story.story);
            for &band in &story.bands {
                doc.add_u64(fields.band, band);
            }
            for word in story.signature.to_words() {
                doc.add_u64(fields.signature, word);
            }
        }
        // Stories off: a story of its own, which later copies cannot find.
        (Some(fields), None) => doc.add_u64(fields.story, crate::stories::id_hash(&article.id)),
        (None, _) => {}
    }
    if !entities.mentions.is_empty() {
        let json = serde_json::to_string(&entities.mentions).expect("mentions serialise");
        doc.add_text(fields.mentions, json);
    }
    doc
}

/// When the article a stored document holds was indexed, if the index keeps that.
pub fn stored_indexed_at(fields: &Fields, doc: &TantivyDocument) -> Option<tantivy::DateTime> {
    use tantivy::schema::Value;
    doc.get_first(fields.indexed_at?)
        .and_then(|v| v.as_datetime())
}

/// Reads back the article a document was built from (entities are re-derived, not read).
pub fn stored_article(fields: &Fields, doc: &TantivyDocument) -> Article {
    use tantivy::schema::{Field, Value};
    let first = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Article {
        id: first(fields.id).unwrap_or_default(),
        url: first(fields.url),
        title: first(fields.title).unwrap_or_default(),
        body: first(fields.body).unwrap_or_default(),
        published: doc
            .get_first(fields.published)
            .and_then(|v| v.as_datetime())
            .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()),
        source: first(fields.source),
        author: first(fields.author),
        language: first(fields.language),
        section: first(fields.section),
        tags: doc
            .get_all(fields.tag)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    }
}
