//! What a version of a story changed against the first: sentences and paragraphs added and
//! removed, and whether the paragraphs they share come in another order.
//!
//! Texts are compared sentence by sentence (whitespace normalised), with the patience diff of
//! the `similar` crate, which keeps a moved paragraph's sentences as one removal and one
//! addition rather than a scatter of small edits.

use serde::{Deserialize, Serialize};
use similar::{Algorithm, ChangeTag, capture_diff_slices};

/// One added or removed sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `added` (in this version, not in the first) or `removed` (in the first, not here).
    pub change: ChangeKind,
    /// The sentence.
    pub text: String,
    /// Its paragraph (from 0) in the text it comes from.
    pub paragraph: usize,
}

/// Whether a sentence was added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// In this version only.
    Added,
    /// In the first version only.
    Removed,
}

/// A version's changes against the first version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Sentences added and removed, in reading order.
    pub sentences: Vec<Change>,
    /// Paragraphs of this version not in the first (as a whole).
    pub paragraphs_added: usize,
    /// Paragraphs of the first not in this version.
    pub paragraphs_removed: usize,
    /// Whether the paragraphs both hold come in another order.
    pub reordered: bool,
    /// Sentences both hold that moved (not listed in `sentences`).
    pub sentences_moved: usize,
    /// Whether the text is the first's, word for word.
    pub identical: bool,
}

/// The paragraphs of a text, each its sentences, whitespace normalised.
fn paragraphs(text: &str) -> Vec<Vec<String>> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .map(|p| sentences(&p))
        .collect()
}

/// Splits a paragraph after `.`, `!`, `?`, `…` (and a closing quote) followed by a space, and
/// after `。！？`.
fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let end = at + c.len_utf8();
        let next = chars.get(i + 1).map(|&(_, n)| n);
        let ends = match c {
            '。' | '！' | '？' => true,
            '.' | '!' | '?' | '…' | '"' | '”' | '»' => {
                let closing = matches!(c, '"' | '”' | '»');
                let after_stop =
                    !closing || i > 0 && matches!(chars[i - 1].1, '.' | '!' | '?' | '…');
                after_stop && next == Some(' ')
            }
            _ => false,
        };
        if ends {
            let sentence = paragraph[start..end].trim();
            if !sentence.is_empty() {
                out.push(sentence.to_string());
            }
            start = end;
        }
    }
    let rest = paragraph[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// What `version` changed against `first`.
pub fn changes(first: &str, version: &str) -> Changes {
    let old = paragraphs(first);
    let new = paragraphs(version);
    let flat = |ps: &[Vec<String>]| -> Vec<(String, usize)> {
        ps.iter()
            .enumerate()
            .flat_map(|(i, p)| p.iter().map(move |s| (s.clone(), i)))
            .collect()
    };
    let (old_flat, new_flat) = (flat(&old), flat(&new));
    let old_text: Vec<&str> = old_flat.iter().map(|(s, _)| s.as_str()).collect();
    let new_text: Vec<&str> = new_flat.iter().map(|(s, _)| s.as_str()).collect();
    let mut sentences = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &old_text, &new_text) {
        for (tag, range) in [
            (ChangeTag::Delete, op.old_range()),
            (ChangeTag::Insert, op.new_range()),
        ] {
            if op.tag() == similar::DiffTag::Equal {
                continue;
            }
            let (list, change) = match tag {
                ChangeTag::Delete => (&old_flat, ChangeKind::Removed),
                _ => (&new_flat, ChangeKind::Added),
            };
            for (text, paragraph) in &list[range] {
                sentences.push(Change {
                    change,
                    text: text.clone(),
                    paragraph: *paragraph,
                });
            }
        }
    }
    // A sentence removed in one place and added in another moved.
    let removed: std::collections::HashSet<String> = sentences
        .iter()
        .filter(|c| c.change == ChangeKind::Removed)
        .map(|c| c.text.clone())
        .collect();
    let added: std::collections::HashSet<String> = sentences
        .iter()
        .filter(|c| c.change == ChangeKind::Added)
        .map(|c| c.text.clone())
        .collect();
    let before = sentences.len();
    sentences.retain(|c| !(removed.contains(&c.text) && added.contains(&c.text)));
    let sentences_moved = (before - sentences.len()) / 2;
    let shared_order = |from: &[Vec<String>], to: &[Vec<String>]| -> Vec<usize> {
        from.iter()
            .filter_map(|p| to.iter().position(|q| q == p))
            .collect()
    };
    let order = shared_order(&new, &old);
    Changes {
        identical: sentences.is_empty() && old == new,
        paragraphs_added: new.iter().filter(|p| !old.contains(p)).count(),
        paragraphs_removed: old.iter().filter(|p| !new.contains(p)).count(),
        reordered: sentences_moved > 0 || order.windows(2).any(|w| w[0] > w[1]),
        sentences_moved,
        sentences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_removed_and_moved_paragraphs_are_named() {
        let first = "One lead. Two facts.\n\nThird para here.\n\nFourth para.";
        let version = "UPDATE on top.\n\nOne lead. Two facts.\n\nFourth para.\n\nThird para here.";
        let changes = changes(first, version);
        assert_eq!(changes.paragraphs_added, 1);
        assert_eq!(changes.paragraphs_removed, 0);
        assert!(changes.reordered);
        assert!(!changes.identical);
        assert_eq!(changes.sentences.len(), 1, "{changes:?}");
        assert_eq!(changes.sentences[0].text, "UPDATE on top.");
        assert_eq!(changes.sentences[0].change, ChangeKind::Added);
        assert_eq!(changes.sentences_moved, 1);
    }

    #[test]
    fn an_edit_is_a_sentence_removed_and_one_added_and_a_copy_is_identical() {
        let first = "The port closed on Monday. Talks failed.";
        let edited = "The harbor closed on Monday. Talks failed.";
        let changes = changes(first, edited);
        assert_eq!(
            changes
                .sentences
                .iter()
                .map(|c| (c.change, c.text.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (ChangeKind::Removed, "The port closed on Monday."),
                (ChangeKind::Added, "The harbor closed on Monday."),
            ]
        );
        assert_eq!(
            (changes.paragraphs_added, changes.paragraphs_removed),
            (1, 1)
        );
        assert!(super::changes(first, "The port  closed on Monday.\nTalks failed.").identical);
    }
}
