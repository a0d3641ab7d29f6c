//! Named entities: people, places and organisations, each under one canonical name whatever
//! alias or script the text uses ("Путин", "푸틴", "Putin" → Vladimir Putin).
//!
//! The gazetteer is compiled into the binary from `data/entities/`: `places.tsv` (built from
//! GeoNames, pycountry and countryinfo by `scripts/build_gazetteer.py`; see NOTICE) and the
//! team's curated `places_extra.tsv`, `people.tsv` and `orgs.tsv`. [`Tagger`] finds aliases with
//! one Aho-Corasick automaton (leftmost-longest) and keeps a match only on word boundaries and
//! with the alias's case, so "turkey" and "us" are not places while "Turkey" and "US" are.

pub mod corrections;
mod credits;
pub mod eval;
mod gazetteer;
pub mod perceptron;
mod statistical;
mod tagger;
pub mod tokens;

pub use credits::{Credits, credits};
pub use gazetteer::{Entity, Gazetteer, Kind};
pub use tagger::{ArticleEntities, Mention, Tagger, canonical_name, lookup};
