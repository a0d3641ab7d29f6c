//! The index schema. Field names are part of the contract (DESIGN.md): they are constants here
//! and nowhere else.
//!
//! Exact (unstemmed) matching has no field of its own: the per-language fields hold every word
//! as written, and stems only where they differ (see `analysis::StemRepeat`).

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, NumericOptions,
    STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{FOLDED_ANALYZER, KEYWORD_ANALYZER, LanguageGroup};
use crate::stories::StoryFields;

/// Article id (upsert key).
pub const ID: &str = "id";
/// Article URL.
pub const URL: &str = "url";
/// Outlet.
pub const SOURCE: &str = "source";
/// Byline.
pub const AUTHOR: &str = "author";
/// ISO 639-1 language.
pub const LANGUAGE: &str = "language";
/// Section or category.
pub const SECTION: &str = "section";
/// Free-form tags.
pub const TAG: &str = "tag";
/// Publication date.
pub const PUBLISHED: &str = "published";
/// Canonical person names.
pub const PERSON: &str = "person";
/// Canonical place names.
pub const PLACE: &str = "place";
/// Canonical organisation names.
pub const ORG: &str = "org";
/// Every alias of the article's entities, searchable.
pub const ENTITY: &str = "entity";
/// Stored headline.
pub const TITLE: &str = "title";
/// Stored text.
pub const BODY: &str = "body";
/// Stored entity mentions in the body (JSON).
pub const MENTIONS: &str = "mentions";
/// The body's length in words, as proximity counts them (`length>500`).
pub const WORDS: &str = "words";
/// The place of the article's opening dateline (`PYONGYANG, June 19 (KCNA) —`), canonical.
pub const DATELINE_PLACE: &str = "dateline_place";
/// The agency or outlet the article credits (`(KCNA)`, `— AP`, `…, Yonhap reported`).
pub const CREDIT: &str = "credit";
/// The story an article belongs to: its copies share it (`stories`).
pub const STORY: &str = "story";
/// The LSH band keys of the article's text signature, to find its copies.
pub const STORY_BAND: &str = "story_band";
/// The article's text signature, to tell how alike two articles are.
pub const STORY_SIGNATURE: &str = "story_signature";
/// When the article entered the index (microseconds; strictly increasing within an index, so
/// that "indexed since" is exact): what alerts and "new since you last looked" count from.
pub const INDEXED_AT: &str = "indexed_at";

/// Name of the per-language title field of a group (`title_en`, `title_cjk`, …).
pub fn title_field_name(group: LanguageGroup) -> String {
    format!("title_{}", group.key())
}

/// Name of the per-language body field of a group (`body_en`, `body_cjk`, …).
pub fn body_field_name(group: LanguageGroup) -> String {
    format!("body_{}", group.key())
}

/// The title and body fields of one language group.
#[derive(Debug, Clone, Copy)]
pub struct GroupFields {
    /// The group.
    pub group: LanguageGroup,
    /// Its title field.
    pub title: Field,
    /// Its body field.
    pub body: Field,
}

impl GroupFields {
    /// Whether the group's analyzer stems (and so repeats stems after the words as written).
    pub fn stemmed(&self) -> bool {
        matches!(self.group, LanguageGroup::Stemmed(_))
    }
}

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// See [`ID`].
    pub id: Field,
    /// See [`URL`].
    pub url: Field,
    /// See [`SOURCE`].
    pub source: Field,
    /// See [`AUTHOR`].
    pub author: Field,
    /// See [`LANGUAGE`].
    pub language: Field,
    /// See [`SECTION`].
    pub section: Field,
    /// See [`TAG`].
    pub tag: Field,
    /// See [`PUBLISHED`].
    pub published: Field,
    /// See [`PERSON`].
    pub person: Field,
    /// See [`PLACE`].
    pub place: Field,
    /// See [`ORG`].
    pub org: Field,
    /// See [`ENTITY`].
    pub entity: Field,
    /// See [`TITLE`].
    pub title: Field,
    /// See [`BODY`].
    pub body: Field,
    /// See [`MENTIONS`].
    pub mentions: Field,
    /// See [`WORDS`]; `None` in an index built before word counts were kept.
    pub words: Option<Field>,
    /// See [`DATELINE_PLACE`]; `None` in an index built before datelines were kept.
    pub dateline_place: Option<Field>,
    /// See [`CREDIT`]; `None` in an index built before credits were kept.
    pub credit: Option<Field>,
    /// See [`STORY`]; `None` in an index built before stories were kept.
    pub stories: Option<StoryFields>,
    /// See [`INDEXED_AT`]; `None` in an index built before alerts.
    pub indexed_at: Option<Field>,
    /// Per-language title/body fields, in [`LanguageGroup::all`] order.
    pub groups: Vec<GroupFields>,
}

