//! Articles as stored in the index, for hits, the article view and export.

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{Field, Value};

use crate::entities::Mention;
use crate::index::Fields;
use crate::search::format_date;
use crate::search::response::Entities;
use crate::search::stories::StoryRef;

/// Every stored field of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredArticle {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Text.
    pub body: String,
    /// Original URL.
    pub url: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// Publication time (RFC 3339, UTC).
    pub published: Option<String>,
    /// ISO 639-1 language.
    pub language: Option<String>,
    /// Section.
    pub section: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Canonical entities.
    pub entities: Entities,
    /// The place of the opening dateline, canonical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline_place: Option<String>,
    /// The agency or outlet the article credits, canonical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    /// The story the article is in (absent in an index built before stories were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<StoryRef>,
}

impl StoredArticle {
    /// Reads the stored fields of a document.
    pub fn read(fields: &Fields, doc: &TantivyDocument) -> StoredArticle {
        let article = crate::index::stored_article(fields, doc);
        let all = |field: Field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        StoredArticle {
            id: article.id,
            title: article.title,
            body: article.body,
            url: article.url,
            source: article.source,
            author: article.author,
            published: doc
                .get_first(fields.published)
                .and_then(|v| v.as_datetime())
                .map(format_date),
            language: article.language,
            section: article.section,
            tags: article.tags,
            entities: Entities {
                person: all(fields.person),
                place: all(fields.place),
                org: all(fields.org),
            },
            dateline_place: fields
                .dateline_place
                .and_then(|f| all(f).into_iter().next()),
            credit: fields.credit.and_then(|f| all(f).into_iter().next()),
            story: None,
        }
    }
}

/// The whole stored article with its entity mentions (`/api/articles/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    /// The stored article.
    #[serde(flatten)]
    pub article: StoredArticle,
    /// Entity mentions in the body, in characters (code points).
    pub mentions: Vec<Mention>,
}

impl ArticleView {
    /// Reads the stored article and its mentions.
    pub fn read(fields: &Fields, doc: &TantivyDocument) -> ArticleView {
        let mentions = doc
            .get_first(fields.mentions)
            .and_then(|v| v.as_str())
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default();
        ArticleView {
            article: StoredArticle::read(fields, doc),
            mentions,
        }
    }
}
