//! Hostile and careless input to `dateline index`: every test is one defect that once took an
//! import down or lost data, run through the real binary onto a real index.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;
use crate::formats::{HTTP, http_response, warc_record};

/// `count` good JSON Lines records with ids `good-0…`.
fn good_records(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                r#"{{"id":"good-{i}","title":"Harbour report {i}","body":"The ferry schedule changed on day {i}.","language":"en","published":"2024-06-19"}}"#
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A page whose article sits inside `depth` nested `<div>`s.
fn nested_page(depth: usize) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Deep harbour page</title></head><body>{}<article><h1>Deep harbour page</h1><p>The lighthouse keeper counted {depth} doors on the way down. Every door opened onto another corridor, and every corridor ended in another door, until the last one opened onto the sea.</p><p>The keeper wrote the number down and went back up to tend the lamp, which had been burning all night.</p></article>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    )
}

fn search_json(index: &Path, query: &str) -> Value {
    let out = dateline(index, &["search", query, "--json", "--size", "100"]);
    assert_eq!(out.status.code(), Some(0), "{query}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn deeply_nested_html_is_read_flat_and_the_folder_beside_it_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("deep.html"), nested_page(30_000)).unwrap();
    let page = http_response(
        "200 OK",
        "Content-Type: text/html; charset=utf-8\r\n",
        nested_page(30_000).as_bytes(),
    );
    std::fs::write(
        input.join("crawl.warc"),
        warc_record("response", "https://deep.example/warc-page", HTTP, &page),
    )
    .unwrap();
    std::fs::write(input.join("good.jsonl"), good_records(500)).unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("\nindexed 502 articles (502 new")
            || stderr(&out).starts_with("indexed 502 articles (502 new"),
        "{}",
        stderr(&out)
    );
    let found = search_json(&index, "lighthouse keeper");
    // The page file and the WARC page have one title and text but different ids (file vs URL).
    assert_eq!(found["total"], 2, "{found}");
    assert!(
        found["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("30000 doors"),
        "{found}"
    );
    assert_eq!(search_json(&index, "ferry")["total"], 500);
}

#[test]
fn a_page_over_the_time_limit_is_skipped_and_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let slow = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>A paragraph about the harbour and its many ferries, repeated for length.</p>"
            .repeat(40_000)
    );
    std::fs::write(input.join("slow.html"), slow).unwrap();
    std::fs::write(input.join("good.jsonl"), good_records(20)).unwrap();
    let index = dir.path().join("index");
    let out = dateline(
        &index,
        &["index", input.to_str().unwrap(), "--page-seconds", "0.001"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("slow.html: reading this page took longer than 0.001 s: skipped (raise the limit with `--page-seconds`)"),
        "{err}"
    );
    assert!(err.contains("1 too slow to read"), "{err}");
    assert_eq!(search_json(&index, "ferry")["total"], 20);
    let bad = dateline(
        &index,
        &["index", input.to_str().unwrap(), "--page-seconds", "0"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("`--page-seconds 0`: use a number of seconds above 0"));
}

#[test]
fn out_of_range_dates_are_warnings_and_never_wrap_or_abort() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        r#"{"id":"far-future","title":"Far future","body":"Dated at the end of time.","published":"9999-12-31T23:59:59-23:59","language":"en"}"#,
        r#"{"id":"far-future-rfc2822","title":"Far future again","body":"Dated at the end of time.","published":"Fri, 31 Dec 9999 23:59:59 -2359","language":"en"}"#,
        r#"{"id":"plague-year","title":"Plague year","body":"A pamphlet from London.","published":"1665-11-16","language":"en"}"#,
        r#"{"id":"old-gazette","title":"Old gazette","body":"A pamphlet from Boston.","published":"1701-03-04","language":"en"}"#,
    ];
    let input = dir.path().join("dates.jsonl");
    std::fs::write(&input, records.join("\n")).unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<html><head><meta property=\"article:published_time\" content=\"9999-12-31T23:59:59-23:59\"><title>Page from the future</title></head><body><article><p>A page that says it was published at the very end of the year 9999, which no archive can hold, written long enough to count as an article.</p></article></body></html>",
    )
    .unwrap();
    let index = dir.path().join("index");
    let out = dateline(
        &index,
        &["index", input.to_str().unwrap(), page.to_str().unwrap()],
    );
    // Warnings only: every article is indexed, so the exit code is 0.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    for (line, text, day) in [
        (":1", "9999-12-31T23:59:59-23:59", "9999-12-31"),
        (":2", "Fri, 31 Dec 9999 23:59:59 -2359", "9999-12-31"),
        (":3", "1665-11-16", "1665-11-16"),
    ] {
        let expected = format!(
            "dates.jsonl{line}: date `{text}` ({day}) is outside the dates Dateline can store (1677-09-22 to 2262-04-10): indexed without a date"
        );
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    assert!(
        err.contains("page.html: date `9999-12-31T23:59:59-23:59`"),
        "{err}"
    );
    assert!(err.contains("indexed 5 articles ("), "{err}");
    // Undated, not wrapped into another century; the real old date kept to the second.
    let dated = search_json(&index, "published:[* TO *]");
    assert_eq!(ids(&dated), vec!["old-gazette"]);
    assert_eq!(dated["hits"][0]["published"], "1701-03-04T00:00:00Z");
    assert_eq!(search_json(&index, "*")["total"], 5);
}

