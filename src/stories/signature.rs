//! An article's text signature: MinHash by one-permutation hashing over word shingles.
//!
//! The body is split into words (lower-cased; each CJK character a word of its own), and every
//! run of [`SHINGLE_WORDS`] consecutive words ([`CJK_SHINGLE_WORDS`] characters in CJK text)
//! within one paragraph is a shingle: shingles never
//! cross a paragraph break, so paragraphs moved around leave the set unchanged. Each shingle is
//! hashed once; the hash's top bits pick one of [`BINS`] bins and the bin keeps the smallest
//! value it sees (one-permutation hashing, Li, Owen & Zhang 2012). Empty bins borrow from the
//! next filled bin to their right, offset by the distance (rotation densification, Shrivastava
//! & Li 2014), so short texts get full signatures. Two texts agree in a bin with probability
//! equal to the Jaccard similarity of their shingle sets.
//!
//! The index keeps [`STORED_BITS`] bits of each bin (b-bit MinHash, Li & König 2010) and the
//! number of shingles, which with the estimated Jaccard similarity gives how much of the
//! shorter text the longer one contains: a trimmed copy is contained in the original even when
//! it is a third of its length.

use xxhash_rust::xxh3::xxh3_64;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 4;
/// Characters per shingle in a paragraph written mostly in CJK characters (each counts as a
/// word; about two make a word of a spaced script).
pub const CJK_SHINGLE_WORDS: usize = 9;
/// Bins of the signature.
pub const BINS: usize = 64;
/// Bits of each bin the index stores.
pub const STORED_BITS: u32 = 8;
/// Bytes of a stored signature: the article id's hash, the shingle count, the outlet's hash,
/// the figures, when its story started, the lead's bins, the bins.
pub const STORED_BYTES: usize = 8 + 4 + 4 + 8 + 8 + LEAD_BINS + BINS;
/// Where the lead's bins start in the stored bytes.
const LEAD_AT: usize = 32;
/// Bands the LSH index draws from the signature, each of [`BAND_ROWS`] bins.
pub const BANDS: usize = 8;
/// Bins per band.
pub const BAND_ROWS: usize = 2;
/// Bands drawn from the signature of the lead alone (its first [`LEAD_WORDS`] words), which
/// find trimmed copies whose whole-text similarity is too low for the other bands.
pub const LEAD_BANDS: usize = 2;
/// Words of the lead.
pub const LEAD_WORDS: usize = 40;
/// Numbers both texts must hold for their figures to be compared.
pub const MIN_FIGURES: u32 = 2;
/// Bins of the lead's own signature.
const LEAD_BINS: usize = LEAD_BANDS * BAND_ROWS;

/// A full signature, as computed from a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The smallest hash value in each bin (densified).
    pub bins: [u32; BINS],
    /// The lead's bins.
    lead: [u32; LEAD_BINS],
    /// Distinct shingles (estimated by the number of shingles read, repeats included).
    pub shingles: u32,
    /// The numbers the text holds, one bit each of 64 ([`StoredSignature::figures`]).
    pub figures: u64,
}

/// What the index keeps of a signature, enough to compare two articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredSignature {
    /// Hash of the article id ([`id_hash`]).
    pub id_hash: u64,
    /// Shingles read.
    pub shingles: u32,
    /// Hash of the outlet (0: unknown).
    pub source_hash: u32,
    /// The numbers of the text, each setting one of 64 bits: two versions of a template story
    /// ("hog slaughter guesstimated at 295,000 head") differ in their figures, copies do not.
    pub figures: u64,
    /// When the article's story started: the publication time (Unix seconds) of its first
    /// dated article, as far as was known when this one joined it; `None` while undated.
    pub story_start: Option<i64>,
    /// The low [`STORED_BITS`] bits of each bin of the lead.
    pub lead: [u8; LEAD_BINS],
    /// The low [`STORED_BITS`] bits of each bin.
    pub bins: [u8; BINS],
}

/// How alike two texts are, estimated from their signatures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Likeness {
    /// Jaccard similarity of the shingle sets.
    pub jaccard: f32,
    /// Share of the shorter text's shingles the longer one holds.
    pub containment: f32,
    /// Share of the numbers of the text with fewer numbers that the other holds too (1 when
    /// either holds fewer than [`MIN_FIGURES`]: a date dropped from a dateline, a year added
    /// by a copyright line say nothing).
    pub figures: f32,
    /// Share of the leads' bins that agree: copies open alike, unless one added a paragraph
    /// on top.
    pub lead: f32,
    /// Shingles of the shorter text.
    pub shorter: u32,
    /// Whether both come from the same outlet.
    pub same_source: bool,
}

