//! Stories on `tests/fixtures/stories.jsonl`: one wire story in eight versions (the original,
//! a new headline, a trim to two paragraphs, a credit line and footer added, light edits, an
//! "UPDATE 1-" paragraph on top, paragraphs reordered after the lead, an undated copy), a
//! French version, two other stories on the same strike and two weekly template reports with
//! different figures. `stories-late.jsonl` is one more copy, indexed in a later run.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::*;

const FAMILY: [&str; 8] = [
    "st-orig",
    "st-headline",
    "st-trim",
    "st-credit",
    "st-edit",
    "st-update",
    "st-reorder",
    "st-undated",
];
const ALONE: [&str; 5] = [
    "st-french",
    "st-related-1",
    "st-related-2",
    "st-tonnage-1",
    "st-tonnage-2",
];

/// Every exported article's story, by article id.
fn stories(index: &std::path::Path) -> BTreeMap<String, Value> {
    let out = dateline(index, &["export", "*"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|line| {
            let article: Value = serde_json::from_str(line).unwrap();
            (
                article["id"].as_str().unwrap().to_string(),
                article["story"].clone(),
            )
        })
        .collect()
}

/// The articles grouped by story id, each group sorted, the groups sorted.
fn groups(stories: &BTreeMap<String, Value>) -> BTreeSet<Vec<String>> {
    let mut by_story: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, story) in stories {
        by_story
            .entry(story["id"].as_str().unwrap().to_string())
            .or_default()
            .push(id.clone());
    }
    by_story
        .into_values()
        .map(|mut ids| {
            ids.sort();
            ids
        })
        .collect()
}

fn expected_groups(family: &[&str]) -> BTreeSet<Vec<String>> {
    let mut expected: BTreeSet<Vec<String>> = ALONE.iter().map(|id| strings(&[id])).collect();
    let mut family = strings(family);
    family.sort();
    expected.insert(family);
    expected
}

#[test]
fn copies_form_one_story_first_published_by_the_originator() {
    let fx = FixtureIndex::of("stories.jsonl");
    let stories = stories(&fx.path());
    assert_eq!(groups(&stories), expected_groups(&FAMILY));
    let original = &stories["st-orig"];
    assert_eq!(original["versions"], 8);
    // The Valley Herald ran it an hour later; the undated copy never counts as first.
    assert_eq!(original["first"], "st-orig");
    assert_eq!(original["first_source"], "Harbour Wire");
    assert_eq!(
        original["sources"],
        serde_json::json!([
            "Harbour Wire",
            "Valley Herald",
            "Coastline Post",
            "Evening Gazette",
            "Northern Courier",
            "Island Times",
            "Archive Digest"
        ])
    );
    assert_eq!(stories["st-undated"], *original);
    assert_eq!(stories["st-french"]["versions"], 1);
    assert_eq!(stories["st-french"]["first"], "st-french");
}

#[test]
fn collapsed_search_lists_each_story_once() {
    let fx = FixtureIndex::of("stories.jsonl");
    let plain = fx.search("velmora", &["--size", "100"]);
    assert_eq!(plain["total"], 13);
    assert!(plain.get("stories").is_none());
    let collapsed = fx.search("velmora", &["--collapse", "--size", "100"]);
    assert_eq!(collapsed["total"], 13);
    assert_eq!(collapsed["stories"], 6);
    let listed = ids(&collapsed);
    assert_eq!(listed.len(), 6);
    let mut shown: Vec<String> = listed.clone();
    shown.sort();
    let mut expected = strings(&ALONE);
    expected.push("st-orig".to_string());
    expected.sort();
    assert_eq!(shown, expected, "the earliest version stands for the story");
    let latest = fx.ids("velmora", &["--collapse", "--represent", "latest"]);
    assert!(latest.contains(&"st-update".to_string()), "{latest:?}");
    assert!(!latest.contains(&"st-orig".to_string()), "{latest:?}");
    // By date, a story sits where its representative was published.
    let oldest = fx.ids("velmora", &["--collapse", "--sort", "oldest"]);
    assert_eq!(
        oldest[..3],
        strings(&["st-tonnage-1", "st-tonnage-2", "st-orig"])
    );
    // A filter that leaves one version of the story: that version stands for it.
    let trimmed = fx.search("velmora", &["--collapse", "--source", "Evening Gazette"]);
    assert_eq!(ids(&trimmed), strings(&["st-trim"]));
    assert_eq!(trimmed["hits"][0]["story"]["versions"], 8);
    // The text output names the originator and the other outlets.
    let out = dateline(&fx.path(), &["search", "dockworkers", "--collapse"]);
    let text = stdout(&out);
    assert!(text.contains("9 article(s) in 2 stories match"), "{text}");
    assert!(
        text.contains("8 versions, this is the first; also Valley Herald"),
        "{text}"
    );
}

