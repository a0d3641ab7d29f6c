//! Text analysis: language detection and every tantivy analyzer Dateline uses.
//!
//! Articles are indexed into one pair of text fields per [`LanguageGroup`]: a stemming group for
//! each of the 18 languages tantivy's `Stemmer` supports, one group for Chinese, Japanese and
//! Korean (character bigrams), and one accent-folding group for every other language. A query is
//! analysed once per group, so "summits" matches English "summit" while Russian "саммита"
//! matches "саммит". [`register_analyzers`] is the one place analyzers are registered.

mod language;
mod tokenizer;

pub use language::{LanguageGroup, detect_language};
pub use tokenizer::WordTokenizer;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, TokenizerManager,
};

/// Analyzer for `exact`: words lower-cased, CJK as bigrams, no stemming, no folding.
pub const EXACT_ANALYZER: &str = "exact";
/// Analyzer for keyword fields (`source`, `person`, …): the whole value, lower-cased.
pub const KEYWORD_ANALYZER: &str = "keyword";
/// Analyzer for the `entity` field and for languages without a stemmer.
pub const FOLDED_ANALYZER: &str = "folded";

/// Tokens longer than this (in bytes) are dropped: they are URLs, base64 or garbage.
const MAX_TOKEN_BYTES: usize = 64;

/// Registers every analyzer the schema names. Call it on each opened or created index.
pub fn register_analyzers(manager: &TokenizerManager) {
    for group in LanguageGroup::all() {
        manager.register(&group.analyzer_name(), group_analyzer(group));
    }
    manager.register(
        EXACT_ANALYZER,
        TextAnalyzer::builder(WordTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build(),
    );
    manager.register(FOLDED_ANALYZER, folded_analyzer());
    manager.register(
        KEYWORD_ANALYZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn group_analyzer(group: LanguageGroup) -> TextAnalyzer {
    match group {
        // The Russian Snowball stemmer strips one suffix per pass and reads the "-ит" of nouns
        // such as саммит or визит as a verb ending: саммит → самм but саммита → саммит. A second
        // pass brings every form of the word to the same stem.
        LanguageGroup::Stemmed(Language::Russian) => TextAnalyzer::builder(WordTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::Russian))
            .filter(Stemmer::new(Language::Russian))
            .build(),
        LanguageGroup::Stemmed(language) => TextAnalyzer::builder(WordTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(Stemmer::new(language))
            .build(),
        // Bigrams are already what matching needs; lower-casing serves the Latin words in between.
        LanguageGroup::Cjk => TextAnalyzer::builder(WordTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build(),
        LanguageGroup::Other => folded_analyzer(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(analyzer: &str, text: &str) -> Vec<String> {
        let manager = TokenizerManager::default();
        register_analyzers(&manager);
        let mut analyzer = manager.get(analyzer).unwrap();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push(t.text.clone()));
        out
    }

    #[test]
    fn each_language_stems_its_own_words() {
        assert_eq!(tokens("lang_en", "Summits"), tokens("lang_en", "summit"));
        assert_eq!(tokens("lang_ru", "саммита"), tokens("lang_ru", "саммит"));
        assert_eq!(tokens("lang_ru", "визитом"), tokens("lang_ru", "визит"));
        assert_eq!(
            tokens("lang_ru", "президента"),
            tokens("lang_ru", "президент")
        );
        assert_ne!(tokens("lang_ru", "саммит"), tokens("lang_ru", "сам"));
        assert_eq!(
            tokens("lang_de", "Gipfeltreffens"),
            tokens("lang_de", "Gipfeltreffen")
        );
        assert_eq!(tokens("lang_fr", "sommets"), tokens("lang_fr", "sommet"));
    }

    #[test]
    fn other_languages_fold_accents() {
        assert_eq!(tokens("lang_other", "Hà Nội"), vec!["ha", "noi"]);
    }

    #[test]
    fn keyword_keeps_the_whole_value() {
        assert_eq!(tokens(KEYWORD_ANALYZER, "Kim Jong Un"), vec!["kim jong un"]);
    }

    #[test]
    fn exact_does_not_stem() {
        assert_eq!(
            tokens(EXACT_ANALYZER, "Summits talks"),
            vec!["summits", "talks"]
        );
    }
}
