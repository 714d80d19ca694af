//! The frontline page in a real browser: Debian's Chromium, headless, driven over
//! WebDriver (chromedriver, fantoccini) against a real `yorisoi serve` on the seed.
//! Screenshots at 360 px and 1280 px and the referral sheet's PDF are saved under
//! `target/screenshots/` for people to look at; axe-core checks accessibility. `.ci/run`
//! installs `chromium`, `chromium-driver`, a Japanese font and axe-core.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::serve::Server;
use crate::support::repo;

/// chromedriver on a port of its own, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (apt-get install chromium chromium-driver; .ci/run does)");
        // It says so once it listens.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let started = lines.by_ref().map_while(Result::ok).any(|line| line.contains("started successfully"));
        assert!(started, "chromedriver did not start");
        std::thread::spawn(move || lines.for_each(drop));
        Driver { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--window-size=1280,900", "--lang=ja-JP"] }),
    );
    // The console's messages, read back with `console_errors`.
    capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

fn screenshots() -> PathBuf {
    let dir = repo().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// axe-core's serious and critical violations on the current page, as `rule: help`.
/// axe-core comes from npm (`npm ci --prefix tests/axe`, which `.ci/run` does).
async fn accessibility_violations(client: &Client) -> Vec<String> {
    let path = repo().join("tests/axe/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `npm ci --prefix tests/axe` (.ci/run does)", path.display()));
    // WebDriver's scripts run outside the page's content security policy.
    client.execute(&format!("{axe}\nreturn true;"), vec![]).await.unwrap();
    let run = "const done = arguments[arguments.length - 1];
        axe.run(document).then(r => done({ passes: r.passes.length, serious: r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.help + ' ' + v.nodes.map(n => n.target.join(' ')).join(', ')) }));";
    let found = client.execute_async(run, vec![]).await.unwrap();
    // axe ran its rules: some passed (a page it could not read would pass none).
    assert!(found["passes"].as_u64().unwrap_or(0) > 10, "axe-core did not run: {found}");
    found["serious"].as_array().unwrap().iter().map(|v| v.as_str().unwrap_or("").to_owned()).collect()
}

/// chromedriver's log command (not in the W3C protocol, so not in fantoccini): the
/// console's messages since the last call.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

/// Errors the pages wrote to the console since the last call: a script error, a
/// resource that failed to load, a content-security-policy refusal.
async fn console_errors(client: &Client) -> Vec<String> {
    let log = client.issue_cmd(BrowserLog).await.expect("chromedriver's log");
    log.as_array()
        .expect("a list of log entries")
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap());
    }
    out
}

