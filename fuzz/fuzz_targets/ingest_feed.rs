//! The feed reader: any bytes are articles and per-record errors, never a panic or a hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dateline_fuzz::read_as("fuzz.xml", data));
