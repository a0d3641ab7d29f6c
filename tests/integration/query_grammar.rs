//! A property of the query language, checked on every CI run: whatever is typed — operators in
//! any order, unbalanced groups and quotes, fields, ranges, accents, scripts — the engine
//! answers with hits or with a user's error (a 400), never with an internal failure (a 500).

use dateline::{Engine, SearchRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::*;

/// Pieces a journalist (or a fuzzer) might type.
fn piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "summit",
        "Putin",
        "Kim",
        "Jong-un",
        "саммит",
        "Gipfeltreffen",
        "정상회담",
        "大統領",
        "cafe\u{301}",
        "e\u{301}",
        "\u{301}",
        "AND",
        "OR",
        "NOT",
        "and",
        "-",
        "+",
        "(",
        ")",
        "\"",
        "*",
        "?",
        "~5",
        "w/5",
        "NEAR/3",
        "title:",
        "body:",
        "exact:",
        "person:",
        "source:",
        "language:",
        "published:",
        "published:[",
        "TO",
        "]",
        "{",
        "}",
        "2024",
        "2024-06",
        "2024-06-19",
        "9999-12-31",
        "1600",
        "0000-00-00",
        "[* TO *]",
        "\\",
        "'",
        ":",
        "::",
        "%",
        "https://example.com/a",
        "\u{0}",
        "\u{200b}",
        "\u{feff}",
        "🙂",
        "ß",
        "İ",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        4 => fixed,
        1 => "[a-zA-Z0-9\\-:*()\"\\[\\] ]{1,12}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(piece(), 0..24),
        prop::collection::vec(prop::sample::select(vec!["", " ", " ", "  "]), 24),
    )
        .prop_map(|(pieces, gaps)| {
            let mut out = String::new();
            for (piece, gap) in pieces.iter().zip(gaps) {
                out.push_str(piece);
                out.push_str(gap);
            }
            out
        })
}

#[test]
fn no_query_is_an_internal_error() {
    let fx = FixtureIndex::new();
    let engine = Engine::open(&fx.path()).unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&query(), |q| {
            for request in [
                SearchRequest::query(&q),
                SearchRequest {
                    from: Some(q.clone()),
                    ..SearchRequest::query("*")
                },
            ] {
                if let Err(error) = engine.search(&request) {
                    prop_assert!(
                        error.is_users(),
                        "{q:?} failed inside: {error} ({})",
                        error.code()
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}
