//! Ranking on `tests/fixtures/ranking.jsonl`, where the right order is obvious to a person: a
//! headline above a passing mention, words standing together above the same words paragraphs
//! apart, a content word above a stop word, no score through an entity's name for a word it
//! merely contains; and the relaxed fallback for plain words few articles hold all of.

use serde_json::Value;

use crate::common::*;

fn missing(hit: &Value) -> Vec<String> {
    hit["missing"]
        .as_array()
        .map(|m| m.iter().map(|w| w.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn the_obvious_order_is_the_order() {
    let fx = FixtureIndex::of("ranking.jsonl");
    // A headline about the drought above a council report that mentions it once.
    assert_eq!(
        fx.ids("drought", &[]),
        strings(&["rk-headline", "rk-passing"])
    );
    // The same two words, one sentence apart from paragraphs apart, all else equal.
    assert_eq!(
        fx.ids("tractor factory", &[]),
        strings(&["rk-together", "rk-apart"])
    );
    assert_eq!(
        fx.ids("factory tractor", &[]),
        strings(&["rk-together", "rk-apart"])
    );
    // "the" is in the entity field of the article tagged "The Netherlands", not in its text:
    // it must not be found, let alone rank, through the entity's name.
    let the = fx.ids("the", &["--size", "100"]);
    assert!(!the.contains(&"rk-entity".to_string()), "{the:?}");
    assert!(!the.contains(&"rk-harvest".to_string()), "{the:?}");
    assert_eq!(the.len(), 6);
    // The entity is still found when the query names it.
    assert_eq!(fx.ids("Netherlands", &[]), strings(&["rk-entity"]));
    assert_eq!(fx.ids("Putin", &[]), strings(&["rk-entity"]));
}

#[test]
fn a_stop_word_never_outranks_a_content_word() {
    let fx = FixtureIndex::of("ranking.jsonl");
    // Only the headline holds both; then the harvest story (the rare word, no "the") comes
    // before every article that holds only "the".
    let response = fx.search("the harvest", &["--size", "100"]);
    let order = ids(&response);
    assert_eq!(response["total"], 1);
    assert_eq!(order[..2], strings(&["rk-headline", "rk-harvest"]));
    assert_eq!(order.len(), 7, "{order:?}");
    assert_eq!(missing(&response["hits"][1]), strings(&["the"]));
    for hit in response["hits"].as_array().unwrap()[2..].iter() {
        assert_eq!(missing(hit), strings(&["harvest"]), "{hit}");
    }
}

#[test]
fn plain_words_few_articles_hold_all_of_go_on_with_those_holding_most() {
    let fx = FixtureIndex::of("ranking.jsonl");
    let response = fx.search("wheat drought aid north", &["--size", "100"]);
    // One article holds every word; `total` counts it alone.
    assert_eq!(response["total"], 1);
    assert_eq!(response["hits"][0]["id"], "rk-headline");
    assert!(missing(&response["hits"][0]).is_empty());
    let relaxed = &response["relaxed"];
    assert_eq!(relaxed["matched_all"], 1);
    assert_eq!(relaxed["words"], 4);
    // A fixture this small cannot fill the relaxed tier, so one word is enough.
    assert_eq!(relaxed["min_should_match"], 1);
    assert_eq!(relaxed["not_counted"], serde_json::json!([]));
    // Then, best first: the rain story (wheat, north), the aid story (aid, north), the council
    // report (drought) — each with the words it lacks.
    let rest: Vec<(String, Vec<String>)> = response["hits"].as_array().unwrap()[1..]
        .iter()
        .map(|h| (h["id"].as_str().unwrap().to_string(), missing(h)))
        .collect();
    assert_eq!(relaxed["more"], rest.len() as u64);
    let find = |id: &str| rest.iter().find(|(i, _)| i == id).unwrap().1.clone();
    assert_eq!(find("rk-weather"), strings(&["drought", "aid"]));
    assert_eq!(find("rk-aid"), strings(&["wheat", "drought"]));
    assert_eq!(find("rk-passing"), strings(&["wheat", "aid", "north"]));
    assert_eq!(rest.len(), 3, "{rest:?}");
    // Paging goes on through the relaxed articles.
    let page2 = fx.search("wheat drought aid north", &["--size", "2", "--page", "2"]);
    assert_eq!(ids(&page2), ids(&response)[2..4].to_vec());
    assert_eq!(page2["total"], 1);
    // The human output says so.
    let out = dateline(&fx.path(), &["search", "wheat drought aid north"]);
    let text = stdout(&out);
    assert!(
        text.contains("3 more contain at least 1 of the 4 words"),
        "{text}"
    );
    assert!(text.contains("missing: drought, aid"), "{text}");
}

#[test]
fn operators_quotes_and_filters_are_never_relaxed() {
    let fx = FixtureIndex::of("ranking.jsonl");
    for (query, extra) in [
        ("\"wheat harvest\" drought zebra", &[][..]),
        ("wheat AND drought AND zebra", &[]),
        ("wheat +drought zebra", &[]),
        ("wheat OR zebra", &[]),
        ("wheat drought zebra", &["--source", "Test Wire"][..]),
        ("wheat drought zebra", &["--from", "2024"]),
        ("title:wheat zebra", &[]),
        ("whea* drought zebra", &[]),
    ] {
        let response = fx.search(query, extra);
        assert!(response.get("relaxed").is_none(), "{query}: {response}");
        let all = response["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| missing(h).is_empty());
        assert!(all, "{query}");
    }
    // Without them, the same words are relaxed.
    let response = fx.search("wheat drought zebra", &[]);
    assert_eq!(response["total"], 0);
    assert_eq!(response["relaxed"]["more"], 3);
}

#[test]
fn pasted_text_is_searched_not_rejected() {
    let fx = FixtureIndex::of("ranking.jsonl");
    for query in [
        "farmers - (a) wheat harvest",
        "drought: 1) wheat 2) harvest",
        "the \"training\" phase of the wheat harvest -- ruined",
    ] {
        let response = fx.search(query, &[]);
        assert_eq!(
            response["hits"][0]["id"], "rk-headline",
            "{query}: {response}"
        );
    }
    // A dash against a word still excludes it.
    assert_eq!(fx.ids("drought -council", &[]), strings(&["rk-headline"]));
}

#[test]
fn relevance_recent_raises_recent_articles_by_a_half_life() {
    let fx = FixtureIndex::of("ranking.jsonl");
    let scores = |sort: &str| -> Vec<(String, f64)> {
        fx.search("north", &["--sort", sort])["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["id"].as_str().unwrap().to_string(),
                    h["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let plain = scores("relevance");
    let recent = scores("relevance_recent");
    assert_eq!(plain.len(), 3);
    // The newest article of the index (rk-aid, 2024-03-08) doubles its score; one seven days
    // older gains 2^(-7/30) of it.
    for (id, days) in [("rk-aid", 0.0), ("rk-weather", 1.0), ("rk-headline", 7.0)] {
        let before = plain.iter().find(|(i, _)| i == id).unwrap().1;
        let after = recent.iter().find(|(i, _)| i == id).unwrap().1;
        let expected = 1.0 + (-days / 30.0f64).exp2();
        assert!(
            (after / before - expected).abs() < 1e-3,
            "{id}: {after} / {before}, expected × {expected}"
        );
    }
    let mut sorted = recent.clone();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    assert_eq!(recent, sorted);
    let out = dateline(
        &fx.path(),
        &["search", "north", "--sort", "relevance_recent"],
    );
    assert!(
        stdout(&out).contains("by relevance recent"),
        "{}",
        stdout(&out)
    );
}
