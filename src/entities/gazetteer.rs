//! The alias tables.

use std::collections::HashMap;

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

/// The compiled-in tables, in the order later ones extend earlier ones.
const TABLES: [(&str, &str); 4] = [
    ("places.tsv", include_str!("../../data/entities/places.tsv")),
    (
        "places_extra.tsv",
        include_str!("../../data/entities/places_extra.tsv"),
    ),
    ("people.tsv", include_str!("../../data/entities/people.tsv")),
    ("orgs.tsv", include_str!("../../data/entities/orgs.tsv")),
];

/// Every known entity.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// The entities, in table order.
    pub entities: Vec<Entity>,
}

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn builtin() -> Gazetteer {
        let mut gazetteer = Gazetteer::default();
        for (name, text) in TABLES {
            gazetteer
                .extend_from_tsv(text)
                .unwrap_or_else(|e| panic!("data/entities/{name}: {e}"));
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
