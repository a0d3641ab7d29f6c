//! What indexing does to an article's text on our side (language detection, every analyzer,
//! entity tagging): a panic there would stop tantivy's indexing threads and lose the batch.
#![no_main]

use std::sync::OnceLock;

use dateline::analysis::{detect_language, register_analyzers};
use dateline::entities::Tagger;
use libfuzzer_sys::fuzz_target;
use tantivy::tokenizer::TokenizerManager;

fn analyzers() -> &'static (TokenizerManager, Vec<String>) {
    static ANALYZERS: OnceLock<(TokenizerManager, Vec<String>)> = OnceLock::new();
    ANALYZERS.get_or_init(|| {
        let manager = TokenizerManager::default();
        register_analyzers(&manager);
        let schema = dateline::index::build_schema();
        let mut names: Vec<String> = schema
            .fields()
            .filter_map(|(_, entry)| match entry.field_type() {
                tantivy::schema::FieldType::Str(options) => options
                    .get_indexing_options()
                    .map(|i| i.tokenizer().to_string()),
                _ => None,
            })
            .collect();
        names.sort();
        names.dedup();
        (manager, names)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (manager, names) = analyzers();
    for name in names {
        let mut analyzer = manager.get(name).expect("registered");
        let mut stream = analyzer.token_stream(text);
        let mut last = 0;
        while stream.advance() {
            let token = stream.token();
            assert!(token.offset_from <= token.offset_to && token.offset_to <= text.len());
            assert!(text.is_char_boundary(token.offset_from) && text.is_char_boundary(token.offset_to));
            last = token.position;
        }
        let _ = last;
    }
    let language = detect_language(text, text);
    let _ = Tagger::builtin().tag_article(text, text, language.as_deref(), true);
});