#[test]
fn a_warc_record_claiming_a_petabyte_does_not_hide_the_records_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let page = |title: &str| {
        http_response(
            "200 OK",
            "Content-Type: text/html\r\n",
            format!("<html><head><title>{title}</title></head><body><article><p>{title}: the harbour master reported calm seas and a full schedule of ferries for the whole of the week ahead.</p><p>Pilots were told to expect fog on Thursday morning, and the evening crossing will leave half an hour later than usual.</p></article></body></html>").as_bytes(),
        )
    };
    let mut warc = warc_record(
        "response",
        "https://w.example/one",
        HTTP,
        &page("First bulletin"),
    );
    let mut liar = warc_record(
        "response",
        "https://w.example/liar",
        HTTP,
        &page("Liar bulletin"),
    );
    let claimed = String::from_utf8_lossy(&liar).into_owned();
    let length = claimed
        .lines()
        .find(|l| l.starts_with("Content-Length: "))
        .unwrap()
        .to_string();
    liar = claimed
        .replacen(&length, "Content-Length: 1000000000000000", 1)
        .into_bytes();
    warc.extend_from_slice(&liar);
    warc.extend(warc_record(
        "response",
        "https://w.example/three",
        HTTP,
        &page("Third bulletin"),
    ));
    let file = dir.path().join("crawl.warc");
    std::fs::write(&file, &warc).unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("crawl.warc: record 2 at byte")
            && err.contains("the record claims 1000000000000000 bytes, but another record starts"),
        "{err}"
    );
    let found = search_json(&index, "harbour master");
    let mut urls: Vec<String> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect();
    urls.sort();
    assert_eq!(
        urls,
        ["https://w.example/one", "https://w.example/three"],
        "{err}"
    );
    // A claim past the end of the file is a truncated record, named as such.
    let cut = &warc[..warc.len() - 200];
    let mut cut = cut.to_vec();
    let last = String::from_utf8_lossy(&cut).rfind("WARC/1.1").unwrap();
    cut.truncate(last);
    cut.extend_from_slice(&liar);
    std::fs::write(&file, &cut).unwrap();
    let out = dateline(
        &dir.path().join("index2"),
        &["index", file.to_str().unwrap()],
    );
    assert!(
        stderr(&out).contains("the record claims 1000000000000000 bytes, but the file ends"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn symbolic_links_inside_a_folder_are_followed_or_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("linked.jsonl"), good_records(3)).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("linked.jsonl"), input.join("linked.jsonl")).unwrap();
    std::os::unix::fs::symlink(&input, input.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere"), input.join("broken.jsonl")).unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("indexed 3 articles ("),
        "{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("loop`: a symbolic link that loops back to a folder above it"),
        "{err}"
    );
    assert!(
        err.contains("broken.jsonl`: No such file or directory"),
        "{err}"
    );
}

