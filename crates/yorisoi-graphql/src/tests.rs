//! The schema on the seed directory: answers, paging, error codes, limits, stewards'
//! edits with tokens and the change log, staff-only fields, query counts, and the
//! committed SDL.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use yorisoi_search::SearchIndex;
use yorisoi_store::Store;

use super::*;

/// The seed directory in a SQLite store in memory, served by one [`Service`].
struct Fixture {
    runtime: tokio::runtime::Runtime,
    service: Service,
}

fn seed_schema() -> Fixture {
    fixture_with(&Options::default())
}

fn fixture_with(options: &Options) -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seed");
    let directory = Arc::new(yorisoi_seed::read_dir(&seed).unwrap().directory);
    let store = runtime.block_on(async {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.replace_directory(&directory).await.unwrap();
        store
    });
    let index = Arc::new(SearchIndex::in_ram(&directory).unwrap());
    let live = Live::new(store, Snapshot::new(directory, index));
    let tokens = Tokens::parse(
        &format!(
            "steward koto-steward {}\nstaff koto-counter {}",
            hash_token("steward-secret"),
            hash_token("staff-secret")
        ),
        "test",
    )
    .unwrap();
    Fixture { runtime, service: Service::new(live, tokens, options) }
}

fn run(fixture: &Fixture, query: &str) -> Value {
    run_as(fixture, query, None)
}

/// Runs a request with a bearer token (None: anonymous).
fn run_as(fixture: &Fixture, query: &str, token: Option<&str>) -> Value {
    let caller = token.map(|t| fixture.service.authenticate(t).expect("a configured token"));
    let response = fixture.runtime.block_on(fixture.service.execute(query.into(), caller));
    serde_json::to_value(&response).unwrap()
}

/// Runs a request with variables.
fn run_with(fixture: &Fixture, query: &str, variables: Value, token: Option<&str>) -> Value {
    let caller = token.map(|t| fixture.service.authenticate(t).expect("a configured token"));
    let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
    let response = fixture.runtime.block_on(fixture.service.execute(request, caller));
    serde_json::to_value(&response).unwrap()
}

fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"].as_str().unwrap_or("(none)")
}

const STEWARD: Option<&str> = Some("steward-secret");
const STAFF: Option<&str> = Some("staff-secret");

#[test]
fn committed_schema_graphql_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema.graphql");
    let current = sdl();
    if std::fs::read_to_string(&path).is_ok_and(|committed| committed == current) {
        return;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("schema.graphql is stale; run `cargo test` locally and commit the rewritten file");
    }
    std::fs::write(&path, current).unwrap();
}

