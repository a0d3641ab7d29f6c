//! Turning the perceptron's tags into mentions, with document-level canonical names: a later
//! "Smith" is the "John Smith" named earlier, and a name the gazetteer knows gets its name.

use crate::entities::perceptron::{LABELS, Model, gazetteer_codes};
use crate::entities::tokens::tokenize;
use crate::entities::{Kind, Mention, lookup};

/// Whether most letters of a sentence of more than three words are capitals.
fn shouted(words: &[&str]) -> bool {
    if words.len() <= 3 {
        return false;
    }
    let (mut upper, mut letters) = (0usize, 0usize);
    for c in words
        .iter()
        .flat_map(|w| w.chars())
        .filter(|c| c.is_alphabetic())
    {
        letters += 1;
        upper += usize::from(c.is_uppercase());
    }
    upper * 2 > letters
}

/// Words that precede a name without being part of it.
const TITLES: [&str; 52] = [
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "madam",
    "president",
    "vice",
    "justice",
    "judge",
    "emperor",
    "empress",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "general",
    "gen",
    "colonel",
    "col",
    "captain",
    "capt",
    "senator",
    "sen",
    "rep",
    "representative",
    "governor",
    "gov",
    "mayor",
    "minister",
    "chancellor",
    "dean",
    "rev",
    "reverend",
    "father",
    "sister",
    "brother",
    "chairman",
    "secretary",
    "ambassador",
    "officer",
    "sgt",
    "lt",
    "premier",
    "comrade",
];

fn is_title(word: &str) -> bool {
    let word = word.trim_end_matches('.');
    word.len() <= 14 && TITLES.contains(&word.to_lowercase().as_str())
}

/// The names the model finds in `text`. Where one is exactly a gazetteer name (`known`), the
/// gazetteer's mention is returned: its canonical entity and type. The caller drops the
/// gazetteer mentions the model's overlap otherwise: the model read the context and knows that
/// "United States" is part of "United States Congress".
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
        if shouted(&words[start..end]) {
            // All-caps copy (wire headlines, Reuters' 1980s stories): capitals say nothing
            // there, and the model trained on mixed case tags "SUGAR" or "SPOT" as people.
            start = end;
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
    for (mut first, last, kind) in spans {
        // Titles and honorifics are not part of a person's name ("Justice Scalia" is "Scalia"),
        // and a title alone is no name of any kind.
        if kind == Kind::Person {
            while first < last && is_title(words[first]) {
                first += 1;
            }
        }
        if (first..last).all(|i| is_title(words[i])) {
            continue;
        }
        let (s, e) = (tokens[first].0, tokens[last - 1].1);
        let surface = text[bytes[s]..bytes[e]].to_string();
        // The same span as a gazetteer name: that entity, with its type, whatever the model thinks.
        let same = known.iter().find(|m| m.start == s && m.end == e);
        if let Some(m) = same {
            out.push(m.clone());
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Tagger;

    #[test]
    fn all_caps_sentences_are_left_to_the_gazetteer() {
        assert!(shouted(&["SUGAR", "PRICES", "RISE", "IN", "LONDON"]));
        assert!(!shouted(&["Sugar", "prices", "rise", "in", "London"]));
        let text = "SPOT SUGAR PRICES FIRM IN LONDON TRADE.";
        let kinds: Vec<(&str, Kind)> = Tagger::builtin()
            .tag(text)
            .iter()
            .map(|m| (&text[m.start..m.end], m.kind))
            .collect();
        assert_eq!(kinds, vec![("LONDON", Kind::Place)]);
    }

    #[test]
    fn titles_are_not_part_of_names() {
        assert!(is_title("Justice") && is_title("Mr.") && is_title("PRESIDENT"));
        assert!(!is_title("Scalia") && !is_title("Justine"));
        let mentions = Tagger::builtin().tag("The ruling by Justice Antonin Scalia was long.");
        let people: Vec<(&str, &str)> = mentions
            .iter()
            .map(|m| {
                (
                    &"The ruling by Justice Antonin Scalia was long."[m.start..m.end],
                    m.entity.as_str(),
                )
            })
            .collect();
        assert_eq!(people, vec![("Antonin Scalia", "Antonin Scalia")]);
    }
}