/// The hash an article id is known by in signatures.
pub fn id_hash(id: &str) -> u64 {
    xxh3_64(id.as_bytes())
}

/// Mixes a 64-bit value (splitmix64's finaliser).
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One-permutation MinHash bins being filled.
struct Bins<const N: usize> {
    min: [u64; N],
}

impl<const N: usize> Bins<N> {
    fn new() -> Self {
        Bins { min: [u64::MAX; N] }
    }

    fn add(&mut self, hash: u64) {
        let bin = ((hash >> 32) as usize * N) >> 32;
        let value = hash & 0xffff_ffff;
        if value < self.min[bin] {
            self.min[bin] = value;
        }
    }

    /// The bins, each empty one given its right neighbour's value (circularly) offset by the
    /// distance; all zero for a text with no shingle.
    fn densified(&self) -> [u32; N] {
        let mut out = [0u32; N];
        if self.min.iter().all(|&m| m == u64::MAX) {
            return out;
        }
        for (i, slot) in out.iter_mut().enumerate() {
            let mut distance = 0;
            let mut j = i;
            while self.min[j] == u64::MAX {
                j = (j + 1) % N;
                distance += 1;
            }
            let value = self.min[j];
            *slot = if distance == 0 {
                value as u32
            } else {
                mix(value ^ (distance as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as u32
            };
        }
        out
    }
}

impl Signature {
    /// The signature of an article's body.
    pub fn of(body: &str) -> Signature {
        let mut shingler = Shingler::default();
        let mut figures = 0;
        for paragraph in paragraphs(body) {
            figures |= words(paragraph, |hash, cjk| {
                shingler.words.push(hash);
                shingler.cjk += usize::from(cjk);
            });
            shingler.flush();
        }
        Signature {
            bins: shingler.bins.densified(),
            lead: shingler.lead.densified(),
            shingles: shingler.shingles,
            figures,
        }
    }

    /// The LSH band keys of this signature: [`BANDS`] from the whole text, then
    /// [`LEAD_BANDS`] from the lead. Empty for a text with no words.
    ///
    /// Keys are 32 bits: nearly every key is a term of its own in tantivy's term dictionary,
    /// and a term with four significant bytes costs a third less to index than one with eight
    /// (3 million keys: 5.0 s against 7.6 s). The price is a chance collision, one key in
    /// 400 at ten million keys, which costs a signature comparison and nothing else.
    pub fn bands(&self) -> Vec<u64> {
        if self.shingles == 0 {
            return Vec::new();
        }
        let whole = self.bins[..BANDS * BAND_ROWS].chunks(BAND_ROWS);
        let lead = self.lead.chunks(BAND_ROWS);
        whole
            .chain(lead)
            .enumerate()
            .map(|(band, rows)| {
                let mut key = mix(band as u64 + 1);
                for &row in rows {
                    key = mix(key ^ u64::from(row));
                }
                key >> 32
            })
            .collect()
    }

    /// What the index keeps of this signature, for the article with this id from this outlet.
    pub fn stored(&self, id: &str, source: Option<&str>) -> StoredSignature {
        StoredSignature {
            id_hash: id_hash(id),
            source_hash: source.map_or(0, |s| {
                (xxh3_64(s.trim().to_lowercase().as_bytes()) as u32).max(1)
            }),
            shingles: self.shingles,
            figures: self.figures,
            story_start: None,
            lead: self.lead.map(|bin| bin as u8),
            bins: self.bins.map(|bin| bin as u8),
        }
    }
}

/// The paragraphs of a text: runs of lines between blank lines (lines of whitespace alone), as
/// the word tokenizer marks them.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            // The end of the paragraph: a newline, then whitespace holding another newline.
            let mut end = rest.len();
            let mut next = rest.len();
            let mut from = 0;
            while let Some(at) = rest[from..].find('\n') {
                let newline = from + at;
                let after = &rest[newline + 1..];
                let blank = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
                if after[..blank].contains('\n') {
                    end = newline;
                    next = newline + 1 + blank;
                    break;
                }
                from = newline + 1;
            }
            let paragraph = &rest[..end];
            rest = &rest[next..];
            if !paragraph.trim().is_empty() {
                return Some(paragraph);
            }
        }
    })
}