#[test]
fn two_first_writers_on_an_empty_folder_get_an_index_or_a_lock_message() {
    for round in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("good.jsonl");
        std::fs::write(&input, good_records(50)).unwrap();
        let index = dir.path().join("index");
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_dateline"))
                .arg("--index")
                .arg(&index)
                .args(["index", input.to_str().unwrap()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let mut succeeded = 0;
        for out in &outputs {
            match out.status.code() {
                Some(0) => succeeded += 1,
                Some(2) => assert!(
                    stderr(out).contains("is locked by another writer"),
                    "round {round}: {}",
                    stderr(out)
                ),
                other => panic!("round {round}: {other:?} {}", stderr(out)),
            }
        }
        assert!(succeeded >= 1, "round {round}");
        assert_eq!(search_json(&index, "ferry")["total"], 50);
    }
}

/// `(name, mode)` of every regular file in `dir`.
fn file_modes(dir: &Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().permissions().mode() & 0o777,
            )
        })
        .collect()
}

fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

/// Makes `dir` read-only for this process: a read-only bind mount where the tests run as root
/// (root ignores permission bits), else the permission bits. Returns a guard undoing it.
struct ReadOnly {
    mount: Option<std::path::PathBuf>,
    chmod: Option<std::path::PathBuf>,
}

impl ReadOnly {
    fn make(dir: &Path, mount_point: &Path) -> (ReadOnly, std::path::PathBuf) {
        let is_root = std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
        if is_root {
            std::fs::create_dir_all(mount_point).unwrap();
            let bind = Command::new("mount")
                .args(["--bind"])
                .arg(dir)
                .arg(mount_point)
                .status()
                .unwrap();
            assert!(bind.success(), "cannot bind-mount the index");
            let ro = Command::new("mount")
                .args(["-o", "remount,ro,bind"])
                .arg(mount_point)
                .status()
                .unwrap();
            assert!(ro.success(), "cannot make the bind mount read-only");
            (
                ReadOnly {
                    mount: Some(mount_point.to_path_buf()),
                    chmod: None,
                },
                mount_point.to_path_buf(),
            )
        } else {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
            (
                ReadOnly {
                    mount: None,
                    chmod: Some(dir.to_path_buf()),
                },
                dir.to_path_buf(),
            )
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if let Some(mount) = &self.mount {
            Command::new("umount").arg(mount).status().ok();
        }
        if let Some(dir) = &self.chmod {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).ok();
        }
    }
}

