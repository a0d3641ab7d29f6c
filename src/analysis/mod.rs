//! Text analysis: language detection and every tantivy analyzer Dateline uses.
//!
//! Articles are indexed into one pair of text fields per [`LanguageGroup`]: a stemming group for
//! each of the 18 languages tantivy's `Stemmer` supports, one group for Chinese, Japanese and
//! Korean (character bigrams), and one accent-folding group for every other language. A query is
//! analysed once per group, so "summits" matches English "summit" while Russian "саммита"
//! matches "саммит". Stemmed fields keep each word as written too ([`StemRepeat`]), so exact
//! matching needs no second copy of the text. [`register_analyzers`] is the one place analyzers
//! are registered.

mod language;
mod stem_repeat;
mod tokenizer;

pub use language::{LanguageGroup, detect_language};
pub use stem_repeat::{STEM_MARKER, StemRepeat};
pub use tokenizer::{PARAGRAPH_START, SENTENCE_START, WordTokenizer, is_boundary, is_cjk};

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, TokenizerManager,
};
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
        FOLDED_ANALYZER,
        folded_analyzer(WordTokenizer::lowercasing()),
    );
    manager.register(
        KEYWORD_ANALYZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

fn folded_analyzer(tokenizer: WordTokenizer) -> TextAnalyzer {
    TextAnalyzer::builder(tokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(AsciiFoldingFilter)
        .build()
}

/// The analyzer of a language group's title and body: sentence and paragraph starts marked.
fn group_analyzer(group: LanguageGroup) -> TextAnalyzer {
    let words = WordTokenizer::lowercasing().marking_boundaries();
    match group {
        LanguageGroup::Stemmed(algorithm) => {
            let passes = if algorithm == frostem::Algorithm::Russian {
                2
            } else {
                1
            };
            TextAnalyzer::builder(words)
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(StemRepeat::new(algorithm).passes(passes))
                .build()
        }
        // Bigrams are already what matching needs; lower-casing serves the Latin words in between.
        LanguageGroup::Cjk => TextAnalyzer::builder(words)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .build(),
        LanguageGroup::Other => folded_analyzer(words),
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

    /// The stem at each position: the marked stem when there is one, else the word.
    fn stems(analyzer: &str, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for token in tokens(analyzer, text) {
            match token.strip_prefix(STEM_MARKER) {
                Some(stem) => *out.last_mut().unwrap() = stem.to_string(),
                None => out.push(token),
            }
        }
        out
    }

    #[test]
    fn words_are_kept_and_differing_stems_repeated_at_the_same_position() {
        assert_eq!(
            tokens("lang_en", "Summits summit"),
            vec!["summits", "~summit", "summit"]
        );
        let manager = TokenizerManager::default();
        register_analyzers(&manager);
        let mut analyzer = manager.get("lang_en").unwrap();
        let mut stream = analyzer.token_stream("big summits");
        let mut positions = Vec::new();
        stream.process(&mut |t| positions.push((t.position, t.offset_from, t.offset_to)));
        assert_eq!(positions, vec![(0, 0, 3), (1, 4, 11), (1, 4, 11)]);
    }

    #[test]
    fn each_language_stems_its_own_words() {
        assert_eq!(stems("lang_en", "Summits"), stems("lang_en", "summit"));
        assert_eq!(stems("lang_ru", "саммита"), stems("lang_ru", "саммит"));
        assert_eq!(stems("lang_ru", "визитом"), stems("lang_ru", "визит"));
        assert_eq!(
            stems("lang_ru", "президента"),
            stems("lang_ru", "президент")
        );
        assert_ne!(stems("lang_ru", "саммит"), stems("lang_ru", "сам"));
        assert_eq!(
            stems("lang_de", "Gipfeltreffens"),
            stems("lang_de", "Gipfeltreffen")
        );
        assert_eq!(stems("lang_fr", "sommets"), stems("lang_fr", "sommet"));
    }

    #[test]
    fn other_languages_fold_accents() {
        assert_eq!(tokens("lang_other", "Hà Nội"), vec!["ha", "noi"]);
    }

    #[test]
    fn keyword_keeps_the_whole_value() {
        assert_eq!(tokens(KEYWORD_ANALYZER, "Kim Jong Un"), vec!["kim jong un"]);
    }
}
