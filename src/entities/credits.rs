//! The dateline and credit of an article: where it was filed and which agency it credits.
//!
//! Read from the text, in this order:
//! - the opening dateline: `PYONGYANG, June 19 (KCNA) —`, `MOSCOW (Reuters) -`,
//!   `SEOUL, June 20 (Yonhap) --`, `Berlin (dpa) –`, `PARIS —`, TASS's `МОСКВА, 19 июня. /ТАСС/.`;
//! - a closing credit line: `— AP`, `(Reuters)`;
//! - an attribution in the first paragraphs: `…, Yonhap reported.`, `the Korean Central News
//!   Agency reported`.
//!
//! The place and the credit are given their canonical names when the gazetteer knows them
//! (`PYONGYANG` → Pyongyang, `KCNA` → Korean Central News Agency); an unknown place in capitals
//! is written in title case (`VELMORA` → Velmora), an unknown credit as written.

use crate::entities::{Kind, canonical_name};

/// Where an article was filed and whom it credits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credits {
    /// The dateline's place, canonical.
    pub place: Option<String>,
    /// The credited agency or outlet, canonical.
    pub credit: Option<String>,
}

/// Longest dateline read, in characters, before its dash.
const MAX_DATELINE_CHARS: usize = 80;
/// Longest credit, in characters.
const MAX_CREDIT_CHARS: usize = 40;
/// Words before "reported" tried as an agency's name.
const MAX_NAME_WORDS: usize = 6;

/// The dateline and credit of a body.
pub fn credits(body: &str) -> Credits {
    let body = body.trim_start();
    let mut found = opening(body).unwrap_or_default();
    if found.credit.is_none() {
        found.credit = closing(body).or_else(|| attribution(body));
    }
    found
}

/// The canonical name of an entity of `kind` named `text`, if the gazetteer knows one.
fn canonical(text: &str, kind: Kind) -> Option<String> {
    canonical_name(text, kind).map(str::to_string)
}

