//! The web page in a real headless Chromium (Debian's `chromium` + `chromium-driver`, driven
//! over WebDriver): what a person sees and clicks. `.ci/run` installs the browser; a developer
//! machine without it skips these tests with a note, CI fails them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dateline::server::alerts::AlertSchedule;
use dateline::server::{AppState, run};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::*;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Chrome's console, through chromedriver's log endpoint.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

async fn console_errors(client: &Client) -> Vec<String> {
    let log = client.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Waits until the status line contains `expected` (the page renders asynchronously).
async fn wait_status(client: &Client, expected: &str) {
    let started = Instant::now();
    loop {
        let status = js(
            client,
            "return document.getElementById('status').textContent",
        )
        .await;
        if status.as_str().unwrap_or_default().contains(expected) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "status never showed `{expected}`; it shows {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for(client: &Client, script: &str, what: &str) {
    let started = Instant::now();
    while js(client, script).await != json!(true) {
        assert!(started.elapsed() < Duration::from_secs(10), "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens `url` again and again (the server sees a commit shortly after it) until `script`
/// returns true, for up to 20 s.
async fn reload_until(client: &Client, url: &str, script: &str, what: &str) {
    let started = Instant::now();
    loop {
        client.goto(url).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        if js(client, script).await == json!(true) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never: {what}");
    }
}

async fn text_of(client: &Client, locator: Locator<'_>) -> String {
    client.find(locator).await.unwrap().text().await.unwrap()
}

async fn click(client: &Client, locator: Locator<'_>) {
    client.find(locator).await.unwrap().click().await.unwrap();
}

async fn first_title(client: &Client) -> String {
    text_of(client, Locator::Css(".hit h3 a")).await
}

fn index_with_hostile_article(dir: &Path) -> PathBuf {
    let hostile = dir.join("hostile.jsonl");
    std::fs::write(
        &hostile,
        r#"{"id":"hostile","title":"Scripttest <script>window.__xss=1</script>","body":"Payload <img src=x onerror=\"window.__xss=2\"> and <b>bold</b> scripttest text.","language":"en","source":"Test Wire","published":"2024-06-25"}"#,
    )
    .unwrap();
    let index = dir.join("index");
    for file in [
        fixture("articles.jsonl"),
        fixture("entities.jsonl"),
        hostile,
    ] {
        let out = dateline(&index, &["index", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    index
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_works_in_a_real_browser() {
    let Some(driver_path) = chromedriver() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium-driver is missing: .ci/run installs it"
        );
        eprintln!("SKIPPED browser test: install Debian's chromium and chromium-driver to run it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let index = index_with_hostile_article(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(&index).with_alerts(AlertSchedule {
        every: Duration::from_millis(100),
        ..AlertSchedule::default()
    });
    let server = tokio::spawn(run(listener, Arc::new(state), async {
        stopped.await.ok();
    }));

    let port = free_port();
    let _driver = Driver(
        Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let started = Instant::now();
    let client = loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => break client,
            Err(e) if started.elapsed() < Duration::from_secs(15) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a browser session: {e}"),
        }
    };
    let base = format!("http://{addr}");

    // Type a query: the expected first result and count.
    client.goto(&format!("{base}/")).await.unwrap();
    let search = client.find(Locator::Id("q")).await.unwrap();
    search.send_keys("summit\n").await.unwrap();
    wait_status(&client, "3 articles").await;
    assert_eq!(
        first_title(&client).await,
        "Leaders meet at summit in Pyongyang"
    );
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/?q=summit")
    );
    let screenshot = client.screenshot().await.unwrap();
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-results.png");
    std::fs::write(&shot, &screenshot).unwrap();
    eprintln!(
        "screenshot of the results page: {} ({} bytes)",
        shot.display(),
        screenshot.len()
    );

    // A proximity query with a pattern: the page says what was searched and what matched.
    client
        .goto(&format!("{base}/?q=sanct*%20w%2F3%20talks"))
        .await
        .unwrap();
    wait_status(&client, "1 article").await;
    let searched = text_of(&client, Locator::Id("searched")).await;
    assert!(
        searched.contains("Searched sanct* W/3 talks") && searched.contains("sanct* → sanctions"),
        "{searched}"
    );
    let snippet = js(
        &client,
        "return document.querySelector('#hits mark').textContent",
    )
    .await;
    assert_eq!(snippet, json!("sanctions"));
    client.goto(&format!("{base}/?q=summit")).await.unwrap();
    wait_status(&client, "3 articles").await;
    assert!(js(&client, "return document.getElementById('searched').hidden").await == json!(true));

    // Plain words no article holds all of: the articles holding most of them follow, marked.
    client
        .goto(&format!("{base}/?q=summit%20zzzznothing"))
        .await
        .unwrap();
    wait_status(
        &client,
        "No article contains all 2 words for “summit zzzznothing”; 3 more contain all but one of them",
    )
    .await;
    let marked = js(
        &client,
        "return [...document.querySelectorAll('#hits .hit.relaxed .missing')].map((m) => m.textContent)",
    )
    .await;
    assert_eq!(marked, json!(vec!["Missing: zzzznothing"; 3]));
    client.goto(&format!("{base}/?q=summit")).await.unwrap();
    wait_status(&client, "3 articles").await;

    // A facet narrows the search; its chip removes the filter again.
    let facet = client
        .find(Locator::XPath(
            "//section[@data-facet='source']//button[.//span[text()='Harbour Test']]",
        ))
        .await
        .unwrap();
    facet.click().await.unwrap();
    wait_status(&client, "1 article").await;
    assert_eq!(first_title(&client).await, "Undated background note");
    let chip = client
        .find(Locator::Css("#chips [data-filter=source]"))
        .await
        .unwrap();
    assert_eq!(chip.text().await.unwrap(), "source: Harbour Test ×");
    // Reload: the URL alone restores the view.
    client.refresh().await.unwrap();
    wait_status(&client, "1 article").await;
    assert!(
        client
            .find(Locator::Css("#chips [data-filter=source]"))
            .await
            .is_ok()
    );
    click(&client, Locator::Css("#chips [data-filter=source]")).await;
    wait_status(&client, "3 articles").await;
    // Back: the filtered view again.
    client.back().await.unwrap();
    wait_status(&client, "1 article").await;

    // The timeline: click a day to filter by it.
    client.goto(&format!("{base}/?q=*")).await.unwrap();
    wait_status(&client, "18 articles").await;
    click(&client, Locator::Css("rect.tbar[data-date='2024-06-19']")).await;
    wait_status(&client, "5 articles").await;
    let url = client.current_url().await.unwrap();
    assert!(
        url.as_str().contains("from=2024-06-19&to=2024-06-19"),
        "{url}"
    );
    assert_eq!(
        text_of(&client, Locator::Css("#chips [data-filter=date]")).await,
        "2024-06-19 → 2024-06-19 ×"
    );

    // Open an article, close it with Esc.
    client.goto(&format!("{base}/?q=summit")).await.unwrap();
    wait_status(&client, "3 articles").await;
    click(&client, Locator::Css(".hit h3 a")).await;
    wait_for(
        &client,
        "return document.getElementById('article').open",
        "the article opens",
    )
    .await;
    assert_eq!(
        text_of(&client, Locator::Id("article-title")).await,
        "Leaders meet at summit in Pyongyang"
    );
    assert!(
        text_of(&client, Locator::Id("article-body"))
            .await
            .contains("Officials described both summits")
    );
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("article=en-summit")
    );
    client
        .perform_actions(
            KeyActions::new("esc".into())
                .then(KeyAction::Down { value: '\u{E00C}' })
                .then(KeyAction::Up { value: '\u{E00C}' }),
        )
        .await
        .unwrap();
    wait_for(
        &client,
        "return !document.getElementById('article').open && !location.search.includes('article=')",
        "Esc closes the article",
    )
    .await;

    // Entity marks in the article view, by type; clicking one filters by that entity.
    client
        .goto(&format!(
            "{base}/?q=%D0%9F%D1%83%D1%82%D0%B8%D0%BD&article=ent-ru"
        ))
        .await
        .unwrap();
    wait_for(
        &client,
        "return document.getElementById('article').open",
        "the Russian article opens",
    )
    .await;
    wait_status(&client, "3 articles").await;
    let marks = js(&client, "return [...document.querySelectorAll('#article-body mark.entity')].map(m => [m.textContent, m.className])").await;
    assert_eq!(
        marks,
        json!([
            ["Владимир Путин", "entity entity-person"],
            ["Ким Чен Ыном", "entity entity-person"],
            ["ЦТАК", "entity entity-org"]
        ])
    );
    click(
        &client,
        Locator::XPath("//div[@id='article-body']/mark[text()='Ким Чен Ыном']"),
    )
    .await;
    wait_for(
        &client,
        "return !document.getElementById('article').open",
        "the article closes",
    )
    .await;
    wait_status(&client, "3 articles").await;
    assert_eq!(
        text_of(&client, Locator::Css("#chips [data-filter=person]")).await,
        "person: Kim Jong Un ×"
    );

    // Autocomplete: "jong" offers Kim Jong Un with his count; choosing him filters by him.
    client.goto(&format!("{base}/")).await.unwrap();
    wait_status(&client, "18 articles").await;
    client
        .find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("jong")
        .await
        .unwrap();
    wait_for(
        &client,
        "return !document.getElementById('suggestions').hidden",
        "suggestions appear",
    )
    .await;
    assert_eq!(
        text_of(&client, Locator::Css("#suggestions li"))
            .await
            .replace('\n', " "),
        "Kim Jong Un person · 3"
    );
    client
        .perform_actions(
            KeyActions::new("pick".into())
                .then(KeyAction::Down { value: '\u{E015}' })
                .then(KeyAction::Up { value: '\u{E015}' })
                .then(KeyAction::Down { value: '\u{E007}' })
                .then(KeyAction::Up { value: '\u{E007}' }),
        )
        .await
        .unwrap();
    wait_status(&client, "3 articles").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("person=Kim+Jong+Un")
    );

    // `/` focuses the search box.
    client.find(Locator::Css("body")).await.unwrap();
    client
        .perform_actions(
            KeyActions::new("slash".into())
                .then(KeyAction::Down { value: '/' })
                .then(KeyAction::Up { value: '/' }),
        )
        .await
        .unwrap();
    assert_eq!(
        js(&client, "return document.activeElement.id").await,
        json!("q")
    );

    // Article text with markup renders as text; nothing in it runs.
    client.goto(&format!("{base}/?q=scripttest")).await.unwrap();
    wait_status(&client, "1 article").await;
    assert_eq!(
        first_title(&client).await,
        "Scripttest <script>window.__xss=1</script>"
    );
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('#hits img, #hits script, #hits b').length"
        )
        .await,
        json!(0)
    );
    click(&client, Locator::Css(".hit h3 a")).await;
    wait_for(
        &client,
        "return document.getElementById('article').open",
        "the hostile article opens",
    )
    .await;
    assert!(
        text_of(&client, Locator::Id("article-body"))
            .await
            .contains("<img src=x onerror=")
    );
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('#article img, #article b').length"
        )
        .await,
        json!(0)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        js(&client, "return window.__xss === undefined").await,
        json!(true)
    );

    // No console errors so far.
    let errors = console_errors(&client).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");

    // Empty results and API errors are told to the user.
    client
        .goto(&format!("{base}/?q=zzzznothing"))
        .await
        .unwrap();
    wait_status(&client, "No articles match").await;
    client.goto(&format!("{base}/?q=%28summit")).await.unwrap();
    wait_for(
        &client,
        "return !document.getElementById('error').hidden",
        "the error shows",
    )
    .await;
    assert_eq!(
        text_of(&client, Locator::Id("error")).await,
        "query syntax error at position 1: the `(` at position 1 is never closed: add a `)`"
    );

    // Stories: a wire story and its copies, indexed while the page is open, are listed once,
    // with the other outlets; the article view names the originator and shows what changed.
    let out = dateline(
        &index,
        &["index", fixture("stories.jsonl").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The server sees the commit within about a second: search until it does.
    let started = Instant::now();
    loop {
        client
            .goto(&format!("{base}/?q=dockworkers"))
            .await
            .unwrap();
        wait_for(
            &client,
            "return document.getElementById('status').textContent !== ''",
            "the search answers",
        )
        .await;
        let status = js(
            &client,
            "return document.getElementById('status').textContent",
        )
        .await;
        if status
            .as_str()
            .unwrap_or_default()
            .contains("9 articles in 2 stories")
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the stories never showed: {status}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    wait_status(&client, "9 articles in 2 stories").await;
    assert_eq!(
        text_of(&client, Locator::Css(".hit .story-line")).await,
        "and 7 other versions from Valley Herald, Coastline Post, Evening Gazette, Northern Courier, Island Times, Archive Digest · first published here"
    );
    assert_eq!(
        js(
            &client,
            "return document.getElementById('collapse').checked"
        )
        .await,
        json!(true)
    );
    click(&client, Locator::Css(".hit .story-line button")).await;
    wait_for(
        &client,
        "return !document.getElementById('article-story').hidden",
        "the story shows in the article view",
    )
    .await;
    let summary = text_of(&client, Locator::Css("#article-story .story-summary")).await;
    assert_eq!(
        summary,
        "First published by Harbour Wire, then 6 other outlets within 6 h."
    );
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('#article-story li.version').length"
        )
        .await,
        json!(8)
    );
    // Similar coverage: the other stories on the strike, not its copies.
    wait_for(
        &client,
        "return !document.getElementById('article-similar').hidden",
        "similar coverage shows",
    )
    .await;
    let similar = text_of(&client, Locator::Css("#article-similar li")).await;
    assert!(
        similar.starts_with("Velmora strike: what automation means for dockers — Coastline Post"),
        "{similar}"
    );
    // Open the trimmed version from the list: its diff lists what it dropped.
    click(
        &client,
        Locator::XPath("//section[@id='article-story']//button[text()='Evening Gazette']"),
    )
    .await;
    wait_for(
        &client,
        "return document.querySelectorAll('#article-story .diff del').length === 5",
        "the trimmed version's removed sentences show",
    )
    .await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("article=st-trim")
    );
    client
        .goto(&format!("{base}/?q=dockworkers"))
        .await
        .unwrap();
    wait_status(&client, "9 articles in 2 stories").await;
    // The toggle lists every copy again, and the URL keeps the choice.
    click(&client, Locator::Id("collapse")).await;
    wait_status(&client, "9 articles for “dockworkers” ·").await;
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('#hits .hit').length"
        )
        .await,
        json!(9)
    );
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("collapse=none")
    );

    // Save the search on the page: listed with its count; an article indexed later shows as
    // "1 new" until the saved search is opened again; the recent searches are listed too.
    client.goto(&format!("{base}/?q=summit")).await.unwrap();
    wait_status(&client, "3 articles").await;
    let name = client.find(Locator::Id("save-name")).await.unwrap();
    name.send_keys("Summit watch").await.unwrap();
    click(&client, Locator::Id("save-button")).await;
    wait_for(
        &client,
        "const li = document.querySelector('#saved-list li'); return !!li && li.textContent.includes('Summit watch') && li.querySelector('.count').textContent === '3' && !li.querySelector('.new')",
        "the saved search is listed with its count",
    )
    .await;
    let late = dir.path().join("late.jsonl");
    std::fs::write(
        &late,
        r#"{"id":"summit-late","title":"Summit talks to resume in autumn","body":"Officials said the summit talks would resume in the autumn, after the harvest.","language":"en","source":"Test Wire","published":"2024-06-27"}"#,
    )
    .unwrap();
    let out = dateline(&index, &["index", late.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let here = client.current_url().await.unwrap().to_string();
    reload_until(
        &client,
        &here,
        "const n = document.querySelector('#saved-list li .new'); return !!n && n.textContent === '1 new'",
        "the page shows the new article",
    )
    .await;
    click(&client, Locator::Css("#saved-list li .saved-name")).await;
    wait_status(&client, "4 articles").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/?q=summit")
    );
    wait_for(
        &client,
        "return document.querySelector('#saved-list li .count').textContent === '4' && !document.querySelector('#saved-list li .new')",
        "opened, nothing is new any more",
    )
    .await;
    wait_for(
        &client,
        "return [...document.querySelectorAll('#history-list button')].some((b) => b.textContent === 'dockworkers')",
        "the recent searches are listed",
    )
    .await;

    // A batch pasted on the page: a row a term, a malformed query in its own row, a table
    // that sorts, a CSV to download.
    click(&client, Locator::Id("batch-button")).await;
    let terms = client.find(Locator::Id("batch-terms")).await.unwrap();
    terms.send_keys("velmora\nsummit\n(broken\n").await.unwrap();
    click(&client, Locator::Id("batch-phrase")).await;
    click(&client, Locator::Id("batch-run")).await;
    wait_for(
        &client,
        "return document.getElementById('batch-status').textContent === '3 terms counted · 1 could not run'",
        "the batch is counted",
    )
    .await;
    let rows = "return [...document.querySelectorAll('#batch-table tbody tr')].map((r) => r.cells[0].textContent + ':' + r.cells[1].textContent)";
    assert_eq!(
        js(&client, rows).await,
        json!([
            "velmora:13",
            "summit:4",
            "(broken:query syntax error at position 1: the `(` at position 1 is never closed: add a `)`"
        ])
    );
    click(
        &client,
        Locator::Css("#batch-table th button[data-key='total']"),
    )
    .await;
    assert_eq!(
        js(&client, rows).await.as_array().unwrap()[0],
        json!("velmora:13"),
        "most articles first"
    );
    click(
        &client,
        Locator::Css("#batch-table th button[data-key='term']"),
    )
    .await;
    assert_eq!(
        js(&client, rows).await.as_array().unwrap()[0]
            .as_str()
            .unwrap(),
        "(broken:query syntax error at position 1: the `(` at position 1 is never closed: add a `)`"
    );
    let csv = js(&client, "const a = document.getElementById('batch-csv'); return !a.hidden && a.href.startsWith('blob:') && a.getAttribute('download') === 'dateline-batch.csv'").await;
    assert_eq!(csv, json!(true));
    click(&client, Locator::Id("batch-button")).await;

    // Two queries compared as shares of all coverage: a line each, a legend, a CSV.
    click(&client, Locator::Id("compare-button")).await;
    let queries = client.find(Locator::Id("compare-queries")).await.unwrap();
    queries.send_keys("velmora\nsummit").await.unwrap();
    click(&client, Locator::Id("compare-run")).await;
    wait_for(
        &client,
        "return document.getElementById('compare-status').textContent.startsWith('2 queries over')",
        "the comparison is drawn",
    )
    .await;
    assert_eq!(
        js(
            &client,
            "return [...document.querySelectorAll('#compare-chart path')].map((p) => p.dataset.q)"
        )
        .await,
        json!(["velmora", "summit"])
    );
    let legend = js(
        &client,
        "return [...document.querySelectorAll('#compare-legend li')].map((li) => li.textContent)",
    )
    .await;
    assert!(
        legend[0]
            .as_str()
            .unwrap()
            .starts_with("velmora: 13 articles (")
            && legend[1]
                .as_str()
                .unwrap()
                .starts_with("summit: 4 articles ("),
        "{legend}"
    );
    let csv = js(&client, "return !document.getElementById('compare-csv').hidden && document.getElementById('compare-csv').href.startsWith('blob:')").await;
    assert_eq!(csv, json!(true));
    click(&client, Locator::Id("compare-button")).await;

    // Cite a result: the permalink says "unchanged", and after one more matching article is
    // indexed, what changed.
    client.goto(&format!("{base}/?q=summit")).await.unwrap();
    wait_status(&client, "4 articles").await;
    click(&client, Locator::Id("cite-button")).await;
    wait_for(
        &client,
        "const t = document.getElementById('citation-text'); return !!t && t.textContent.startsWith('“summit”: 4 articles in the Dateline archive, ') && t.textContent.includes(', result 4-')",
        "the citation is shown",
    )
    .await;
    let permalink = js(
        &client,
        "return document.getElementById('citation-link').href",
    )
    .await;
    let permalink = permalink.as_str().unwrap().to_string();
    assert!(
        permalink.contains("snapshot=") && permalink.contains("result_hash=4-"),
        "{permalink}"
    );
    client.goto(&permalink).await.unwrap();
    wait_status(&client, "4 articles for “summit” ·").await;
    wait_status(&client, "unchanged since cited").await;
    let later = dir.path().join("later.jsonl");
    std::fs::write(
        &later,
        r#"{"id":"summit-later","title":"Summit venue named","body":"The summit will be held in the old town hall, officials said.","language":"en","source":"Test Wire","published":"2024-06-28"}"#,
    )
    .unwrap();
    let out = dateline(&index, &["index", later.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    reload_until(
        &client,
        &permalink,
        "const s = document.getElementById('status').textContent; return s.includes('5 articles') && s.includes('changed since cited: 1 added, 0 removed')",
        "the permalink says what changed",
    )
    .await;

    // A phone-width screen: one column, filters below the results.
    client.set_window_size(390, 844).await.unwrap();
    client.goto(&format!("{base}/?q=summit")).await.unwrap();
    wait_status(&client, "5 articles").await;
    let stacked = js(&client, "const a = document.getElementById('facets').getBoundingClientRect(); const m = document.querySelector('main').getBoundingClientRect(); return a.top >= m.bottom - 1 && document.documentElement.scrollWidth <= 390").await;
    assert_eq!(stacked, json!(true));

    client.close().await.unwrap();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
