//! The alias tables.

use std::collections::HashMap;
use std::sync::LazyLock;

use tantivy::tokenizer::TextAnalyzer;

static BUILTIN: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load_builtin);

/// The type of an entity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A person.
    Person,
    /// A country, region, city or other place.
    Place,
    /// An organisation.
    Org,
}

impl Kind {
    /// Returns `person`, `place` or `org`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Place => "place",
            Kind::Org => "org",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        match text {
            "person" => Some(Kind::Person),
            "place" => Some(Kind::Place),
            "org" => Some(Kind::Org),
            _ => None,
        }
    }
}

/// One entity and every name it goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Canonical name.
    pub name: String,
    /// Type.
    pub kind: Kind,
    /// Other names, in any script (the canonical name is not repeated).
    pub aliases: Vec<String>,
}

/// The table generated from open gazetteers by `scripts/build_gazetteer.py`.
const GENERATED: &str = include_str!("../../data/entities/places.tsv");

/// The tables the team curates; their aliases win over the generated table's.
const CURATED: [(&str, &str); 3] = [
    (
        "places_extra.tsv",
        include_str!("../../data/entities/places_extra.tsv"),
    ),
    ("people.tsv", include_str!("../../data/entities/people.tsv")),
    ("orgs.tsv", include_str!("../../data/entities/orgs.tsv")),
];

/// Whether a generated alias is too ambiguous to tag: a stop word of a language with a list
/// ("Para", Spanish for "for", is also Belém), or a Hangul name of fewer than three syllables
/// (수단 is Sudan but also "means"; the curated tables carry the short names that matter).
fn ambiguous(stop_words: &mut TextAnalyzer, alias: &str) -> bool {
    let hangul = alias
        .chars()
        .filter(|c| ('\u{AC00}'..='\u{D7AF}').contains(c))
        .count();
    if hangul > 0 && alias.chars().count() < 3 {
        return true;
    }
    // Stop words are single short words.
    if alias.contains(' ') || alias.chars().count() > 12 {
        return false;
    }
    let mut stream = stop_words.token_stream(alias);
    !stream.advance()
}

/// An analyzer that removes the stop words of every language tantivy has a list for.
fn stop_word_analyzer() -> TextAnalyzer {
    use tantivy::tokenizer::{Language, LowerCaser, RawTokenizer, StopWordFilter};
    let mut builder = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .dynamic();
    for language in [
        Language::English,
        Language::Danish,
        Language::Dutch,
        Language::Finnish,
        Language::French,
        Language::German,
        Language::Hungarian,
        Language::Italian,
        Language::Norwegian,
        Language::Portuguese,
        Language::Russian,
        Language::Spanish,
        Language::Swedish,
    ] {
        builder = builder.filter_dynamic(StopWordFilter::new(language).expect("a stop-word list"));
    }
    builder.build()
}

/// Every known entity.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// The entities, in table order.
    pub entities: Vec<Entity>,
}

impl Gazetteer {
    /// The gazetteer compiled into the binary (read once per process).
    pub fn builtin() -> &'static Gazetteer {
        &BUILTIN
    }

    fn load_builtin() -> Gazetteer {
        let mut gazetteer = Gazetteer::default();
        gazetteer
            .extend_from_tsv(GENERATED)
            .unwrap_or_else(|e| panic!("data/entities/places.tsv: {e}"));
        let mut stop_words = stop_word_analyzer();
        for entity in &mut gazetteer.entities {
            entity
                .aliases
                .retain(|alias| !ambiguous(&mut stop_words, alias));
        }
        for (name, text) in CURATED {
            let before: Vec<usize> = gazetteer.entities.iter().map(|e| e.aliases.len()).collect();
            gazetteer
                .extend_from_tsv(text)
                .unwrap_or_else(|e| panic!("data/entities/{name}: {e}"));
            // What a curated line names is that entity's alone.
            let mut claimed = std::collections::HashMap::new();
            for (index, entity) in gazetteer.entities.iter().enumerate() {
                let new_from = before.get(index).copied().unwrap_or(0);
                let curated_names = std::iter::once(&entity.name)
                    .filter(|_| index >= before.len())
                    .chain(&entity.aliases[new_from..]);
                for alias in curated_names {
                    claimed.insert(alias.clone(), index);
                }
            }
            for (index, entity) in gazetteer.entities.iter_mut().enumerate() {
                entity
                    .aliases
                    .retain(|alias| claimed.get(alias).is_none_or(|owner| *owner == index));
            }
        }
        gazetteer
    }

    /// Adds the lines of a table (`canonical<TAB>type<TAB>alias|alias|…`, `#` comments); an
    /// entity already present (same name and type) gains the new aliases.
    pub fn extend_from_tsv(&mut self, text: &str) -> Result<(), String> {
        let mut index: HashMap<(String, Kind), usize> = self
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.name.clone(), e.kind), i))
            .collect();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
                return Err(format!(
                    "line {}: expected name<TAB>type<TAB>aliases",
                    number + 1
                ));
            };
            let kind = Kind::parse(kind)
                .ok_or_else(|| format!("line {}: unknown type `{kind}`", number + 1))?;
            let aliases = parts
                .next()
                .unwrap_or("")
                .split('|')
                .map(str::trim)
                .filter(|a| !a.is_empty() && *a != name);
            let slot = *index.entry((name.to_string(), kind)).or_insert_with(|| {
                self.entities.push(Entity {
                    name: name.to_string(),
                    kind,
                    aliases: Vec::new(),
                });
                self.entities.len() - 1
            });
            let entity = &mut self.entities[slot];
            for alias in aliases {
                if !entity.aliases.iter().any(|a| a == alias) {
                    entity.aliases.push(alias.to_string());
                }
            }
        }
        Ok(())
    }
}
