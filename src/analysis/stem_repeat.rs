//! Stemming that keeps the word as written.
//!
//! For each token the filter emits the word as written and, when its stem differs, the stem
//! marked with [`STEM_MARKER`] at the same position: "summits" → `summits`, `~summit`;
//! "summit" → `summit`. So one field answers both kinds of query without indexing the text
//! twice:
//! - a stemmed query for a word with stem `s` matches `s` or `~s` (every form of the word);
//! - an exact query for a word `w` matches `w` (unmarked terms are always words as written).
//!
//! A separate unstemmed field doubled the postings to build and cost 40% of indexing
//! throughput; repeating only the stems that differ adds a fraction of that.
//!
//! Each tokenizer instance remembers the stems of the words it has seen (word frequencies are
//! Zipfian, so a few thousand words are most of the text): the Snowball stemmer was a fifth of
//! the indexing threads' time on English news, a map lookup is a fraction of a stemmer run.

use std::borrow::Cow;

use std::hash::Hasher;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Prefix of a stem that differs from the word as written.
pub const STEM_MARKER: char = '~';

/// Emits each token as written, then its marked stem when the stem differs.
#[derive(Clone, Copy)]
pub struct StemRepeat {
    stemmer: Stemmer,
    /// How many times the stemmer runs (see [`StemRepeat::passes`]).
    passes: u8,
}

impl StemRepeat {
    /// A filter for one Snowball algorithm, run once.
    pub fn new(algorithm: Algorithm) -> Self {
        StemRepeat {
            stemmer: Stemmer::new(algorithm),
            passes: 1,
        }
    }

    /// Runs the stemmer `passes` times: the Russian Snowball stemmer strips one suffix per
    /// pass and reads the "-ит" of nouns such as саммит or визит as a verb ending (саммит →
    /// самм, but саммита → саммит); a second pass brings every form to the same stem.
    pub fn passes(mut self, passes: u8) -> Self {
        self.passes = passes.max(1);
        self
    }

    /// Returns the stem of a lower-cased word.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        let mut stem = self.stemmer.stem(word);
        for _ in 1..self.passes {
            if let Cow::Owned(again) = self.stemmer.stem(&stem) {
                stem = Cow::Owned(again);
            }
        }
        stem
    }
}

impl TokenFilter for StemRepeat {
    type Tokenizer<T: Tokenizer> = StemRepeatFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemRepeatFilter<T> {
        StemRepeatFilter {
            filter: self,
            inner: tokenizer,
            cache: StemCache::default(),
        }
    }
}

/// Stems of words seen before: a direct-mapped table of inline slots, one cache line each, so
/// a hit costs one hash and one short compare (a `HashMap` of boxed strings cost as much as
/// the stemmer it saved: a pointer to follow for every key compared).
#[derive(Clone, Default)]
struct StemCache {
    slots: Vec<Slot>,
    /// Words stemmed before the table was made: short-lived analyzers (a query's, a
    /// snippet's) never pay for the table.
    uncached: u32,
}

/// A cached word and its marked stem, inline.
#[derive(Clone, Copy)]
struct Slot {
    word_len: u8,
    /// Length of the marked stem; [`Slot::SAME`] when the stem is the word.
    stem_len: u8,
    word: [u8; Slot::MAX_WORD],
    stem: [u8; Slot::MAX_STEM],
}

impl Slot {
    const MAX_WORD: usize = 30;
    const MAX_STEM: usize = 32;
    const SAME: u8 = u8::MAX;
    const EMPTY: Slot = Slot {
        word_len: 0,
        stem_len: Slot::SAME,
        word: [0; Slot::MAX_WORD],
        stem: [0; Slot::MAX_STEM],
    };
}

impl StemCache {
    /// Number of slots (512 KB: stays in the core's L2 cache).
    const SLOTS: usize = 8192;
    /// Words stemmed directly before the table is made.
    const WARM_UP: u32 = 2000;

