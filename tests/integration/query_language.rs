//! The query language of the trade on `tests/fixtures/proximity.jsonl`: every proximity
//! dialect, patterns, prominence and possessives give the hits counted by hand from the
//! fixture; malformed operators are errors; the response says what was searched.

use serde_json::Value;

use crate::common::*;

fn hits(fx: &FixtureIndex, query: &str) -> Vec<String> {
    fx.id_set(query, &["--size", "100"])
}

fn check(fx: &FixtureIndex, cases: &[(&str, &[&str])]) {
    for (query, expected) in cases {
        let mut expected = strings(expected);
        expected.sort();
        assert_eq!(hits(fx, query), expected, "{query}");
    }
}

#[test]
fn proximity_operators_find_exactly_the_planted_sentences() {
    let fx = FixtureIndex::of("proximity.jsonl");
    let near2: &[&str] = &["de-gipfel", "en-near"];
    check(
        &fx,
        &[
            // Unordered within N words, in every dialect.
            ("putin w/2 kim", near2),
            ("putin /2 kim", near2),
            ("putin NEAR/2 kim", near2),
            ("putin near2 kim", near2),
            ("\"putin kim\"~2", near2),
            ("kim w/2 putin", near2),
            ("putin w/1 kim", &[]),
            ("putin w/3 kim", &["de-gipfel", "en-near", "en-paragraphs"]),
            (
                "putin w/4 kim",
                &["de-gipfel", "en-near", "en-paragraphs", "en-sentences"],
            ),
            (
                "putin w/18 kim",
                &["de-gipfel", "en-near", "en-paragraphs", "en-sentences"],
            ),
            (
                "putin w/19 kim",
                &[
                    "de-gipfel",
                    "en-far",
                    "en-near",
                    "en-paragraphs",
                    "en-sentences",
                ],
            ),
            // Ordered.
            ("putin pre/4 kim", &["de-gipfel", "en-near", "en-sentences"]),
            ("putin adj4 kim", &["de-gipfel", "en-near", "en-sentences"]),
            (
                "putin onear/4 kim",
                &["de-gipfel", "en-near", "en-sentences"],
            ),
            ("kim pre/4 putin", &["en-paragraphs"]),
            // Same sentence ("Mr." does not end one), same paragraph.
            ("putin w/s kim", &["de-gipfel", "en-far", "en-near"]),
            (
                "putin w/p kim",
                &["de-gipfel", "en-far", "en-near", "en-sentences"],
            ),
            // Exclusion: Putin with no Kim within 3 words (the possessive headline too).
            (
                "putin not w/3 kim",
                &["en-far", "en-possessive", "en-sentences"],
            ),
            (
                "putin not w/s kim",
                &["en-paragraphs", "en-possessive", "en-sentences"],
            ),
            // Sides: a phrase, a group, a pattern, a nested clause; with AND around.
            ("\"putin met\" w/2 kim", &["en-near"]),
            (
                "(putin OR leaders) w/2 (kim OR treaty)",
                &["de-gipfel", "en-near"],
            ),
            ("gipfel* w/5 putin", &["de-gipfel"]),
            ("(putin w/2 kim) w/4 pyongyang", &["en-near"]),
            ("putin w/2 kim AND treaty", &["en-near"]),
            (
                "putin w/2 kim OR motorcade",
                &["de-gipfel", "en-near", "en-possessive"],
            ),
            ("putin w/2 kim -vertrag", &["en-near"]),
            ("title:putin w/2 convoy", &["en-possessive"]),
            // Russian and German, stems on each side as for a plain word.
            ("путин w/5 ким", &["ru-visit"]),
            ("путин w/s ким", &[]),
            ("путина pre/3 пхеньян", &["ru-visit"]),
            ("putin w/s sanktionen", &[]),
            ("putin w/p sanktionen", &["de-gipfel"]),
            ("Verträge w/3 Kim", &["de-gipfel"]),
        ],
    );
}

