//! Every input format, broken inputs, a mixed folder, crash safety and the writer lock.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dateline::article::Article;
use dateline::ingest::{Item, Location, SkipKind, read_file};

use crate::common::{dateline, fixture, stderr};

fn formats(name: &str) -> PathBuf {
    fixture("formats").join(name)
}

/// The one article a file holds.
fn article_of(path: &Path) -> Article {
    let mut items = read_file(path);
    assert_eq!(items.len(), 1, "{}: {items:?}", path.display());
    match items.remove(0) {
        Item::Article(parsed) => parsed.article,
        other => panic!("{}: {other:?}", path.display()),
    }
}

fn date(article: &Article) -> String {
    article
        .published
        .expect("a date")
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn assert_clean(body: &str, starts: &str, ends: &str, boilerplate: &[&str]) {
    assert!(body.starts_with(starts), "body starts otherwise:\n{body}");
    assert!(body.ends_with(ends), "body ends otherwise:\n{body}");
    for junk in boilerplate {
        assert!(!body.contains(junk), "`{junk}` left in the body:\n{body}");
    }
}

#[test]
fn html_pages_in_four_layouts_and_three_legacy_encodings() {
    // JSON-LD wins over OpenGraph for the date and the outlet.
    let ledger = article_of(&formats("pages/ledger-jsonld.html"));
    assert_eq!(ledger.title, "Leaders sign partnership treaty in Pyongyang");
    assert_eq!(date(&ledger), "2024-06-19T05:30:00Z");
    assert_eq!(ledger.source.as_deref(), Some("The Harbour Ledger"));
    assert_eq!(ledger.author.as_deref(), Some("Mira Holt"));
    assert_eq!(
        ledger.url.as_deref(),
        Some("https://ledger.example/world/2024/06/19/treaty-signed")
    );
    assert_eq!(ledger.language.as_deref(), Some("en"));
    assert_clean(
        &ledger.body,
        "The Russian president and the North Korean leader signed",
        "a gala concert closed the day.",
        &[
            "cookies",
            "Advertisement",
            "Related stories",
            "Great article",
            "rights reserved",
            "Business",
            "By Mira Holt",
        ],
    );
    assert_eq!(
        ledger.body.lines().filter(|l| !l.is_empty()).count(),
        4,
        "four paragraphs"
    );

    // OpenGraph and `article:*` meta tags, no JSON-LD, a sidebar layout.
    let courier = article_of(&formats("pages/courier-opengraph.htm"));
    assert_eq!(courier.title, "Border bridge talks resume");
    assert_eq!(date(&courier), "2024-06-21T05:15:00Z");
    assert_eq!(courier.source.as_deref(), Some("Valley Courier"));
    assert_eq!(courier.author.as_deref(), Some("Tomas Reyes"));
    assert_eq!(
        courier.url.as_deref(),
        Some("https://courier.example/news/bridge-talks")
    );
    assert_clean(
        &courier.body,
        "Negotiators from both countries resumed talks on Friday",
        "who pays for the approach roads.",
        &["Most read", "Sponsored", "Subscribe", "Advertise", "Log in"],
    );

    // Windows-1251 declared by http-equiv, a table layout, the date from <time>.
    let vestnik = article_of(&formats("pages/vestnik-cp1251.html"));
    assert_eq!(
        vestnik.title,
        "Саммит в Пхеньяне завершился подписанием договора"
    );
    assert_eq!(date(&vestnik), "2024-06-19T08:00:00Z");
    assert_clean(
        &vestnik.body,
        "Президент России и руководитель КНДР подписали в Пхеньяне договор",
        "тысячи жителей столицы.",
        &["Реклама", "Все права", "Главная", "Спорт"],
    );
    assert_eq!(vestnik.language, None, "detected at indexing, not given");

    // EUC-KR declared by <meta charset>.
    let ilbo = article_of(&formats("pages/ilbo-euckr.html"));
    assert_eq!(ilbo.title, "평양 정상회담 이후 국경 교역 확대 전망");
    assert_eq!(date(&ilbo), "2024-06-20T00:00:00Z");
    assert_clean(
        &ilbo.body,
        "평양에서 열린 정상회담 이후",
        "장사가 훨씬 쉬워질 것이라고 말했다.",
        &["무단 전재", "스포츠", "정치"],
    );

    // Shift_JIS; the <title> carries the outlet behind a full-width bar, the <h1> does not.
    let shimbun = article_of(&formats("pages/shimbun-sjis.html"));
    assert_eq!(
        shimbun.title,
        "平壌で首脳会談、包括的戦略パートナーシップ条約に署名"
    );
    assert_eq!(date(&shimbun), "2024-06-19T00:00:00Z");
    assert_eq!(shimbun.language.as_deref(), Some("ja"));
    assert_clean(
        &shimbun.body,
        "ロシア大統領は平壌を訪問し",
        "可能性があると分析している。",
        &["アクセスランキング", "無断転載", "トップ", "夏の旅行"],
    );

    // A `.txt` that is really HTML is read as HTML.
    let brief = article_of(&formats("pages/wire-brief.txt"));
    assert_eq!(brief.title, "Rail link to reopen next month");
    assert_eq!(brief.source.as_deref(), Some("Coastal Wire"));
    assert!(!brief.body.contains('<'), "{}", brief.body);

    // A section front has no article.
    let items = read_file(&formats("pages/section-front.html"));
    match &items[..] {
        [Item::Skipped(error)] => {
            assert_eq!(error.kind, SkipKind::NoText);
            assert_eq!(error.location, Location::File);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rss_and_atom_feeds_give_one_article_per_item() {
    let items = read_file(&formats("feeds/ledger.rss"));
    assert_eq!(items.len(), 3);
    let Item::Article(first) = &items[0] else {
        panic!("{:?}", items[0]);
    };
    let a = &first.article;
    assert_eq!(
        a.title,
        "Motorcade crosses Pyongyang as crowds line avenues"
    );
    assert_eq!(a.source.as_deref(), Some("The Harbour Ledger – World"));
    assert_eq!(a.author.as_deref(), Some("Mira Holt"));
    assert_eq!(a.tags, vec!["Asia".to_string()]);
    assert_eq!(date(a), "2024-06-19T03:40:00Z");
    // Full content (content:encoded) wins over the teaser; its HTML becomes text.
    assert_eq!(
        a.body,
        "Thousands of residents gathered along the main avenues of Pyongyang early on Wednesday as the visiting motorcade passed, waving flags and flowers.\n\nState television showed the two leaders riding together in an open car. Follow our live coverage."
    );
    let Item::Article(second) = &items[1] else {
        panic!("{:?}", items[1]);
    };
    assert!(
        second
            .article
            .body
            .starts_with("South Korea's foreign ministry summoned")
    );
    assert_eq!(date(&second.article), "2024-06-21T00:05:00Z");
    let Item::Skipped(empty) = &items[2] else {
        panic!("{:?}", items[2]);
    };
    assert_eq!(empty.location, Location::Item(3));
    assert_eq!(empty.kind, SkipKind::NoText);

    let items = read_file(&formats("feeds/courier.atom"));
    let articles: Vec<&Article> = items
        .iter()
        .map(|item| match item {
            Item::Article(p) => &p.article,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        articles[0].title,
        "Grain shipments double on northern route"
    );
    assert_eq!(date(articles[0]), "2024-06-22T04:30:00Z");
    assert_eq!(
        articles[0].body,
        "Grain shipments on the northern rail route have doubled since March, according to figures released by the port authority on Saturday.\n\nTraders expect volumes to keep rising through the harvest."
    );
    assert_eq!(articles[0].source.as_deref(), Some("Valley Courier"));
    // No link: the entry's id is the article's id; the summary is the body.
    assert_eq!(articles[1].id, "urn:uuid:courier-1002");
    assert_eq!(
        articles[1].body,
        "Our editors explain how the newsroom verified reports from the summit."
    );

    let items = read_file(&formats("feeds/broken.xml"));
    match &items[..] {
        [Item::Skipped(error)] => {
            assert_eq!(error.kind, SkipKind::Malformed);
            assert!(error.to_string().starts_with(&format!(
                "{}: not a well-formed RSS or Atom feed",
                formats("feeds/broken.xml").display()
            )));
        }
        other => panic!("{other:?}"),
    }
}

/// One WARC record: version line, headers, blank line, body, two CRLFs.
pub(crate) fn warc_record(kind: &str, uri: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\nWARC-Date: 2024-06-20T12:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len() * 31 + uri.len(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

pub(crate) fn http_response(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

pub(crate) const HTTP: &str = "application/http; msgtype=response";

/// A crawl of six pages and the records around them, gzipped record by record; the last
/// record is cut off.
fn build_warc() -> Vec<u8> {
    let page = std::fs::read(formats("pages/ledger-jsonld.html")).unwrap();
    let courier = std::fs::read(formats("pages/courier-opengraph.htm")).unwrap();
    // The Russian page, its charset only in the HTTP header (its meta tag removed).
    let vestnik_raw: Vec<u8> = {
        let bytes = std::fs::read(formats("pages/vestnik-cp1251.html")).unwrap();
        let at = memchr_find(&bytes, b"charset=windows-1251");
        [&bytes[..at], &bytes[at + "charset=windows-1251".len()..]].concat()
    };
    // Chunked and gzip-encoded, as a server sent it.
    let chunked: Vec<u8> = {
        let body = gzip(&courier);
        let (a, b) = body.split_at(body.len() / 2);
        [
            format!("{:x}\r\n", a.len()).as_bytes(),
            a,
            b"\r\n",
            format!("{:x}\r\n", b.len()).as_bytes(),
            b,
            b"\r\n0\r\n\r\n",
        ]
        .concat()
    };
    let records = [
        warc_record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"software: dateline-test\r\n",
        ),
        warc_record(
            "request",
            "https://ledger.example/world/2024/06/19/treaty-signed",
            "application/http; msgtype=request",
            b"GET /world/2024/06/19/treaty-signed HTTP/1.1\r\nHost: ledger.example\r\n\r\n",
        ),
        warc_record(
            "response",
            "https://ledger.example/world/2024/06/19/treaty-signed",
            HTTP,
            &http_response(
                "200 OK",
                "Content-Type: text/html; charset=utf-8\r\n",
                &page,
            ),
        ),
        warc_record(
            "metadata",
            "https://ledger.example/world/2024/06/19/treaty-signed",
            "application/warc-fields",
            b"via: https://ledger.example/world\r\n",
        ),
        warc_record(
            "response",
            "https://courier.example/news/bridge-talks",
            HTTP,
            &http_response(
                "200 OK",
                "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n",
                &chunked,
            ),
        ),
        warc_record(
            "response",
            "https://vestnik.example/news/42",
            HTTP,
            &http_response(
                "200 OK",
                "Content-Type: text/html; charset=windows-1251\r\n",
                &vestnik_raw,
            ),
        ),
        warc_record(
            "response",
            "https://ledger.example/missing",
            HTTP,
            &http_response(
                "404 Not Found",
                "Content-Type: text/html\r\n",
                b"<html><body>Not found</body></html>",
            ),
        ),
        warc_record(
            "response",
            "https://ledger.example/logo.png",
            HTTP,
            &http_response(
                "200 OK",
                "Content-Type: image/png\r\n",
                b"\x89PNG\r\n\x1a\n",
            ),
        ),
    ];
    let mut out: Vec<u8> = records.iter().flat_map(|r| gzip(r)).collect();
    let last = warc_record(
        "response",
        "https://ledger.example/cut",
        HTTP,
        &http_response("200 OK", "Content-Type: text/html\r\n", &page),
    );
    out.extend_from_slice(&gzip(&last[..last.len() / 2]));
    out
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

#[test]
fn warc_responses_become_articles_and_other_records_are_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("crawl.warc.gz");
    std::fs::write(&warc, build_warc()).unwrap();
    let items = read_file(&warc);
    let mut articles = Vec::new();
    let mut passed = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match item {
            Item::Article(p) => articles.push((p.location, p.article)),
            Item::Passed(what) => passed.push(what),
            Item::Skipped(e) => errors.push(e),
        }
    }
    assert_eq!(articles.len(), 3, "{articles:#?}");
    let (location, ledger) = &articles[0];
    assert!(matches!(location, Location::Record { number: 3, .. }));
    assert_eq!(ledger.title, "Leaders sign partnership treaty in Pyongyang");
    assert_eq!(
        date(ledger),
        "2024-06-19T05:30:00Z",
        "the page's date, not the crawl's"
    );
    let courier = &articles[1].1;
    assert_eq!(courier.title, "Border bridge talks resume");
    assert!(courier.body.starts_with("Negotiators from both countries"));
    let vestnik = &articles[2].1;
    assert_eq!(
        vestnik.title,
        "Саммит в Пхеньяне завершился подписанием договора"
    );
    assert_eq!(
        vestnik.url.as_deref(),
        Some("https://vestnik.example/news/42")
    );
    passed.sort();
    assert_eq!(
        passed,
        vec![
            "HTTP responses other than 200 OK",
            "WARC records other than responses",
            "WARC records other than responses",
            "WARC records other than responses",
            "non-HTML responses",
        ]
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind, SkipKind::Truncated);
    let Location::Record { number, offset } = errors[0].location else {
        panic!("{:?}", errors[0].location);
    };
    assert_eq!(number, 9);
    // The offset is where record 9 starts in the uncompressed stream.
    let uncompressed: usize = {
        let mut text = Vec::new();
        let compressed = build_warc();
        let mut gz = flate2::read::MultiGzDecoder::new(&compressed[..]);
        let _ = std::io::Read::read_to_end(&mut gz, &mut text);
        let starts: Vec<usize> = text
            .windows(9)
            .enumerate()
            .filter(|(_, w)| *w == b"WARC/1.1\r")
            .map(|(i, _)| i)
            .collect();
        starts[8]
    };
    assert_eq!(offset, uncompressed as u64);
    assert!(errors[0].to_string().contains(&format!(
        "crawl.warc.gz: record 9 at byte {offset}: the file ends in the middle of this record"
    )));

    // The page's date wins; with none, the crawl date is used.
    let bare = warc_record(
        "response",
        "https://wire.example/brief",
        HTTP,
        &http_response(
            "200 OK",
            "Content-Type: text/html\r\n",
            &std::fs::read(formats("pages/wire-brief.txt")).unwrap(),
        ),
    );
    let plain = dir.path().join("one.warc");
    std::fs::write(&plain, bare).unwrap();
    let brief = article_of(&plain);
    assert_eq!(date(&brief), "2024-06-20T12:00:00Z");
    assert_eq!(brief.url.as_deref(), Some("https://wire.example/brief"));
}

/// The acceptance test of the ingest issue: one folder, every format, broken files among them.
#[test]
fn a_mixed_folder_indexes_in_one_run_with_a_summary_by_format() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    std::fs::create_dir_all(archive.join("pages")).unwrap();
    for page in [
        "ledger-jsonld.html",
        "shimbun-sjis.html",
        "section-front.html",
    ] {
        std::fs::copy(
            formats(&format!("pages/{page}")),
            archive.join("pages").join(page),
        )
        .unwrap();
    }
    std::fs::copy(formats("feeds/ledger.rss"), archive.join("ledger.rss")).unwrap();
    std::fs::copy(formats("feeds/broken.xml"), archive.join("broken.xml")).unwrap();
    std::fs::write(archive.join("crawl.warc.gz"), build_warc()).unwrap();
    std::fs::copy(fixture("articles.jsonl"), archive.join("wire.jsonl")).unwrap();
    std::fs::write(
        archive.join("extra.json"),
        r#"[{"id": "arr-1", "title": "From an array", "body": "One."}, {"id": "arr-2", "title": "Second", "published": "someday"}]"#,
    )
    .unwrap();
    std::fs::write(
        archive.join("notes.txt"),
        "Reporter's notes from the press centre\n\nThe briefing was postponed twice.\n",
    )
    .unwrap();
    std::fs::write(archive.join("scan.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    // Valid lines, then the gzip stream is cut.
    let lines = "{\"id\":\"gz-1\",\"title\":\"Kept before the cut\"}\n".to_string()
        + &"{\"id\":\"gz-x\",\"title\":\"padding padding padding\"}\n".repeat(400);
    let gz = gzip(lines.as_bytes());
    std::fs::write(archive.join("cut.jsonl.gz"), &gz[..gz.len() - 40]).unwrap();
    std::fs::write(archive.join("cover.jpg"), b"\xff\xd8\xff").unwrap();

    let index = dir.path().join("index");
    let out = dateline(&index, &["index", archive.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let name = |n: &str| archive.join(n).display().to_string();
    for expected in [
        format!(
            "skipped {}: not a well-formed RSS or Atom feed",
            name("broken.xml")
        ),
        format!("skipped {}: binary file, not text", name("scan.txt")),
        format!(
            "skipped {}: no article text found on the page",
            name("pages/section-front.html")
        ),
        format!("skipped {}: item 3: empty article", name("ledger.rss")),
        format!("skipped {}: record 9 at byte", name("crawl.warc.gz")),
        format!(
            "warning {}:1: element 2: date `someday` not understood",
            name("extra.json")
        ),
        "note: ignored 1 file(s)".to_string(),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in:\n{err}");
    }
    assert!(
        err.contains(&format!("skipped {}:", name("cut.jsonl.gz"))),
        "{err}"
    );
    assert!(err.contains("truncated or corrupt"), "{err}");
    // 3 WARC + 2 pages + 2 feed items + 12 JSONL + 2 array + 1 text + at least gz-1 and gz-x.
    let table: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("format"))
        .take_while(|l| l.starts_with("  "))
        .collect();
    let row = |format: &str| -> Vec<String> {
        let line = table
            .iter()
            .find(|l| l.trim_start().starts_with(format))
            .unwrap_or_else(|| panic!("no `{format}` row in:\n{err}"));
        line.trim_start()[format.len()..]
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(row("HTML")[..4], ["3", "3", "2", "1"], "{err}");
    assert_eq!(row("RSS/Atom")[..4], ["2", "4", "2", "2"], "{err}");
    assert_eq!(row("WARC")[..4], ["1", "9", "3", "1"], "{err}");
    assert!(
        row("WARC").join(" ").ends_with(
            "(1 truncated; passed over: 1 HTTP responses other than 200 OK, 3 WARC records other than responses, 1 non-HTML responses)"
        ),
        "{err}"
    );
    assert_eq!(row("JSON array")[..4], ["1", "2", "2", "0"], "{err}");
    assert_eq!(row("plain text")[..4], ["1", "1", "1", "0"], "{err}");
    assert_eq!(row("unreadable")[..4], ["1", "1", "0", "1"], "{err}");
    let jsonl = row("JSON Lines");
    assert_eq!(jsonl[0], "2", "{err}");
    assert_eq!(jsonl[3], "1", "one truncation: {err}");
    let cut_articles: u64 = jsonl[2].parse::<u64>().unwrap() - 12;
    assert!(cut_articles >= 2, "{err}");

    let out = dateline(&index, &["search", "*", "--json", "--size", "1"]);
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // gz-x is one article, repeated: upserted. The Ledger page is both a file and a WARC
    // response with the same canonical URL, so the same id: one article.
    assert_eq!(all["total"], 3 + 2 - 1 + 2 + 12 + 2 + 1 + 2, "{all}");
}

#[test]
fn broken_records_are_skipped_with_their_location_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    // A 200 MB single record between two good ones.
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        writeln!(file, r#"{{"id":"before","title":"Before the giant"}}"#).unwrap();
        write!(file, r#"{{"id":"giant","title":"Giant","body":""#).unwrap();
        let chunk = "x".repeat(1 << 20);
        for _ in 0..200 {
            file.write_all(chunk.as_bytes()).unwrap();
        }
        writeln!(file, r#""}}"#).unwrap();
        file.write_all(b"{\"id\":\"latin1\",\"title\":\"caf\xe9\"}\n")
            .unwrap();
        writeln!(file, r#"{{"id":"after","title":"After the giant"}}"#).unwrap();
    }
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", input.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let name = input.display();
    assert!(
        err.contains(&format!(
            "skipped {name}:2: record is 209715240 bytes, over the limit of 33554432 (raise it with `--max-record-bytes`)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "skipped {name}:3: invalid UTF-8 at byte 28 of the line"
        )),
        "{err}"
    );
    assert!(err.contains("indexed 2 articles"), "{err}");
    assert!(err.contains("(1 invalid encoding, 1 too large)"), "{err}");
}

/// Writes `n` articles of about 1 KB as JSON Lines.
fn write_articles(path: &Path, n: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let paragraph = "Negotiators met again on Tuesday to discuss the reopening of the border crossing, \
        officials said, adding that freight volumes had doubled since the spring. ";
    for i in 0..n {
        writeln!(
            file,
            "{}",
            serde_json::json!({
                "id": format!("crash-{i}"),
                "title": format!("Border talks, day {i}"),
                "body": paragraph.repeat(6),
                "published": "2024-06-20",
                "language": "en",
            })
        )
        .unwrap();
    }
}

fn count(index: &Path) -> u64 {
    let engine = dateline::Engine::open(index).expect("the index opens");
    engine.stats().expect("stats").articles
}

#[test]
fn a_killed_indexer_leaves_every_commit_and_a_rerun_completes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let total = 60_000;
    write_articles(&input, total);
    let index = dir.path().join("index");
    let command = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dateline"));
        command
            .arg("--index")
            .arg(&index)
            .args(["index", "--quiet", "--commit-every", "1000"])
            .arg(&input)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };
    let mut child = command().spawn().unwrap();
    let started = Instant::now();
    // Wait for at least two commits, then kill -9.
    let committed = loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no commit within two minutes"
        );
        std::thread::sleep(Duration::from_millis(20));
        if index.join("meta.json").exists()
            && let Ok(engine) = dateline::Engine::open(&index)
            && engine.stats().unwrap().articles >= 2000
        {
            break engine.stats().unwrap().articles;
        }
    };
    assert!(
        child.try_wait().unwrap().is_none(),
        "the indexer finished before it could be killed: make the input larger"
    );
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());

    let after_kill = count(&index);
    assert!(after_kill >= committed, "{after_kill} < {committed}");
    assert_eq!(
        after_kill % 1000,
        0,
        "only whole commits survive: {after_kill}"
    );
    assert!(after_kill < total as u64);

    // The same command again completes the index; articles already there are replaced.
    let out = command().output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // "indexed 60,000 articles (N new, M replaced)": what was committed before the kill is
    // replaced, the rest is new.
    let counts: Vec<u64> = err
        .split("indexed 60,000 articles (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no summary in:\n{err}"))
        .split(", ")
        .map(|part| {
            part.split(' ')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(counts, vec![total as u64 - after_kill, after_kill], "{err}");
    assert_eq!(count(&index), total as u64);
    let engine = dateline::Engine::open(&index).unwrap();
    for id in ["crash-0", "crash-59999"] {
        assert_eq!(engine.article(id).unwrap().article.id, id);
    }
}

#[test]
fn a_second_writer_is_told_the_index_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    // The first writer reads standard input, which stays open: it holds the lock.
    let mut first = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .arg("--index")
        .arg(&index)
        .args(["index", "--quiet", "--commit-every", "1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    writeln!(stdin, r#"{{"id":"one","title":"Held open"}}"#).unwrap();
    stdin.flush().unwrap();
    // Once its first article is committed, the first writer surely holds the lock.
    let started = Instant::now();
    while !(index.join("meta.json").exists()
        && dateline::Engine::open(&index).is_ok_and(|e| e.stats().unwrap().articles == 1))
    {
        assert!(started.elapsed() < Duration::from_secs(60), "no commit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = dateline(
        &index,
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    assert!(
        stderr(&second)
            .contains("is locked by another writer: wait for the other `dateline index` to finish"),
        "{}",
        stderr(&second)
    );
    drop(stdin);
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(count(&index), 1);
}
