//! Finding entity mentions in text.

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::analysis::is_cjk;
use crate::entities::{Entity, Gazetteer, Kind};

/// Russian nouns decline: "Путин" is also "Путина", "Путину", "Путиным". A Cyrillic alias may be
/// followed by up to this many lower-case Cyrillic letters.
const MAX_CYRILLIC_ENDING: usize = 3;

/// A mention of an entity, in characters (code points) of the tagged text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The type.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Canonical name.
    pub entity: String,
}

/// The entities of one article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleEntities {
    /// Canonical people, sorted.
    pub person: Vec<String>,
    /// Canonical places, sorted.
    pub place: Vec<String>,
    /// Canonical organisations, sorted.
    pub org: Vec<String>,
    /// Mentions in the body.
    pub mentions: Vec<Mention>,
}

/// Tags text with the entities of a gazetteer.
pub struct Tagger {
    gazetteer: Gazetteer,
    automaton: AhoCorasick,
    /// For each automaton pattern: the entity index and the alias as written.
    patterns: Vec<(usize, String)>,
}

static BUILTIN: LazyLock<Arc<Tagger>> =
    LazyLock::new(|| Arc::new(Tagger::new(Gazetteer::builtin().clone())));
static ALIASES: LazyLock<AliasIndex> = LazyLock::new(|| AliasIndex::new(Gazetteer::builtin()));

/// Lower-cased alias → entity, for looking up what a query names without building the tagger.
struct AliasIndex {
    by_alias: std::collections::HashMap<String, (usize, String)>,
}

impl AliasIndex {
    fn new(gazetteer: &Gazetteer) -> AliasIndex {
        let mut by_alias = std::collections::HashMap::new();
        for (index, entity) in gazetteer.entities.iter().enumerate() {
            for alias in std::iter::once(&entity.name).chain(&entity.aliases) {
                by_alias
                    .entry(alias.to_lowercase())
                    .or_insert_with(|| (index, alias.clone()));
            }
        }
        AliasIndex { by_alias }
    }
}

/// Returns the built-in entity a whole query word or phrase names, in any script and any case
/// but an acronym's ("Путин", "푸틴", "kim jong-un", "KCNA"; not "us" for the US).
pub fn lookup(text: &str) -> Option<&'static Entity> {
    let text = text.trim();
    // A possessive names its owner: "Putin's" (unless the name itself ends so).
    let owner = ["'s", "’s", "'", "’"]
        .iter()
        .find_map(|ending| text.strip_suffix(ending))
        .filter(|owner| !owner.is_empty());
    let named = |text: &str| {
        let (index, alias) = ALIASES.by_alias.get(&text.to_lowercase())?;
        let is_acronym = !alias.chars().any(char::is_lowercase);
        (!is_acronym || text == alias).then(|| &Gazetteer::builtin().entities[*index])
    };
    named(text).or_else(|| owner.and_then(named))
}

/// The canonical name of the built-in entity of `kind` that `text` names, if any.
pub fn canonical_name(text: &str, kind: crate::entities::Kind) -> Option<&'static str> {
    lookup(text)
        .filter(|e| e.kind == kind)
        .map(|e| e.name.as_str())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Hangul,
    /// Han and kana: written without spaces.
    Unspaced,
    Other,
}

/// Acronyms that spell an everyday English word: in a passage all in capitals they are read as
/// the word ("OFFICIALS SAY WHO WILL LEAD").
const WORD_ACRONYMS: [&str; 24] = [
    "WHO", "US", "IT", "AM", "AS", "IS", "OR", "IN", "ON", "AT", "AN", "NO", "SO", "TO", "UP",
    "WE", "ME", "AIM", "AID", "ACT", "ART", "END", "LAW", "WAR",
];

/// Whether the sentence (or line) around `start..end` has more than three words and most of
/// its letters in capitals.
fn shouted_around(text: &str, start: usize, end: usize) -> bool {
    let stop = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let from = text[..start].rfind(stop).map_or(0, |i| i + 1);
    let to = text[end..].find(stop).map_or(text.len(), |i| end + i);
    let passage = &text[from..to];
    if passage.split_whitespace().count() <= 3 {
        return false;
    }
    let (mut upper, mut letters) = (0usize, 0usize);
    for c in passage.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        upper += usize::from(c.is_uppercase());
    }
    upper * 2 > letters
}

