//! The schema on the seed directory: answers, paging, error codes, limits, and the
//! committed SDL.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use yorisoi_core::ReferralGraph;
use yorisoi_search::SearchIndex;

use super::*;

fn seed_schema() -> YorisoiSchema {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seed");
    let directory = Arc::new(yorisoi_seed::read_dir(&seed).unwrap().directory);
    let index = Arc::new(SearchIndex::in_ram(&directory).unwrap());
    let graph = Arc::new(ReferralGraph::new(&directory));
    schema(Api { directory, index, graph })
}

fn run(schema: &YorisoiSchema, query: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let response = runtime.block_on(schema.execute(query));
    serde_json::to_value(&response).unwrap()
}

fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"].as_str().unwrap_or("(none)")
}

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

#[test]
fn resources_page_with_cursors_and_a_bounded_first() {
    let schema = seed_schema();
    let first = run(
        &schema,
        r#"{ resources(first: 2, municipality: "131083") { totalCount edges { cursor node { key } } pageInfo { hasNextPage } } }"#,
    );
    let edges = first["data"]["resources"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(first["data"]["resources"]["totalCount"], 18); // 17 江東区 records + N-impro (all of 東京都)
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
    assert_eq!(error_code(&run(&schema, r#"{ resource(id: "nowhere") { name } }"#)), "NOT_FOUND");
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
        r#"{ referralPaths(from: "nagoya-kita-sewayaki", need: "孤独・孤立") { target { name } hops { kind conditions } } }"#,
    );
    assert_eq!(paths["data"]["referralPaths"][0]["target"]["name"], "地域福祉推進協議会の相談窓口（地域支えあい事業）");
    assert_eq!(paths["data"]["referralPaths"][0]["hops"][0]["conditions"], "住民で解決できない困りごと");
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