/// The FNV-1a basis and prime the word hash starts from and multiplies by.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Calls `word` with the hash of every word of `text` (letters and digits, ASCII lower-cased,
/// other letters case-folded) and whether it is a CJK character, which counts as a word of its
/// own; returns the text's figures ([`StoredSignature::figures`]). A scanner of its own rather
/// than the search tokenizer: a signature needs words split the same way in every copy, not
/// offsets, possessives or bigrams, and one pass over the bytes, figures included, is several
/// times faster on the indexing path.
fn words(text: &str, word: impl FnMut(u64, bool)) -> u64 {
    let bytes = text.as_bytes();
    let mut scan = WordScan {
        hash: FNV_OFFSET,
        open: false,
        figures: 0,
        word,
    };
    // Bytes before this are in a figure already counted.
    let mut figure_end = 0;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte.is_ascii() {
            match ASCII_LOWER[usize::from(byte)] {
                0 => scan.end(),
                lower => {
                    if lower.is_ascii_digit() && i >= figure_end {
                        let (end, bit) = figure_at(bytes, i);
                        scan.figures |= bit;
                        figure_end = end;
                    }
                    scan.letter(u32::from(lower));
                }
            }
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        let code = c as u32;
        match code {
            // Latin-1 letters and Cyrillic, the letters of most European text, folded here.
            0xC0..=0xDE if code != 0xD7 => scan.letter(code + 0x20),
            0xDF..=0xFF if code != 0xF7 => scan.letter(code),
            0x400..=0x40F => scan.letter(code + 0x50),
            0x410..=0x42F => scan.letter(code + 0x20),
            0x430..=0x45F => scan.letter(code),
            // Dashes, quotation marks, spaces.
            0x2000..=0x206F => scan.end(),
            _ if crate::analysis::is_cjk(c) => {
                scan.end();
                // The rolling hash and the final mix spread the code point: no hash of its own.
                (scan.word)(u64::from(code), true);
            }
            _ if c.is_alphanumeric() => {
                for lower in c.to_lowercase() {
                    scan.letter(lower as u32);
                }
            }
            _ => scan.end(),
        }
    }
    scan.end();
    scan.figures
}

/// The word [`words`] is reading.
struct WordScan<F> {
    hash: u64,
    /// Whether a word is open (has a letter).
    open: bool,
    figures: u64,
    word: F,
}

impl<F: FnMut(u64, bool)> WordScan<F> {
    /// Another letter (lower-cased) of the word.
    fn letter(&mut self, code: u32) {
        self.hash = (self.hash ^ u64::from(code)).wrapping_mul(FNV_PRIME);
        self.open = true;
    }

    /// The word ends (if one is open): reported, and counted when it is a number.
    fn end(&mut self) {
        if self.open {
            // Amounts written out ("two billion dlrs") are figures too.
            if (NUMBER_FILTER >> (self.hash >> 58)) & 1 != 0 && NUMBER_WORDS.contains(&self.hash) {
                self.figures |= figure_bit(self.hash);
            }
            (self.word)(self.hash, false);
            self.hash = FNV_OFFSET;
            self.open = false;
        }
    }
}

