//! Several `yorisoi serve` processes on one PostgreSQL: every write — an edit through
//! any of them, or a `yorisoi load` — reaches every server through the change log, a
//! server killed and restarted catches up, and concurrent edits leave one gapless log
//! and identical directories.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{Server, graphql, http};
use crate::server::STEWARD_TOKEN;
use crate::support::{TestDb, copy_dir, runtime, seed_dir, stderr, yorisoi};

/// How long a write may take to reach another server (the issue's bound).
const ACROSS_SERVERS: Duration = Duration::from_secs(2);

/// Asks `ask` until `done` holds or `limit` passes; returns the last answer and how
/// long it took, or None when it never held.
fn until(limit: Duration, mut ask: impl FnMut() -> Value, done: impl Fn(&Value) -> bool) -> (Value, Option<Duration>) {
    let started = Instant::now();
    loop {
        let answer = ask();
        if done(&answer) {
            return (answer, Some(started.elapsed()));
        }
        if started.elapsed() > limit {
            return (answer, None);
        }
        // Not a wait for something to happen: the next question is asked at once
        // after a short breath, so a server on two busy cores is not flooded.
        std::thread::yield_now();
    }
}

fn search_keys(addr: &str, query: &str) -> Vec<String> {
    let answer = graphql(
        addr,
        "query($q: String!) { search(query: $q, first: 50) { edges { node { resource { key } } } } }",
        json!({ "q": query }),
        None,
    );
    answer["data"]["search"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|e| e["node"]["resource"]["key"].as_str().unwrap().to_owned())
        .collect()
}

fn state(addr: &str) -> Value {
    graphql(addr, "{ directoryState { version digest resources referrals } }", json!({}), None)["data"]
        ["directoryState"]
        .clone()
}

fn newest_change(db: &TestDb) -> i64 {
    runtime().block_on(async { db.open().await.last_change().await.unwrap() })
}

/// Waits until the server at `addr` serves the store's newest change.
fn caught_up(addr: &str, db: &TestDb, limit: Duration) -> Value {
    let newest = newest_change(db);
    let (answer, took) = until(limit, || state(addr), |s| s["version"].as_i64() == Some(newest));
    assert!(took.is_some(), "{addr} did not reach change {newest} within {limit:?}: {answer}");
    answer
}

/// A seed file of `count` new resources named `{prefix}{i}` (test records, not facts).
fn places_file(dir: &Path, file: &str, prefix: &str, range: std::ops::Range<usize>) {
    let mut text = String::from("resources:\n");
    for i in range {
        text.push_str(&format!(
            "  - id: {prefix}-{i}\n    name: 試験の居場所{prefix}{i}番\n    kind: food-pantry\n    needs: [food]\n    \
             service_area: {{ municipalities: [\"132225\"] }}\n    provenance: [{{ source: tokyo-coop-review-2022, \
             verified: 2026-11-22 }}]\n"
        ));
    }
    std::fs::write(dir.join(file), text).unwrap();
}