impl Fields {
    /// Looks up every field in `schema`; fails with the first missing name.
    pub fn from_schema(schema: &Schema) -> Result<Fields, String> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| format!("field `{name}` is missing"))
        };
        let mut groups = Vec::new();
        for group in LanguageGroup::all() {
            groups.push(GroupFields {
                group,
                title: get(&title_field_name(group))?,
                body: get(&body_field_name(group))?,
            });
        }
        Ok(Fields {
            id: get(ID)?,
            url: get(URL)?,
            source: get(SOURCE)?,
            author: get(AUTHOR)?,
            language: get(LANGUAGE)?,
            section: get(SECTION)?,
            tag: get(TAG)?,
            published: get(PUBLISHED)?,
            person: get(PERSON)?,
            place: get(PLACE)?,
            org: get(ORG)?,
            entity: get(ENTITY)?,
            title: get(TITLE)?,
            body: get(BODY)?,
            mentions: get(MENTIONS)?,
            words: get(WORDS).ok(),
            dateline_place: get(DATELINE_PLACE).ok(),
            credit: get(CREDIT).ok(),
            indexed_at: get(INDEXED_AT).ok(),
            stories: match (get(STORY), get(STORY_BAND), get(STORY_SIGNATURE)) {
                (Ok(story), Ok(band), Ok(signature)) => Some(StoryFields {
                    story,
                    band,
                    signature,
                }),
                _ => None,
            },
            groups,
        })
    }

    /// Returns the fields of a language group.
    pub fn group(&self, group: LanguageGroup) -> GroupFields {
        *self
            .groups
            .iter()
            .find(|g| g.group == group)
            .expect("every group has fields")
    }
}

fn text(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// A keyword: matched case-insensitively as a whole, counted (facets) with its original case.
fn keyword() -> TextOptions {
    TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD_ANALYZER)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_fast("raw")
        .set_stored()
}

/// Builds the Dateline schema.
pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field(ID, STRING | STORED);
    b.add_text_field(URL, STRING | STORED);
    for name in [
        SOURCE,
        AUTHOR,
        LANGUAGE,
        SECTION,
        TAG,
        PERSON,
        PLACE,
        ORG,
        DATELINE_PLACE,
        CREDIT,
    ] {
        b.add_text_field(name, keyword());
    }
    b.add_date_field(
        PUBLISHED,
        DateOptions::from(INDEXED)
            .set_stored()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    b.add_text_field(ENTITY, text(FOLDED_ANALYZER));
    b.add_text_field(TITLE, STORED);
    b.add_text_field(BODY, STORED);
    b.add_text_field(MENTIONS, STORED);
    b.add_u64_field(WORDS, INDEXED | FAST);
    // Looked up by value, never scored: no field norms.
    b.add_u64_field(STORY, NumericOptions::default().set_indexed().set_fast());
    b.add_u64_field(STORY_BAND, NumericOptions::default().set_indexed());
    // Several values an article (`stories::STORED_WORDS`), read directly: a bytes column's
    // dictionary blocks are zstd-compressed, and reading a candidate's signature from one cost
    // a decompression context each time.
    b.add_u64_field(STORY_SIGNATURE, FAST);
    b.add_date_field(
        INDEXED_AT,
        DateOptions::from(FAST)
            .set_stored()
            .set_precision(DateTimePrecision::Microseconds),
    );
    for group in LanguageGroup::all() {
        let analyzer = group.analyzer_name();
        b.add_text_field(&title_field_name(group), text(&analyzer));
        b.add_text_field(&body_field_name(group), text(&analyzer));
    }
    b.build()
}
