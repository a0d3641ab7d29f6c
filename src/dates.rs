//! Dates as articles give them, and the span of dates the index can hold.
//!
//! tantivy keeps a date as nanoseconds since 1970 in an `i64`, which covers 1677-09-21 to
//! 2262-04-11; a date outside that span would wrap into another century. [`read`] tells such a
//! date apart ([`Dated::OutOfRange`]) so it becomes a warning, never a wrong date, and
//! [`to_index`] is only ever given dates inside [`FIRST_DAY`] … [`LAST_DAY`].

use std::fmt;

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::macros::{date, format_description};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The first day the index can store.
pub const FIRST_DAY: Date = date!(1677 - 09 - 22);
/// The last day the index can store.
pub const LAST_DAY: Date = date!(2262 - 04 - 10);

/// The span of storable days, for messages: `1677-09-22 to 2262-04-10`.
pub const STORABLE: Storable = Storable;

/// Displays the span of storable days.
#[derive(Debug, Clone, Copy)]
pub struct Storable;

impl fmt::Display for Storable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{FIRST_DAY} to {LAST_DAY}")
    }
}

/// The first instant the index can store.
pub fn first_instant() -> OffsetDateTime {
    FIRST_DAY.midnight().assume_utc()
}

/// The instant just after the last storable day.
pub fn end_instant() -> OffsetDateTime {
    LAST_DAY
        .next_day()
        .expect("2262-04-11 exists")
        .midnight()
        .assume_utc()
}

/// Whether the index can store this instant.
pub fn is_storable(at: OffsetDateTime) -> bool {
    at >= first_instant() && at < end_instant()
}

/// The index's representation of a storable instant, or of [`end_instant`] as the exclusive
/// end of a range (seconds precision).
pub fn to_index(at: OffsetDateTime) -> tantivy::DateTime {
    debug_assert!(
        is_storable(at) || at == end_instant(),
        "{at} is outside {STORABLE}"
    );
    let clamped = at.clamp(first_instant(), end_instant());
    tantivy::DateTime::from_timestamp_secs(clamped.unix_timestamp())
}

/// What a date field of a record turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    /// A date in one of the accepted forms.
    Exact(OffsetDateTime),
    /// A malformed timestamp whose `YYYY-MM-DD` start is a valid day: that day.
    DayOnly(OffsetDateTime),
    /// A real date the index cannot store.
    OutOfRange(OffsetDateTime),
    /// Nothing recognisable as a date.
    Unknown,
}

/// Reads a record's date, telling storable dates from those the index cannot hold.
pub fn read(text: &str) -> Dated {
    let (found, exact) = match parse_date(text) {
        Ok(at) => (at, true),
        Err(_) => match lenient_date(text) {
            Some(at) => (at, false),
            None => return Dated::Unknown,
        },
    };
    match (is_storable(found), exact) {
        (false, _) => Dated::OutOfRange(found),
        (true, true) => Dated::Exact(found),
        (true, false) => Dated::DayOnly(found),
    }
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` (UTC), an RFC 3339 or RFC 2822 timestamp, or
/// `YYYY-MM-DDTHH:MM:SS+HHMM` into UTC. Any year from -9999 to 9999 is read; whether the index
/// can store it is [`is_storable`]'s question.
pub fn parse_date(text: &str) -> Result<OffsetDateTime, crate::Error> {
    let text = text.trim();
    let bad = || crate::Error::BadDate {
        value: text.to_string(),
    };
    // `9999-12-31T23:59:59-23:59` is a valid RFC 3339 time whose UTC falls in year 10000,
    // past what the calendar holds: it keeps its own offset (it is the same instant).
    let utc = |dt: OffsetDateTime| -> Result<OffsetDateTime, crate::Error> {
        Ok(dt.checked_to_offset(UtcOffset::UTC).unwrap_or(dt))
    };
    if let Ok(dt) = OffsetDateTime::parse(text, &Rfc3339) {
        return utc(dt);
    }
    if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Ok(date.midnight().assume_utc());
    }
    // Feeds and web pages: `Wed, 19 Jun 2024 10:00:00 +0900`, `2024-06-19T10:00:00+0900`.
    if let Ok(dt) = OffsetDateTime::parse(text, &Rfc2822) {
        return utc(dt);
    }
    let compact_offset = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    if let Ok(dt) = OffsetDateTime::parse(text, compact_offset) {
        return utc(dt);
    }
    let local = text.replacen(' ', "T", 1);
    let local = local.trim_end_matches('Z');
    let formats = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ];
    for format in formats {
        if let Ok(dt) = PrimitiveDateTime::parse(local, format) {
            return Ok(dt.assume_utc());
        }
    }
    Err(bad())
}

/// Recovers the day of a malformed timestamp whose `YYYY-MM-DD` prefix is valid.
fn lenient_date(text: &str) -> Option<OffsetDateTime> {
    let prefix = text.trim().get(..10)?;
    let date = Date::parse(prefix, format_description!("[year]-[month]-[day]")).ok()?;
    Some(date.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_accepted_form() {
        let utc = |s: &str| parse_date(s).unwrap().unix_timestamp();
        assert_eq!(
            utc("2024-06-19T09:00:00+09:00"),
            utc("2024-06-19T00:00:00Z")
        );
        assert_eq!(utc("2024-06-19T00:00:00"), utc("2024-06-19"));
        assert_eq!(utc("2024-06-19 00:00:00"), utc("2024-06-19"));
        assert_eq!(
            utc("Wed, 19 Jun 2024 09:00:00 +0900"),
            utc("2024-06-19T00:00:00Z")
        );
        assert_eq!(utc("2024-06-19T09:00:00+0900"), utc("2024-06-19"));
        assert!(parse_date("19/06/2024").is_err());
    }

    #[test]
    fn an_offset_past_year_9999_is_read_not_a_panic() {
        for text in [
            "9999-12-31T23:59:59-23:59",
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "9999-12-31T23:59:59-2359",
        ] {
            // A real instant, just not one the index can store.
            assert!(!is_storable(parse_date(text).unwrap()), "{text}");
            assert!(matches!(read(text), Dated::OutOfRange(_)), "{text}");
        }
    }

    #[test]
    fn the_storable_span_has_exact_edges() {
        for (text, storable) in [
            ("1677-09-21", false),
            ("1677-09-22", true),
            ("1665-11-16", false),
            ("1700-01-01", true),
            ("2262-04-10T23:59:59Z", true),
            ("2262-04-11", false),
            ("-0044-03-15", false),
        ] {
            let dated = read(text);
            assert_eq!(
                matches!(dated, Dated::Exact(_)),
                storable,
                "{text}: {dated:?}"
            );
            if storable {
                // The index gives back exactly the second it was given: no wrapping.
                let at = parse_date(text).unwrap();
                assert_eq!(to_index(at).into_timestamp_secs(), at.unix_timestamp());
            }
        }
        assert_eq!(STORABLE.to_string(), "1677-09-22 to 2262-04-10");
        assert_eq!(read("last Tuesday"), Dated::Unknown);
        assert!(matches!(read("1987-03-31T605:12:19"), Dated::DayOnly(_)));
    }
}
