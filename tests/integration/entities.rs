//! Entity tagging through the whole pipeline: index, facets, filters, cross-script search,
//! mentions in the article view, autocomplete.

use serde_json::json;

use crate::common::*;

fn entity_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dateline(
        &dir.path().join("index"),
        &["index", fixture("entities.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

fn search(dir: &tempfile::TempDir, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = dateline(&dir.path().join("index"), &all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn facets_count_canonical_entities_across_scripts() {
    let dir = entity_index();
    let all = search(&dir, &["*"]);
    assert_eq!(
        facet(&all, "person"),
        vec![
            ("Kim Jong Un".to_string(), 3),
            ("Vladimir Putin".to_string(), 3),
            ("Sergei Lavrov".to_string(), 1),
        ]
    );
    assert_eq!(
        facet(&all, "place"),
        vec![("Pyongyang".to_string(), 3), ("Moscow".to_string(), 1)]
    );
    assert_eq!(
        facet(&all, "org"),
        vec![
            ("Korean Central News Agency".to_string(), 3),
            ("United Nations".to_string(), 1),
        ]
    );
}

#[test]
fn entity_filters_and_queries() {
    let dir = entity_index();
    let both = search(
        &dir,
        &["*", "--person", "Vladimir Putin", "--person", "Kim Jong Un"],
    );
    let mut found = ids(&both);
    found.sort();
    assert_eq!(found, strings(&["ent-en", "ent-ko", "ent-ru"]));
    assert_eq!(
        ids(&search(&dir, &["*", "--person", "Sergei Lavrov"])),
        strings(&["ent-lavrov"])
    );
    assert_eq!(
        search(&dir, &["person:\"kim jong un\" place:Pyongyang"])["total"],
        3
    );
    assert_eq!(search(&dir, &["*", "--org", "United Nations"])["total"], 1);
}

#[test]
fn a_cyrillic_name_finds_articles_in_every_script() {
    let dir = entity_index();
    let mut found = ids(&search(&dir, &["Путин"]));
    found.sort();
    assert_eq!(found, strings(&["ent-en", "ent-ko", "ent-ru"]));
    let mut found = ids(&search(&dir, &["김정은"]));
    found.sort();
    assert_eq!(found, strings(&["ent-en", "ent-ko", "ent-ru"]));
}

#[tokio::test]
async fn article_view_has_mention_offsets_and_autocomplete_counts() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let dir = entity_index();
    let app = || {
        dateline::server::app(std::sync::Arc::new(dateline::server::AppState::new(
            &dir.path().join("index"),
        )))
    };
    let get = |uri: &str| {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        async move {
            let response = app().oneshot(request).await.unwrap();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()
        }
    };
    let article = get("/api/articles/ent-ru").await;
    let body: Vec<char> = article["body"].as_str().unwrap().chars().collect();
    let mentions: Vec<(String, String, String)> = article["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let (start, end) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            (
                body[start..end].iter().collect(),
                m["type"].as_str().unwrap().to_string(),
                m["entity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("Владимир Путин", "person", "Vladimir Putin"),
        ("Ким Чен Ыном", "person", "Kim Jong Un"),
        ("ЦТАК", "org", "Korean Central News Agency"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(mentions, expected);

    assert_eq!(
        get("/api/entities?prefix=jong").await,
        json!({"entities": [{"name": "Kim Jong Un", "type": "person", "count": 3}]})
    );
    // Aliases in any script complete too.
    assert_eq!(
        get("/api/entities?prefix=%D0%BF%D1%83%D1%82").await,
        json!({"entities": [{"name": "Vladimir Putin", "type": "person", "count": 3}]})
    );
    assert_eq!(
        get("/api/entities?prefix=p&type=place").await,
        json!({"entities": [{"name": "Pyongyang", "type": "place", "count": 3}]})
    );
}

#[test]
fn common_words_are_not_entities() {
    let dir = entity_index();
    let none = search(&dir, &["id:ent-none"]);
    assert_eq!(
        none["hits"][0]["entities"],
        json!({"person": [], "place": [], "org": []})
    );
}

#[test]
fn tag_prints_spans_with_character_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"id\":\"a\",\"text\":\"Путин встретился с Ким Чен Ыном в Пхеньяне.\"}\n{\"id\":7,\"text\":\"KCNA: Kim Jong-un greeted President Vladimir Putin.\"}\n";
    let out = dateline_with_stdin(&dir.path().join("unused"), &["tag"], Some(input.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["id"], 7);
    let texts = [
        "Путин встретился с Ким Чен Ыном в Пхеньяне.",
        "KCNA: Kim Jong-un greeted President Vladimir Putin.",
    ];
    let mut found = Vec::new();
    for (line, text) in lines.iter().zip(texts) {
        let chars: Vec<char> = text.chars().collect();
        for span in line["spans"].as_array().unwrap() {
            let (start, end) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            let covered: String = chars[start..end].iter().collect();
            assert_eq!(covered, span["text"].as_str().unwrap());
            found.push(format!(
                "{}:{}={}",
                span["label"].as_str().unwrap(),
                covered,
                span["entity"].as_str().unwrap()
            ));
        }
    }
    assert_eq!(
        found,
        vec![
            "PER:Путин=Vladimir Putin",
            "PER:Ким Чен Ыном=Kim Jong Un",
            "LOC:Пхеньяне=Pyongyang",
            "ORG:KCNA=Korean Central News Agency",
            "PER:Kim Jong-un=Kim Jong Un",
            "PER:Vladimir Putin=Vladimir Putin",
        ]
    );
}

#[test]
fn eval_entities_scores_a_gold_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.conll");
    std::fs::write(
        &gold,
        "-DOCSTART- O\n\nVladimir B-PER\nPutin I-PER\nmet O\nthe O\nPresident O\nin O\nPyongyang B-LOC\n. O\n\nAcme B-ORG\nCorp I-ORG\nhired O\nSmith B-PER\n. O\n",
    )
    .unwrap();
    let out = dateline(
        &dir.path().join("unused"),
        &["eval-entities", gold.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("(2 sentences, 13 tokens)"), "{text}");
    // The gazetteer finds Vladimir Putin and Pyongyang; the statistical model may find more.
    let all = text
        .lines()
        .find(|l| l.trim_start().starts_with("ALL"))
        .unwrap();
    let numbers: Vec<f64> = all
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    let (p, r, f) = (numbers[0], numbers[1], numbers[2]);
    let (tp, fp, fn_) = (numbers[3], numbers[4], numbers[5]);
    assert_eq!(tp + fn_, 4.0, "{text}");
    assert!(tp >= 2.0, "{text}");
    assert!((p - tp / (tp + fp)).abs() < 0.001, "{text}");
    assert!((r - tp / (tp + fn_)).abs() < 0.001, "{text}");
    assert!((f - 2.0 * p * r / (p + r)).abs() < 0.002, "{text}");
}

#[test]
fn corrections_apply_when_reindexing_from_stored_text() {
    let dir = entity_index();
    let corrections = dir.path().join("corrections.tsv");
    std::fs::write(
        &corrections,
        "# house style\nrename\tperson\tKim Jong Un\tKim Jong-un\nnever\tKorean Central News Agency\nadd\torg\tEntity Wire\tEntity Wire\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let out = dateline(
        &index,
        &["--corrections", corrections.to_str().unwrap(), "reindex"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("re-tagged 5 articles"),
        "{}",
        stderr(&out)
    );
    let all = search(&dir, &["*"]);
    assert_eq!(all["total"], 5);
    assert_eq!(
        facet(&all, "person"),
        vec![
            ("Kim Jong-un".to_string(), 3),
            ("Vladimir Putin".to_string(), 3),
            ("Sergei Lavrov".to_string(), 1),
        ]
    );
    assert_eq!(facet(&all, "org"), vec![("United Nations".to_string(), 1)]);
    // The article text is untouched; only its entities changed.
    let lavrov = search(&dir, &["id:ent-lavrov"]);
    assert_eq!(lavrov["hits"][0]["title"], "Lavrov speaks in Moscow");

    // A mistake in the file is a clear error naming the line, and nothing is re-tagged.
    std::fs::write(&corrections, "rename\tpersons\tA\tB\n").unwrap();
    let out = dateline(
        &index,
        &["--corrections", corrections.to_str().unwrap(), "reindex"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 1: `persons` is not a type"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_statistical_model_finds_names_the_gazetteer_lacks_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let article = br#"{"id":"new-names","language":"en","title":"Rates to rise","body":"Finance Minister Jonathan Hale said on Tuesday that the Bank of Norland would raise rates. He told reporters in Kestrel City that inflation was too high."}"#;
    let plain = dir.path().join("plain");
    let out = dateline_with_stdin(&plain, &["index", "-"], Some(article));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = dir.path().join("found");
    let out = dateline_with_stdin(&found, &["index", "--find-new-names", "-"], Some(article));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let entities = |index: &std::path::Path| {
        let out = dateline(index, &["search", "*", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["hits"][0]["entities"].clone()
    };
    assert_eq!(
        entities(&plain),
        json!({"person": [], "place": [], "org": []})
    );
    // The names are found; which type an unknown "Bank of Norland" gets is the model's call.
    let found = entities(&found);
    assert_eq!(found["person"], json!(["Jonathan Hale"]));
    let mut names: Vec<String> = ["person", "place", "org"]
        .iter()
        .flat_map(|t| found[*t].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        strings(&["Bank of Norland", "Jonathan Hale", "Kestrel City"])
    );
}
