//! The jsonl reader: any bytes are articles and per-record errors, never a panic or a hang.
#![no_main]

use dateline::ingest::{Item, ReadOptions, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        max_record_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let result = read_bytes("fuzz.jsonl", data, &options, &mut |item| {
        if let Item::Skipped(error) = &item {
            assert!(!error.reason.contains("please report it"), "{error}");
        }
        true
    });
    if let Err(error) = result {
        assert!(!error.reason.contains("please report it"), "{error}");
    }
});
