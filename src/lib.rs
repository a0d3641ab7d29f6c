//! Dateline: full-text search for news archives.
//!
//! # Layout
//! - [`article`]: the `Article` type, validation and normalisation (dates, ids, whitespace).
//! - [`ingest`]: reading articles from files, directories and stdin, with per-record errors.
//! - [`analysis`]: language detection and every tantivy analyzer, registered in one function.
//! - [`index`]: the schema, opening or creating an index, and the write path (`Indexer`).
//! - [`search`]: `Engine`, which turns a `SearchRequest` into a `SearchResponse`.
//! - [`demo`]: the bundled, fictional demo archive.
//!
//! Dependencies point down the list: `search` and `index` use `analysis` and `article`; nothing
//! lower uses anything higher. The binary (`src/main.rs`, `src/cli/`) and the server call
//! [`search::Engine`]; neither re-implements search.
#![warn(missing_docs)]

pub mod analysis;
pub mod article;
pub mod demo;
mod error;
pub mod index;
pub mod ingest;
pub mod search;

pub use article::Article;
pub use error::{Error, Result};
pub use index::{Indexer, IndexerOptions};
pub use search::{Engine, SearchRequest, SearchResponse};
