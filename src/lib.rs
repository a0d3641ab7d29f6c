//! Dateline: full-text search for news archives.
//!
//! # Layout
//! - [`article`]: the `Article` type, validation and normalisation (ids, whitespace).
//! - [`dates`]: dates as records give them, and the span of dates the index can store.
//! - [`ingest`]: reading articles from files, directories and stdin, with per-record errors.
//! - [`analysis`]: language detection and every tantivy analyzer, registered in one function.
//! - [`entities`]: the gazetteer and tagger: people, places, organisations under canonical names.
//! - [`stories`]: text signatures and the grouping of an article's copies into one story.
//! - [`index`]: the schema, opening or creating an index, and the write path (`Indexer`).
//! - [`search`]: `Engine`, which turns a `SearchRequest` into a `SearchResponse`.
//! - [`demo`]: the bundled, fictional demo archive.
//! - [`server`]: the HTTP API and the embedded web front end, over the same `Engine`.
//!
//! Dependencies point down the list: `search` and `index` use `analysis` and `article`; nothing
//! lower uses anything higher. The binary (`src/main.rs`, `src/cli/`) and the server call
//! [`search::Engine`]; neither re-implements search.
//!
//! # Example
//! Index two articles and search them in their own languages:
//! ```
//! use dateline::article::RawArticle;
//! use dateline::{Engine, Indexer, IndexerOptions, SearchRequest};
//!
//! # fn main() -> dateline::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let mut indexer = Indexer::open(dir.path(), &IndexerOptions::default())?;
//! for json in [
//!     r#"{"id": "a", "title": "Leaders hold summits", "language": "en"}"#,
//!     r#"{"id": "b", "title": "Саммит в Пхеньяне", "body": "Лидеры провели саммит."}"#,
//! ] {
//!     let raw: RawArticle = serde_json::from_str(json).unwrap();
//!     let (article, _warnings) = raw.into_article().unwrap();
//!     indexer.add(article)?;
//! }
//! indexer.finish()?;
//!
//! let engine = Engine::open(dir.path())?;
//! let found = engine.search(&SearchRequest::query("summit"))?;
//! assert_eq!(found.hits[0].id, "a");
//! let russian = engine.search(&SearchRequest::query("саммита"))?;
//! assert_eq!(russian.hits[0].id, "b");
//! assert_eq!(russian.hits[0].language.as_deref(), Some("ru"));
//! assert_eq!(russian.hits[0].snippet, "Лидеры провели <mark>саммит</mark>");
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod alerts;
pub mod analysis;
pub mod article;
pub mod dates;
pub mod demo;
pub mod entities;
mod error;
pub mod index;
pub mod ingest;
pub mod search;
pub mod server;
pub mod state;
pub mod stories;

pub use article::Article;
pub use error::{Error, Result};
pub use index::{Indexer, IndexerOptions};
pub use search::{Engine, SearchRequest, SearchResponse};
