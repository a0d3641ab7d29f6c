//! A Bloom filter of the band keys one committed segment holds, so that a new article asks a
//! segment's term dictionary only about keys it may have.
//!
//! Without it every article looked each of its band keys up in every segment's term
//! dictionary: at a million articles, with tens of segments between merges, that was hundreds
//! of lookups an article and most of the indexing time; with one filter for the whole index,
//! a key some article has was still looked up in every segment (the scaled corpus, where
//! thousands of articles share an opening paragraph, does that for most articles). Band keys
//! are already uniform 32-bit hashes, so the two probes are two multiplications away. At 16 to
//! 32 bits a key the filter answers "maybe" for at most 1.4% of the keys the segment does not
//! have, and holds 2 to 4 bytes a key (20 to 40 MB at a million articles).

use tantivy::SegmentReader;
use tantivy::schema::Field;

use crate::Result;

/// Bits of filter per key it is sized for.
const BITS_PER_KEY: u64 = 16;
/// Keys a filter is sized for, at least.
const MIN_KEYS: u64 = 1 << 10;

/// The filter.
pub struct BandFilter {
    bits: Vec<u64>,
    /// `bits.len() * 64 - 1`, a power of two minus one.
    mask: u64,
}

impl BandFilter {
    /// An empty filter with room for `keys` keys.
    fn with_room(keys: u64) -> BandFilter {
        let bits = (keys.max(MIN_KEYS) * BITS_PER_KEY).next_power_of_two();
        BandFilter {
            bits: vec![0; (bits / 64) as usize],
            mask: bits - 1,
        }
    }

    /// A filter of every key of `field` in `segment`.
    pub fn of_segment(segment: &SegmentReader, field: Field) -> Result<BandFilter> {
        let inverted = segment.inverted_index(field)?;
        let mut filter = BandFilter::with_room(inverted.terms().num_terms() as u64);
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(|e| crate::Error::Tantivy(e.into()))?;
        while terms.advance() {
            // u64 terms are stored big-endian.
            if let Ok(key) = <[u8; 8]>::try_from(terms.key()) {
                filter.insert(u64::from_be_bytes(key));
            }
        }
        Ok(filter)
    }

    fn probes(&self, key: u64) -> [u64; 2] {
        // The high halves of two odd multiples depend on every bit of the key.
        let spread = |odd: u64| key.wrapping_mul(odd).rotate_left(32) & self.mask;
        [spread(0x9e37_79b9_7f4a_7c15), spread(0xc2b2_ae3d_27d4_eb4f)]
    }

    /// Adds a key.
    pub fn insert(&mut self, key: u64) {
        for bit in self.probes(key) {
            self.bits[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    /// False when no article holds `key`; true when one may.
    pub fn may_hold(&self, key: u64) -> bool {
        self.probes(key)
            .iter()
            .all(|bit| self.bits[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted_and_little_else() {
        let mut filter = BandFilter::with_room(10_000);
        let key = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17) ^ 0x1234_5678;
        for i in 0..10_000 {
            filter.insert(key(i));
        }
        assert!((0..10_000).all(|i| filter.may_hold(key(i))));
        let false_hits = (10_000..110_000)
            .filter(|&i| filter.may_hold(key(i)))
            .count();
        assert!(false_hits < 3_000, "{false_hits} of 100,000");
    }
}
