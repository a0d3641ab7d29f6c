//! Bytes to text in the right character set: Windows-1251, EUC-KR and Shift_JIS pages must come
//! out as the Russian, Korean and Japanese their authors wrote.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

/// How many bytes of a page are searched for a `<meta charset>` declaration.
const META_PRESCAN_BYTES: usize = 4096;

/// Decodes `bytes`. The character set is, in order of trust: a byte-order mark; the one
/// `declared` by the HTTP `Content-Type` header; a `<meta charset>` or `http-equiv` declaration
/// in the first kilobytes (when `markup`); UTF-8 if the bytes are valid UTF-8; otherwise
/// chardetng's guess (with the URL's top-level domain as a hint: `.ru` pages lean Cyrillic).
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    declared: Option<&str>,
    markup: bool,
    url: Option<&str>,
) -> Cow<'a, str> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0;
    }
    let label = declared
        .and_then(|d| Encoding::for_label(d.trim().as_bytes()))
        .or_else(|| markup.then(|| meta_charset(bytes)).flatten());
    if let Some(encoding) = label {
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        // Pages often declare UTF-8 and are not; any other declaration is believed.
        if !(had_errors && encoding == UTF_8) {
            return text;
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let tld = url.and_then(top_level_domain);
    let guess = detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Allow,
    );
    guess.decode_without_bom_handling(bytes).0
}

/// The encoding named by `charset=` in the first kilobytes of a page (in a `<meta charset>`,
/// a `<meta http-equiv="Content-Type" content="…; charset=…">` or an XML declaration's
/// `encoding=`).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let lower = head.to_ascii_lowercase();
    for needle in [&b"charset"[..], b"encoding"] {
        for at in memchr::memmem::find_iter(&lower, needle) {
            let rest = &lower[at + needle.len()..];
            let rest = trim_start(rest);
            let Some(rest) = rest.strip_prefix(b"=") else {
                continue;
            };
            let rest = trim_start(rest);
            let rest = rest
                .strip_prefix(b"\"")
                .or(rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let end = rest
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b"-_:.".contains(&b)))
                .unwrap_or(rest.len());
            if let Some(encoding) = Encoding::for_label(&rest[..end]) {
                // A page that was decoded to UTF-16 by a server can still say so in ASCII;
                // the bytes are ASCII-compatible, so UTF-16 cannot be right.
                return Some(if encoding.is_ascii_compatible() {
                    encoding
                } else {
                    UTF_8
                });
            }
        }
    }
    None
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The top-level domain of a URL (`ru` for `https://news.example.ru/a`).
fn top_level_domain(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(host.rsplit('.').next()?.to_string())
}

/// The `charset` parameter of a `Content-Type` header value.
pub(crate) fn charset_of_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_and_meta_charsets_are_honoured() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Саммит в Пхеньяне");
        assert_eq!(
            decode(&bytes, Some("windows-1251"), false, None),
            "Саммит в Пхеньяне"
        );
        let page = [
            &b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body>"[..],
            &bytes,
        ]
        .concat();
        assert!(decode(&page, None, true, None).ends_with("Саммит в Пхеньяне"));
        let (korean, _, _) = encoding_rs::EUC_KR.encode("정상회담");
        let page = [&b"<meta charset='euc-kr'>"[..], &korean].concat();
        assert!(decode(&page, None, true, None).ends_with("정상회담"));
    }

    #[test]
    fn undeclared_legacy_text_is_guessed_and_utf8_is_kept() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS
            .encode("プーチン大統領は平壌で金正恩総書記と会談し、包括的戦略パートナーシップ条約に署名した。");
        assert!(decode(&bytes, None, true, None).starts_with("プーチン大統領"));
        assert_eq!(decode("Пхеньян".as_bytes(), None, true, None), "Пхеньян");
        assert_eq!(
            decode("Пхеньян".as_bytes(), Some("utf-8"), true, None),
            "Пхеньян"
        );
    }

    #[test]
    fn content_type_charset() {
        assert_eq!(
            charset_of_content_type("text/html; charset=\"EUC-KR\""),
            Some("EUC-KR")
        );
        assert_eq!(charset_of_content_type("text/html"), None);
    }
}
