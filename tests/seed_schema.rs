//! The committed JSON Schema of seed files matches the code. Locally the test rewrites
//! it; under CI (`CI=true`) a stale file fails the run.

use crate::support::seed_dir;

#[test]
fn committed_seed_schema_is_current() {
    let path = seed_dir().join(yorisoi_seed::SCHEMA_FILE);
    let current = yorisoi_seed::json_schema();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == current {
        return;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is stale; run `cargo test` locally and commit the rewritten file", path.display());
    }
    std::fs::write(&path, current).unwrap();
}

#[test]
fn every_seed_file_points_editors_at_the_schema() {
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with("# yaml-language-server: $schema=yorisoi-seed.schema.json\n"),
                "{} lacks the schema line",
                path.display()
            );
        }
    }
}

#[test]
fn the_schema_is_draft_07_and_closed() {
    let schema: serde_json::Value = serde_json::from_str(&yorisoi_seed::json_schema()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["definitions"]["ResourceDto"]["additionalProperties"], false);
}
