//! Turning the perceptron's tags into mentions, with document-level canonical names: a later
//! "Smith" is the "John Smith" named earlier, and a name the gazetteer knows gets its name.

use crate::entities::perceptron::{LABELS, Model, gazetteer_codes};
use crate::entities::tokens::tokenize;
use crate::entities::{Kind, Mention, lookup};

/// Mentions the model finds in `text` that do not overlap `known` (the gazetteer's).
pub fn mentions(model: &Model, text: &str, known: &[Mention]) -> Vec<Mention> {
    // Byte offset of every character, so tokens can borrow from the text.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let tokens = tokenize(text);
    let words: Vec<&str> = tokens
        .iter()
        .map(|&(s, e)| &text[bytes[s]..bytes[e]])
        .collect();
    let codes = gazetteer_codes(&tokens, known);
    let mut spans: Vec<(usize, usize, Kind)> = Vec::new();
    // Sentences end at . ! ? tokens.
    let mut start = 0;
    for end in 1..=words.len() {
        let boundary = end == words.len() || matches!(words[end - 1], "." | "!" | "?");
        if !boundary {
            continue;
        }
        let tags = model.predict_with(&words[start..end], &codes[start..end]);
        let mut open: Option<(usize, Kind)> = None;
        for (i, &tag) in tags.iter().enumerate() {
            let label = LABELS[tag];
            let kind = match &label[label.len().min(2)..] {
                "PER" => Some(Kind::Person),
                "LOC" => Some(Kind::Place),
                "ORG" => Some(Kind::Org),
                _ => None,
            };
            let inside = label.starts_with("I-");
            if !(inside && open.is_some_and(|(_, k)| Some(k) == kind)) {
                if let Some((first, k)) = open.take() {
                    spans.push((start + first, start + i, k));
                }
                if let Some(kind) = kind {
                    open = Some((i, kind));
                }
            }
        }
        if let Some((first, k)) = open {
            spans.push((start + first, end, k));
        }
        start = end;
    }
    let mut out: Vec<Mention> = Vec::new();
    for (first, last, kind) in spans {
        let (s, e) = (tokens[first].0, tokens[last - 1].1);
        if known.iter().any(|m| m.start < e && s < m.end) {
            continue;
        }
        let surface = text[bytes[s]..bytes[e]].to_string();
        let entity = match lookup(&surface) {
            Some(entity) => entity.name.clone(),
            None if kind == Kind::Person && last - first == 1 => {
                // One name alone ("Smith", "Kim"): the full name given earlier in the text.
                out.iter()
                    .chain(known)
                    .filter(|m| m.kind == Kind::Person && m.start < s)
                    .find(|m| m.entity.split(' ').any(|w| w == surface))
                    .map(|m| m.entity.clone())
                    .unwrap_or(surface)
            }
            None => surface,
        };
        out.push(Mention {
            start: s,
            end: e,
            kind,
            entity,
        });
    }
    out
}
