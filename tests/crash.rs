//! Crash safety: `kill -9` in the middle of a load and in the middle of a burst of
//! stewards' edits. On restart the store holds the old state or the new one, never a
//! mix, and search agrees with the store.

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use yorisoi_core::Directory;

use crate::serve::{Server, graphql};
use crate::server::STEWARD_TOKEN;
use crate::support::{TestDb, copy_dir, runtime, seed_dir, stderr, yorisoi};

fn read(db: &TestDb) -> Directory {
    runtime().block_on(async { db.open().await.read_directory().await.unwrap() })
}

fn load(dir: &std::path::Path, db: &TestDb) {
    let output = yorisoi(&["load", dir.to_str().unwrap(), "--db", &db.url, "--allow-removals"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_load_killed_at_any_moment_leaves_the_old_or_the_new_directory() {
    // The new directory: one file gone, one resource renamed.
    let new_seed = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), new_seed.path());
    std::fs::remove_file(new_seed.path().join("nagoya-kita.yaml")).unwrap();
    let koto = new_seed.path().join("koto.yaml");
    let text = std::fs::read_to_string(&koto).unwrap();
    std::fs::write(&koto, text.replace("name: 猿江公園の昔遊びの集まり", "name: 猿江公園の昔あそびの会")).unwrap();

    let reference = TestDb::new();
    load(new_seed.path(), &reference);
    let new_state = read(&reference);
    let db = TestDb::new();
    load(&seed_dir(), &db);
    let old_state = read(&db);
    assert_ne!(old_state, new_state);

    let (mut old_seen, mut new_seen) = (0, 0);
    // Kill moments spread from the start of the process past the end of its load.
    // The pause only picks the moment; what is asserted holds whenever it falls.
    for step in 0..24u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yorisoi"))
            .args(["load", new_seed.path().to_str().unwrap(), "--db", &db.url, "--allow-removals"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(step * step));
        let _ = child.kill();
        child.wait().unwrap();
        let state = read(&db);
        if state == old_state {
            old_seen += 1;
        } else if state == new_state {
            new_seen += 1;
            load(&seed_dir(), &db);
        } else {
            panic!("kill at {} ms left a mix of the two directories", step * step);
        }
    }
    // Both ends were reached: some loads were killed before committing, some after.
    assert!(old_seen > 0 && new_seen > 0, "old {old_seen}, new {new_seen}");
}

#[test]
fn a_server_killed_during_a_burst_of_edits_restarts_with_store_and_search_agreeing() {
    let db = TestDb::new();
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::on(&db.url, &data.path().join("data"), &[]);
    let addr = server.addr.clone();
    let (answered, answers) = mpsc::channel();
    let burst = std::thread::spawn(move || {
        for i in 0..40 {
            let record = json!({
                "id": "higashikurume-pantry-hiyoko", "name": format!("ひよこパントリー改称{i}号"), "kind": "food-pantry",
                "needs": ["food", "poverty"], "service_area": { "municipalities": ["132225"] },
                "provenance": [{ "source": "tokyo-coop-review-2022", "verified": "2026-11-22" }]
            });
            let query = "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }";
            // Once the server is killed, requests fail; the burst ends there.
            let sent = std::panic::catch_unwind(|| graphql(&addr, query, json!({ "r": record }), Some(STEWARD_TOKEN)));
            if sent.is_err() || answered.send(i).is_err() {
                return;
            }
        }
    });
    // Kill while the burst is under way: after the fifth answer, with the next edit in flight.
    for _ in 0..5 {
        answers.recv().unwrap();
    }
    server.kill();
    drop(answers);
    let _ = burst.join();

    let stored = read(&db);
    let pantry = stored.resources.iter().find(|r| r.id.as_str() == "higashikurume-pantry-hiyoko").unwrap();
    let number: usize = pantry.name.trim_start_matches("ひよこパントリー改称").trim_end_matches('号').parse().unwrap();
    assert!(number >= 4, "at least the five answered edits are kept: {}", pantry.name);

    let restarted = Server::on(&db.url, &data.path().join("data"), &[]);
    let found = graphql(
        &restarted.addr,
        &format!(
            r#"{{ search(query: "改称{number}号", first: 1) {{ edges {{ node {{ resource {{ key name }} }} }} }} }}"#
        ),
        json!({}),
        None,
    );
    let hit = &found["data"]["search"]["edges"][0]["node"]["resource"];
    assert_eq!(hit["key"], "higashikurume-pantry-hiyoko", "{found}");
    assert_eq!(hit["name"].as_str(), Some(pantry.name.as_str()), "search shows what the store holds: {found}");
    let log = graphql(
        &restarted.addr,
        "{ changes(origin: EDITS, first: 100) { edges { cursor } } }",
        json!({}),
        Some(STEWARD_TOKEN),
    );
    let entries = log["data"]["changes"]["edges"].as_array().unwrap().len();
    assert_eq!(entries, number + 1, "one change-log entry per stored edit, none half-written: {log}");
}
