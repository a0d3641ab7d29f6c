use crate::common::*;

#[test]
fn indexing_the_fixture_reports_every_article() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = dateline(
        &index,
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("indexed 12 articles (12 new, 0 replaced) from 1 input(s)"),
        "{}",
        stderr(&out)
    );
    // Not a terminal: no progress bar drawing codes.
    assert!(!stderr(&out).contains('\u{1b}'));
}

#[test]
fn reindexing_the_same_file_replaces_instead_of_duplicating() {
    let fx = FixtureIndex::new();
    let out = dateline(
        &fx.path(),
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("indexed 12 articles (0 new, 12 replaced)"),
        "{}",
        stderr(&out)
    );
    let stats: serde_json::Value =
        serde_json::from_slice(&dateline(&fx.path(), &["stats", "--json"]).stdout).unwrap();
    assert_eq!(stats["articles"], 12);

    // A corrected version of one article replaces it.
    let update = br#"{"id":"en-summit","title":"Leaders meet at summit (corrected)","body":"Updated text.","language":"en"}"#;
    let out = dateline_with_stdin(&fx.path(), &["index", "-"], Some(update));
    assert!(
        stderr(&out).contains("indexed 1 articles (0 new, 1 replaced)"),
        "{}",
        stderr(&out)
    );
    let found = fx.search("corrected", &[]);
    assert_eq!(ids(&found), strings(&["en-summit"]));
    assert_eq!(
        found["hits"][0]["title"],
        "Leaders meet at summit (corrected)"
    );
    assert_eq!(fx.search("*", &[])["total"], 12);
}

#[test]
fn articles_without_id_get_a_stable_id_from_their_url() {
    let fx = FixtureIndex::new();
    let hits = fx.search("pipeline", &[]);
    let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    // Same URL with tracking parameters: the same article.
    let again = br#"{"url":"https://FIXTURES.example/2024/06/30/energy?utm_source=feed","title":"Energy ministers discuss pipeline","body":"Revised.","language":"en"}"#;
    let out = dateline_with_stdin(&fx.path(), &["index", "-"], Some(again));
    assert!(
        stderr(&out).contains("(0 new, 1 replaced)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fx.ids("pipeline", &[]), vec![id]);
}

#[test]
fn malformed_records_are_reported_with_file_and_line_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.jsonl");
    let mut content = Vec::new();
    content.extend_from_slice(b"{\"id\":\"ok-1\",\"title\":\"First valid\",\"body\":\"alpha\"}\n");
    content.extend_from_slice(b"{\"id\":\"bad-json\", \"title\": \"unterminated}\n");
    content.extend_from_slice(b"{\"id\":\"bad-utf8\",\"title\":\"\xff\xfe\"}\n");
    content.extend_from_slice(b"{\"id\":\"empty\",\"title\":\"\",\"body\":\"   \"}\n");
    content.extend_from_slice(b"[1,2,3]\n");
    content.extend_from_slice(b"{\"id\":\"ok-2\",\"title\":\"Second valid\",\"body\":\"beta\"}\n");
    content.extend_from_slice(b"\n");
    content.extend_from_slice(b"\"just a string\"\n");
    content.extend_from_slice(
        b"{\"id\":\"ok-3\",\"title\":\"Third valid\",\"body\":\"gamma\",\"date\":\"next Tuesday\"}\n",
    );
    std::fs::write(&file, content).unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let name = file.display().to_string();
    for expected in [
        format!("{name}:2: invalid JSON"),
        format!("{name}:3: invalid UTF-8 at byte 27 of the line"),
        format!("{name}:4: empty article"),
        format!("{name}:5: not a JSON object"),
        format!("{name}:8: not a JSON object"),
        format!("warning {name}:9: date `next Tuesday` not understood"),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in:\n{err}");
    }
    assert!(err.contains("indexed 3 articles"), "{err}");
    assert!(err.contains("skipped 5 record(s)"), "{err}");
    let out = dateline(&index, &["search", "*", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = ids(&all);
    found.sort();
    assert_eq!(found, strings(&["ok-1", "ok-2", "ok-3"]));
}

#[test]
fn gzip_directories_and_stdin_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("archive/2024");
    std::fs::create_dir_all(&nested).unwrap();
    let text = std::fs::read(fixture("articles.jsonl")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &text).unwrap();
    std::fs::write(nested.join("part.jsonl.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(
        dir.path().join("archive/cover.jpg"),
        b"\xff\xd8\xff\xe0\0\x10JFIF",
    )
    .unwrap();
    let index = dir.path().join("index");
    let out = dateline(
        &index,
        &["index", dir.path().join("archive").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("indexed 12 articles"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("ignored 1 file(s)"),
        "{}",
        stderr(&out)
    );

    let line = br#"{"id":"from-stdin","title":"Piped article","body":"Read from standard input."}"#;
    let out = dateline_with_stdin(&index, &["index", "-"], Some(line));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fx_total: serde_json::Value =
        serde_json::from_slice(&dateline(&index, &["search", "piped", "--json"]).stdout).unwrap();
    assert_eq!(ids(&fx_total), strings(&["from-stdin"]));
}

#[test]
fn a_missing_input_or_index_is_a_clear_fatal_error() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", "no-such-file.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot access `no-such-file.jsonl`"),
        "{}",
        stderr(&out)
    );
    let out = dateline(&index, &["search", "summit"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no index at"), "{}", stderr(&out));
    // A directory holding other things is not turned into an index.
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let out = dateline(
        dir.path(),
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a Dateline index"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn languages_are_detected_when_not_given() {
    let fx = FixtureIndex::new();
    let all = fx.search("*", &["--facets", "language"]);
    assert_eq!(
        facet(&all, "language"),
        vec![
            ("en".to_string(), 5),
            ("de".to_string(), 1),
            ("es".to_string(), 1),
            ("fr".to_string(), 1),
            ("ja".to_string(), 1),
            ("ko".to_string(), 1),
            ("ru".to_string(), 1),
            ("zh".to_string(), 1),
        ]
    );
    for (lang, id) in [
        ("ru", "ru-summit"),
        ("de", "de-gipfel"),
        ("ko", "ko-summit"),
        ("ja", "ja-summit"),
        ("fr", "fr-sommet"),
        ("es", "es-cumbre"),
        ("zh", "zh-summit"),
    ] {
        assert_eq!(
            fx.ids(&format!("language:{lang}"), &[]),
            vec![id.to_string()]
        );
    }
}
