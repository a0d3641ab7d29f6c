//! A word tokenizer that also handles scripts written without spaces.
//!
//! Letters, digits and combining marks form words, as in most scripts. Runs of Han, kana and
//! Hangul characters are emitted as overlapping character bigrams ("정상회담에서" → 정상, 상회,
//! 회담, 담에, 에서), the standard dictionary-free way to search CJK text: a query is split the
//! same way and matched as a phrase, so "정상회담" is found inside "정상회담에서". A lone CJK
//! character between non-CJK text is emitted as a unigram.
//!
//! An English possessive is part of its word, not a word of its own: "Putin's" and "Putin’s"
//! are the token `Putin`, as Lucene's `EnglishPossessiveFilter` makes them (any other apostrophe
//! separates words: "l'Élysée" is `l`, `Élysée`).
//!
//! [`WordTokenizer::marking_boundaries`] also marks where sentences and paragraphs start: after
//! the first word of each sentence but the text's first comes a [`SENTENCE_START`] token at that
//! word's position, and after the first word of a paragraph a [`PARAGRAPH_START`] token too, so
//! proximity queries can ask for two words in the same sentence or paragraph and `hlead` for
//! the first paragraph. A paragraph starts after a blank line (ingest keeps those); a sentence
//! after `.`, `!`, `?` or `…` and a space, before a word that does not start in lower case, unless
//! the word before is an initial or a common abbreviation ("Mr. Putin"); or after `。`, `！`, `？`.
//!
//! [`WordTokenizer::lowercasing`] lower-cases words as it copies them. tantivy's `LowerCaser`
//! sends every token that is not ASCII through `char::to_lowercase`, a table search per
//! character: on Japanese news that was 15% of the indexing threads' time, for bigrams that
//! have no case.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Token at the position of the first word of every sentence but the text's first. Marked like
/// a stem (`~`), and no stem or word can hold a `.`, so it never matches anything typed.
pub const SENTENCE_START: &str = "~.s";
/// Token at the position of the first word of every paragraph but the text's first.
pub const PARAGRAPH_START: &str = "~.p";

/// Whether a token is a [`SENTENCE_START`] or [`PARAGRAPH_START`] mark rather than a word.
pub fn is_boundary(token: &str) -> bool {
    token == SENTENCE_START || token == PARAGRAPH_START
}

/// Words after which a full stop does not end the sentence (lower-cased): titles and the
/// abbreviations news copy uses before a name or a number.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "adm", "st", "mt", "sen",
    "rep", "gov", "pres", "jr", "sr", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "aug",
    "sept", "oct", "nov", "dec", "mme", "mgr", "bzw", "ca", "vgl", "ул", "им", "др", "тов",
];

/// Splits text into words and CJK bigrams. Offsets are byte offsets into the input.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordTokenizer {
    lowercase: bool,
    boundaries: bool,
}

impl WordTokenizer {
    /// A tokenizer that emits words lower-cased (CJK bigrams as they are: they have no case).
    pub fn lowercasing() -> WordTokenizer {
        WordTokenizer {
            lowercase: true,
            boundaries: false,
        }
    }

    /// The same tokenizer, also marking where sentences and paragraphs start.
    pub fn marking_boundaries(self) -> WordTokenizer {
        WordTokenizer {
            boundaries: true,
            ..self
        }
    }
}

/// What the separators between two words say about the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Starts {
    Nothing,
    Sentence,
    Paragraph,
}

/// Reads the separators `gap` between the word `before` and the word starting with `next`.
fn starts(before: &str, gap: &str, next: char) -> Starts {
    let mut lines = 0;
    for c in gap.chars() {
        if c == '\n' {
            lines += 1;
            if lines == 2 {
                return Starts::Paragraph;
            }
        } else if !c.is_whitespace() {
            lines = 0;
        }
    }
    if gap.contains(['。', '！', '？']) {
        return Starts::Sentence;
    }
    let Some(stop) = gap.find(['.', '!', '?', '…']) else {
        return Starts::Nothing;
    };
    let spaced = gap[stop..].chars().any(char::is_whitespace);
    if !spaced || next.is_lowercase() {
        return Starts::Nothing;
    }
    let full_stop_only = gap[stop..].starts_with('.') && !gap.contains(['!', '?', '…']);
    let initial = before.chars().count() == 1 && before.chars().all(char::is_uppercase);
    let abbreviation = ABBREVIATIONS
        .iter()
        .any(|a| before.len() == a.len() && before.to_lowercase() == *a);
    if full_stop_only && (initial || abbreviation) {
        return Starts::Nothing;
    }
    Starts::Sentence
}

