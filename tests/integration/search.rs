use crate::common::*;

#[test]
fn each_language_matches_its_own_inflections() {
    let fx = FixtureIndex::new();
    // The energy article has no id: it gets one from its URL.
    let energy = fx.ids("pipeline", &[])[0].clone();
    let mut expected = vec!["en-summit".to_string(), "en-undated".to_string(), energy];
    expected.sort();
    assert_eq!(fx.id_set("summits", &[]), expected);
    assert_eq!(fx.ids("саммита", &[]), strings(&["ru-summit"]));
    assert_eq!(fx.ids("Gipfeltreffens", &[]), strings(&["de-gipfel"]));
    assert_eq!(fx.ids("정상회담", &[]), strings(&["ko-summit"]));
    assert_eq!(fx.ids("首脳会談", &[]), strings(&["ja-summit"]));
    assert_eq!(fx.ids("峰会", &[]), strings(&["zh-summit"]));
    assert_eq!(fx.ids("sommets", &[]), strings(&["fr-sommet"]));
    assert_eq!(fx.ids("cumbres", &[]), strings(&["es-cumbre"]));
}

#[test]
fn title_matches_rank_first() {
    let fx = FixtureIndex::new();
    assert_eq!(fx.ids("summit", &[])[0], "en-summit");
}

#[test]
fn exact_field_does_not_stem() {
    let fx = FixtureIndex::new();
    assert_eq!(fx.ids("exact:summits", &[]), strings(&["en-summit"]));
    assert_eq!(fx.ids("exact:саммит", &[]), strings(&["ru-summit"]));
    assert!(fx.ids("exact:саммита", &[]).is_empty());
}

#[test]
fn phrases_and_boolean_operators() {
    let fx = FixtureIndex::new();
    assert_eq!(
        fx.id_set("\"state visit\"", &[]),
        strings(&["en-sanctions", "en-summit"])
    );
    assert_eq!(
        fx.id_set("state visit", &[]),
        strings(&["en-sanctions", "en-summit", "en-visit-2000"])
    );
    assert_eq!(
        fx.id_set("state visit -sanctions", &[]),
        strings(&["en-summit", "en-visit-2000"])
    );
    assert_eq!(
        fx.id_set("state AND visit AND NOT sanctions", &[]),
        strings(&["en-summit", "en-visit-2000"])
    );
    let either = fx.id_set("(sanctions OR pipeline) talks", &[]);
    assert_eq!(either, strings(&["en-sanctions"]));
    assert_eq!(fx.search("sanctions OR pipeline", &[])["total"], 2);
    assert_eq!(fx.search("NOT summit", &[])["total"], 12 - 3);
}

#[test]
fn field_queries() {
    let fx = FixtureIndex::new();
    assert_eq!(fx.ids("title:summit", &[]), strings(&["en-summit"]));
    assert_eq!(
        fx.id_set("source:\"Harbour Test\"", &[]),
        strings(&["en-undated", "en-visit-2000"])
    );
    assert_eq!(
        fx.id_set("source:\"harbour test\" background", &[]),
        strings(&["en-undated"])
    );
    assert_eq!(fx.ids("author:\"Ada Stone\"", &[]), strings(&["en-summit"]));
    assert_eq!(fx.ids("id:de-gipfel", &[]), strings(&["de-gipfel"]));
}

#[test]
fn date_ranges_in_the_query_and_as_filters() {
    let fx = FixtureIndex::new();
    assert_eq!(
        fx.id_set("published:[2024-06-19 TO 2024-06-20]", &["--size", "50"]),
        strings(&[
            "en-sanctions",
            "en-summit",
            "ja-summit",
            "ko-summit",
            "ru-summit",
            "zh-summit"
        ])
    );
    let filtered = fx.id_set("*", &["--from", "2024-06-21", "--to", "2024-06-30"]);
    assert_eq!(filtered.len(), 3);
    assert!(
        filtered.contains(&"de-gipfel".to_string()) && filtered.contains(&"fr-sommet".to_string())
    );
    assert_eq!(fx.ids("published:2024-07", &[]), strings(&["es-cumbre"]));
    assert_eq!(
        fx.id_set("*", &["--from", "2024-07"]),
        strings(&["es-cumbre"])
    );
}

