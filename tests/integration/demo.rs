use std::collections::BTreeSet;

use crate::common::*;

#[test]
fn demo_builds_a_multilingual_archive_and_refuses_to_overwrite_other_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("demo");
    let out = dateline(&index, &["demo", "--no-serve"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("search саммит"), "{}", stdout(&out));

    let stats: serde_json::Value =
        serde_json::from_slice(&dateline(&index, &["stats", "--json"]).stdout).unwrap();
    assert!(stats["articles"].as_u64().unwrap() >= 150);
    assert!(stats["sources"].as_array().unwrap().len() >= 12);
    let languages: BTreeSet<&str> = stats["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        languages,
        ["de", "en", "es", "fr", "ja", "ko", "ru", "zh"]
            .into_iter()
            .collect()
    );
    assert_eq!(stats["first_published"], "2024-06-11T06:40:00Z");
    assert_eq!(stats["last_published"], "2024-07-08T15:00:00Z");
    assert_eq!(stats["undated"], 0);

    // Rebuilding the demo replaces it.
    let again = dateline(&index, &["demo", "--no-serve"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let restats: serde_json::Value =
        serde_json::from_slice(&dateline(&index, &["stats", "--json"]).stdout).unwrap();
    assert_eq!(restats["articles"], stats["articles"]);

    // Wire copy republished by several outlets is found under each of them.
    let out = dateline(
        &index,
        &["search", "\"truly breakthrough document\"", "--json"],
    );
    let wire: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(wire["total"].as_u64().unwrap() >= 3, "{wire}");

    // An index of the user's own is never replaced by the demo.
    let own = dir.path().join("own");
    let out = dateline(
        &own,
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = dateline(&own, &["demo", "--no-serve"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("will not overwrite"),
        "{}",
        stderr(&out)
    );
}
