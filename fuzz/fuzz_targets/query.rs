//! The query parser and compiler: any text is hits or a user's error, never a panic or an
//! internal error. Searches a small index built once per fuzzing process.
#![no_main]

use std::sync::OnceLock;

use dateline::article::RawArticle;
use dateline::{Engine, Indexer, IndexerOptions, SearchRequest};
use libfuzzer_sys::fuzz_target;

const ARTICLES: &[&str] = &[
    r#"{"id":"en","title":"Leaders meet at summit","body":"The summit opened with talks on trade.\n\nA state visit followed.","language":"en","source":"Test Wire","published":"2024-06-19"}"#,
    r#"{"id":"ru","title":"Саммит в Пхеньяне","body":"Лидеры провели саммит.","language":"ru","published":"1701-03-04"}"#,
    r#"{"id":"de","title":"Gipfeltreffen","body":"Die Staatschefs trafen sich.","language":"de"}"#,
    r#"{"id":"ko","title":"정상회담","body":"정상회담에서 두 정상은 만났다.","language":"ko"}"#,
];

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dateline-fuzz-query-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        let mut indexer = Indexer::open(&dir, &IndexerOptions::default()).unwrap();
        for json in ARTICLES {
            let raw: RawArticle = serde_json::from_str(json).unwrap();
            indexer.add(raw.into_article().unwrap().0).unwrap();
        }
        indexer.finish().unwrap();
        Engine::open_with_threads(&dir, 1).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = engine();
    for request in [
        SearchRequest::query(text),
        SearchRequest {
            to: Some(text.to_string()),
            ..SearchRequest::query("summit")
        },
    ] {
        if let Err(error) = engine.search(&request) {
            assert!(
                error.is_users(),
                "{text:?}: {error} ({})",
                error.code()
            );
        }
    }
});
