//! Entity autocomplete: canonical names that match a prefix, with article counts.

use serde::{Deserialize, Serialize};

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::entities::Gazetteer;
use crate::search::aggregate::Counts;
use crate::search::request::FacetField;

/// Distinct names per type considered for autocomplete.
const MAX_NAMES: usize = 100_000;

/// An entity and how many articles mention it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityCount {
    /// Canonical name.
    pub name: String,
    /// `person`, `place` or `org`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles that mention it.
    pub count: u64,
}

/// Returns the entities of the given types whose name has a word starting with `prefix`
/// (case-insensitive; an empty prefix matches all), most mentioned first, at most `limit`,
/// from the facet counts of every article.
pub fn complete(
    counts: &Counts,
    prefix: &str,
    types: &[FacetField],
    limit: usize,
) -> Vec<EntityCount> {
    let prefix = prefix.trim().to_lowercase();
    let mut found: Vec<EntityCount> = counts
        .facets(MAX_NAMES)
        .into_iter()
        .filter(|(kind, _)| types.iter().any(|t| t.name() == kind))
        .flat_map(|(kind, values)| {
            values.into_iter().map(move |v| EntityCount {
                name: v.value,
                kind: kind.clone(),
                count: v.count,
            })
        })
        .filter(|e| {
            matches_prefix(&e.name, &prefix)
                || aliases_of(&e.name).any(|alias| matches_prefix(alias, &prefix))
        })
        .collect();
    found.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    found.truncate(limit);
    found
}

/// The known aliases of a canonical name, in any script ("Путин", "푸틴" for Vladimir Putin).
fn aliases_of(name: &str) -> impl Iterator<Item = &'static str> {
    static BY_NAME: LazyLock<HashMap<&'static str, &'static [String]>> = LazyLock::new(|| {
        Gazetteer::builtin()
            .entities
            .iter()
            .map(|e| (e.name.as_str(), e.aliases.as_slice()))
            .collect()
    });
    BY_NAME
        .get(name)
        .into_iter()
        .flat_map(|aliases| aliases.iter().map(String::as_str))
}

/// Whether the whole name, or any word of it, starts with `prefix` (already lower-cased).
fn matches_prefix(name: &str, prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let lower = name.to_lowercase();
    lower.starts_with(prefix)
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::matches_prefix;

    #[test]
    fn any_word_of_the_name_can_start_the_match() {
        assert!(matches_prefix("Kim Jong Un", "jong"));
        assert!(matches_prefix("Kim Jong Un", "kim j"));
        assert!(matches_prefix("Kim Jong-un", "un"));
        assert!(!matches_prefix("Kim Jong Un", "ong"));
        assert!(matches_prefix("Путин", "пут"));
    }
}
