//! A word tokenizer that also handles scripts written without spaces.
//!
//! Letters, digits and combining marks form words, as in most scripts. Runs of Han, kana and
//! Hangul characters are emitted as overlapping character bigrams ("정상회담에서" → 정상, 상회,
//! 회담, 담에, 에서), the standard dictionary-free way to search CJK text: a query is split the
//! same way and matched as a phrase, so "정상회담" is found inside "정상회담에서". A lone CJK
//! character between non-CJK text is emitted as a unigram.
//!
//! [`WordTokenizer::lowercasing`] lower-cases words as it copies them. tantivy's `LowerCaser`
//! sends every token that is not ASCII through `char::to_lowercase`, a table search per
//! character: on Japanese news that was 15% of the indexing threads' time, for bigrams that
//! have no case.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits text into words and CJK bigrams. Offsets are byte offsets into the input.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordTokenizer {
    lowercase: bool,
}

impl WordTokenizer {
    /// A tokenizer that emits words lower-cased (CJK bigrams as they are: they have no case).
    pub fn lowercasing() -> WordTokenizer {
        WordTokenizer { lowercase: true }
    }
}

/// Returns whether `c` belongs to a script written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF     // Hangul Jamo
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3130..=0x318F   // Hangul compatibility Jamo
        | 0x31F0..=0x31FF   // Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xA960..=0xA97F   // Hangul Jamo extended A
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF66..=0xFF9F   // half-width Katakana
        | 0x20000..=0x2FA1F // CJK extensions B–F, compatibility supplement
    )
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF)
}

/// The stream of tokens of one text.
pub struct WordTokenStream<'a> {
    text: &'a str,
    lowercase: bool,
    /// Byte position where scanning resumes.
    cursor: usize,
    /// Pending CJK run: byte offsets of its characters, and the next bigram to emit.
    cjk: Vec<usize>,
    cjk_next: usize,
    cjk_end: usize,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            text,
            lowercase: self.lowercase,
            cursor: 0,
            cjk: Vec::new(),
            cjk_next: 0,
            cjk_end: 0,
            token: Token::default(),
        }
    }
}

impl WordTokenStream<'_> {
    fn emit(&mut self, from: usize, to: usize) {
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
    }

    /// Emits a word, lower-cased when the tokenizer lower-cases.
    fn emit_word(&mut self, from: usize, to: usize) {
        self.emit(from, to);
        if !self.lowercase {
            return;
        }
        if self.token.text.is_ascii() {
            self.token.text.make_ascii_lowercase();
        } else if self.token.text.chars().any(char::is_uppercase) {
            self.token.text = self.text[from..to].to_lowercase();
        }
    }

    /// Emits the next bigram of the pending CJK run, if any.
    fn next_bigram(&mut self) -> bool {
        let n = self.cjk.len();
        if self.cjk_next >= n {
            return false;
        }
        let start = self.cjk[self.cjk_next];
        let end = if n == 1 {
            self.cjk_end
        } else if self.cjk_next + 2 < n {
            self.cjk[self.cjk_next + 2]
        } else if self.cjk_next + 1 < n {
            self.cjk_end
        } else {
            return false;
        };
        self.cjk_next += 1;
        self.emit(start, end);
        true
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next_bigram() {
            return true;
        }
        self.cjk.clear();
        self.cjk_next = 0;
        let rest = &self.text[self.cursor..];
        let mut chars = rest.char_indices().map(|(i, c)| (i + self.cursor, c));
        // Skip separators.
        let (start, first) = loop {
            match chars.next() {
                None => {
                    self.cursor = self.text.len();
                    return false;
                }
                Some((i, c)) if is_cjk(c) || is_word_char(c) => break (i, c),
                Some(_) => {}
            }
        };
        let cjk_run = is_cjk(first);
        let mut end = self.text.len();
        if cjk_run {
            self.cjk.push(start);
        }
        for (i, c) in chars {
            let same_kind = if cjk_run {
                is_cjk(c)
            } else {
                is_word_char(c) && !is_cjk(c)
            };
            if !same_kind {
                end = i;
                break;
            }
            if cjk_run {
                self.cjk.push(i);
            }
        }
        self.cursor = end;
        if cjk_run {
            self.cjk_end = end;
            return self.next_bigram();
        }
        self.emit_word(start, end);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push((t.text.clone(), t.position, t.offset_from, t.offset_to)));
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn words_split_on_punctuation() {
        assert_eq!(
            texts("Kim Jong-un's visit, 2024!"),
            vec!["Kim", "Jong", "un", "s", "visit", "2024"]
        );
        assert_eq!(texts("Путин прибыл"), vec!["Путин", "прибыл"]);
    }

    #[test]
    fn korean_is_split_into_bigrams_with_positions() {
        let t = tokens("정상회담에서 푸틴");
        let texts: Vec<&str> = t.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(texts, vec!["정상", "상회", "회담", "담에", "에서", "푸틴"]);
        let positions: Vec<usize> = t.iter().map(|t| t.1).collect();
        assert_eq!(positions, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!((t[0].2, t[0].3), (0, 6));
    }

    #[test]
    fn mixed_scripts_and_single_characters() {
        assert_eq!(
            texts("プーチン大統領がG20に"),
            vec![
                "プー", "ーチ", "チン", "ン大", "大統", "統領", "領が", "G20", "に"
            ]
        );
        assert_eq!(texts("金"), vec!["金"]);
        assert_eq!(texts(""), Vec::<String>::new());
        assert_eq!(texts(" ,. "), Vec::<String>::new());
    }

    #[test]
    fn lowercasing_lowers_words_in_every_script_and_keeps_offsets() {
        let mut tokenizer = WordTokenizer::lowercasing();
        let mut out = Vec::new();
        tokenizer
            .token_stream("PUTIN Путин ÉTÉ 푸틴과 İstanbul")
            .process(&mut |t| out.push((t.text.clone(), t.offset_from, t.offset_to)));
        let texts: Vec<&str> = out.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            texts,
            vec!["putin", "путин", "été", "푸틴", "틴과", "i̇stanbul"]
        );
        assert_eq!((out[1].1, out[1].2), (6, 16));
        assert_eq!(out.last().unwrap().1, 33);
    }
}