/// Bytes of an English possessive (`'s`, `’s`) ending a word at the start of `rest`, if any.
fn possessive(rest: &str) -> usize {
    let mut chars = rest.chars();
    let apostrophe = chars.next();
    if !matches!(apostrophe, Some('\'' | '’')) || !matches!(chars.next(), Some('s' | 'S')) {
        return 0;
    }
    if chars.next().is_some_and(is_word_char) {
        return 0;
    }
    apostrophe.map_or(0, char::len_utf8) + 1
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
    boundaries: bool,
    /// Byte range of the last word or CJK run read, once one was.
    last: Option<(usize, usize)>,
    /// Marks to emit after the current word, at its position.
    marks: Vec<&'static str>,
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
            boundaries: self.boundaries,
            last: None,
            marks: Vec::new(),
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
        if let Some(mark) = self.marks.pop() {
            self.token.text.clear();
            self.token.text.push_str(mark);
            return true;
        }
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
        if self.boundaries
            && let Some((from, to)) = self.last
        {
            match starts(&self.text[from..to], &self.text[to..start], first) {
                Starts::Nothing => {}
                Starts::Sentence => self.marks.push(SENTENCE_START),
                Starts::Paragraph => self.marks.extend([PARAGRAPH_START, SENTENCE_START]),
            }
        }
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
        self.last = Some((start, end));
        if cjk_run {
            self.cjk_end = end;
            return self.next_bigram();
        }
        self.cursor += possessive(&self.text[end..]);
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
            vec!["Kim", "Jong", "un", "visit", "2024"]
        );
        assert_eq!(texts("Путин прибыл"), vec!["Путин", "прибыл"]);
    }

    #[test]
    fn possessives_belong_to_their_word_and_other_apostrophes_split() {
        assert_eq!(texts("Putin's visit"), vec!["Putin", "visit"]);
        assert_eq!(texts("Putin’s visit"), vec!["Putin", "visit"]);
        assert_eq!(texts("PUTIN'S"), vec!["PUTIN"]);
        assert_eq!(texts("leaders' talks"), vec!["leaders", "talks"]);
        assert_eq!(texts("l'Élysée it'sy"), vec!["l", "Élysée", "it", "sy"]);
        let t = tokens("Putin’s men");
        assert_eq!((t[1].1, t[1].2), (1, 10));
    }

    fn marked(text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = WordTokenizer::lowercasing().marking_boundaries();
        let mut out = Vec::new();
        tokenizer
            .token_stream(text)
            .process(&mut |t| out.push((t.text.clone(), t.position)));
        out
    }

    #[test]
    fn sentence_and_paragraph_starts_are_marked_at_their_first_word() {
        let t = marked("Putin came. Kim met him.\n\nTalks ended! Then");
        let expected: Vec<(String, usize)> = [
            ("putin", 0),
            ("came", 1),
            ("kim", 2),
            (SENTENCE_START, 2),
            ("met", 3),
            ("him", 4),
            ("talks", 5),
            (SENTENCE_START, 5),
            (PARAGRAPH_START, 5),
            ("ended", 6),
            ("then", 7),
            (SENTENCE_START, 7),
        ]
        .iter()
        .map(|(w, p)| (w.to_string(), *p))
        .collect();
        assert_eq!(t, expected);
    }

    #[test]
    fn abbreviations_initials_and_numbers_do_not_end_sentences() {
        let starts = |text: &str| {
            marked(text)
                .iter()
                .filter(|t| t.0 == SENTENCE_START)
                .count()
        };
        assert_eq!(starts("Mr. Putin and V. Putin met Dr. Kim"), 0);
        assert_eq!(starts("It cost 5.93 mln. prices rose"), 0);
        assert_eq!(starts("Единая линия. Путин прибыл"), 1);
        assert_eq!(starts("He said: \"No.\" Then he left"), 1);
        assert_eq!(starts("会談した。プーチン氏"), 1);
        assert_eq!(starts("one line\nanother line"), 0);
        assert!(
            marked("Kim came. Putin")
                .iter()
                .all(|t| t.0 != PARAGRAPH_START)
        );
        assert!(texts("a. B").iter().all(|t| !is_boundary(t)));
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