/// An acronym ("NATO", "UN") is matched only as written.
fn is_acronym(alias: &str) -> bool {
    alias.chars().any(|c| c.is_ascii_uppercase()) && !alias.chars().any(|c| c.is_lowercase())
}

fn script(c: char) -> Script {
    match c as u32 {
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
        _ if is_cjk(c) => Script::Unspaced,
        0x0400..=0x04FF => Script::Cyrillic,
        _ if c.is_ascii_alphabetic() || ('\u{C0}'..='\u{24F}').contains(&c) => Script::Latin,
        _ => Script::Other,
    }
}

impl Tagger {
    /// The tagger over the gazetteer compiled into the binary (built once per process).
    pub fn builtin() -> &'static Tagger {
        &BUILTIN
    }

    /// The built-in tagger, shared.
    pub fn shared_builtin() -> Arc<Tagger> {
        BUILTIN.clone()
    }

    /// The built-in gazetteer with the user's corrections file applied, or the built-in tagger
    /// when there is no file.
    pub fn with_corrections(path: Option<&std::path::Path>) -> crate::Result<Arc<Tagger>> {
        Ok(match path {
            None => Tagger::shared_builtin(),
            Some(path) => Arc::new(Tagger::new(crate::entities::corrections::load(path)?)),
        })
    }

    /// Builds a tagger over any gazetteer.
    pub fn new(gazetteer: Gazetteer) -> Tagger {
        let mut patterns = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (index, entity) in gazetteer.entities.iter().enumerate() {
            for alias in std::iter::once(&entity.name).chain(&entity.aliases) {
                // An alias matches as written, or all in capitals ("VLADIMIR PUTIN") when it
                // is longer than an acronym. The first entity to claim a form keeps it.
                let shouted = (!is_acronym(alias) && alias.len() > 3)
                    .then(|| alias.to_uppercase())
                    .filter(|upper| upper != alias);
                for form in std::iter::once(alias.clone()).chain(shouted) {
                    if seen.insert(form.clone()) {
                        patterns.push((index, form));
                    }
                }
            }
        }
        // Case-sensitive: lower-case running text then never leaves the automaton's start
        // state, where it skips ahead fast (matching every letter case-insensitively kept it
        // walking the trie: 12% of indexing time on English news).
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(_, alias)| alias))
            .expect("the gazetteer compiles");
        Tagger {
            gazetteer,
            automaton,
            patterns,
        }
    }

    /// Returns the entity of a canonical name.
    pub fn entity(&self, index: usize) -> &Entity {
        &self.gazetteer.entities[index]
    }

    /// Finds mentions in English `text` (offsets in characters): the gazetteer's, and the
    /// statistical model's for names the gazetteer does not know.
    pub fn tag(&self, text: &str) -> Vec<Mention> {
        self.tag_in(text, Some("en"), true)
    }

    /// Finds mentions in `text` written in `language`: the gazetteer's in every language; with
    /// `statistical`, the model (trained on English) adds its own in English text, and where it
    /// overlaps a gazetteer name its boundaries win.
    pub fn tag_in(&self, text: &str, language: Option<&str>, statistical: bool) -> Vec<Mention> {
        let mut mentions = self.tag_gazetteer(text);
        if statistical
            && language == Some("en")
            && let Some(model) = crate::entities::perceptron::Model::builtin()
        {
            let found = crate::entities::statistical::mentions(model, text, &mentions);
            mentions.retain(|g| !found.iter().any(|m| m.start < g.end && g.start < m.end));
            if !found.is_empty() {
                mentions.extend(found);
                mentions.sort_by_key(|m| m.start);
            }
        }
        mentions
    }

    /// Finds the gazetteer's mentions in `text` (offsets in characters).
    pub fn tag_gazetteer(&self, text: &str) -> Vec<Mention> {
        let mut mentions = Vec::new();
        let mut chars_before = 0usize;
        let mut counted_to = 0usize;
        for found in self.automaton.find_iter(text) {
            let (entity_index, alias) = &self.patterns[found.pattern().as_usize()];
            let Some(end) = self.accept(text, found.start(), found.end(), alias) else {
                continue;
            };
            chars_before += text[counted_to..found.start()].chars().count();
            counted_to = found.start();
            let length = text[found.start()..end].chars().count();
            let entity = &self.gazetteer.entities[*entity_index];
            mentions.push(Mention {
                start: chars_before,
                end: chars_before + length,
                kind: entity.kind,
                entity: entity.name.clone(),
            });
        }
        mentions
    }

    /// Checks case and word boundaries of a match; returns where the mention ends (a Cyrillic
    /// ending may extend it), or `None` to reject it.
    fn accept(&self, text: &str, start: usize, end: usize, alias: &str) -> Option<usize> {
        // The automaton matched the alias as written or in capitals (see `Tagger::new`).
        debug_assert_eq!(&text[start..end], alias);
        // In a passage written all in capitals (old wire copy), "WHO" and "US" are words.
        if WORD_ACRONYMS.contains(&alias) && shouted_around(text, start, end) {
            return None;
        }
        let first = alias.chars().next()?;
        let last = alias.chars().next_back()?;
        let before = text[..start].chars().next_back();
        let left_ok = match script(first) {
            Script::Unspaced => true,
            Script::Hangul => before.is_none_or(|c| script(c) != Script::Hangul),
            _ => before.is_none_or(|c| !c.is_alphanumeric()),
        };
        if !left_ok {
            return None;
        }
        let mut end = end;
        match script(last) {
            Script::Unspaced | Script::Hangul => return Some(end),
            Script::Cyrillic => {
                let ending: usize = text[end..]
                    .chars()
                    .take(MAX_CYRILLIC_ENDING)
                    .take_while(|c| script(*c) == Script::Cyrillic && c.is_lowercase())
                    .map(char::len_utf8)
                    .sum();
                end += ending;
            }
            Script::Latin if alias.chars().count() >= 4 && text[end..].starts_with('s') => {
                // German genitive: "Putins", "Lawrows".
                let after_s = text[end + 1..].chars().next();
                if after_s.is_none_or(|c| !c.is_alphanumeric()) {
                    end += 1;
                }
            }
            _ => {}
        }
        let after = text[end..].chars().next();
        after.is_none_or(|c| !c.is_alphanumeric()).then_some(end)
    }

    /// Tags an article's title and body: canonical entities by type, and the mentions in the
    /// body. `statistical` adds the model's names for English articles (about three times
    /// slower than the gazetteer alone).
    pub fn tag_article(
        &self,
        title: &str,
        body: &str,
        language: Option<&str>,
        statistical: bool,
    ) -> ArticleEntities {
        let title_mentions = self.tag_in(title, language, statistical);
        let mentions = self.tag_in(body, language, statistical);
        let mentions = canonical_across(&title_mentions, mentions);
        let mut found: BTreeSet<(Kind, &str)> = BTreeSet::new();
        for m in title_mentions.iter().chain(&mentions) {
            found.insert((m.kind, m.entity.as_str()));
        }
        let mut out = ArticleEntities::default();
        for (kind, name) in found {
            let list = match kind {
                Kind::Person => &mut out.person,
                Kind::Place => &mut out.place,
                Kind::Org => &mut out.org,
            };
            list.push(name.to_string());
        }
        out.mentions = mentions;
        out
    }
}

