//! The user's corrections to entity tagging, applied on top of the built-in gazetteer.
//!
//! A corrections file is plain text, one correction per line, fields separated by tabs, `#` for
//! comments (tabs are shown as `<TAB>` below). Types are `person`, `place`, `org`; alias lists are separated by `|`.
//!
//! ```text
//! # merge these names into one entity (the first name stays canonical)
//! merge<TAB>person<TAB>Vladimir Putin<TAB>V. Putin|Putin V.V.
//! # rename an entity (the old name stays an alias)
//! rename<TAB>person<TAB>Kim Jong Un<TAB>Kim Jong-un
//! # never tag this name as anything
//! never<TAB>Nice
//! # this is an organisation, not a place
//! retype<TAB>Kremlin<TAB>org
//! # a new entity with its aliases
//! add<TAB>org<TAB>Meridian Wire<TAB>MW|Meridian
//! ```

use std::path::Path;

use crate::entities::{Entity, Gazetteer, Kind};
use crate::{Error, Result};

fn kind(text: &str) -> Option<Kind> {
    match text.trim() {
        "person" => Some(Kind::Person),
        "place" => Some(Kind::Place),
        "org" => Some(Kind::Org),
        _ => None,
    }
}

fn aliases(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// Applies the corrections in `text` (named `source` in errors) to `gazetteer`.
pub fn apply(gazetteer: &mut Gazetteer, text: &str, source: &str) -> Result<()> {
    for (number, line) in text.lines().enumerate() {
        let line_no = number + 1;
        let bad = |message: String| Error::Corrections {
            path: source.to_string(),
            line: line_no,
            message,
        };
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let kind_at = |i: usize| {
            let text = fields.get(i).copied().unwrap_or("");
            kind(text)
                .ok_or_else(|| bad(format!("`{text}` is not a type: use person, place or org")))
        };
        let name_at = |i: usize| {
            fields
                .get(i)
                .filter(|n| !n.is_empty())
                .map(|n| n.to_string())
                .ok_or_else(|| bad("a name is missing (fields are separated by tabs)".into()))
        };
        match fields[0] {
            "merge" | "add" => {
                let kind = kind_at(1)?;
                let name = name_at(2)?;
                let mut merged = aliases(fields.get(3).copied());
                // Entities of the same type named by an alias fold into this one.
                let absorbed: Vec<Entity> = {
                    let (take, keep): (Vec<Entity>, Vec<Entity>) =
                        std::mem::take(&mut gazetteer.entities)
                            .into_iter()
                            .partition(|e| {
                                e.kind == kind && e.name != name && merged.contains(&e.name)
                            });
                    gazetteer.entities = keep;
                    take
                };
                for entity in absorbed {
                    merged.extend(entity.aliases);
                }
                let target = match gazetteer
                    .entities
                    .iter()
                    .position(|e| e.kind == kind && e.name == name)
                {
                    Some(i) => i,
                    None => {
                        gazetteer.entities.push(Entity {
                            name: name.clone(),
                            kind,
                            aliases: Vec::new(),
                        });
                        gazetteer.entities.len() - 1
                    }
                };
                // An alias belongs to one entity: take it from any other.
                for (i, entity) in gazetteer.entities.iter_mut().enumerate() {
                    if i != target {
                        entity.aliases.retain(|a| !merged.contains(a));
                    }
                }
                let entity = &mut gazetteer.entities[target];
                for alias in merged {
                    if alias != entity.name && !entity.aliases.contains(&alias) {
                        entity.aliases.push(alias);
                    }
                }
            }
            "rename" => {
                let kind = kind_at(1)?;
                let (old, new) = (name_at(2)?, name_at(3)?);
                let entity = gazetteer
                    .entities
                    .iter_mut()
                    .find(|e| e.kind == kind && e.name == old)
                    .ok_or_else(|| bad(format!("no {} named `{old}` to rename", kind.name())))?;
                entity.aliases.retain(|a| *a != new);
                entity.aliases.push(old);
                entity.name = new;
            }
            "never" => {
                let name = name_at(1)?;
                gazetteer.entities.retain(|e| e.name != name);
                for entity in &mut gazetteer.entities {
                    entity.aliases.retain(|a| *a != name);
                }
            }
            "retype" => {
                let name = name_at(1)?;
                let kind = kind_at(2)?;
                let entity = gazetteer
                    .entities
                    .iter_mut()
                    .find(|e| e.name == name)
                    .ok_or_else(|| bad(format!("no entity named `{name}` to retype")))?;
                entity.kind = kind;
            }
            other => {
                return Err(bad(format!(
                    "unknown correction `{other}`: use merge, add, rename, never or retype"
                )));
            }
        }
    }
    Ok(())
}

/// The built-in gazetteer with the corrections file at `path` applied.
pub fn load(path: &Path) -> Result<Gazetteer> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut gazetteer = Gazetteer::builtin().clone();
    apply(&mut gazetteer, &text, &path.display().to_string())?;
    Ok(gazetteer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Tagger;

    fn tagged(corrections: &str, text: &str) -> Vec<(String, &'static str)> {
        let mut gazetteer = Gazetteer::builtin().clone();
        apply(&mut gazetteer, corrections, "test").unwrap();
        Tagger::new(gazetteer)
            .tag_gazetteer(text)
            .into_iter()
            .map(|m| (m.entity, m.kind.name()))
            .collect()
    }

    fn pairs(items: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        items.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn merge_folds_names_and_entities_into_one() {
        let corrections = "merge\tperson\tVladimir Putin\tV. Putin|Putin V.V.|Sergei Lavrov\n";
        assert_eq!(
            tagged(corrections, "V. Putin and Sergei Lavrov"),
            pairs(&[("Vladimir Putin", "person"), ("Vladimir Putin", "person")])
        );
    }

    #[test]
    fn rename_keeps_the_old_name_as_an_alias() {
        let corrections = "# house style\nrename\tperson\tKim Jong Un\tKim Jong-un\n";
        assert_eq!(
            tagged(corrections, "Kim Jong Un, 김정은"),
            pairs(&[("Kim Jong-un", "person"), ("Kim Jong-un", "person")])
        );
    }

    #[test]
    fn never_and_retype() {
        assert_eq!(tagged("never\tKCNA\n", "KCNA said"), pairs(&[]));
        assert_eq!(
            tagged("retype\tKremlin\tplace\n", "the Kremlin said"),
            pairs(&[("Kremlin", "place")])
        );
        assert_eq!(
            tagged("add\torg\tMeridian Wire\tMW\n", "MW reported"),
            pairs(&[("Meridian Wire", "org")])
        );
    }

    #[test]
    fn mistakes_name_the_line() {
        let mut gazetteer = Gazetteer::builtin().clone();
        let error = apply(&mut gazetteer, "# ok\nmerge\tpeople\tX\tY\n", "fixes.tsv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "corrections file `fixes.tsv`, line 2: `people` is not a type: use person, place or org"
        );
        let error = apply(
            &mut gazetteer,
            "rename\tperson\tNobody\tSomebody\n",
            "fixes.tsv",
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("no person named `Nobody` to rename")
        );
    }
}
