//! Proximity matching over tantivy's positions, as Lucene's span and interval queries do:
//! `a w/5 b`, `a pre/3 b`, same sentence, same paragraph, `not w/N`, a headline or lead, with
//! phrases, patterns and groups on either side. [`algebra`] says which positions match;
//! [`weight`] finds, counts and scores the articles that hold them.

pub mod algebra;
pub mod weight;

pub use algebra::{PositionLists, Span, SpanTree};
pub use weight::{SpanClause, SpanQuery};