/// A place as a dateline writes it: canonical when known, else in title case when it is in
/// capitals, else (only when `credited`: an agency in parentheses follows, which no ordinary
/// opening has) as written when every word starts with a capital.
fn place(text: &str, credited: bool) -> Option<String> {
    let text = text.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 || text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if !words
        .iter()
        .all(|w| w.chars().next().is_some_and(char::is_uppercase))
    {
        return None;
    }
    if let Some(name) = canonical(text, Kind::Place) {
        return Some(name);
    }
    let capitals = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    if !capitals {
        // A title-case place the gazetteer does not know, with no agency after it, is too
        // likely an ordinary opening ("Officials Said —").
        return credited.then(|| text.to_string());
    }
    Some(
        words
            .iter()
            .map(|w| {
                let mut chars = w.chars();
                chars.next().map_or_else(String::new, |first| {
                    first
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect()
                })
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// A credit as written: canonical when known, else trimmed if it looks like a name.
fn credit(text: &str) -> Option<String> {
    let text = text
        .trim()
        .trim_matches(|c: char| matches!(c, '/' | '(' | ')' | '.' | ','));
    let text = text.trim();
    if text.is_empty()
        || text.chars().count() > MAX_CREDIT_CHARS
        || !text.chars().next().is_some_and(char::is_alphabetic)
    {
        return None;
    }
    Some(canonical(text, Kind::Org).unwrap_or_else(|| text.to_string()))
}

/// The opening dateline: the place (before the first comma or parenthesis) and the credit in
/// parentheses, or TASS's `/ТАСС/`, ending at a dash.
fn opening(body: &str) -> Option<Credits> {
    let line = body.lines().next()?;
    let head: String = line.chars().take(MAX_DATELINE_CHARS + 4).collect();
    // TASS: `МОСКВА, 19 июня. /ТАСС/.`
    if let Some(start) = head.find(" /")
        && let Some(len) = head[start + 2..].find('/')
    {
        let agency = &head[start + 2..start + 2 + len];
        let before = &head[..start];
        let name = before.split(',').next().unwrap_or(before);
        if let (Some(place), Some(agency)) = (place(name, true), credit(agency)) {
            return Some(Credits {
                place: Some(place),
                credit: Some(agency),
            });
        }
    }
    let dash = [" — ", " – ", " -- ", " - ", "—", "–"]
        .iter()
        .filter_map(|d| head.find(d))
        .min()?;
    let before = head[..dash].trim();
    if before.chars().count() > MAX_DATELINE_CHARS {
        return None;
    }
    let (rest, agency) = match (before.rfind('('), before.ends_with(')')) {
        (Some(open), true) => (&before[..open], credit(&before[open + 1..before.len() - 1])),
        _ => (before, None),
    };
    let name = rest.split(',').next().unwrap_or(rest);
    let place = place(name, agency.is_some())?;
    Some(Credits {
        place: Some(place),
        credit: agency,
    })
}

/// A closing credit line: `— AP`, `-- Reuters`, or `(Reuters)` ending the text.
fn closing(body: &str) -> Option<String> {
    let last = body.trim_end().lines().last()?.trim();
    if let Some(rest) = ["—", "–", "--", "-"]
        .iter()
        .find_map(|d| last.strip_prefix(d))
    {
        return credit(rest);
    }
    if last.ends_with(')')
        && let Some(open) = last.rfind('(')
    {
        let inside = &last[open + 1..last.len() - 1];
        // Only a name the gazetteer knows as an organisation: "(pictured)" is no credit.
        return canonical(inside.trim(), Kind::Org);
    }
    None
}

/// An agency the first paragraphs say reported the news: `…, Yonhap reported`.
fn attribution(body: &str) -> Option<String> {
    let opening: String = body.split("\n\n").take(2).collect::<Vec<_>>().join(" ");
    let mut from = 0;
    while let Some(at) = opening[from..].find(" reported") {
        let end = from + at;
        from = end + 1;
        let words: Vec<&str> = opening[..end]
            .split_whitespace()
            .rev()
            .take(MAX_NAME_WORDS)
            .collect();
        // The longest run of words before "reported" that names an organisation.
        for n in (1..=words.len()).rev() {
            let name: Vec<&str> = words[..n].iter().rev().copied().collect();
            let name = name
                .join(" ")
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            let name = name.strip_prefix("the ").unwrap_or(&name);
            if let Some(found) = canonical(name.trim_end_matches(','), Kind::Org) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(body: &str) -> (Option<String>, Option<String>) {
        let c = credits(body);
        (c.place, c.credit)
    }

    fn some(a: &str, b: &str) -> (Option<String>, Option<String>) {
        (Some(a.to_string()), Some(b.to_string()))
    }

    #[test]
    fn five_dateline_styles() {
        assert_eq!(
            both("PYONGYANG, June 19 (KCNA) — Kim Jong Un welcomed the guest."),
            some("Pyongyang", "Korean Central News Agency")
        );
        assert_eq!(
            both("MOSCOW (Reuters) - The Kremlin said on Monday."),
            some("Moscow", "Reuters")
        );
        assert_eq!(
            both("SEOUL, June 20 (Yonhap) -- South Korea summoned the ambassador."),
            some("Seoul", "Yonhap")
        );
        assert_eq!(
            both("МОСКВА, 19 июня. /ТАСС/. Президент России прибыл."),
            some("Moscow", "TASS")
        );
        assert_eq!(
            both("VELMORA, May 6 — Dockworkers walked out.\n\nMore text.\n\n— AP"),
            some("Velmora", "Associated Press")
        );
    }

    #[test]
    fn credits_without_a_dateline() {
        assert_eq!(
            both("Officials met on Monday, Yonhap reported.\n\nMore."),
            (None, Some("Yonhap".to_string()))
        );
        assert_eq!(
            both("Crowds gathered, the Korean Central News Agency reported on Thursday."),
            (None, Some("Korean Central News Agency".to_string()))
        );
        assert_eq!(
            both("The talks ended.\n\n(Reuters)"),
            (None, Some("Reuters".to_string()))
        );
    }

    #[test]
    fn ordinary_openings_are_no_dateline() {
        assert_eq!(
            both("Officials said — after a pause — that talks would resume."),
            (None, None)
        );
        assert_eq!(
            both("In 2024 - a year of elections - turnout rose."),
            (None, None)
        );
        assert_eq!(both("Mostly Sunny — the forecast held."), (None, None));
        assert_eq!(
            both("Velmora, May 6 (Harbour Wire) – Dockers struck."),
            some("Velmora", "Harbour Wire")
        );
        assert_eq!(
            both("The minister (pictured) spoke.\n\nShe left (pictured)"),
            (None, None)
        );
        assert_eq!(both(""), (None, None));
    }
}