/// A counter worker's whole flow, by keyboard where a worker would type: the situation,
/// the municipality, the age and Enter; the needs understood; one removed and the back
/// button; two places picked and the sheet printed on one A4 page.
#[test]
fn a_worker_finds_places_and_prints_a_referral_sheet_in_a_real_browser() {
    let server = Server::start(&[]);
    let driver = Driver::start();
    let runtime = crate::support::runtime();
    runtime.block_on(async {
        let client = browser(&driver).await;
        let base = format!("http://{}", server.addr);
        client.goto(&format!("{base}/")).await.unwrap();

        // Typed, then Tab to the municipality, Tab to the age, and Enter submits.
        let situation = client.find(Locator::Css("#q")).await.unwrap();
        situation.send_keys("母80代 息子50代無職 ここ数年閉じこもり").await.unwrap();
        client.find(Locator::Css("select[name=m]")).await.unwrap().select_by_value("江東区").await.unwrap();
        let age = client.find(Locator::Css("input[name=age]")).await.unwrap();
        age.send_keys("82\u{E007}").await.unwrap();
        client.wait().for_element(Locator::Css(".chips")).await.unwrap();

        let chips = texts(&client, ".chip").await;
        assert!(chips.iter().any(|c| c.contains("8050問題") && c.contains("「母80代＋息子50代」")), "{chips:?}");
        let url = client.current_url().await.unwrap();
        assert!(url.query().unwrap_or("").contains("age=82"), "{url}");
        let names = texts(&client, ".place h3").await;
        assert!(names.iter().any(|n| n.contains("江東区社会福祉協議会")), "{names:?}");
        let violations = accessibility_violations(&client).await;
        assert!(violations.is_empty(), "axe-core on the results: {violations:#?}");

        // 360 px: nothing wider than the screen.
        client.set_window_size(1280, 900).await.unwrap();
        std::fs::write(screenshots().join("page-1280.png"), client.screenshot().await.unwrap()).unwrap();
        client.set_window_size(360, 800).await.unwrap();
        let fits = client.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]);
        assert_eq!(fits.await.unwrap(), json!(true), "the page is wider than 360 px");
        std::fs::write(screenshots().join("page-360.png"), client.screenshot().await.unwrap()).unwrap();
        client.set_window_size(1280, 900).await.unwrap();

        // Remove 8050問題; the back button brings it back (the state is the URL).
        let remove = client.find(Locator::Css("a[aria-label='8050問題を外す']")).await.unwrap();
        let target = client.current_url().await.unwrap().join(&remove.attr("href").await.unwrap().unwrap()).unwrap();
        remove.send_keys("\u{E007}").await.unwrap();
        client.wait().for_url(&target).await.unwrap();
        let url = client.current_url().await.unwrap();
        assert!(url.query().is_some_and(|q| q.contains("chosen=1") && q.contains("need=hikikomori")), "{url}");
        assert!(!texts(&client, ".chip").await.iter().any(|c| c.contains("8050問題")));
        client.back().await.unwrap();
        client.wait().for_element(Locator::Css("a[aria-label='8050問題を外す']")).await.unwrap();

        // Two places into the sheet.
        let picks = client.find_all(Locator::Css("input[name=pick]")).await.unwrap();
        assert!(picks.len() >= 2);
        let picked: Vec<String> = vec![
            texts(&client, ".place h3").await[0].trim().to_owned(),
            texts(&client, ".place h3").await[1].trim().to_owned(),
        ];
        // By keyboard: Space ticks a box, Enter on the button makes the sheet.
        picks[0].send_keys(" ").await.unwrap();
        picks[1].send_keys(" ").await.unwrap();
        client
            .find(Locator::Css("form.results button[type=submit]"))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        client.wait().for_element(Locator::Css(".sheet")).await.unwrap();
        let needs = texts(&client, ".needs").await;
        assert_eq!(needs, ["困りごと：8050問題・ひきこもり"], "the sheet names the needs on screen");
        let on_sheet = texts(&client, ".sheet-place h2").await;
        assert_eq!(on_sheet, picked, "the sheet holds the two picked places");
        let pdf = client.print(fantoccini::wd::PrintConfiguration::default()).await.unwrap();
        std::fs::write(screenshots().join("sheet.pdf"), &pdf).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
        assert_eq!(pages, 1, "the sheet prints on one page");
        assert!(text.contains("/MediaBox [0 0 595"), "the page is A4 (595 × 842 points)");
        std::fs::write(screenshots().join("sheet-1280.png"), client.screenshot().await.unwrap()).unwrap();
        let violations = accessibility_violations(&client).await;
        assert!(violations.is_empty(), "axe-core on the sheet: {violations:#?}");

        // The sheet's URL, opened afresh (shared, bookmarked), is the same sheet; its
        // link back is the same search with the same picks ticked.
        let share = client.current_url().await.unwrap();
        client.goto("about:blank").await.unwrap();
        client.goto(share.as_str()).await.unwrap();
        assert_eq!(texts(&client, ".sheet-place h2").await, picked);
        client.find(Locator::Css(".no-print a")).await.unwrap().click().await.unwrap();
        let ticked = client.find_all(Locator::Css("input[name=pick]:checked")).await.unwrap();
        assert_eq!(ticked.len(), 2, "the picks come back with the search");
        assert!(texts(&client, ".chip").await.iter().any(|c| c.contains("8050問題")));

        // Filters: a kind, Enter on the button; the URL holds it and every place is of
        // that kind (shown with 江東区's name for it).
        client.goto(&format!("{base}/")).await.unwrap();
        client.find(Locator::Css("#q")).await.unwrap().send_keys("相談").await.unwrap();
        let kind = client.find(Locator::Css("select[name=kind]")).await.unwrap();
        kind.select_by_value("community-support-center").await.unwrap();
        client.find(Locator::Css("form.ask button[type=submit]")).await.unwrap().send_keys("\u{E007}").await.unwrap();
        client.wait().for_element(Locator::Css(".place")).await.unwrap();
        let query = client.current_url().await.unwrap().query().unwrap_or("").to_owned();
        assert!(query.contains("kind=community-support-center"), "{query}");
        let kinds = texts(&client, ".place .kind").await;
        assert!(!kinds.is_empty() && kinds.iter().all(|k| k.contains("地域包括支援センター")), "{kinds:?}");
        // Open at a moment (set as the date-time picker would): the URL and the form
        // keep it, and the search answers for it (the seed's windows publish no hours,
        // so none is known to be open then, and the page says so).
        client.execute("document.querySelector('input[name=at]').value = '2026-11-24T10:00';", vec![]).await.unwrap();
        client.find(Locator::Css("form.ask button[type=submit]")).await.unwrap().send_keys("\u{E007}").await.unwrap();
        client.wait().for_element(Locator::Css("input[name=at][value='2026-11-24T10:00']")).await.unwrap();
        let query = client.current_url().await.unwrap().query().unwrap_or("").to_owned();
        assert!(query.contains("at=2026-11-24T10%3A00") && query.contains("kind=community-support-center"), "{query}");
        let places = texts(&client, ".place h3").await;
        let said = texts(&client, "form.results p").await;
        assert!(
            places.is_empty() && said.iter().any(|p| p.contains("条件に合う場所が見つかりませんでした")),
            "{places:?} {said:?}"
        );

        let errors = console_errors(&client).await;
        assert!(errors.is_empty(), "console errors: {errors:#?}");
        client.close().await.unwrap();
    });
}

