//! Citable results: every response names the state of the index that answered it (its
//! `snapshot`: the latest `indexed_at` stamp, in microseconds) and fingerprints the matching
//! articles (`result_hash`: how many, and an order-free hash of their `indexed_at` stamps,
//! which name one version of one article and survive merges and `dateline reindex`). A search
//! that carries a citation's `snapshot` and `result_hash` says what changed since: articles
//! indexed after the snapshot that match (`added`), and cited articles gone since (`removed`:
//! deleted, or replaced by a newer version, which is then among the added).

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::INDEXED_AT;
use crate::{Error, Result};

/// A citation a search is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cited {
    /// The index state cited (its latest stamp).
    pub snapshot: i64,
    /// How many articles matched then.
    pub count: u64,
    /// Their hash.
    pub hash: u64,
}

impl Cited {
    /// Reads a citation's `snapshot` and `result_hash` (`COUNT-HASH`), as responses give them.
    pub fn parse(snapshot: &str, result_hash: &str) -> Result<Cited> {
        let snapshot = snapshot.trim().parse::<i64>().map_err(|_| {
            Error::invalid(
                "snapshot",
                format!(
                    "`{snapshot}` is not a snapshot: copy it as the citation gives it (digits)"
                ),
            )
        })?;
        let bad = || {
            Error::invalid(
                "result_hash",
                format!(
                    "`{result_hash}` is not a result hash: copy it as the citation gives it (COUNT-HASH)"
                ),
            )
        };
        let (count, hash) = result_hash.trim().split_once('-').ok_or_else(bad)?;
        Ok(Cited {
            snapshot,
            count: count.parse().map_err(|_| bad())?,
            hash: u64::from_str_radix(hash, 16).map_err(|_| bad())?,
        })
    }
}

/// What changed since a citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    /// Matching articles indexed after the snapshot.
    pub added: u64,
    /// Cited articles that no longer match or are gone.
    pub removed: u64,
    /// When as many cited articles are still there as were cited: whether they hash as cited
    /// (false: the citation is of another search, or was mistyped); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// The fingerprint of a set of matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Print {
    count: u64,
    sum: u64,
    /// Of those stamped at or before the cited snapshot.
    before_count: u64,
    before_sum: u64,
}

impl Print {
    /// The `result_hash` of these matches.
    pub fn result_hash(&self) -> String {
        format!("{}-{:016x}", self.count, self.sum)
    }

    /// What changed since `cited`, for a print taken with it.
    pub fn changed(&self, cited: &Cited) -> Changed {
        Changed {
            added: self.count - self.before_count,
            removed: cited.count.saturating_sub(self.before_count),
            verified: (self.before_count == cited.count).then_some(self.before_sum == cited.hash),
        }
    }

    fn add(&mut self, other: &Print) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
        self.before_count += other.before_count;
        self.before_sum = self.before_sum.wrapping_add(other.before_sum);
    }
}

/// A stamp's share of a hash (splitmix64's finaliser: sums of these tell sets apart).
fn mix(stamp: i64) -> u64 {
    let mut x = stamp as u64;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Collects the fingerprint of the matches (nothing in an index without stamps).
pub struct Fingerprint {
    /// The cited snapshot, when a citation is checked.
    pub before: Option<i64>,
}

/// One segment's part.
pub struct SegmentFingerprint {
    stamps: Option<Column<tantivy::DateTime>>,
    before: i64,
    print: Print,
}

impl Collector for Fingerprint {
    type Fruit = Print;
    type Child = SegmentFingerprint;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SegmentFingerprint {
            stamps: segment.fast_fields().date(INDEXED_AT).ok(),
            before: self.before.unwrap_or(i64::MIN),
            print: Print::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Print>) -> tantivy::Result<Print> {
        let mut all = Print::default();
        for fruit in &fruits {
            all.add(fruit);
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFingerprint {
    type Fruit = Print;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(stamp) = self.stamps.as_ref().and_then(|c| c.first(doc)) else {
            return;
        };
        let stamp = stamp.into_timestamp_micros();
        let part = mix(stamp);
        self.print.count += 1;
        self.print.sum = self.print.sum.wrapping_add(part);
        if stamp <= self.before {
            self.print.before_count += 1;
            self.print.before_sum = self.print.before_sum.wrapping_add(part);
        }
    }

    fn harvest(self) -> Print {
        self.print
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_citation_reads_back_and_bad_ones_are_named() {
        assert_eq!(
            Cited::parse("1764640000123456", "412-00000000000000ff").unwrap(),
            Cited {
                snapshot: 1_764_640_000_123_456,
                count: 412,
                hash: 255
            }
        );
        assert!(
            Cited::parse("yesterday", "1-ff")
                .unwrap_err()
                .to_string()
                .contains("not a snapshot")
        );
        assert!(
            Cited::parse("1", "ff")
                .unwrap_err()
                .to_string()
                .contains("COUNT-HASH")
        );
    }

    #[test]
    fn the_hash_does_not_depend_on_order() {
        let sum = |stamps: &[i64]| stamps.iter().fold(0u64, |s, &t| s.wrapping_add(mix(t)));
        assert_eq!(sum(&[1, 2, 3]), sum(&[3, 1, 2]));
        assert_ne!(sum(&[1, 2, 3]), sum(&[1, 2, 4]));
    }
}
