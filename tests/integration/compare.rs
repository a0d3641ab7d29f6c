//! Comparing coverage (`/api/compare`): counts per period and shares of all coverage that add
//! up, per-outlet shares, and the errors.

use std::sync::Arc;

use axum::http::StatusCode;
use dateline::server::AppState;
use serde_json::Value;

use crate::common::*;

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[tokio::test]
async fn two_queries_on_one_timeline_as_counts_and_shares_that_add_up() {
    let fx = FixtureIndex::of("stories.jsonl");
    let state = Arc::new(AppState::new(&fx.path()));
    // Velmora and everything else: each period's two shares add up to the whole.
    let (status, body) = api_get(
        &state,
        "/api/compare?q=velmora&q=*%20-velmora&histogram=week",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["histogram"], "week");
    let all = numbers(&body["all"]);
    assert_eq!(body["buckets"].as_array().unwrap().len(), all.len());
    // Twelve of the thirteen articles are dated; the weeks run from 2024-04-29 to 2024-05-06.
    assert_eq!(all.iter().sum::<f64>(), 12.0);
    assert_eq!(body["buckets"][0], "2024-04-29");
    assert_eq!(body["all_total"], 13);
    let (velmora, rest) = (&body["series"][0], &body["series"][1]);
    assert_eq!(
        (velmora["q"].as_str(), velmora["total"].as_u64()),
        (Some("velmora"), Some(13))
    );
    for (i, whole) in all.iter().enumerate() {
        let counts = numbers(&velmora["counts"])[i] + numbers(&rest["counts"])[i];
        assert_eq!(counts, *whole, "week {i}");
        let shares = numbers(&velmora["shares"])[i] + numbers(&rest["shares"])[i];
        assert!(
            *whole == 0.0 || (shares - 1.0).abs() < 1e-9,
            "week {i}: {shares}"
        );
    }
    assert_eq!(rest["total"], 0);
    // Per outlet: the share of each outlet's own output.
    let harbour = &velmora["sources"][0];
    assert_eq!(harbour["source"], "Harbour Wire");
    assert_eq!(
        (harbour["count"].as_u64(), harbour["of"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(harbour["share"], 1.0);

    // A narrower query within a filter: shares of that outlet's coverage.
    let (_, body) = api_get(
        &state,
        "/api/compare?q=crane&source=Harbour%20Wire&histogram=month&normalize=count",
    )
    .await;
    let crane = &body["series"][0];
    assert!(
        crane.get("shares").is_none(),
        "normalize=count leaves shares out: {body}"
    );
    assert_eq!(numbers(&body["all"]).iter().sum::<f64>(), 5.0);
    assert!(crane["share"].as_f64().unwrap() > 0.0 && crane["share"].as_f64().unwrap() <= 1.0);

    for (uri, code) in [
        ("/api/compare?histogram=week", "invalid_parameter"),
        (
            "/api/compare?q=a&q=b&q=c&q=d&q=e&q=f&q=g",
            "invalid_parameter",
        ),
        ("/api/compare?q=velmora&histogram=none", "invalid_parameter"),
        ("/api/compare?q=(velmora", "invalid_parameter"),
        (
            "/api/compare?q=velmora&normalize=percent",
            "invalid_parameter",
        ),
        ("/api/compare?q=velmora&sort=newest", "unknown_parameter"),
    ] {
        let (status, body) = api_get(&state, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], code, "{uri}: {body}");
    }
    let (_, body) = api_get(&state, "/api/compare?q=(velmora").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the query `(velmora` cannot run"),
        "{body}"
    );
}