fn load(dir: &Path, db: &TestDb) {
    let output = yorisoi(&["load", dir.to_str().unwrap(), "--db", &db.url, "--allow-removals"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

fn two_servers(db: &TestDb, data: &tempfile::TempDir) -> (Server, Server) {
    let a = Server::on(&db.url, &data.path().join("a"), &[]);
    let b = Server::on(&db.url, &data.path().join("b"), &[]);
    (a, b)
}

#[test]
fn an_edit_through_one_server_is_found_on_the_other_and_a_removal_reaches_back() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let (a, b) = two_servers(&db, &data);
    let record = json!({
        "id": "higashikurume-pantry-hiyoko", "name": "ひよこパントリー新館", "kind": "food-pantry",
        "needs": ["food", "poverty"], "service_area": { "municipalities": ["132225"] },
        "provenance": [{ "source": "tokyo-coop-review-2022", "verified": "2026-11-22" }]
    });
    let query = "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }";
    let edited = graphql(&a.addr, query, json!({ "r": record }), Some(STEWARD_TOKEN));
    assert!(edited["errors"].is_null(), "{edited}");
    // Found at once on A, which made the edit…
    assert_eq!(
        search_keys(&a.addr, "ひよこパントリー新館").first().map(String::as_str),
        Some("higashikurume-pantry-hiyoko")
    );
    // …and on B within two seconds.
    let (answer, took) = until(
        ACROSS_SERVERS,
        || json!(search_keys(&b.addr, "ひよこパントリー新館")),
        |keys| keys.get(0).and_then(Value::as_str) == Some("higashikurume-pantry-hiyoko"),
    );
    assert!(took.is_some(), "B did not find the edit made through A within 2 s: {answer}");

    // A referral removed through B is gone from A.
    let referral = "referral(id: \"koto-kodomo-katei-to-yoiku\") { key }";
    assert!(!graphql(&a.addr, &format!("{{ {referral} }}"), json!({}), None)["data"]["referral"].is_null());
    let removed = graphql(
        &b.addr,
        r#"mutation { removeReferral(id: "koto-kodomo-katei-to-yoiku", note: "連携終了") { change { number } } }"#,
        json!({}),
        Some(STEWARD_TOKEN),
    );
    assert!(removed["errors"].is_null(), "{removed}");
    let (answer, took) = until(
        ACROSS_SERVERS,
        || graphql(&a.addr, &format!("{{ {referral} }}"), json!({}), None),
        |a| a["data"]["referral"].is_null(),
    );
    assert!(took.is_some(), "A still serves the referral B removed: {answer}");
    assert_eq!(caught_up(&a.addr, &db, ACROSS_SERVERS), caught_up(&b.addr, &db, ACROSS_SERVERS));
}

#[test]
fn a_load_of_a_hundred_records_while_two_servers_run_is_seen_by_both() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let (a, b) = two_servers(&db, &data);
    let before = state(&a.addr)["resources"].as_i64().unwrap();
    let seed = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), seed.path());
    places_file(seed.path(), "extra.yaml", "hundred", 0..100);
    load(seed.path(), &db);
    for server in [&a, &b] {
        let now = caught_up(&server.addr, &db, ACROSS_SERVERS);
        assert_eq!(now["resources"].as_i64(), Some(before + 100), "{now}");
        assert_eq!(
            search_keys(&server.addr, "試験の居場所hundred42番").first().map(String::as_str),
            Some("hundred-42")
        );
    }
    assert_eq!(state(&a.addr), state(&b.addr));
    // The log names each record the load created, under the load's name.
    let log = graphql(
        &a.addr,
        r#"{ recentChanges(recordId: "hundred-7", first: 5) { action actor recordKind } }"#,
        json!({}),
        Some(STEWARD_TOKEN),
    );
    assert_eq!(
        log["data"]["recentChanges"],
        json!([{ "action": "load_created", "actor": "yorisoi load", "recordKind": "resources" }]),
        "{log}"
    );
}

