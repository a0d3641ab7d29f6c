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

use std::borrow::Cow;

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
        }
    }
}

/// The tokenizer a [`StemRepeat`] filter produces.
#[derive(Clone)]
pub struct StemRepeatFilter<T> {
    filter: StemRepeat,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemRepeatFilter<T> {
    type TokenStream<'a> = StemRepeatStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemRepeatStream {
            filter: self.filter,
            tail: self.inner.token_stream(text),
            pending: None,
            stem_token: Token::default(),
            on_stem: false,
        }
    }
}

/// Token stream of [`StemRepeatFilter`].
pub struct StemRepeatStream<T> {
    filter: StemRepeat,
    tail: T,
    /// The marked stem still to emit after the current token.
    pending: Option<String>,
    stem_token: Token,
    on_stem: bool,
}

impl<T: TokenStream> TokenStream for StemRepeatStream<T> {
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
        let word = &self.tail.token().text;
        if let Cow::Owned(stem) = self.filter.stem(word)
            && stem != *word
        {
            let mut marked = std::mem::take(&mut self.stem_token.text);
            marked.clear();
            marked.push(STEM_MARKER);
            marked.push_str(&stem);
            self.pending = Some(marked);
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