#[test]
fn search_returns_places_with_the_understood_needs() {
    let schema = seed_schema();
    let response = run(
        &schema,
        r#"{ search(query: "親が80代で、50代の息子がずっと家にいる", municipality: "江東区", first: 3) {
            detectedNeeds { label } totalCount
            edges { node { resource { key name kind { label } } reason matchedNeeds } }
            pageInfo { hasNextPage } } }"#,
    );
    assert!(response.get("errors").is_none(), "{response}");
    let search = &response["data"]["search"];
    let labels: Vec<&str> =
        search["detectedNeeds"].as_array().unwrap().iter().map(|n| n["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"8050問題"), "{labels:?}");
    assert_eq!(search["edges"].as_array().unwrap().len(), 3);
    assert!(search["totalCount"].as_u64().unwrap() > 3);
    assert_eq!(search["pageInfo"]["hasNextPage"], true);
    assert!(search["edges"][0]["node"]["reason"].as_str().unwrap().contains("困りごと"));
}

/// Every filter the CLI has is in `search` too; `about` replaces what the text was
/// understood to say (the page's chips), with no words for a need the worker added.
#[test]
fn search_takes_the_clis_filters_and_the_workers_needs() {
    let schema = seed_schema();
    let nodes = |response: &Value| -> Vec<Value> {
        assert!(response.get("errors").is_none(), "{response}");
        response["data"]["search"]["nodes"].as_array().unwrap().clone()
    };
    let household =
        run(&schema, r#"{ search(query: "相談したい", household: "ひとり親", first: 5) { detectedNeeds { code } } }"#);
    assert_eq!(household["data"]["search"]["detectedNeeds"], json!([{ "code": "single-parent" }]));

    let kinds = run(
        &schema,
        r#"{ search(query: "相談", kinds: ["community-support-center"], first: 20) {
        nodes { resource { kind { code } } } } }"#,
    );
    let kinds = nodes(&kinds);
    assert!(!kinds.is_empty() && kinds.iter().all(|n| n["resource"]["kind"]["code"] == "community-support-center"));

    let area =
        run(&schema, r#"{ search(query: "", area: "arakawa-higashiogu", first: 20) { nodes { resource { key } } } }"#);
    let keys: Vec<Value> = nodes(&area).iter().map(|n| n["resource"]["key"].clone()).collect();
    assert!(keys.contains(&json!("arakawa-coop-cafe")), "{keys:?}");
    assert_eq!(
        error_code(&run(&schema, r#"{ search(query: "", area: "nowhere", first: 1) { totalCount } }"#)),
        "BAD_USER_INPUT"
    );

    let free = run(&schema, r#"{ search(query: "", free: true, first: 20) { nodes { resource { free } } } }"#);
    // The documents state no place as free of charge, so none is offered as one.
    assert!(nodes(&free).is_empty());
    let any = run(&schema, r#"{ search(query: "", first: 20) { nodes { resource { free } } } }"#);
    assert!(!nodes(&any).is_empty());

    let about = run(
        &schema,
        r#"{ search(query: "母80代 息子50代無職 閉じこもり", about: ["hikikomori", "food"], first: 3) {
        detectedNeeds { code matched } } }"#,
    );
    assert_eq!(
        about["data"]["search"]["detectedNeeds"],
        json!([{ "code": "hikikomori", "matched": "閉じこもり" }, { "code": "food", "matched": "" }])
    );
}

#[test]
fn resources_page_with_cursors_and_a_bounded_first() {
    let schema = seed_schema();
    let first = run(
        &schema,
        r#"{ resources(first: 2, municipality: "131083") { totalCount edges { cursor node { key } } pageInfo { hasNextPage } } }"#,
    );
    let edges = first["data"]["resources"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(first["data"]["resources"]["totalCount"], 17); // the 17 江東区 records
    let after = edges[1]["cursor"].as_str().unwrap();
    let second = run(
        &schema,
        &format!(
            r#"{{ resources(first: 2, municipality: "131083", after: "{after}") {{ edges {{ node {{ key }} }} }} }}"#
        ),
    );
    let next = second["data"]["resources"]["edges"][0]["node"]["key"].as_str().unwrap();
    assert!(next > edges[1]["node"]["key"].as_str().unwrap(), "pages follow id order");
    for bad in ["0", "101", "-1"] {
        let response = run(&schema, &format!("{{ resources(first: {bad}) {{ totalCount }} }}"));
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "first: {bad}");
    }
}

#[test]
fn nodes_round_trip_and_bad_ids_have_codes() {
    let schema = seed_schema();
    let response = run(&schema, r#"{ resource(id: "arakawa-coop-cafe") { id name operators { name } } }"#);
    let id = response["data"]["resource"]["id"].as_str().unwrap().to_owned();
    assert_eq!(response["data"]["resource"]["operators"][0]["name"], "荒川区まちづくり");
    let again = run(&schema, &format!(r#"{{ node(id: "{id}") {{ ... on Resource {{ name }} }} }}"#));
    assert_eq!(again["data"]["node"]["name"], "荒川コープカフェ");
    // An id no resource has is null, as Relay clients expect; a malformed one is an error.
    let missing = run(&schema, r#"{ resource(id: "nowhere") { name } }"#);
    assert!(missing.get("errors").is_none(), "{missing}");
    assert_eq!(missing["data"]["resource"], serde_json::Value::Null);
    assert_eq!(error_code(&run(&schema, r#"{ resource(id: "Not An Id!") { name } }"#)), "BAD_USER_INPUT");
    assert_eq!(error_code(&run(&schema, r#"{ node(id: "!!!") { id } }"#)), "BAD_USER_INPUT");
    assert_eq!(
        error_code(&run(&schema, r#"{ referralPaths(from: "nowhere", need: "food") { hops { to } } }"#)),
        "NOT_FOUND"
    );
}

#[test]
fn graph_answers_paths_where_to_refer_and_the_audit() {
    let schema = seed_schema();
    let paths = run(
        &schema,
        r#"{ referralPaths(from: "koto-fukushi-ka", need: "防災", maxHops: 2) { target { name } hops { kind conditions } } }"#,
    );
    assert_eq!(paths["data"]["referralPaths"][0]["target"]["name"], "避難行動要支援者の申請（同意書）");
    assert_eq!(paths["data"]["referralPaths"][0]["hops"], json!([{ "kind": "operated_by", "conditions": null }]));
    let refer = run(
        &schema,
        r#"{ whereToRefer(situation: "食べるものに困っている", municipality: "東久留米市", first: 3) { resource { key } reason } }"#,
    );
    assert_eq!(refer["data"]["whereToRefer"][0]["resource"]["key"], "higashikurume-pantry-hiyoko");
    let audit = run(&schema, r#"{ audit(today: "2026-11-22") { code records } }"#);
    let codes: Vec<&str> =
        audit["data"]["audit"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"BROKEN_FLOW") && codes.contains(&"DEAD_END"), "{codes:?}");
}

/// A national directory's audit holds millions of STALE findings: a response carries a
/// page of each code, the counts say how many there are, and paging with `offset`
/// walks one code's findings without gaps or repeats.
#[test]
fn the_audit_comes_in_pages_of_each_code_with_counts() {
    let schema = seed_schema();
    // Two years after the documents, every record is stale (tests/graph.rs: 76 + 38 + 21).
    let whole = run(
        &schema,
        r#"{ audit(today: "2028-01-01", first: 10000) { code records } auditCounts(today: "2028-01-01") { code count } }"#,
    );
    let all = whole["data"]["audit"].as_array().unwrap();
    let counts = whole["data"]["auditCounts"].as_array().unwrap();
    let count = |code: &str| counts.iter().find(|c| c["code"] == code).map_or(0, |c| c["count"].as_u64().unwrap());
    assert_eq!(count("STALE"), 135, "{counts:?}");
    assert_eq!(counts.iter().map(|c| c["count"].as_u64().unwrap()).sum::<u64>(), all.len() as u64);
    let stale: Vec<&Value> = all.iter().filter(|f| f["code"] == "STALE").map(|f| &f["records"]).collect();

    // A page of 50 of each code: 50 STALE, and every other code still there.
    let page = run(&schema, r#"{ audit(today: "2028-01-01", first: 50) { code } }"#);
    let page = page["data"]["audit"].as_array().unwrap();
    assert_eq!(page.iter().filter(|f| f["code"] == "STALE").count(), 50);
    for c in counts {
        let code = c["code"].as_str().unwrap();
        let expected = c["count"].as_u64().unwrap().min(50) as usize;
        assert_eq!(page.iter().filter(|f| f["code"] == code).count(), expected, "{code}");
    }

    // STALE alone, 40 at a time: the same findings in the same order.
    let mut walked: Vec<Value> = Vec::new();
    for offset in (0..160).step_by(40) {
        let query = format!(
            r#"{{ audit(today: "2028-01-01", codes: ["STALE"], first: 40, offset: {offset}) {{ code records }} }}"#
        );
        let response = run(&schema, &query);
        let found = response["data"]["audit"].as_array().unwrap();
        assert!(found.iter().all(|f| f["code"] == "STALE"));
        walked.extend(found.iter().map(|f| f["records"].clone()));
    }
    assert_eq!(walked.iter().collect::<Vec<_>>(), stale);

    // Bad arguments say what is wrong.
    let unknown = run(&schema, r#"{ audit(codes: ["OLD"]) { code } }"#);
    assert_eq!(error_code(&unknown), "BAD_USER_INPUT", "{unknown}");
    assert!(unknown["errors"][0]["message"].as_str().unwrap().contains("STALE"), "{unknown}");
    let too_many = run(&schema, r#"{ audit(first: 10001) { code } }"#);
    assert_eq!(error_code(&too_many), "BAD_USER_INPUT", "{too_many}");
    let negative = run(&schema, r#"{ audit(offset: -1) { code } }"#);
    assert_eq!(error_code(&negative), "BAD_USER_INPUT", "{negative}");
}

#[test]
fn deep_queries_are_refused() {
    let schema = seed_schema();
    let mut nested = String::from("name");
    for _ in 0..15 {
        nested = format!("parent {{ {nested} }}");
    }
    let response =
        run(&schema, &format!(r#"{{ resource(id: "koto-choju-oen-window") {{ operators {{ {nested} }} }} }}"#));
    assert!(response["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{response}");
}

const UPSERT: &str = r#"mutation($record: JSON!, $note: String) {
    upsertResource(record: $record, note: $note) {
        change { number actor action recordId before after note }
        resource { key name status staffNote contacts { phone staffOnly } }
    } }"#;

/// A resource the documents describe (東久留米フードパントリーひよこ) with a staff-only
/// line added; the number is a placeholder from the 0120-000 range no one is assigned.
fn pantry_with_staff_line() -> Value {
    json!({
        "id": "higashikurume-pantry-hiyoko",
        "name": "東久留米フードパントリーひよこ",
        "kana": "ひがしくるめふーどぱんとりーひよこ",
        "kind": "food-pantry",
        "needs": ["food", "poverty"],
        "service_area": { "municipalities": ["132225"] },
        "contacts": [{ "name": "職員直通", "phone": "0120-000-000", "staff_only": true }],
        "staff_note": "試験用のメモ",
        "provenance": [{ "source": "tokyo-coop-review-2022", "verified": "2026-11-22" }]
    })
}

#[test]
fn edits_need_a_stewards_token() {
    let fixture = seed_schema();
    let variables = json!({ "record": pantry_with_staff_line() });
    let anonymous = run_with(&fixture, UPSERT, variables.clone(), None);
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
    let staff = run_with(&fixture, UPSERT, variables.clone(), STAFF);
    assert_eq!(error_code(&staff), "FORBIDDEN", "{staff}");
    assert!(staff["errors"][0]["message"].as_str().unwrap().contains("koto-counter"));
    for mutation in [
        r#"mutation { retireResource(id: "food-bank-akishima", note: "x") { change { number } } }"#,
        r#"mutation { verifyResource(id: "food-bank-akishima", source: "tokyo-coop-review-2022") { change { number } } }"#,
        r#"mutation { removeReferral(id: "x", note: "x") { change { number } } }"#,
        r#"mutation { addReferral(record: {}) { change { number } } }"#,
    ] {
        assert_eq!(error_code(&run(&fixture, mutation)), "UNAUTHENTICATED", "{mutation}");
        assert_eq!(error_code(&run_as(&fixture, mutation, STAFF)), "FORBIDDEN", "{mutation}");
    }
    // Nothing was written.
    let log = run_as(&fixture, "{ changes(origin: EDITS, first: 10) { edges { node { number } } } }", STAFF);
    assert_eq!(log["data"]["changes"]["edges"], json!([]), "{log}");
}

#[test]
fn an_upsert_is_logged_searchable_at_once_and_staff_fields_need_a_token() {
    let fixture = seed_schema();
    let mut record = pantry_with_staff_line();
    record["name"] = json!("東久留米フードパントリーひよこ（土曜開催）");
    let response = run_with(&fixture, UPSERT, json!({ "record": record, "note": "名称変更" }), STEWARD);
    assert!(response.get("errors").is_none(), "{response}");
    let result = &response["data"]["upsertResource"];
    assert_eq!(result["change"]["actor"], "koto-steward");
    assert_eq!(result["change"]["action"], "upsert_resource");
    assert_eq!(result["change"]["note"], "名称変更");
    assert_eq!(result["change"]["before"]["name"], "東久留米フードパントリーひよこ");
    assert_eq!(result["change"]["after"]["name"], "東久留米フードパントリーひよこ（土曜開催）");
    assert_eq!(result["resource"]["staffNote"], "試験用のメモ");

    // Search sees the new name as soon as the mutation returned.
    let found = run(&fixture, r#"{ search(query: "土曜開催", first: 1) { edges { node { resource { key } } } } }"#);
    assert_eq!(found["data"]["search"]["edges"][0]["node"]["resource"]["key"], "higashikurume-pantry-hiyoko");

    // Staff-only fields: hidden from anonymous callers, shown with any token.
    let read = r#"{ resource(id: "higashikurume-pantry-hiyoko") { staffNote contacts { phone staffOnly } } }"#;
    let anonymous = run(&fixture, read);
    assert_eq!(anonymous["data"]["resource"], json!({ "staffNote": null, "contacts": [] }));
    let staff = run_as(&fixture, read, STAFF);
    assert_eq!(
        staff["data"]["resource"],
        json!({ "staffNote": "試験用のメモ", "contacts": [{ "phone": "0120-000-000", "staffOnly": true }] })
    );

    // The change log: with a token only; `since` and paging.
    assert_eq!(
        error_code(&run(&fixture, "{ changes(origin: EDITS, first: 1) { edges { cursor } } }")),
        "UNAUTHENTICATED"
    );
    let log = run_as(
        &fixture,
        r#"{ changes(origin: EDITS, first: 5, since: "2026-01-01T00:00:00Z") { edges { node { recordId actor } } } }"#,
        STAFF,
    );
    assert_eq!(
        log["data"]["changes"]["edges"][0]["node"],
        json!({ "recordId": "higashikurume-pantry-hiyoko", "actor": "koto-steward" })
    );
    let later = run_as(
        &fixture,
        r#"{ changes(origin: EDITS, first: 5, since: "2999-01-01T00:00:00Z") { edges { cursor } } }"#,
        STAFF,
    );
    assert_eq!(later["data"]["changes"]["edges"], json!([]));
}

#[test]
fn a_bad_record_is_refused_with_the_seed_files_messages_and_nothing_changes() {
    let fixture = seed_schema();
    let mut record = pantry_with_staff_line();
    record["kind"] = json!("food-pantri");
    record["audience"] = json!({ "age_min": 70, "age_max": 20 });
    let response = run_with(&fixture, UPSERT, json!({ "record": record }), STEWARD);
    assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response}");
    let problems = &response["errors"][0]["extensions"]["problems"];
    let paths: Vec<&str> = problems.as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["kind", "audience.age_min"], "{problems}");
    assert!(problems[0]["message"].as_str().unwrap().contains("food-pantri"), "{problems}");

    let mut record = pantry_with_staff_line();
    record["contacts"][0]["phon"] = json!("03");
    let response = run_with(&fixture, UPSERT, json!({ "record": record }), STEWARD);
    assert_eq!(response["errors"][0]["extensions"]["problems"][0]["path"], "contacts.0.phon", "{response}");

    let unchanged = run(&fixture, r#"{ resource(id: "higashikurume-pantry-hiyoko") { kind { code } } }"#);
    assert_eq!(unchanged["data"]["resource"]["kind"]["code"], "food-pantry");
    let log = run_as(&fixture, "{ changes(origin: EDITS, first: 10) { edges { cursor } } }", STAFF);
    assert_eq!(log["data"]["changes"]["edges"], json!([]));
}

#[test]
fn retire_verify_and_referrals_change_what_workers_are_told() {
    let fixture = seed_schema();
    let retired = run_as(
        &fixture,
        r#"mutation { retireResource(id: "food-bank-akishima", note: "活動終了の連絡") { resource { status } change { before after } } }"#,
        STEWARD,
    );
    assert_eq!(retired["data"]["retireResource"]["resource"]["status"], "ended", "{retired}");
    assert_eq!(retired["data"]["retireResource"]["change"]["after"]["status"], "ended");
    let again = run_as(
        &fixture,
        r#"mutation { retireResource(id: "food-bank-akishima", note: "x") { change { number } } }"#,
        STEWARD,
    );
    assert_eq!(error_code(&again), "BAD_USER_INPUT");
    let missing =
        run_as(&fixture, r#"mutation { retireResource(id: "nowhere", note: "x") { change { number } } }"#, STEWARD);
    assert_eq!(error_code(&missing), "NOT_FOUND");

    let verified = run_as(
        &fixture,
        r#"mutation { verifyResource(id: "food-bank-hachioji", source: "tokyo-coop-review-2022", locator: "電話確認") {
            resource { provenance { source locator verified } } } }"#,
        STEWARD,
    );
    let provenance = &verified["data"]["verifyResource"]["resource"]["provenance"][0];
    assert_eq!(provenance["locator"], "電話確認", "{verified}");
    assert_eq!(
        provenance["verified"],
        json!((chrono::Utc::now() + chrono::Duration::hours(9)).date_naive().to_string())
    );
    let unknown_source = run_as(
        &fixture,
        r#"mutation { verifyResource(id: "food-bank-hachioji", source: "no-such-doc") { change { number } } }"#,
        STEWARD,
    );
    assert_eq!(error_code(&unknown_source), "BAD_USER_INPUT", "{unknown_source}");

    // 世話やきさん reach no food place; a new referral makes the path appear.
    let paths = r#"{ referralPaths(from: "nagoya-kita-sewayaki", need: "food") { target { key } } }"#;
    assert_eq!(run(&fixture, paths)["data"]["referralPaths"], json!([]));
    let referral = json!({
        "id": "test-sewayaki-to-pantry",
        "from": "nagoya-kita-sewayaki",
        "to": "higashikurume-pantry-hiyoko",
        "kind": "refers_to",
        "needs": ["food"],
        "provenance": [{ "source": "nagoya-kita-welfare-plan", "verified": "2026-11-22" }]
    });
    let add = r#"mutation($record: JSON!) { addReferral(record: $record) { referral { key from to } } }"#;
    let added = run_with(&fixture, add, json!({ "record": referral }), STEWARD);
    assert_eq!(added["data"]["addReferral"]["referral"]["to"], "higashikurume-pantry-hiyoko", "{added}");
    assert_eq!(run(&fixture, paths)["data"]["referralPaths"][0]["target"]["key"], "higashikurume-pantry-hiyoko");
    let twice = run_with(&fixture, add, json!({ "record": referral }), STEWARD);
    assert_eq!(error_code(&twice), "BAD_USER_INPUT");
    let mut dangling = referral.clone();
    dangling["id"] = json!("test-dangling");
    dangling["to"] = json!("no-such-place");
    let refused = run_with(&fixture, add, json!({ "record": dangling }), STEWARD);
    assert_eq!(refused["errors"][0]["extensions"]["problems"][0]["path"], "to", "{refused}");

    let removed = run_as(
        &fixture,
        r#"mutation { removeReferral(id: "test-sewayaki-to-pantry", note: "誤登録") { referral { key } change { before after } } }"#,
        STEWARD,
    );
    assert_eq!(removed["data"]["removeReferral"]["referral"], Value::Null, "{removed}");
    assert_eq!(removed["data"]["removeReferral"]["change"]["after"], Value::Null);
    assert_eq!(run(&fixture, paths)["data"]["referralPaths"], json!([]));

    let log = run_as(
        &fixture,
        "{ changes(origin: EDITS, first: 2) { edges { node { action } cursor } pageInfo { hasNextPage } } }",
        STAFF,
    );
    let actions: Vec<&str> = log["data"]["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["retire_resource", "verify_resource"]);
    assert_eq!(log["data"]["changes"]["pageInfo"]["hasNextPage"], true);
    let cursor = log["data"]["changes"]["edges"][1]["cursor"].as_str().unwrap();
    let rest = run_as(
        &fixture,
        &format!(r#"{{ changes(origin: EDITS, first: 5, after: "{cursor}") {{ edges {{ node {{ action }} }} }} }}"#),
        STAFF,
    );
    let actions: Vec<&str> = rest["data"]["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["add_referral", "remove_referral"]);
}

#[test]
fn nested_reads_run_no_database_query_and_a_change_log_page_runs_one() {
    let fixture = seed_schema();
    let store = fixture.service.live().store();
    let before = store.statements_run();
    let response = run(
        &fixture,
        r#"{ resources(first: 100) { edges { node { key kind { label } needs { label }
              operators { name parent { name parent { name } } } } } }
            organizations(first: 100) { edges { node { name parent { name } } } }
            search(query: "子ども食堂", first: 20) { edges { node { resource { operators { name } needs { code } } } } } }"#,
    );
    assert!(response.get("errors").is_none(), "{response}");
    assert_eq!(response["data"]["resources"]["edges"].as_array().unwrap().len(), 38);
    assert_eq!(store.statements_run(), before, "reads answer from the snapshot in memory");
    run_as(&fixture, "{ changes(origin: EDITS, first: 100) { edges { node { number before after } } } }", STAFF);
    assert_eq!(store.statements_run(), before + 1, "one page of the change log is one query");
}

#[test]
fn organizations_page_by_municipality() {
    let fixture = seed_schema();
    let keys = |municipality: &str| -> Vec<String> {
        let query = format!(
            r#"{{ organizations(first: 100, municipality: "{municipality}") {{ edges {{ node {{ key }} }} }} }}"#
        );
        let response = run(&fixture, &query);
        assert!(response.get("errors").is_none(), "{response}");
        response["data"]["organizations"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
            .collect()
    };
    // 東京都北区: its まちづくり group and 社協, and the 東京都-wide federation.
    assert_eq!(keys("北区"), ["kita-machizukuri", "tokyo-coop-federation", "tokyo-kita-shakyo"]);
    let nagoya = keys("名古屋市北区");
    assert!(!nagoya.is_empty() && nagoya.iter().all(|k| k.starts_with("nagoya")), "{nagoya:?}");
}

#[test]
fn introspection_can_be_switched_off() {
    let fixture = seed_schema();
    let on = run(&fixture, "{ __schema { queryType { name } } }");
    assert_eq!(on["data"]["__schema"]["queryType"]["name"], "Query");
    let closed = fixture_with(&Options { introspection: false });
    let off = run(&closed, "{ __schema { queryType { name } } }");
    assert!(off.get("errors").is_some() || off["data"]["__schema"].is_null(), "{off}");
}

/// A place may be run by another place (a 地域包括支援センター running a café): one
/// record for the centre, named as the café's operator; a place cannot run itself.
#[test]
fn a_place_can_be_run_by_another_place() {
    let fixture = seed_schema();
    let cafe = json!({
        "id": "test-cafe-run-by-a-centre", "name": "試験用のカフェ", "kind": "community-cafe",
        "needs": ["isolation"], "operators": ["koto-toyo-choju-support"],
        "provenance": [{ "source": "koto-isolation-platform", "verified": "2026-11-22" }]
    });
    let query = r#"mutation($record: JSON!) { upsertResource(record: $record) {
        resource { operators { key } operatingResources { key name } } } }"#;
    let response = run_with(&fixture, query, json!({ "record": cafe }), STEWARD);
    assert!(response.get("errors").is_none(), "{response}");
    let resource = &response["data"]["upsertResource"]["resource"];
    assert_eq!(resource["operators"], json!([]));
    assert_eq!(resource["operatingResources"][0]["key"], "koto-toyo-choju-support", "{resource}");
    // Its runner's name is part of what search finds it by.
    let found = run(
        &fixture,
        r#"{ search(query: "東陽長寿サポートセンター 試験用のカフェ", first: 3) { edges { node { resource { key } } } } }"#,
    );
    let keys: Vec<&str> = found["data"]["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["resource"]["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"test-cafe-run-by-a-centre"), "{found}");
    let mut itself = cafe.clone();
    itself["operators"] = json!(["test-cafe-run-by-a-centre"]);
    let refused = run_with(&fixture, query, json!({ "record": itself }), STEWARD);
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
}

/// Each record says which day its facts are as of: its source's publication (002 is
/// of 2024-03, 003 is 2025年11月号), not the later day it was checked against it.
#[test]
fn records_show_the_day_their_facts_are_as_of() {
    let schema = seed_schema();
    let response = run(
        &schema,
        r#"{ park: resource(id: "kiba-park-playpark") { asOf } cafe: resource(id: "pan-cafe-cosmos") { asOf }
             org: node(id: "T3JnYW5pemF0aW9uOmtvdG8tY2l0eQ") { ... on Organization { asOf } } }"#,
    );
    assert_eq!(response["data"]["park"]["asOf"], "2024-03-31", "{response}");
    assert_eq!(response["data"]["cafe"]["asOf"], "2025-11-30", "{response}");
    assert_eq!(response["data"]["org"]["asOf"], "2024-03-31", "{response}");
}