#[test]
fn collapsed_pages_cut_one_ranking_and_name_each_story_by_its_representative() {
    let fx = FixtureIndex::of("stories.jsonl");
    for sort in ["relevance", "newest", "oldest"] {
        for represent in ["earliest", "latest"] {
            let args = ["--collapse", "--sort", sort, "--represent", represent];
            let whole = fx.search(
                "velmora OR dockworkers",
                &[&args[..], &["--size", "100"]].concat(),
            );
            let stories = whole["stories"].as_u64().unwrap();
            assert_eq!(stories, 6, "{sort} {represent}");
            // Pages of two, however the stories are kept, are the whole list cut in pieces.
            let mut paged = Vec::new();
            for page in 1..=stories.div_ceil(2) {
                let page = page.to_string();
                let one = fx.search(
                    "velmora OR dockworkers",
                    &[&args[..], &["--size", "2", "--page", &page]].concat(),
                );
                assert_eq!(one["stories"], stories, "{sort} {represent} page {page}");
                paged.extend(ids(&one));
            }
            assert_eq!(paged, ids(&whole), "{sort} {represent}");
            // The wire story is named by its first or its newest version, whichever ranks.
            let wire = if represent == "earliest" {
                "st-orig"
            } else {
                "st-update"
            };
            assert!(
                ids(&whole).contains(&wire.to_string()),
                "{sort} {represent}: {:?}",
                ids(&whole)
            );
        }
    }
}

#[test]
fn a_story_that_climbs_onto_the_page_late_is_still_named_by_its_first_version() {
    // In index order: the first version (a weak match), another story (a better one) that
    // pushes it off a one-story page, then an update that ranks best of all.
    let fx = FixtureIndex::of("stories-rank.jsonl");
    assert_eq!(fx.ids("ferry", &[]), strings(&["fx-a2", "fx-b1", "fx-a1"]));
    let top = fx.search("ferry", &["--collapse", "--size", "1"]);
    assert_eq!(top["stories"], 2);
    assert_eq!(ids(&top), strings(&["fx-a1"]));
    let update = fx.search("ferry", &["--size", "1"]);
    assert_eq!(top["hits"][0]["score"], update["hits"][0]["score"]);
    let latest = fx.ids(
        "ferry",
        &["--collapse", "--size", "1", "--represent", "latest"],
    );
    assert_eq!(latest, strings(&["fx-a2"]));
}