#[test]
fn filters_combine_with_the_query() {
    let fx = FixtureIndex::new();
    assert_eq!(
        fx.id_set("summit", &["--source", "Harbour Test"]),
        strings(&["en-undated"])
    );
    // Several sources or languages: any of them.
    assert_eq!(
        fx.search("*", &["--language", "fr", "--language", "es"])["total"],
        2
    );
    assert_eq!(
        fx.search("*", &["--source", "Test Wire", "--language", "en"])["total"],
        3
    );
}

#[test]
fn sorting_by_date_puts_undated_articles_last() {
    let fx = FixtureIndex::new();
    let newest = fx.ids("language:en", &["--sort", "newest"]);
    assert_eq!(
        &newest[1..4],
        &strings(&["en-sanctions", "en-summit", "en-visit-2000"])[..]
    );
    assert_eq!(newest[4], "en-undated");
    let oldest = fx.ids("language:en", &["--sort", "oldest"]);
    assert_eq!(
        &oldest[0..3],
        &strings(&["en-visit-2000", "en-summit", "en-sanctions"])[..]
    );
    assert_eq!(oldest[4], "en-undated");
    let response = fx.search("language:en", &["--sort", "newest"]);
    assert!(response["hits"][0]["score"].is_null());
    assert_eq!(response["hits"][1]["published"], "2024-06-20T00:00:00Z");
}

#[test]
fn facet_counts_equal_a_hand_count() {
    let fx = FixtureIndex::new();
    let all = fx.search("*", &[]);
    assert_eq!(all["total"], 12);
    assert_eq!(
        facet(&all, "source"),
        vec![
            ("Test Wire".to_string(), 3),
            ("Gazette Test".to_string(), 2),
            ("Harbour Test".to_string(), 2),
            ("Rhein Test".to_string(), 1),
            ("Северный тест".to_string(), 1),
            ("华东测试".to_string(), 1),
            ("東邦テスト".to_string(), 1),
            ("한빛 테스트".to_string(), 1),
        ]
    );
    let summit = fx.search("summit", &["--facets", "source,language"]);
    assert_eq!(
        facet(&summit, "source"),
        vec![
            ("Test Wire".to_string(), 2),
            ("Harbour Test".to_string(), 1)
        ]
    );
    assert_eq!(facet(&summit, "language"), vec![("en".to_string(), 3)]);
    assert!(summit["facets"].get("person").is_none());
    assert_eq!(summit["facets"].as_object().unwrap().len(), 2);
}

/// `[(date, count)]` of a response's histogram.
fn histogram(response: &serde_json::Value) -> Vec<(String, u64)> {
    response["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["date"].as_str().unwrap().to_string(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn histogram_buckets() {
    let fx = FixtureIndex::new();
    assert_eq!(
        histogram(&fx.search("*", &[])),
        vec![
            ("2024-05-01".to_string(), 1),
            ("2024-06-01".to_string(), 9),
            ("2024-07-01".to_string(), 1)
        ]
    );
    let by_day = fx.search(
        "*",
        &[
            "--histogram",
            "day",
            "--from",
            "2024-06-19",
            "--to",
            "2024-06-22",
        ],
    );
    assert_eq!(
        histogram(&by_day),
        vec![
            ("2024-06-19".to_string(), 5),
            ("2024-06-20".to_string(), 1),
            ("2024-06-21".to_string(), 1),
            ("2024-06-22".to_string(), 1),
        ]
    );
    let week = fx.search(
        "*",
        &[
            "--histogram",
            "week",
            "--from",
            "2024-06-17",
            "--to",
            "2024-06-30",
        ],
    );
    assert_eq!(week["histogram"][0]["date"], "2024-06-17");
    assert_eq!(week["histogram"][0]["count"], 8);
    assert_eq!(week["histogram"][1]["date"], "2024-06-24");
    assert_eq!(week["histogram"][1]["count"], 1);
}

#[test]
fn snippets_mark_the_matched_words() {
    let fx = FixtureIndex::new();
    let hit = &fx.search("pipeline", &[])["hits"][0];
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("discuss a <mark>pipeline</mark> and"),
        "{hit}"
    );
    let ru = &fx.search("саммита", &[])["hits"][0];
    assert!(
        ru["snippet"]
            .as_str()
            .unwrap()
            .contains("провели <mark>саммит</mark>"),
        "{ru}"
    );
    let ko = &fx.search("정상회담", &[])["hits"][0];
    assert!(
        ko["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>정상회담</mark>에서"),
        "{ko}"
    );
}

