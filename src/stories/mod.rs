//! Stories: the copies of one article that outlets ran, found at index time.
//!
//! [`signature`] turns a body into a MinHash signature and its LSH band keys; [`detector`]
//! assigns each new article to the story of its most alike earlier copy, or to a story of its
//! own; [`changes`] tells what a version changed against the first. The thresholds and why they are what they are: README.md, "Stories".

mod changes;
mod detector;
mod filter;
mod signature;

pub use changes::{Change, ChangeKind, Changes, changes};
pub use detector::{
    Assignment, JOIN_CONTAINMENT, JOIN_CONTAINMENT_OTHER_LEAD, JOIN_CONTAINMENT_SAME_SOURCE,
    JOIN_FIGURES, JOIN_JACCARD, JOIN_JACCARD_OTHER_LEAD, JOIN_JACCARD_SAME_SOURCE, SAME_LEAD,
    SHORT_JACCARD, SHORT_SHINGLES, StoryDetector, StoryFields, WINDOW_DAYS, same_story,
    within_window,
};
pub use signature::{Likeness, Signature, StoredSignature, id_hash};

/// How a story id is written for people and URLs: 16 hex digits.
pub fn format_id(story: u64) -> String {
    format!("{story:016x}")
}

/// Reads a story id as [`format_id`] writes it.
pub fn parse_id(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.len() != 16 {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}
