//! Language groups (which analyzer a language gets) and language detection.

use frostem::Algorithm as Language;

/// How many bytes of the body language detection looks at: whatlang runs at a few MB/s, so whole
/// bodies would dominate indexing time, and a couple of KB are as reliable as the whole text.
const DETECTION_SAMPLE_BYTES: usize = 1024;

/// Detections less confident than this are discarded: the article is indexed without a language.
const MIN_CONFIDENCE: f64 = 0.3;

/// The analyzer family an article's text is indexed with, chosen from its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LanguageGroup {
    /// A language with a Snowball stemmer (the `frostem` implementation tantivy's `Stemmer` uses).
    Stemmed(Language),
    /// Chinese, Japanese, Korean: character bigrams.
    Cjk,
    /// Every other language: lower-cased, accent-folded words.
    Other,
}

const STEMMED: [(&str, Language); 18] = [
    ("ar", Language::Arabic),
    ("da", Language::Danish),
    ("nl", Language::Dutch),
    ("en", Language::English),
    ("fi", Language::Finnish),
    ("fr", Language::French),
    ("de", Language::German),
    ("el", Language::Greek),
    ("hu", Language::Hungarian),
    ("it", Language::Italian),
    ("no", Language::Norwegian),
    ("pt", Language::Portuguese),
    ("ro", Language::Romanian),
    ("ru", Language::Russian),
    ("es", Language::Spanish),
    ("sv", Language::Swedish),
    ("ta", Language::Tamil),
    ("tr", Language::Turkish),
];

impl LanguageGroup {
    /// Returns every group, in a fixed order.
    pub fn all() -> impl Iterator<Item = LanguageGroup> {
        STEMMED
            .iter()
            .map(|(_, lang)| LanguageGroup::Stemmed(*lang))
            .chain([LanguageGroup::Cjk, LanguageGroup::Other])
    }

    /// Returns the group for an ISO 639-1 code (or `None`: unknown language).
    pub fn for_language(code: Option<&str>) -> LanguageGroup {
        let Some(code) = code else {
            return LanguageGroup::Other;
        };
        let code = match code {
            "nb" | "nn" => "no",
            other => other,
        };
        if let Some((_, lang)) = STEMMED.iter().find(|(c, _)| *c == code) {
            return LanguageGroup::Stemmed(*lang);
        }
        match code {
            "zh" | "ja" | "ko" => LanguageGroup::Cjk,
            _ => LanguageGroup::Other,
        }
    }

    /// Returns the short name used in field and analyzer names (`en`, `cjk`, `other`).
    pub fn key(self) -> &'static str {
        match self {
            LanguageGroup::Stemmed(lang) => STEMMED
                .iter()
                .find(|(_, l)| *l == lang)
                .map(|(code, _)| *code)
                .expect("every stemmer language is listed"),
            LanguageGroup::Cjk => "cjk",
            LanguageGroup::Other => "other",
        }
    }

    /// Returns the name of this group's analyzer.
    pub fn analyzer_name(self) -> String {
        format!("lang_{}", self.key())
    }
}

/// Detects the language of an article from its title and the start of its body. Returns an
/// ISO 639-1 code (or the ISO 639-3 code for languages without one), or `None` when the text
/// gives no clue.
pub fn detect_language(title: &str, body: &str) -> Option<String> {
    let mut end = body.len().min(DETECTION_SAMPLE_BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let mut sample = String::with_capacity(title.len() + end + 1);
    sample.push_str(title);
    sample.push('\n');
    sample.push_str(&body[..end]);
    let info = whatlang::detect(&sample)?;
    // On a few words whatlang guesses (it reads "Leaders hold summits" as French with confidence
    // 0.09): a wrong stemmer and a wrong facet are worse than none.
    if info.confidence() < MIN_CONFIDENCE {
        return None;
    }
    let lang = info.lang();
    if lang == whatlang::Lang::Cmn {
        return Some("zh".to_string());
    }
    let code3 = lang.code();
    let code = isolang::Language::from_639_3(code3)
        .and_then(|l| l.to_639_1())
        .unwrap_or(code3);
    Some(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_demo_languages() {
        let cases = [
            (
                "en",
                "The president arrived in the capital for talks on trade and security.",
            ),
            (
                "ru",
                "Президент прибыл в столицу для переговоров о торговле и безопасности.",
            ),
            (
                "de",
                "Der Präsident ist zu Gesprächen über Handel und Sicherheit in der Hauptstadt eingetroffen.",
            ),
            (
                "fr",
                "Le président est arrivé dans la capitale pour des entretiens sur le commerce et la sécurité.",
            ),
            (
                "ko",
                "대통령은 무역과 안보에 관한 회담을 위해 수도에 도착했다.",
            ),
            (
                "ja",
                "大統領は貿易と安全保障に関する会談のため首都に到着した。",
            ),
            ("zh", "总统抵达首都，就贸易和安全问题举行会谈。"),
            (
                "es",
                "El presidente llegó a la capital para conversaciones sobre comercio y seguridad.",
            ),
        ];
        for (code, text) in cases {
            assert_eq!(detect_language("", text).as_deref(), Some(code), "{text}");
        }
    }

    #[test]
    fn a_few_words_are_not_enough_to_guess() {
        assert_eq!(detect_language("Leaders hold summits", ""), None);
        assert_eq!(
            detect_language("Саммит в Пхеньяне", "Лидеры провели саммит.").as_deref(),
            Some("ru")
        );
    }

    #[test]
    fn groups() {
        assert_eq!(
            LanguageGroup::for_language(Some("ru")),
            LanguageGroup::Stemmed(Language::Russian)
        );
        assert_eq!(LanguageGroup::for_language(Some("ko")), LanguageGroup::Cjk);
        assert_eq!(
            LanguageGroup::for_language(Some("vi")),
            LanguageGroup::Other
        );
        assert_eq!(LanguageGroup::for_language(None), LanguageGroup::Other);
        assert_eq!(LanguageGroup::all().count(), 20);
    }

    #[test]
    fn sample_is_cut_on_a_char_boundary() {
        // One ASCII byte then two-byte characters: byte 2048 falls inside a character.
        let body = format!("a{}", "é".repeat(5000));
        assert!(!body.is_char_boundary(DETECTION_SAMPLE_BYTES));
        let _ = detect_language("", &body);
    }
}
