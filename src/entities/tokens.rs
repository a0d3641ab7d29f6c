//! Word tokens with character offsets, split the way the training data is (punctuation and
//! possessive "'s" apart, abbreviations such as "U.S." and hyphenated names kept whole).

/// Tokens of `text` as (first char, one past last char) offsets in characters.
pub fn tokenize(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        split_chunk(&chars, start, i, &mut out);
    }
    out
}

fn split_chunk(chars: &[char], mut start: usize, mut end: usize, out: &mut Vec<(usize, usize)>) {
    let is_word = |c: char| c.is_alphanumeric();
    // A possessive standing alone ("Columbia University 's"), as the training data writes it.
    if end - start == 2
        && matches!(chars[start], '\'' | '’')
        && matches!(chars[start + 1], 's' | 'S')
    {
        out.push((start, end));
        return;
    }
    // Leading punctuation, one token each.
    while start < end && !is_word(chars[start]) {
        out.push((start, start + 1));
        start += 1;
    }
    let mut trailing = Vec::new();
    let abbreviation = |s: usize, e: usize| {
        e - s >= 2 && chars[s..e].iter().filter(|&&c| c == '.').count() >= 2
            // An initial: "Mario J. Lucero".
            || (e - s == 2 && chars[s].is_uppercase() && chars[s + 1] == '.')
            || (e - s <= 6
                && chars[e - 1] == '.'
                && chars[s].is_uppercase()
                && chars[s..e - 1].iter().all(|c| c.is_alphabetic())
                && matches!(
                    chars[s..e - 1].iter().collect::<String>().as_str(),
                    "Mr" | "Mrs"
                        | "Ms"
                        | "Dr"
                        | "St"
                        | "Jr"
                        | "Sr"
                        | "Gen"
                        | "Col"
                        | "Lt"
                        | "Sgt"
                        | "Rep"
                        | "Sen"
                        | "Gov"
                        | "Prof"
                        | "Inc"
                        | "Co"
                        | "Corp"
                        | "Ltd"
                        | "Bros"
                        | "Assoc"
                        | "Dept"
                        | "Univ"
                        | "Ave"
                        | "Mt"
                        | "Ft"
                        | "Jan"
                        | "Feb"
                        | "Mar"
                        | "Apr"
                        | "Jun"
                        | "Jul"
                        | "Aug"
                        | "Sep"
                        | "Sept"
                        | "Oct"
                        | "Nov"
                        | "Dec"
                        | "Cal"
                        | "Calif"
                        | "Mass"
                ))
    };
    while end > start && !is_word(chars[end - 1]) {
        if chars[end - 1] == '.' && abbreviation(start, end) {
            break;
        }
        trailing.push((end - 1, end));
        end -= 1;
    }
    if end > start {
        // Possessive 's / ’s.
        if end - start > 2
            && matches!(chars[end - 2], '\'' | '’')
            && matches!(chars[end - 1], 's' | 'S')
        {
            out.push((start, end - 2));
            out.push((end - 2, end));
        } else {
            out.push((start, end));
        }
    }
    out.extend(trailing.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        tokenize(text)
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn splits_like_the_training_data() {
        assert_eq!(
            words("Mr. Putin's visit (to the U.S.), said Kim Jong-un."),
            vec![
                "Mr.", "Putin", "'s", "visit", "(", "to", "the", "U.S.", ")", ",", "said", "Kim",
                "Jong-un", "."
            ]
        );
        assert_eq!(
            words("\"Hello\" — Лавров"),
            vec!["\"", "Hello", "\"", "—", "Лавров"]
        );
        // Initials and company or month abbreviations keep their period (so they do not end
        // a sentence), a detached possessive is one token.
        assert_eq!(
            words("Mario J. Lucero of Acme Inc. met Columbia University 's dean on Feb. 1."),
            vec![
                "Mario",
                "J.",
                "Lucero",
                "of",
                "Acme",
                "Inc.",
                "met",
                "Columbia",
                "University",
                "'s",
                "dean",
                "on",
                "Feb.",
                "1",
                "."
            ]
        );
    }
}
