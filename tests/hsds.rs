//! Open Referral HSDS 3.0 export: every document validates against HSDS's own schemas
//! (the compiled ones the API returns, kept in tests/hsds-3.0 with their licence), and
//! what HSDS lacks travels in the profile: need and kind terms, the local kind name,
//! referral edges, provenance as metadata.

use std::path::Path;

use serde_json::Value;
use yorisoi_core::{Directory, MunicipalityCode};

use crate::support::{TestDb, repo, seed_dir, stderr, stdout, yorisoi};

fn seed() -> Directory {
    yorisoi_seed::read_dir(&seed_dir()).unwrap().directory
}

pub fn schema(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/hsds-3.0/schema").join(path)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every error of `document` against `validator`, as `path: message`.
pub fn problems(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator.iter_errors(document).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

fn find<'a>(documents: &'a [Value], key: &str) -> &'a Value {
    documents
        .iter()
        .find(|d| {
            d["attributes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["link_type"] == "yorisoi_id" && x["value"] == key))
        })
        .unwrap_or_else(|| panic!("no document for {key}"))
}

#[test]
fn the_seed_exports_as_valid_hsds_documents() {
    let directory = seed();
    let export = yorisoi_hsds::export(&directory, None);
    assert_eq!(export.services.len(), directory.resources.len());
    assert_eq!(export.organizations.len(), directory.organizations.len());
    let checks = [
        ("compiled/service.json", &export.services),
        ("compiled/organization.json", &export.organizations),
        ("compiled/service_at_location.json", &export.service_at_locations),
    ];
    for (path, documents) in checks {
        let validator = schema(path);
        assert!(!documents.is_empty(), "{path}");
        for document in documents {
            let found = problems(&validator, document);
            assert!(found.is_empty(), "{path} {}: {found:#?}", document["name"]);
        }
    }
    // The validator does reject what HSDS forbids (a status HSDS does not have).
    let mut wrong = export.services[0].clone();
    wrong["status"] = "planned".into();
    assert!(!problems(&schema("compiled/service.json"), &wrong).is_empty(), "the schema is really checked");
}

#[test]
fn what_hsds_lacks_travels_in_the_profile() {
    let directory = seed();
    let export = yorisoi_hsds::export(&directory, None);
    let uuid = yorisoi_hsds::uuid;

    // 江東区's 地域包括支援センター: its needs and kind as terms, its local name as a value.
    let centers = find(&export.services, "koto-choju-support-centers");
    let attributes = centers["attributes"].as_array().unwrap();
    let of = |link: &str| attributes.iter().filter(|a| a["link_type"] == link).collect::<Vec<_>>();
    assert_eq!(of("need").len(), 5, "care, dementia, isolation, 8050, rights");
    assert!(of("need").iter().any(|a| a["taxonomy_term_id"] == uuid("taxonomy_term", "need/8050")));
    assert_eq!(of("local_kind_name")[0]["value"], "長寿サポートセンター");
    assert_eq!(centers["status"], "active");
    // Its source as metadata: the document's title, where in it, the day checked.
    let metadata = &centers["metadata"][0];
    assert_eq!(metadata["last_action_date"], "2026-11-22");
    assert!(metadata["updated_by"].as_str().unwrap().starts_with("江東区 孤独・孤立対策"), "{metadata}");

    // A referral edge: the term is its kind, the value the HSDS id of the place reached.
    let salon = find(&export.services, "nagoya-kita-salon");
    let referral = salon["attributes"].as_array().unwrap().iter().find(|a| a["link_type"] == "referral").unwrap();
    assert_eq!(referral["taxonomy_term_id"], uuid("taxonomy_term", "referral/escalates_to"));
    assert_eq!(referral["value"], uuid("service", "nagoya-kita-issho-ni-kangaeru-ba"));
    // A planned place is not open yet: HSDS has no "planned", so it is inactive.
    assert_eq!(find(&export.services, "nagoya-kita-issho-ni-kangaeru-ba")["status"], "inactive");

    // The terms: every need and kind, with its parent, and the referral kinds.
    let term = export.taxonomy_terms.iter().find(|t| t["id"] == uuid("taxonomy_term", "need/8050")).unwrap();
    assert_eq!(term["name"], "8050問題");
    assert_eq!(term["parent_id"], uuid("taxonomy_term", "need/hikikomori"));
    let count = directory.needs.len() + directory.kinds.len() + 6;
    assert_eq!(export.taxonomy_terms.len(), count);
    assert_eq!(export.taxonomies.len(), 3);

    // The ids are the same every time (an importer matches records across exports).
    let again = yorisoi_hsds::export(&directory, None);
    assert_eq!(again.services, export.services);
}

#[test]
fn an_export_for_one_municipality_holds_its_services_and_their_organizations() {
    let directory = seed();
    let koto = MunicipalityCode::parse("131083").unwrap();
    let export = yorisoi_hsds::export(&directory, Some(koto));
    let keys: Vec<String> = export
        .services
        .iter()
        .map(|s| {
            let attributes = s["attributes"].as_array().unwrap();
            attributes.iter().find(|a| a["link_type"] == "yorisoi_id").unwrap()["value"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(keys.contains(&"koto-shakyo-window".to_owned()));
    assert!(!keys.iter().any(|k| k.starts_with("nagoya")), "{keys:?}");
    let expected = directory
        .resources
        .iter()
        .filter(|r| {
            r.service_area.municipalities.iter().any(|m| directory.municipality_and_ancestors(*m).contains(&koto))
        })
        .count();
    assert_eq!(keys.len(), expected);
    // The organization running the ward's 社協 window comes along.
    assert!(
        export.organizations.iter().any(|o| o["name"] == "江東区社会福祉協議会"),
        "{:?}",
        export.organizations.len()
    );
}

#[test]
fn the_cli_writes_the_hsds_files() {
    let db = TestDb::new();
    assert!(yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", &db.url]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hsds");
    let output =
        yorisoi(&["export", out.to_str().unwrap(), "--db", &db.url, "--format", "hsds", "--municipality", "江東区"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("as HSDS 3.0"), "{}", stdout(&output));
    for name in
        ["services.json", "organizations.json", "service_at_locations.json", "taxonomies.json", "taxonomy_terms.json"]
    {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert!(value.as_array().is_some_and(|a| !a.is_empty()), "{name}");
    }
    // A municipality is for HSDS exports only.
    let seed_out = dir.path().join("seed");
    let refused = yorisoi(&["export", seed_out.to_str().unwrap(), "--db", &db.url, "--municipality", "江東区"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--municipality goes with --format hsds"), "{}", stderr(&refused));
    assert!(!Path::new(&seed_out).exists());
}