#[test]
fn json_hits_have_the_api_shape() {
    let fx = FixtureIndex::new();
    let response = fx.search("title:summit", &[]);
    let hit = &response["hits"][0];
    for key in [
        "id",
        "title",
        "url",
        "source",
        "author",
        "published",
        "language",
        "score",
        "snippet",
        "entities",
    ] {
        assert!(hit.get(key).is_some(), "missing {key}");
    }
    assert_eq!(hit["published"], "2024-06-19T09:00:00Z");
    assert_eq!(
        hit["entities"],
        serde_json::json!({"person": [], "place": ["Pyongyang"], "org": []})
    );
    for key in [
        "total",
        "took_ms",
        "page",
        "size",
        "hits",
        "facets",
        "histogram",
    ] {
        assert!(response.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn paging() {
    let fx = FixtureIndex::new();
    let first = fx.ids("*", &["--sort", "oldest", "--size", "5"]);
    let second = fx.ids("*", &["--sort", "oldest", "--size", "5", "--page", "2"]);
    let third = fx.ids("*", &["--sort", "oldest", "--size", "5", "--page", "3"]);
    assert_eq!((first.len(), second.len(), third.len()), (5, 5, 2));
    let mut all: Vec<String> = first.into_iter().chain(second).chain(third).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 12);
    let out = dateline(&fx.path(), &["search", "*", "--size", "500"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid `size`"), "{}", stderr(&out));
}

#[test]
fn a_query_syntax_error_names_the_position() {
    let fx = FixtureIndex::new();
    let out = dateline(&fx.path(), &["search", "summit (putin"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "dateline: query syntax error at position 8: the `(` at position 8 is never closed: add a `)`"
    );
    let out = dateline(&fx.path(), &["search", "published:[2024-06-01 2024-06-30]"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `published:[2024-06-01 TO 2024-06-30]`"));
    let out = dateline(&fx.path(), &["search", "*", "--from", "June"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad date `from=June`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn human_output_lists_hits_facets_and_timeline() {
    let fx = FixtureIndex::new();
    let out = dateline(&fx.path(), &["search", "саммита"]);
    let text = stdout(&out);
    assert!(text.starts_with("1 article(s) match `саммита`"), "{text}");
    assert!(text.contains("Саммит в Пхеньяне завершился подписанием договора"));
    assert!(
        text.contains("Северный тест · 2024-06-19 · ru · ru-summit"),
        "{text}"
    );
    assert!(text.contains("language: ru (1)"));
    assert!(text.contains("timeline (by month):"));
}

#[test]
fn stats_describe_the_index() {
    let fx = FixtureIndex::new();
    let out = dateline(&fx.path(), &["stats", "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["articles"], 12);
    assert_eq!(stats["undated"], 1);
    assert_eq!(stats["first_published"], "2024-05-02T08:30:00Z");
    assert_eq!(stats["last_published"], "2024-07-01T00:00:00Z");
    assert_eq!(
        stats["sources"][0],
        serde_json::json!({"value": "Test Wire", "count": 3})
    );
    assert_eq!(
        stats["languages"][0],
        serde_json::json!({"value": "en", "count": 5})
    );
    assert!(stats["index_bytes"].as_u64().unwrap() > 1000);
    let text = stdout(&dateline(&fx.path(), &["stats"]));
    assert!(text.contains("12 articles"), "{text}");
    assert!(
        text.contains("published 2024-05-02 to 2024-07-01 (1 undated)"),
        "{text}"
    );
}