/// A steward's view in the browser: the sign-in form without a token (a wrong one is
/// refused, saying so), then the findings, the heat map and the change log; a finding's
/// record opened by keyboard, with its sources and referrals. Screenshots at 1280 px and
/// 360 px, axe-core, and no console error.
#[test]
fn a_steward_signs_in_and_reads_the_network_in_a_real_browser() {
    let server = Server::start(&[]);
    let driver = Driver::start();
    let runtime = crate::support::runtime();
    runtime.block_on(async {
        let client = browser(&driver).await;
        let base = format!("http://{}", server.addr);
        client.goto(&format!("{base}/stewards")).await.unwrap();
        assert!(texts(&client, "#findings").await.is_empty(), "no finding before signing in");
        std::fs::write(screenshots().join("stewards-sign-in-1280.png"), client.screenshot().await.unwrap()).unwrap();

        let token = client.find(Locator::Css("#token")).await.unwrap();
        token.send_keys("ys_not-a-token\u{E007}").await.unwrap();
        client.wait().for_element(Locator::Css(".problem")).await.unwrap();
        assert!(texts(&client, ".problem").await[0].contains("このトークンは使えません"));
        let token = client.find(Locator::Css("#token")).await.unwrap();
        token.send_keys(&format!("{}\u{E007}", crate::server::STEWARD_TOKEN)).await.unwrap();
        client.wait().for_element(Locator::Css("#findings")).await.unwrap();

        let groups = texts(&client, ".finding-group").await;
        assert!(groups.iter().any(|g| g.contains("終わった場所へのつなぎ（3件）")), "{groups:?}");
        let holes = client.find_all(Locator::Css(".heatmap td.heat-0")).await.unwrap();
        assert!(!holes.is_empty(), "the heat map shows holes");
        assert_eq!(holes[0].text().await.unwrap(), "空白");
        let violations = accessibility_violations(&client).await;
        assert!(violations.is_empty(), "axe-core on the stewards' view: {violations:#?}");
        std::fs::write(screenshots().join("stewards-1280.png"), client.screenshot().await.unwrap()).unwrap();
        client.execute("document.getElementById('coverage').scrollIntoView();", vec![]).await.unwrap();
        std::fs::write(screenshots().join("stewards-coverage-1280.png"), client.screenshot().await.unwrap()).unwrap();
        client.set_window_size(360, 800).await.unwrap();
        let fits = client.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]);
        assert_eq!(fits.await.unwrap(), json!(true), "the stewards' view is wider than 360 px");
        std::fs::write(screenshots().join("stewards-360.png"), client.screenshot().await.unwrap()).unwrap();
        client.set_window_size(1280, 900).await.unwrap();

        // The planned place the three escalations reach, opened by keyboard.
        let record = "/stewards/record?id=nagoya-kita-issho-ni-kangaeru-ba";
        let link = client.find(Locator::Css(&format!("a[href='{record}']"))).await.unwrap();
        link.send_keys("\u{E007}").await.unwrap();
        client.wait().for_url(&url::Url::parse(&format!("{base}{record}")).unwrap()).await.unwrap();
        let title = texts(&client, "main h2").await;
        assert!(title[0].contains("困りごとをみんなで一緒に考える場"), "{title:?}");
        let sources = texts(&client, ".provenance li").await;
        assert!(sources.iter().any(|s| s.contains("名古屋市北区 地域福祉活動計画")), "{sources:?}");
        let edges = client.find_all(Locator::Css("table.edges tbody tr")).await.unwrap();
        assert_eq!(edges.len(), 3, "the three escalations come in");
        let violations = accessibility_violations(&client).await;
        assert!(violations.is_empty(), "axe-core on a record: {violations:#?}");
        std::fs::write(screenshots().join("stewards-record-1280.png"), client.screenshot().await.unwrap()).unwrap();
        let errors = console_errors(&client).await;
        assert!(errors.is_empty(), "console errors: {errors:#?}");
        client.close().await.unwrap();
    });
}