/// Each ASCII byte lower-cased when it is a letter or a digit, 0 when it is not.
const ASCII_LOWER: [u8; 128] = {
    let mut table = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            table[byte] = b.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// The hash [`words`] gives a lower-case ASCII word.
const fn ascii_word_hash(word: &str) -> u64 {
    let bytes = word.as_bytes();
    let mut hash = FNV_OFFSET;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    hash
}

/// Shingles paragraph by paragraph into the bins.
struct Shingler {
    /// The current paragraph's words' hashes...
    words: Vec<u64>,
    /// ...and how many of them are CJK characters.
    cjk: usize,
    /// Words of the text before the current paragraph.
    words_before: usize,
    bins: Bins<BINS>,
    lead: Bins<LEAD_BINS>,
    shingles: u32,
}

impl Default for Shingler {
    fn default() -> Self {
        Shingler {
            words: Vec::new(),
            cjk: 0,
            words_before: 0,
            bins: Bins::new(),
            lead: Bins::new(),
            shingles: 0,
        }
    }
}

impl Shingler {
    /// Adds the shingles of the paragraph read so far: every run of [`SHINGLE_WORDS`] words,
    /// or all its words as one shingle when it is shorter.
    fn flush(&mut self) {
        if self.words.is_empty() {
            return;
        }
        let words = &self.words;
        let size = if self.cjk * 2 > words.len() {
            CJK_SHINGLE_WORDS
        } else {
            SHINGLE_WORDS
        };
        // A polynomial hash over the window, rolled one word at a time, then mixed.
        let size = size.min(words.len());
        let top = (1..size).fold(1u64, |p, _| p.wrapping_mul(ROLL));
        let mut rolling = words[..size]
            .iter()
            .fold(0u64, |h, &w| h.wrapping_mul(ROLL).wrapping_add(w));
        for start in 0..=words.len() - size {
            if start > 0 {
                rolling = rolling
                    .wrapping_sub(words[start - 1].wrapping_mul(top))
                    .wrapping_mul(ROLL)
                    .wrapping_add(words[start + size - 1]);
            }
            let hash = mix(rolling ^ 0x2545_f491_4f6c_dd1d);
            self.bins.add(hash);
            if self.words_before + start < LEAD_WORDS {
                self.lead.add(hash);
            }
            self.shingles += 1;
        }
        self.words_before += words.len();
        self.words.clear();
        self.cjk = 0;
    }
}

/// The figure (a number as written: "1.5", "6-1/8", "295,000") starting with the digit at
/// `start`: where it ends, and its bit of the 64.
fn figure_at(bytes: &[u8], start: usize) -> (usize, u64) {
    let mut i = start;
    while i < bytes.len()
        && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'.' | b',' | b'/' | b'-'))
    {
        i += 1;
    }
    let mut end = i;
    while end > start && !bytes[end - 1].is_ascii_digit() {
        end -= 1;
    }
    (i, figure_bit(xxh3_64(&bytes[start..end])))
}

/// The bit of the 64 that a figure with this hash sets.
fn figure_bit(hash: u64) -> u64 {
    1 << (mix(hash) >> 58)
}

/// English numbers as wire copy writes them out (Reuters style writes one to ten in words), as
/// [`words`] hashes them.
const NUMBER_WORDS: [u64; 12] = {
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    let mut hashes = [0; 12];
    let mut i = 0;
    while i < words.len() {
        hashes[i] = ascii_word_hash(words[i]);
        i += 1;
    }
    hashes
};

/// The top six bits of each of [`NUMBER_WORDS`], one bit each: most words are told from every
/// number by one test.
const NUMBER_FILTER: u64 = {
    let mut filter = 0;
    let mut i = 0;
    while i < NUMBER_WORDS.len() {
        filter |= 1 << (NUMBER_WORDS[i] >> 58);
        i += 1;
    }
    filter
};

/// The multiplier of the rolling shingle hash (odd, so every word's hash counts).
const ROLL: u64 = 0x0000_0100_0000_01b3;

/// Share of positions where two lists of bins agree.
fn agreement(a: &[u8], b: &[u8]) -> f32 {
    a.iter().zip(b).filter(|(a, b)| a == b).count() as f32 / a.len() as f32
}

/// Values of the `story_signature` column an article holds: its bytes, 7 to a value, each
/// value's top byte giving its place (so the order the column keeps them in does not matter).
pub const STORED_WORDS: usize = STORED_BYTES.div_ceil(WORD_BYTES);
/// Data bytes of each stored value.
const WORD_BYTES: usize = 7;

impl StoredSignature {
    /// The values the index stores (see [`STORED_WORDS`]).
    pub fn to_words(&self) -> [u64; STORED_WORDS] {
        let bytes = self.to_bytes();
        let mut out = [0u64; STORED_WORDS];
        for (slot, (word, chunk)) in out.iter_mut().zip(bytes.chunks(WORD_BYTES)).enumerate() {
            let mut le = [0u8; 8];
            le[..chunk.len()].copy_from_slice(chunk);
            le[7] = slot as u8;
            *word = u64::from_le_bytes(le);
        }
        out
    }

    /// Reads the stored values back, in any order; `None` when they are not a signature.
    pub fn from_words(words: impl Iterator<Item = u64>) -> Option<StoredSignature> {
        let mut bytes = [0u8; STORED_WORDS * WORD_BYTES];
        let mut seen = 0u32;
        for word in words {
            let le = word.to_le_bytes();
            let slot = le[7] as usize;
            if slot >= STORED_WORDS {
                return None;
            }
            seen |= 1 << slot;
            bytes[slot * WORD_BYTES..(slot + 1) * WORD_BYTES].copy_from_slice(&le[..WORD_BYTES]);
        }
        if seen != (1 << STORED_WORDS) - 1 {
            return None;
        }
        StoredSignature::from_bytes(&bytes[..STORED_BYTES])
    }

