//! Truncation and wildcard patterns (`sanct*`, `sanction!`, `wom?n`) expanded against the
//! term dictionaries of the index: every word as written that the pattern matches, at most
//! [`MAX_PATTERN_TERMS`] of them (more is an error naming the pattern, never a silent cut).

use std::collections::BTreeSet;

use tantivy::Searcher;
use tantivy::schema::Field;

use crate::{Error, Result};

/// Most different words one pattern may expand to.
pub const MAX_PATTERN_TERMS: usize = 1000;

/// A pattern normalised for one field: lower-case literal text, `*` for any run of characters
/// (`!` is `*` at the end), `?` for exactly one.
#[derive(Debug, Clone)]
pub struct Pattern {
    chars: Vec<char>,
}

impl Pattern {
    /// A pattern whose literal runs have already been normalised as the field indexes words.
    pub fn new(normalised: &str) -> Pattern {
        Pattern {
            chars: normalised
                .chars()
                .map(|c| if c == '!' { '*' } else { c })
                .collect(),
        }
    }

    /// The literal text before the first wildcard.
    fn prefix(&self) -> String {
        self.chars
            .iter()
            .take_while(|c| !matches!(c, '*' | '?'))
            .collect()
    }

    /// Whether `word` matches the whole pattern.
    pub fn matches(&self, word: &str) -> bool {
        let word: Vec<char> = word.chars().collect();
        let (p, w) = (&self.chars, &word);
        // Greedy matching with a return point at the last `*`.
        let (mut i, mut j) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while j < w.len() {
            if i < p.len() && (p[i] == '?' || p[i] == w[j]) {
                i += 1;
                j += 1;
            } else if i < p.len() && p[i] == '*' {
                star = Some((i, j));
                i += 1;
            } else if let Some((si, sj)) = star {
                i = si + 1;
                j = sj + 1;
                star = Some((si, sj + 1));
            } else {
                return false;
            }
        }
        p[i..].iter().all(|c| *c == '*')
    }

    /// Every term of `field` the pattern matches, across the searcher's segments, added to
    /// `out`; an error once `out` would hold more than [`MAX_PATTERN_TERMS`].
    pub fn expand(
        &self,
        searcher: &Searcher,
        field: Field,
        typed: &str,
        out: &mut BTreeSet<String>,
    ) -> Result<()> {
        let prefix = self.prefix();
        let mut upper = prefix.clone().into_bytes();
        // The first string after every string starting with `prefix`.
        while let Some(last) = upper.pop() {
            if last < 0xFF {
                upper.push(last + 1);
                break;
            }
        }
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let terms = index.terms();
            let mut range = terms.range().ge(prefix.as_bytes());
            if !upper.is_empty() {
                range = range.lt(&upper);
            }
            let mut stream = range.into_stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if out.contains(word) || !self.matches(word) {
                    continue;
                }
                if out.len() == MAX_PATTERN_TERMS {
                    return Err(Error::invalid(
                        "q",
                        format!(
                            "`{typed}` matches more than {MAX_PATTERN_TERMS} different words: type more letters before the `*`"
                        ),
                    ));
                }
                out.insert(word.to_string());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_any_run_or_one_character() {
        let p = Pattern::new("sanct*");
        assert!(p.matches("sanction") && p.matches("sanct") && !p.matches("sanc"));
        let p = Pattern::new("wom?n");
        assert!(p.matches("woman") && p.matches("women") && !p.matches("womn"));
        assert!(!p.matches("wooman"));
        let p = Pattern::new("sanction!");
        assert!(p.matches("sanctioned") && p.matches("sanction"));
        let p = Pattern::new("nu*ar*s");
        assert!(p.matches("nuclears") && p.matches("nuarxs") && !p.matches("nuclear"));
        assert_eq!(Pattern::new("wom?n").prefix(), "wom");
        assert!(Pattern::new("пут*").matches("путина"));
    }
}