#[test]
fn patterns_prominence_and_possessives() {
    let fx = FixtureIndex::of("proximity.jsonl");
    let putin: &[&str] = &[
        "de-gipfel",
        "en-far",
        "en-near",
        "en-paragraphs",
        "en-possessive",
        "en-sentences",
        "ru-visit",
    ];
    check(
        &fx,
        &[
            ("sanct*", &["en-forms"]),
            ("sanction!", &["en-forms"]),
            ("wom?n", &["en-forms"]),
            ("\"nuclear weapon*\"", &["en-weapons"]),
            ("\"nuclear weapon?\"", &["en-weapons"]),
            ("переговор*", &["ru-visit"]),
            ("sanctx*", &[]),
            ("atleast3 missile", &["en-missiles"]),
            ("atleast3(missile)", &["en-missiles"]),
            ("atleast1 missile", &["en-missile-once", "en-missiles"]),
            ("atleast4 missile", &[]),
            ("hlead(treaty)", &["en-lead", "en-near"]),
            ("hlead(ammunition)", &[]),
            ("lead:ammunition", &[]),
            ("ammunition", &["en-lead"]),
            ("hlead(kim) AND NOT hlead(putin)", &["en-paragraphs"]),
            // Word counts, as proximity counts words (the possessive is part of its word).
            (
                "length<10",
                &["en-missile-once", "en-paragraphs", "en-possessive"],
            ),
            (
                "wc<10",
                &["en-missile-once", "en-paragraphs", "en-possessive"],
            ),
            ("putin length>=19", &["de-gipfel", "en-far"]),
            ("putin length>19", &["en-far"]),
            // Possessives: the same articles with either apostrophe or none.
            ("putin", putin),
            ("putin's", putin),
            ("Putin’s", putin),
            ("\"putin's convoy\"", &["en-possessive"]),
            ("leader w/1 motorcade", &["en-possessive"]),
        ],
    );
}

#[test]
fn min_words_filters_like_length() {
    let fx = FixtureIndex::of("proximity.jsonl");
    assert_eq!(
        fx.id_set("*", &["--min-words", "19"]),
        strings(&["de-gipfel", "en-far"])
    );
}

#[test]
fn the_response_says_what_was_searched_and_what_patterns_matched() {
    let fx = FixtureIndex::of("proximity.jsonl");
    let response = fx.search("sanct* w/5 firms OR wom?n", &[]);
    assert_eq!(response["query"]["parsed"], "(sanct* W/5 firms) OR wom?n");
    let patterns: Vec<(String, Vec<String>)> = response["query"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let terms = p["terms"].as_array().unwrap();
            (
                p["pattern"].as_str().unwrap().to_string(),
                terms
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        patterns,
        vec![
            ("sanct*".to_string(), strings(&["sanctioned", "sanctions"])),
            ("wom?n".to_string(), strings(&["woman", "women"])),
        ]
    );
    let plain = fx.search("putin", &[]);
    assert_eq!(plain["query"]["parsed"], "putin");
    assert_eq!(plain["query"]["patterns"], Value::Array(Vec::new()));
}

#[test]
fn snippets_mark_the_words_of_the_proximity_match() {
    let fx = FixtureIndex::of("proximity.jsonl");
    let snippet = |query: &str, id: &str| -> String {
        let response = fx.search(query, &["--size", "100"]);
        let hit = response["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("{query}: no {id}"));
        hit["snippet"].as_str().unwrap().to_string()
    };
    let s = snippet("putin w/2 kim", "en-near");
    assert!(
        s.starts_with("<mark>Putin</mark> met <mark>Kim</mark> in Pyongyang"),
        "{s}"
    );
    let s = snippet("gipfel* w/5 putin", "de-gipfel");
    assert!(
        s.contains("<mark>Gipfeltreffen</mark> in Pjöngjang unterzeichneten <mark>Putin</mark>"),
        "{s}"
    );
    // The excluded side is not marked.
    let s = snippet("putin not w/3 kim", "en-sentences");
    assert!(s.contains("<mark>Putin</mark> landed"), "{s}");
    assert!(!s.contains("<mark>Kim"), "{s}");
    let s = snippet("\"nuclear weapon*\"", "en-weapons");
    assert!(
        s.contains("<mark>nuclear</mark> <mark>weapons</mark> and <mark>nuclear</mark> <mark>weaponry</mark>"),
        "{s}"
    );
}

#[test]
fn malformed_operators_are_errors_that_say_how_to_fix_them() {
    let fx = FixtureIndex::of("proximity.jsonl");
    for (query, says) in [
        (
            "putin w/ kim",
            "query syntax error at position 7: `w/` needs a number of words",
        ),
        ("putin w/0 kim", "position 7: `w/0`: distances start at 1"),
        ("putin pre/", "position 7: `pre/` needs a number"),
        (
            "putin w/5",
            "position 7: `w/5` needs a search term after it",
        ),
        ("w/5 kim", "position 1: `w/5` needs a search term before it"),
        ("\"putin kim\"~", "position 12: `~` needs a number"),
        (
            "*tion",
            "position 1: `*tion`: a pattern starts with at least 2 letters",
        ),
        (
            "atleast0 missile",
            "`atleast0`: a word occurs at least once",
        ),
        ("putin~1", "fuzzy matching (`~`) is not supported"),
        ("(vladimir putin) w/5 kim", "put a phrase in quotes"),
    ] {
        let out = dateline(&fx.path(), &["search", query]);
        assert_eq!(out.status.code(), Some(2), "{query}");
        assert!(stderr(&out).contains(says), "{query}: {}", stderr(&out));
    }
}