    /// The bytes a signature is made of.
    pub fn to_bytes(&self) -> [u8; STORED_BYTES] {
        let mut out = [0u8; STORED_BYTES];
        out[..8].copy_from_slice(&self.id_hash.to_le_bytes());
        out[8..12].copy_from_slice(&self.shingles.to_le_bytes());
        out[12..16].copy_from_slice(&self.source_hash.to_le_bytes());
        out[16..24].copy_from_slice(&self.figures.to_le_bytes());
        out[24..32].copy_from_slice(&self.story_start.unwrap_or(i64::MIN).to_le_bytes());
        out[LEAD_AT..LEAD_AT + LEAD_BINS].copy_from_slice(&self.lead);
        out[LEAD_AT + LEAD_BINS..].copy_from_slice(&self.bins);
        out
    }

    /// Reads stored bytes; `None` when they are not a signature.
    pub fn from_bytes(bytes: &[u8]) -> Option<StoredSignature> {
        if bytes.len() != STORED_BYTES {
            return None;
        }
        let mut bins = [0u8; BINS];
        bins.copy_from_slice(&bytes[LEAD_AT + LEAD_BINS..]);
        let mut lead = [0u8; LEAD_BINS];
        lead.copy_from_slice(&bytes[LEAD_AT..LEAD_AT + LEAD_BINS]);
        let start = i64::from_le_bytes(bytes[24..32].try_into().ok()?);
        Some(StoredSignature {
            id_hash: u64::from_le_bytes(bytes[..8].try_into().ok()?),
            shingles: u32::from_le_bytes(bytes[8..12].try_into().ok()?),
            source_hash: u32::from_le_bytes(bytes[12..16].try_into().ok()?),
            figures: u64::from_le_bytes(bytes[16..24].try_into().ok()?),
            story_start: (start != i64::MIN).then_some(start),
            lead,
            bins,
        })
    }