/// A surname in the body resolves to the full name in the title ("Smith" → "Jane Smith").
fn canonical_across(title: &[Mention], mut body: Vec<Mention>) -> Vec<Mention> {
    for mention in &mut body {
        if mention.kind == Kind::Person && !mention.entity.contains(' ') {
            let suffix = format!(" {}", mention.entity);
            if let Some(full) = title
                .iter()
                .find(|t| t.kind == Kind::Person && t.entity.ends_with(&suffix))
            {
                mention.entity = full.entity.clone();
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, String)> {
        Tagger::builtin()
            .tag(text)
            .into_iter()
            .map(|m| {
                let chars: Vec<char> = text.chars().collect();
                (chars[m.start..m.end].iter().collect(), m.entity)
            })
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn acronyms_that_spell_words_are_words_in_text_all_in_capitals() {
        assert_eq!(
            names("OFFICIALS SAY WHO WILL LEAD THE TALKS WITH NATO IN BRUSSELS."),
            vec![pair("NATO", "NATO"), pair("BRUSSELS", "Brussels")]
        );
        assert_eq!(
            names("The WHO said on Monday that the US would pay."),
            vec![
                pair("WHO", "World Health Organization"),
                pair("US", "United States")
            ]
        );
        // A short capitalised headline is not a shouted passage.
        assert_eq!(
            names("WHO warns"),
            vec![pair("WHO", "World Health Organization")]
        );
    }

    #[test]
    fn aliases_in_every_script_resolve_to_one_entity() {
        assert_eq!(
            names("President Vladimir Putin met Kim Jong-un."),
            vec![
                pair("Vladimir Putin", "Vladimir Putin"),
                pair("Kim Jong-un", "Kim Jong Un")
            ]
        );
        assert_eq!(
            names("Путин прибыл в Пхеньян"),
            vec![
                pair("Путин", "Vladimir Putin"),
                pair("Пхеньян", "Pyongyang")
            ]
        );
        assert_eq!(
            names("푸틴 대통령은 김정은 위원장과"),
            vec![
                pair("푸틴", "Vladimir Putin"),
                pair("김정은", "Kim Jong Un")
            ]
        );
        assert_eq!(
            names("プーチン大統領と金正恩総書記"),
            vec![
                pair("プーチン", "Vladimir Putin"),
                pair("金正恩", "Kim Jong Un")
            ]
        );
        assert_eq!(
            names("普京与金正恩会谈"),
            vec![
                pair("普京", "Vladimir Putin"),
                pair("金正恩", "Kim Jong Un")
            ]
        );
    }

    #[test]
    fn leftmost_longest_and_word_boundaries() {
        assert_eq!(
            names("Crowds filled Kim Il Sung Square."),
            vec![pair("Kim Il Sung Square", "Kim Il Sung Square")]
        );
        assert_eq!(
            names("KCNA reported"),
            vec![pair("KCNA", "Korean Central News Agency")]
        );
        assert!(names("Putinism and Seoulful").is_empty());
        assert_eq!(
            names("Mr Putin's visit"),
            vec![pair("Putin", "Vladimir Putin")]
        );
    }

    #[test]
    fn case_rules_avoid_common_words() {
        assert!(names("they told us about the turkey, who was there").is_empty());
        assert_eq!(
            names("the US and the UN"),
            vec![pair("US", "United States"), pair("UN", "United Nations")]
        );
        assert_eq!(
            names("PUTIN ARRIVES IN PYONGYANG"),
            vec![
                pair("PUTIN", "Vladimir Putin"),
                pair("PYONGYANG", "Pyongyang")
            ]
        );
        assert_eq!(names("ПУТИН"), vec![pair("ПУТИН", "Vladimir Putin")]);
        // A longer alias in the wrong case does not hide a shorter one in the right case.
        assert_eq!(
            names("Vladimir PUTIN"),
            vec![pair("PUTIN", "Vladimir Putin")]
        );
        assert!(names("vladimir putin").is_empty());
    }

    #[test]
    fn inflected_russian_and_german_names() {
        assert_eq!(
            names("визит Путина в Пхеньяне"),
            vec![
                pair("Путина", "Vladimir Putin"),
                pair("Пхеньяне", "Pyongyang")
            ]
        );
        assert_eq!(
            names("Putins Besuch"),
            vec![pair("Putins", "Vladimir Putin")]
        );
        assert_eq!(
            names("북한과 한국이"),
            vec![pair("북한", "North Korea"), pair("한국", "South Korea")]
        );
    }

    #[test]
    fn offsets_are_in_characters() {
        let text = "Лидер: Путин.";
        let m = &Tagger::builtin().tag(text)[0];
        assert_eq!((m.start, m.end), (7, 12));
        let article =
            Tagger::builtin().tag_article("Putin in Pyongyang", "Лавров и Путин", Some("ru"), true);
        assert_eq!(article.person, vec!["Sergei Lavrov", "Vladimir Putin"]);
        assert_eq!(article.place, vec!["Pyongyang"]);
        assert_eq!(lookup("путин").unwrap().name, "Vladimir Putin");
        assert_eq!(lookup("Kim Jong-un").unwrap().name, "Kim Jong Un");
        assert_eq!(lookup("KCNA").unwrap().name, "Korean Central News Agency");
        assert!(lookup("us").is_none());
        assert!(lookup("kcna").is_none());
        assert_eq!(article.mentions.len(), 2);
    }
}
