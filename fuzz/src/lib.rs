//! What the fuzz targets share.

use dateline::ingest::{Item, ReadOptions, read_bytes};

/// Reads `data` as a file called `name` (its extension picks the reader, with the first bytes),
/// and fails on any record or file that Dateline itself failed on: those are bugs, even when
/// contained to their record.
pub fn read_as(name: &str, data: &[u8]) {
    let options = ReadOptions {
        max_record_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let result = read_bytes(name, data, &options, &mut |item| {
        if let Item::Skipped(error) = &item {
            assert!(!error.reason.contains("please report it"), "{error}");
        }
        true
    });
    if let Err(error) = result {
        assert!(!error.reason.contains("please report it"), "{error}");
    }
}
