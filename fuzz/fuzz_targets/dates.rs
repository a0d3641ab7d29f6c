//! The date parser: any text is a date, a warning or an error, never a panic; a date the index
//! stores comes back as the same second.
#![no_main]

use dateline::dates::{self, Dated};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Dated::Exact(at) | Dated::DayOnly(at) = dates::read(text) {
        assert!(dates::is_storable(at));
        assert_eq!(dates::to_index(at).into_timestamp_secs(), at.unix_timestamp());
    }
    let _ = dates::parse_date(text);
    let _ = dateline::search::query::date_range(text);
});
