//! When each article entered the index (`indexed_at`): a clock that never runs backwards, so
//! that "indexed after X" is exact whatever the system clock does.
//!
//! A writer's stamps strictly increase and start after the latest stamp the index holds, and
//! a stamp is taken before the article is written: everything a commit makes visible was
//! stamped before everything a later commit does. So the latest stamp of the committed index
//! is a cursor: the articles stamped after it are exactly those committed since it was read.

use tantivy::schema::Field;
use tantivy::{DateTime, Searcher};

/// The latest stamp of the articles `searcher` sees (`None`: none has one).
pub fn latest_stamp(searcher: &Searcher, field: Field) -> Option<DateTime> {
    let name = searcher.schema().get_field_name(field).to_string();
    searcher
        .segment_readers()
        .iter()
        .filter(|segment| segment.num_docs() > 0)
        .filter_map(|segment| segment.fast_fields().date(&name).ok())
        .filter(|column| column.num_docs() > 0)
        .map(|column| column.max_value())
        .max()
}

/// Hands out stamps: the time now in microseconds, or one microsecond after the last stamp
/// when the clock has not moved past it.
#[derive(Debug, Clone, Copy)]
pub struct IndexClock {
    last: i64,
}

impl IndexClock {
    /// A clock whose stamps come after every stamp `searcher` sees.
    pub fn after(searcher: &Searcher, field: Option<Field>) -> IndexClock {
        let last = field
            .and_then(|field| latest_stamp(searcher, field))
            .map_or(i64::MIN, DateTime::into_timestamp_micros);
        IndexClock { last }
    }

    /// The next stamp.
    pub fn stamp(&mut self) -> DateTime {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000;
        self.last = (now as i64).max(self.last.saturating_add(1));
        DateTime::from_timestamp_micros(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_increase_even_when_the_clock_is_behind() {
        let ahead = time::OffsetDateTime::now_utc().unix_timestamp() * 1_000_000 + 3_600_000_000;
        let mut clock = IndexClock { last: ahead };
        let first = clock.stamp().into_timestamp_micros();
        let second = clock.stamp().into_timestamp_micros();
        assert_eq!((first, second), (ahead + 1, ahead + 2));
    }
}