    /// How alike this text and `other` are. Agreeing bins are corrected for the chance that
    /// [`STORED_BITS`] bits of different values agree.
    pub fn likeness(&self, other: &StoredSignature) -> Likeness {
        if self.shingles == 0 || other.shingles == 0 {
            return Likeness {
                jaccard: 0.0,
                containment: 0.0,
                figures: 0.0,
                lead: 0.0,
                shorter: 0,
                same_source: false,
            };
        }
        let agree = agreement(&self.bins, &other.bins);
        let chance = 1.0 / (1u32 << STORED_BITS) as f32;
        let jaccard = ((agree - chance) / (1.0 - chance)).clamp(0.0, 1.0);
        let (a, b) = (self.shingles as f32, other.shingles as f32);
        // |A ∩ B| = J (|A| + |B|) / (1 + J)
        let shared = jaccard * (a + b) / (1.0 + jaccard);
        let fewer = self.figures.count_ones().min(other.figures.count_ones());
        let figures = if fewer < MIN_FIGURES {
            1.0
        } else {
            (self.figures & other.figures).count_ones() as f32 / fewer as f32
        };
        Likeness {
            jaccard,
            containment: (shared / a.min(b)).min(1.0),
            figures,
            lead: agreement(&self.lead, &other.lead),
            shorter: self.shingles.min(other.shingles),
            same_source: self.source_hash != 0 && self.source_hash == other.source_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Tens of thousands of people lined the streets of the capital on Wednesday as the \
        president welcomed his guest with a ceremony in the main square, state media said.\n\n\
        Children waved flowers and balloons while an honour guard paraded past portraits of the \
        two leaders hung from the buildings around the square.\n\n\
        The leaders then began talks in a narrow format, with only a few aides present, before \
        expanding them to full delegations, officials said.\n\n\
        The visit is the first in more than two decades and is expected to end with the signing \
        of a treaty on cooperation in trade, energy and security.";

    fn likeness(a: &str, b: &str) -> Likeness {
        Signature::of(a)
            .stored("a", None)
            .likeness(&Signature::of(b).stored("b", None))
    }

    #[test]
    fn a_copy_is_identical_and_bands_agree() {
        let like = likeness(ARTICLE, ARTICLE);
        assert_eq!((like.jaccard, like.containment), (1.0, 1.0));
        assert_eq!(
            Signature::of(ARTICLE).bands(),
            Signature::of(ARTICLE).bands()
        );
        assert_eq!(Signature::of(ARTICLE).bands().len(), BANDS + LEAD_BANDS);
    }

    #[test]
    fn words_fold_case_and_split_cjk_into_characters() {
        let hashes = |text: &str| {
            let mut out = Vec::new();
            words(text, |hash, cjk| out.push((hash, cjk)));
            out
        };
        assert_eq!(hashes("Putin's VISIT, 2024!"), hashes("putin s visit 2024"));
        assert_eq!(hashes("Путин прибыл"), hashes("ПУТИН ПРИБЫЛ"));
        assert_eq!(hashes("Ёлка, ЁЛКА"), hashes("ёлка ёлка"));
        assert_eq!(hashes("L'ÉLYSÉE «ÇA»"), hashes("l élysée ça"));
        assert_eq!(hashes("Straße × ÆØÅ"), hashes("straße æøå"));
        let cjk = hashes("首脳会談 in Seoul");
        assert_eq!(cjk.len(), 6);
        assert!(cjk[..4].iter().all(|(_, cjk)| *cjk) && !cjk[4].1);
        assert!(hashes(" ,.— ").is_empty());
    }

    #[test]
    fn figures_are_numbers_as_written_and_in_words() {
        let figures = |text: &str| words(text, |_, _| {});
        assert_eq!(figures("Qtly div 25 cts vs 25 cts"), figures("25"));
        assert_eq!(figures("at 6-1/8 pct."), figures("6-1/8"));
        assert_ne!(figures("6-1/8"), figures("6"));
        assert_eq!(figures("295,000 head"), figures("295,000"));
        assert_eq!(figures("TWO billion"), figures("two"));
        assert_ne!(figures("two"), 0);
        assert_eq!(figures("Twofold, someone, tenth: no figures"), 0);
        let a = Signature::of("Hog slaughter guesstimated at 295,000 head, against 290,000.");
        let b = Signature::of("Hog slaughter guesstimated at 301,000 head, against 295,000.");
        assert_eq!((a.figures & b.figures).count_ones(), 1);
    }

    #[test]
    fn paragraphs_are_split_at_blank_lines() {
        let text = "One two.\nthree\n\nFour\n \t\n\nfive\n\n\n";
        assert_eq!(
            paragraphs(text).collect::<Vec<_>>(),
            ["One two.\nthree", "Four", "five"]
        );
        assert_eq!(paragraphs("").count(), 0);
        assert_eq!(paragraphs("\n\n  \n").count(), 0);
    }

    #[test]
    fn moved_paragraphs_change_nothing() {
        let paragraphs: Vec<&str> = ARTICLE.split("\n\n").collect();
        let moved = [paragraphs[0], paragraphs[3], paragraphs[1], paragraphs[2]].join("\n\n");
        assert_eq!(Signature::of(&moved).bins, Signature::of(ARTICLE).bins);
    }

    #[test]
    fn a_trimmed_copy_is_contained_in_the_original() {
        let trimmed: String = ARTICLE
            .split("\n\n")
            .take(2)
            .collect::<Vec<_>>()
            .join("\n\n");
        let like = likeness(&trimmed, ARTICLE);
        assert!(like.containment > 0.8, "{like:?}");
        assert!(like.jaccard < 0.8, "{like:?}");
        // The lead is the same, so the lead's bands find the copy.
        let (a, b) = (
            Signature::of(&trimmed).bands(),
            Signature::of(ARTICLE).bands(),
        );
        assert_eq!(a[BANDS..], b[BANDS..]);
    }

    #[test]
    fn unrelated_text_on_the_same_subject_is_not_alike() {
        let other = "The president arrived in the capital on Wednesday for talks on a treaty, the \
            first visit in more than two decades. Officials said trade and energy would be on the \
            agenda, and state media showed crowds in the main square.";
        let like = likeness(other, ARTICLE);
        assert!(like.jaccard < 0.1 && like.containment < 0.3, "{like:?}");
    }

    #[test]
    fn empty_text_has_no_bands_and_matches_nothing() {
        assert!(Signature::of("").bands().is_empty());
        assert_eq!(likeness("", "").containment, 0.0);
        let stored = Signature::of(ARTICLE).stored("x", Some("Test Wire"));
        assert_eq!(
            StoredSignature::from_bytes(&stored.to_bytes()),
            Some(stored)
        );
        let mut words = stored.to_words().to_vec();
        words.reverse();
        assert_eq!(
            StoredSignature::from_words(words.iter().copied()),
            Some(stored)
        );
        assert_eq!(StoredSignature::from_bytes(b"short"), None);
    }
}