#[test]
fn a_read_only_index_is_searched_and_its_files_are_readable_by_others() {
    let fx = FixtureIndex::new();
    let expected = 0o666 & !umask();
    for (name, mode) in file_modes(&fx.path()) {
        if name.starts_with(".tantivy") {
            continue;
        }
        assert_eq!(mode, expected, "{name} has mode {mode:o}");
    }
    let (_guard, readonly) = ReadOnly::make(&fx.path(), &fx.dir.path().join("ro"));
    assert!(
        std::fs::write(readonly.join("probe"), b"x").is_err(),
        "the directory is still writable"
    );
    let found = search_json(&readonly, "summit");
    assert!(found["total"].as_u64().unwrap() > 0, "{found}");
    let stats = dateline(&readonly, &["stats", "--json"]);
    assert_eq!(stats.status.code(), Some(0), "{}", stderr(&stats));
    let writing = dateline(
        &readonly,
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(writing.status.code(), Some(2));
}

#[test]
fn files_a_killed_run_left_behind_are_removed_and_not_counted() {
    let fx = FixtureIndex::new();
    let stats = |index: &Path| -> u64 {
        let out = dateline(index, &["stats", "--json"]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["index_bytes"]
            .as_u64()
            .unwrap()
    };
    let before = stats(&fx.path());
    // A merge killed half-way: segment files tantivy registered and no commit refers to; a
    // temporary file of a whole-file write.
    let orphan = "0123456789abcdef0123456789abcdef";
    let managed = fx.path().join(".managed.json");
    let mut list: Vec<String> = serde_json::from_slice(&std::fs::read(&managed).unwrap()).unwrap();
    for ext in ["idx", "pos", "store"] {
        std::fs::write(
            fx.path().join(format!("{orphan}.{ext}")),
            vec![7u8; 100_000],
        )
        .unwrap();
        list.push(format!("{orphan}.{ext}"));
    }
    std::fs::write(&managed, serde_json::to_vec(&list).unwrap()).unwrap();
    std::fs::write(fx.path().join(".meta.json.123.456.tmp"), b"{").unwrap();
    assert_eq!(
        stats(&fx.path()),
        before,
        "stats count files no commit refers to"
    );
    let out = dateline(
        &fx.path(),
        &["index", fixture("articles.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for leftover in [
        format!("{orphan}.idx"),
        format!("{orphan}.store"),
        ".meta.json.123.456.tmp".to_string(),
    ] {
        assert!(
            !fx.path().join(&leftover).exists(),
            "{leftover} is still there"
        );
    }
}

#[test]
fn an_endless_warc_header_is_an_error_not_a_memory_sink() {
    let dir = tempfile::tempdir().unwrap();
    let page = http_response(
        "200 OK",
        "Content-Type: text/html\r\n",
        b"<html><head><title>Only bulletin</title></head><body><article><p>The harbour master reported calm seas and a full schedule of ferries for the week.</p><p>Pilots were told to expect fog on Thursday morning and a late evening crossing.</p></article></body></html>",
    );
    let mut warc = warc_record("response", "https://w.example/only", HTTP, &page);
    warc.extend_from_slice(b"WARC/1.1\r\nWARC-Type: response\r\nX-Junk: ");
    warc.extend(std::iter::repeat_n(b'A', 3 << 20));
    let file = dir.path().join("junk.warc");
    std::fs::write(&file, &warc).unwrap();
    let index = dir.path().join("index");
    let out = dateline(&index, &["index", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("junk.warc: record 2 at byte")
            && stderr(&out).contains(
                "a WARC record header is over 1048576 bytes: the file is corrupt from this point on"
            ),
        "{}",
        stderr(&out)
    );
    assert_eq!(search_json(&index, "harbour master")["total"], 1);
}

#[test]
fn a_full_disk_fails_clearly_and_the_next_run_needs_no_cleaning_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    // A 1 MB file system of its own (root only; elsewhere the test has no disk to fill).
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&small)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small file system here (not root?)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            Command::new("umount").arg(self.0).status().ok();
        }
    }
    let _unmount = Unmount(&small);
    let index = small.join("index");
    let first = dir.path().join("first.jsonl");
    std::fs::write(&first, good_records(20)).unwrap();
    let out = dateline(&index, &["index", first.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Far more text than fits (words that neither repeat nor compress): the run fails and says
    // why.
    let big = dir.path().join("big.jsonl");
    let lines: Vec<String> = (0..1500u64)
        .map(|i| {
            let body: Vec<String> = (0..200u64)
                .map(|j| format!("x{:x}", (i * 7919 + j).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
                .collect();
            format!(
                r#"{{"id":"big-{i}","title":"Log {i}","body":"{}","language":"en"}}"#,
                body.join(" ")
            )
        })
        .collect();
    std::fs::write(&big, lines.join("\n")).unwrap();
    let out = dateline(
        &index,
        &["index", big.to_str().unwrap(), "--commit-every", "1000000"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the disk holding the index")
            && stderr(&out).contains("is full: free some space and run the same command again"),
        "{}",
        stderr(&out)
    );
    // What was committed before is intact, and the next run cleans up after the failed one.
    assert_eq!(search_json(&index, "ferry")["total"], 20);
    let last = dir.path().join("last.jsonl");
    std::fs::write(
        &last,
        r#"{"id":"after","title":"After the full disk","body":"A ferry bulletin filed later.","language":"en"}"#,
    )
    .unwrap();
    let out = dateline(&index, &["index", last.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(search_json(&index, "ferry")["total"], 21);
}

#[test]
fn a_missing_input_is_named_once_with_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-file.jsonl");
    let out = dateline(
        &dir.path().join("index"),
        &["index", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "dateline: cannot access `{}`: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
}