#[test]
fn a_copy_indexed_in_a_later_run_joins_its_story_and_reindexing_regroups_alike() {
    let fx = FixtureIndex::of("stories.jsonl");
    let out = dateline(
        &fx.path(),
        &["index", fixture("stories-late.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let joined = stories(&fx.path());
    let mut family = FAMILY.to_vec();
    family.push("st-late");
    assert_eq!(groups(&joined), expected_groups(&family));
    assert_eq!(joined["st-late"]["versions"], 9);
    assert_eq!(joined["st-late"]["first"], "st-orig");
    let out = dateline(&fx.path(), &["reindex"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(groups(&stories(&fx.path())), expected_groups(&family));
}

#[test]
fn csv_export_carries_the_story() {
    let fx = FixtureIndex::of("stories.jsonl");
    let out = dateline(&fx.path(), &["export", "velmora", "--format", "csv"]);
    let text = stdout(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[13..],
        strings(&[
            "dateline_place",
            "credit",
            "story",
            "story_versions",
            "story_first"
        ])
    );
    let rows: BTreeMap<String, (String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), (r[16].to_string(), r[17].to_string()))
        })
        .collect();
    assert_eq!(rows["st-trim"], ("8".to_string(), "st-orig".to_string()));
    assert_eq!(
        rows["st-tonnage-2"],
        ("1".to_string(), "st-tonnage-2".to_string())
    );
}

#[test]
fn a_story_lists_its_versions_in_time_order_with_their_changes() {
    let fx = FixtureIndex::of("stories.jsonl");
    let id = fx.search("dockworkers", &[])["hits"][0]["story"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = dateline(&fx.path(), &["story", &id, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lineage: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lineage["versions"], 8);
    assert_eq!(lineage["first"], "st-orig");
    let articles = lineage["articles"].as_array().unwrap();
    let order: Vec<&str> = articles.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [
            "st-orig",
            "st-credit",
            "st-headline",
            "st-trim",
            "st-edit",
            "st-reorder",
            "st-update",
            "st-undated"
        ]
    );
    let by_id = |id: &str| articles.iter().find(|a| a["id"] == id).unwrap();
    assert_eq!(by_id("st-orig")["changes"], Value::Null);
    assert_eq!(by_id("st-credit")["after_first_seconds"], 3600);
    assert_eq!(by_id("st-undated")["after_first_seconds"], Value::Null);
    assert_eq!(by_id("st-headline")["changes"]["identical"], true);
    let trim = &by_id("st-trim")["changes"];
    assert_eq!(
        (
            trim["paragraphs_added"].clone(),
            trim["paragraphs_removed"].clone()
        ),
        (0.into(), 3.into())
    );
    assert!(
        trim["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["change"] == "removed")
    );
    let reorder = &by_id("st-reorder")["changes"];
    assert_eq!(reorder["reordered"], true);
    // Its dateline's dash is a hyphen: that sentence changed; the three others only moved.
    assert_eq!(reorder["sentences"].as_array().unwrap().len(), 2);
    assert_eq!(reorder["sentences_moved"], 3);
    // The update put a paragraph on top and moved the dateline to it.
    let update = &by_id("st-update")["changes"];
    assert_eq!(
        (
            update["paragraphs_added"].clone(),
            update["paragraphs_removed"].clone()
        ),
        (2.into(), 1.into())
    );
    let changed: Vec<(&str, String)> = update["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = c["text"].as_str().unwrap().chars().take(45).collect();
            (c["change"].as_str().unwrap(), text)
        })
        .collect();
    assert_eq!(
        changed,
        [
            (
                "removed",
                "VELMORA, May 6 (Harbour Wire) — Dockworkers a".to_string()
            ),
            (
                "added",
                "VELMORA, May 6 (Harbour Wire) — The labour mi".to_string()
            ),
            (
                "added",
                "Dockworkers at the port of Velmora walked off".to_string()
            ),
        ]
    );
    let edit = &by_id("st-edit")["changes"]["sentences"];
    assert!(
        edit.as_array()
            .unwrap()
            .iter()
            .any(|c| c["change"] == "added"
                && c["text"].as_str().unwrap().contains("walked out on Monday"))
    );
    // The text view.
    let text = stdout(&dateline(&fx.path(), &["story", &id]));
    assert!(text.contains("first published by Harbour Wire (st-orig) on 2024-05-06 08:00; 7 outlets within 6 h 0 min"), "{text}");
    assert!(
        text.contains("+ (Reporting by Ana Ferris; Editing by Tom Hale)"),
        "{text}"
    );
    // Errors name what is wrong.
    let out = dateline(&fx.path(), &["story", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a story id"),
        "{}",
        stderr(&out)
    );
    let out = dateline(&fx.path(), &["story", "0000000000000001"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no story with id `0000000000000001`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn datelines_and_credits_are_facets_filters_and_lineage() {
    let fx = FixtureIndex::of("stories.jsonl");
    let all = fx.search("*", &["--facets", "dateline_place,credit", "--size", "100"]);
    assert_eq!(
        facet(&all, "dateline_place"),
        vec![("Velmora".to_string(), 10)]
    );
    assert_eq!(
        facet(&all, "credit"),
        vec![
            ("Harbour Wire".to_string(), 8),
            ("Agence France-Presse".to_string(), 1),
            ("Associated Press".to_string(), 1),
        ]
    );
    let hit = |id: &str| {
        all["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap()
            .clone()
    };
    // "VELMORA, 6 mai (AFP) –", "— AP" closing the text, "VELMORA (Harbour Wire) --".
    assert_eq!(hit("st-french")["credit"], "Agence France-Presse");
    assert_eq!(hit("st-related-1")["credit"], "Associated Press");
    assert!(hit("st-related-1").get("dateline_place").is_none());
    assert_eq!(hit("st-tonnage-1")["dateline_place"], "Velmora");
    // "Velmora, May 6 (Harbour Wire) –" in title case, "VELMORA —" without a credit.
    assert_eq!(hit("st-edit")["credit"], "Harbour Wire");
    assert!(hit("st-credit").get("credit").is_none());
    assert_eq!(
        fx.id_set("*", &["--credit", "AFP", "--credit", "AP"]),
        strings(&["st-french", "st-related-1"])
    );
    assert_eq!(
        fx.id_set("credit:\"associated press\"", &[]),
        strings(&["st-related-1"])
    );
    assert_eq!(fx.search("dateline:velmora", &[])["total"], 10);
    // The lineage says which versions credit the originator.
    let id = hit("st-orig")["story"]["id"].as_str().unwrap().to_string();
    let out = dateline(&fx.path(), &["story", &id, "--json"]);
    let lineage: Value = serde_json::from_slice(&out.stdout).unwrap();
    let credits: BTreeMap<String, Value> = lineage["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["credits_first"].clone(),
            )
        })
        .collect();
    assert_eq!(credits["st-orig"], Value::Null);
    for id in [
        "st-headline",
        "st-trim",
        "st-edit",
        "st-update",
        "st-reorder",
    ] {
        assert_eq!(credits[id], true, "{id}");
    }
    assert_eq!(credits["st-credit"], false);
    assert_eq!(credits["st-undated"], false);
}

#[test]
fn facets_and_the_timeline_can_count_stories() {
    let fx = FixtureIndex::of("stories.jsonl");
    let args = ["--facets", "source,credit", "--histogram", "day"];
    let articles = fx.search("velmora", &args);
    let mut by_story = args.to_vec();
    by_story.extend(["--count", "stories"]);
    let stories = fx.search("velmora", &by_story);
    // Harbour Wire ran five articles: the wire story, its update, the third-day story and the
    // two tonnage reports — four stories.
    assert_eq!(
        facet(&articles, "source")[0],
        ("Harbour Wire".to_string(), 5)
    );
    assert_eq!(
        facet(&stories, "source")[0],
        ("Harbour Wire".to_string(), 4)
    );
    // Eight articles credit Harbour Wire: seven versions of one story and the two reports.
    assert_eq!(
        facet(&articles, "credit")[0],
        ("Harbour Wire".to_string(), 8)
    );
    assert_eq!(
        facet(&stories, "credit")[0],
        ("Harbour Wire".to_string(), 3)
    );
    let day = |response: &Value| {
        response["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["date"] == "2024-05-06")
            .unwrap()["count"]
            .clone()
    };
    // May 6: the seven dated versions and the French story.
    assert_eq!((day(&articles), day(&stories)), (8.into(), 2.into()));
    // Hits and totals are the same either way.
    assert_eq!(ids(&articles), ids(&stories));
    assert_eq!(articles["total"], stories["total"]);
}

#[test]
fn collapsed_the_relaxed_tier_does_not_list_a_story_again() {
    let fx = FixtureIndex::of("stories.jsonl");
    // Only the update holds "ninth": every other Velmora article follows in the relaxed tier,
    // and the update's story is not listed a second time through another of its versions.
    let found = fx.search("velmora ninth", &["--collapse", "--size", "20"]);
    assert_eq!(found["total"], 1);
    let mut listed = ids(&found);
    assert_eq!(listed[0], "st-update");
    listed.sort();
    let mut expected = strings(&ALONE);
    expected.push("st-update".to_string());
    expected.sort();
    assert_eq!(listed, expected);
}