    /// Writes the marked stem of `word` into `out` and returns true, or returns false when the
    /// stem is the word.
    fn marked(&mut self, filter: &StemRepeat, word: &str, out: &mut String) -> bool {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > Slot::MAX_WORD {
            return Self::stem_into(filter, word, out);
        }
        if self.slots.is_empty() {
            if self.uncached < Self::WARM_UP {
                self.uncached += 1;
                return Self::stem_into(filter, word, out);
            }
            self.slots = vec![Slot::EMPTY; Self::SLOTS];
        }
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(bytes);
        let slot = &mut self.slots[hasher.finish() as usize & (Self::SLOTS - 1)];
        if usize::from(slot.word_len) == bytes.len() && &slot.word[..bytes.len()] == bytes {
            if slot.stem_len == Slot::SAME {
                return false;
            }
            out.clear();
            out.push_str(
                std::str::from_utf8(&slot.stem[..usize::from(slot.stem_len)])
                    .expect("a stem is cached whole"),
            );
            return true;
        }
        let differs = Self::stem_into(filter, word, out);
        if !differs {
            slot.word_len = bytes.len() as u8;
            slot.word[..bytes.len()].copy_from_slice(bytes);
            slot.stem_len = Slot::SAME;
        } else if out.len() <= Slot::MAX_STEM {
            slot.word_len = bytes.len() as u8;
            slot.word[..bytes.len()].copy_from_slice(bytes);
            slot.stem_len = out.len() as u8;
            slot.stem[..out.len()].copy_from_slice(out.as_bytes());
        }
        differs
    }

    /// Stems `word` without the cache.
    fn stem_into(filter: &StemRepeat, word: &str, out: &mut String) -> bool {
        match filter.stem(word) {
            Cow::Owned(stem) if stem != word => {
                out.clear();
                out.push(STEM_MARKER);
                out.push_str(&stem);
                true
            }
            _ => false,
        }
    }
}

/// The tokenizer a [`StemRepeat`] filter produces.
#[derive(Clone)]
pub struct StemRepeatFilter<T> {
    filter: StemRepeat,
    inner: T,
    cache: StemCache,
}

impl<T: Tokenizer> Tokenizer for StemRepeatFilter<T> {
    type TokenStream<'a> = StemRepeatStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemRepeatStream {
            filter: self.filter,
            cache: &mut self.cache,
            tail: self.inner.token_stream(text),
            pending: None,
            stem_token: Token::default(),
            on_stem: false,
        }
    }
}

/// Token stream of [`StemRepeatFilter`].
pub struct StemRepeatStream<'a, T> {
    filter: StemRepeat,
    cache: &'a mut StemCache,
    tail: T,
    /// The marked stem still to emit after the current token.
    pending: Option<String>,
    stem_token: Token,
    on_stem: bool,
}

impl<T: TokenStream> TokenStream for StemRepeatStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(stem) = self.pending.take() {
            let word = self.tail.token();
            self.stem_token.text = stem;
            self.stem_token.position = word.position;
            self.stem_token.offset_from = word.offset_from;
            self.stem_token.offset_to = word.offset_to;
            self.stem_token.position_length = word.position_length;
            self.on_stem = true;
            return true;
        }
        self.on_stem = false;
        if !self.tail.advance() {
            return false;
        }
        if self.tail.token().text.starts_with(STEM_MARKER) {
            // A sentence or paragraph mark: not a word.
            return true;
        }
        let mut marked = std::mem::take(&mut self.stem_token.text);
        if self
            .cache
            .marked(&self.filter, &self.tail.token().text, &mut marked)
        {
            self.pending = Some(marked);
        } else {
            self.stem_token.text = marked;
        }
        true
    }

    fn token(&self) -> &Token {
        if self.on_stem {
            &self.stem_token
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.on_stem {
            &mut self.stem_token
        } else {
            self.tail.token_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word, seen once or many times, cached or too long to cache, gets the stem the
    /// stemmer gives; more distinct words than slots force slots to be overwritten.
    #[test]
    fn the_cache_answers_what_the_stemmer_answers() {
        let filter = StemRepeat::new(Algorithm::English);
        let mut cache = StemCache::default();
        let mut words: Vec<String> = (0..3 * StemCache::SLOTS + StemCache::WARM_UP as usize)
            .map(|i| format!("summits{i}ing"))
            .collect();
        words.extend(["nations", "nation", "running", "ran", "the"].map(String::from));
        words.push("internationalisations".repeat(3));
        words.push("ü".repeat(20));
        for round in 0..3 {
            for word in &words {
                let mut cached = String::from("left over");
                let differs = cache.marked(&filter, word, &mut cached);
                let mut direct = String::new();
                assert_eq!(
                    differs,
                    StemCache::stem_into(&filter, word, &mut direct),
                    "{word}, round {round}"
                );
                if differs {
                    assert_eq!(cached, direct, "{word}, round {round}");
                    assert!(cached.starts_with(STEM_MARKER));
                }
            }
        }
        let mut out = String::new();
        assert!(cache.marked(&filter, "nations", &mut out));
        assert_eq!(out, "~nation");
        assert!(!cache.marked(&filter, "nation", &mut out));
    }
}