#[test]
fn a_server_killed_during_a_load_of_ten_thousand_changes_catches_up_exactly() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let (a, mut b) = two_servers(&db, &data);
    let seed = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), seed.path());
    // Files under the reader's budget of 1 MiB each.
    for part in 0..10 {
        places_file(seed.path(), &format!("bulk-{part}.yaml"), "bulk", part * 1000..(part + 1) * 1000);
    }
    let loading = std::process::Command::new(env!("CARGO_BIN_EXE_yorisoi"))
        .args(["load", seed.path().to_str().unwrap(), "--db", &db.url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // B dies while the load is being read, checked and written.
    b.kill();
    let output = loading.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let newest = newest_change(&db);
    assert!(newest >= 10_000, "the load wrote one entry per record: {newest}");

    let b = Server::on(&db.url, &data.path().join("b"), &[]);
    let on_a = caught_up(&a.addr, &db, Duration::from_secs(60));
    let on_b = caught_up(&b.addr, &db, Duration::from_secs(60));
    assert_eq!(on_a, on_b, "both serve the same records");
    let stored = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert_eq!(on_a["digest"].as_str().unwrap(), format!("{:016x}", stored.digest()), "and exactly the store's");
    for query in ["試験の居場所bulk9999番", "試験の居場所bulk0番", "フードパントリー", "ひよこ"]
    {
        assert_eq!(search_keys(&a.addr, query), search_keys(&b.addr, query), "{query}");
    }
}

#[test]
fn concurrent_edits_through_two_servers_leave_a_gapless_log_and_identical_directories() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let (a, b) = two_servers(&db, &data);
    let before = newest_change(&db);
    let writers: Vec<_> = [(a.addr.clone(), "a"), (b.addr.clone(), "b")]
        .into_iter()
        .map(|(addr, name)| {
            std::thread::spawn(move || {
                for i in 0..15 {
                    // Both servers edit the same record and records of their own.
                    let id =
                        if i % 3 == 0 { "higashikurume-pantry-hiyoko".to_owned() } else { format!("{name}-edit-{i}") };
                    let record = json!({
                        "id": id, "name": format!("試験の編集{name}{i}"), "kind": "food-pantry", "needs": ["food"],
                        "service_area": { "municipalities": ["132225"] },
                        "provenance": [{ "source": "tokyo-coop-review-2022", "verified": "2026-11-22" }]
                    });
                    let query = "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }";
                    let answer = graphql(&addr, query, json!({ "r": record }), Some(STEWARD_TOKEN));
                    assert!(answer["errors"].is_null(), "{answer}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let numbers: Vec<i64> = runtime().block_on(async {
        let store = db.open().await;
        store.changes_after(before, 1000).await.unwrap().into_iter().map(|c| c.id).collect()
    });
    assert_eq!(numbers, ((before + 1)..=(before + 30)).collect::<Vec<_>>(), "30 edits numbered without gap or repeat");
    let on_a = caught_up(&a.addr, &db, ACROSS_SERVERS);
    let on_b = caught_up(&b.addr, &db, ACROSS_SERVERS);
    assert_eq!(on_a, on_b);
    let stored = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert_eq!(on_a["digest"].as_str().unwrap(), format!("{:016x}", stored.digest()));
    let (status, metrics) = http(&a.addr, "GET", "/metrics", &[], "");
    assert_eq!(status, 200);
    assert!(metrics.contains("yorisoi_follow_lag_entries 0\n"), "{metrics}");
    assert!(metrics.contains(&format!("yorisoi_changes_applied {}\n", before + 30)), "{metrics}");
}

#[test]
fn a_server_finding_an_index_of_other_analyzers_answers_from_it_while_it_builds_the_new_one() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("a");
    let mut first = Server::on(&db.url, &data_dir, &[]);
    first.kill();
    // The index as an older Yorisoi left it: the folder `index`, another format's tag.
    let current = yorisoi_search::index_dir(&data_dir);
    let stale = data_dir.join("index");
    std::fs::rename(&current, &stale).unwrap();
    std::fs::write(stale.join("yorisoi-index.tag"), "yorisoi-index-3-0123456789abcdef").unwrap();

    let server = Server::on(&db.url, &data_dir, &[]);
    // Answers at once, from the stale index or the new one.
    assert_eq!(
        search_keys(&server.addr, "ふーどばんく 八王子").first().map(String::as_str),
        Some("food-bank-hachioji")
    );
    let (status, _) = http(&server.addr, "GET", "/readyz", &[], "");
    assert_eq!(status, 200);
    let (metrics, took) = until(
        Duration::from_secs(60),
        || json!(http(&server.addr, "GET", "/metrics", &[], "").1),
        |m| m.as_str().is_some_and(|m| m.contains("yorisoi_index_rebuilding 0\n")),
    );
    assert!(took.is_some(), "the rebuild did not end: {metrics}");
    assert!(yorisoi_search::is_current_index(&current), "the new index is this build's");
    assert!(!stale.exists(), "the stale index is removed once the new one serves");
    assert_eq!(
        search_keys(&server.addr, "ふーどばんく 八王子").first().map(String::as_str),
        Some("food-bank-hachioji")
    );
    // And an edit made after the switch is found through the new index.
    let record = json!({
        "id": "higashikurume-pantry-hiyoko", "name": "ひよこパントリー再建館", "kind": "food-pantry",
        "needs": ["food"], "service_area": { "municipalities": ["132225"] },
        "provenance": [{ "source": "tokyo-coop-review-2022", "verified": "2026-11-22" }]
    });
    let query = "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }";
    assert!(graphql(&server.addr, query, json!({ "r": record }), Some(STEWARD_TOKEN))["errors"].is_null());
    assert_eq!(search_keys(&server.addr, "再建館").first().map(String::as_str), Some("higashikurume-pantry-hiyoko"));
}

#[test]
fn a_server_whose_database_was_restored_to_an_earlier_log_serves_what_the_store_holds() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(&db.url, &data.path().join("a"), &[]);
    let seed = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), seed.path());
    let before_load = newest_change(&db);
    places_file(seed.path(), "extra.yaml", "lost", 0..100);
    load(seed.path(), &db);
    caught_up(&server.addr, &db, ACROSS_SERVERS);
    assert_eq!(search_keys(&server.addr, "試験の居場所lost7番").first().map(String::as_str), Some("lost-7"));

    // The database goes back to before that load (a backup restored, or a standby that
    // had not received it promoted), and then takes another load of as many records:
    // the log ends at the same number as before, with other entries under it.
    runtime().block_on(async {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        for statement in [
            "DELETE FROM resource_links WHERE resource_id LIKE 'lost-%'".to_owned(),
            "DELETE FROM resources WHERE id LIKE 'lost-%'".to_owned(),
            format!("DELETE FROM changes WHERE id > {before_load}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });
    std::fs::remove_file(seed.path().join("extra.yaml")).unwrap();
    places_file(seed.path(), "other.yaml", "kept", 0..100);
    load(seed.path(), &db);

    let now = caught_up(&server.addr, &db, Duration::from_secs(10));
    let stored = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert_eq!(now["digest"].as_str().unwrap(), format!("{:016x}", stored.digest()), "{now}");
    assert!(search_keys(&server.addr, "試験の居場所lost7番").iter().all(|k| k != "lost-7"), "the lost record is gone");
    assert_eq!(search_keys(&server.addr, "試験の居場所kept7番").first().map(String::as_str), Some("kept-7"));
}
