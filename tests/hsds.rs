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

// ---- Import: HSDS in, and out again ----

/// Whether `exported` says everything `original` says: each field of an object (at
/// any depth) with an equal value, lists element by element; `attributes` and
/// `metadata` may hold more (the profile's own), each original entry still there.
/// Gives the paths where they differ.
fn differences(original: &Value, exported: &Value, at: &str, out: &mut Vec<String>) {
    match (original, exported) {
        (Value::Object(o), Value::Object(e)) => {
            for (key, value) in o {
                let path = format!("{at}.{key}");
                match e.get(key) {
                    None => out.push(format!("{path}: missing")),
                    Some(Value::Array(list)) if key == "attributes" || key == "metadata" => {
                        for item in value.as_array().into_iter().flatten() {
                            if !list.iter().any(|x| {
                                let mut none = Vec::new();
                                differences(item, x, "", &mut none);
                                none.is_empty()
                            }) {
                                out.push(format!("{path}: lost {item}"));
                            }
                        }
                    }
                    Some(other) => differences(value, other, &path, out),
                }
            }
        }
        (Value::Array(o), Value::Array(e)) if o.len() == e.len() => {
            for (i, (a, b)) in o.iter().zip(e).enumerate() {
                differences(a, b, &format!("{at}[{i}]"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{at}: {a} became {b}")),
    }
}

/// A seed directory to import into: the project's taxonomy, places and sources only.
fn import_target() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["taxonomy.yaml", "places.yaml", "sources.yaml"] {
        std::fs::copy(seed_dir().join(name), dir.path().join(name)).unwrap();
    }
    crate::support::copy_dir(&seed_dir().join("documents"), &dir.path().join("documents"));
    dir
}

fn import(src: &Path, seed: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", "--format", "hsds", src.to_str().unwrap(), "--seed", seed.to_str().unwrap()];
    args.extend(extra);
    yorisoi(&args)
}

fn by_id<'a>(documents: &'a [Value], id: &Value) -> &'a Value {
    documents.iter().find(|d| &d["id"] == id).unwrap_or_else(|| panic!("no document with id {id}"))
}

fn examples() -> std::path::PathBuf {
    repo().join("tests/hsds-3.0/examples")
}

#[test]
fn the_official_json_examples_import_and_export_again_equal_on_every_field() {
    // The two examples describe the same organization and service: each goes into a
    // seed directory of its own (into one, the second is refused as duplicate ids).
    let exported = |file: &str| {
        let seed = import_target();
        let output = import(&examples().join(file), seed.path(), &["--kind", "consultation-window"]);
        assert!(output.status.success(), "{file}: {}", stderr(&output));
        let directory = yorisoi_seed::read_dir(seed.path()).unwrap().directory;
        let twice = import(&examples().join(file), seed.path(), &["--kind", "consultation-window", "--name", "again"]);
        assert!(stderr(&twice).contains("duplicate organization or resource id"), "{}", stderr(&twice));
        yorisoi_hsds::export(&directory, None)
    };
    let export = exported("service_full.json");

    let service: Value =
        serde_json::from_str(&std::fs::read_to_string(examples().join("service_full.json")).unwrap()).unwrap();
    let mut found = Vec::new();
    differences(&service, by_id(&export.services, &service["id"]), "service", &mut found);
    assert!(found.is_empty(), "{found:#?}");

    let mut organization: Value =
        serde_json::from_str(&std::fs::read_to_string(examples().join("organization_full.json")).unwrap()).unwrap();
    // Its nested services are imported as services (compared below); HSDS's organization
    // list does not repeat them.
    let services = organization.as_object_mut().unwrap().remove("services").unwrap();
    let export = exported("organization_full.json");
    differences(&organization, by_id(&export.organizations, &organization["id"]), "organization", &mut found);
    for (i, nested) in services.as_array().unwrap().iter().enumerate() {
        differences(nested, by_id(&export.services, &nested["id"]), &format!("organization.services[{i}]"), &mut found);
    }
    assert!(found.is_empty(), "{found:#?}");

    // What was exported is still valid HSDS.
    let export = exported("service_full.json");
    for (path, documents) in
        [("compiled/service.json", &export.services), ("compiled/organization.json", &export.organizations)]
    {
        let validator = schema(path);
        for document in documents {
            let found = problems(&validator, document);
            assert!(found.is_empty(), "{path} {}: {found:#?}", document["name"]);
        }
    }
    // The comparison does catch a change.
    let mut changed = by_id(&export.services, &service["id"]).clone();
    changed["phones"][0]["extension"] = 101.into();
    let mut caught = Vec::new();
    differences(&service, &changed, "service", &mut caught);
    assert_eq!(caught, ["service.phones[0].extension: 100 became 101"]);
}

#[test]
fn the_tabular_datapackage_imports_keeps_unknown_taxonomies_and_cites_its_rows() {
    let seed = import_target();
    let csv = examples().join("csv");
    let output = import(&csv, seed.path(), &["--kind", "consultation-window", "--name", "example"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("imported 1 services, 1 organizations"), "{}", stdout(&output));
    let set = yorisoi_seed::read_dir(seed.path()).unwrap();
    let directory = set.directory;

    // The CSV tables nested as HSDS's compiled documents, then out again: equal.
    let original = yorisoi_hsds::read(&csv).unwrap();
    let export = yorisoi_hsds::export(&directory, None);
    let mut found = Vec::new();
    for document in &original.services {
        differences(&document.value, by_id(&export.services, &document.value["id"]), &document.origin, &mut found);
    }
    for document in &original.organizations {
        differences(&document.value, by_id(&export.organizations, &document.value["id"]), &document.origin, &mut found);
    }
    assert!(found.is_empty(), "{found:#?}");

    // Read from the tables, the service is what its row and linked rows say.
    let resource = &directory.resources[0];
    assert_eq!(resource.name, "Community Counselling");
    assert_eq!(resource.audience.age_min, Some(12));
    assert_eq!(resource.audience.age_max, Some(100));
    assert_eq!(resource.operators[0].as_str(), "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
    // Every record cites the data set and its row.
    assert_eq!(resource.provenance[0].source.as_str(), "hsds-example");
    assert_eq!(resource.provenance[0].locator.as_deref(), Some("services.csv line 2"));
    assert_eq!(directory.organizations[0].provenance[0].locator.as_deref(), Some("organizations.csv line 2"));
    let source = directory.sources.iter().find(|s| s.id.as_str() == "hsds-example").unwrap();
    assert!(source.title.contains("csv"), "{}", source.title);

    // The data set's own taxonomy is not Yorisoi's, and it is kept.
    let term = export.taxonomy_terms.iter().find(|t| t["id"] == "3f7b145d-84af-42d7-8fae-eaca714b02b2");
    assert!(term.is_some_and(|t| t["code"] == "code"), "the foreign term is exported");
    assert!(export.taxonomies.iter().any(|t| t["id"] == "5c4d79d7-cc55-470e-9f1f-8cad074e4892"));
    // (The example's one attribute links an id no table holds; in the JSON examples
    // the same term is nested in the service's attribute and comes back there, which
    // the test of the JSON examples compares.)
    let kept = &directory.sources.iter().find(|s| s.id.as_str() == "hsds-example").unwrap().hsds;
    assert!(
        kept.as_deref().is_some_and(|k| k.contains("3f7b145d-84af-42d7-8fae-eaca714b02b2")),
        "kept with the data set's source"
    );

    // Loaded into the store (SQLite here, PostgreSQL under DATABASE_URL) and exported
    // from there by the CLI, nothing kept is lost.
    let db = TestDb::new();
    let load = yorisoi(&["load", seed.path().to_str().unwrap(), "--db", &db.url]);
    assert!(load.status.success(), "{}", stderr(&load));
    let out = tempfile::tempdir().unwrap();
    let exported = yorisoi(&["export", out.path().to_str().unwrap(), "--db", &db.url, "--format", "hsds"]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let services: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("services.json")).unwrap()).unwrap();
    let terms: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("taxonomy_terms.json")).unwrap()).unwrap();
    let mut found = Vec::new();
    for document in &original.services {
        differences(&document.value, by_id(&services, &document.value["id"]), &document.origin, &mut found);
    }
    assert!(found.is_empty(), "{found:#?}");
    assert!(terms.iter().any(|t| t["id"] == "3f7b145d-84af-42d7-8fae-eaca714b02b2"));

    // Importing again replaces the file, not adds a second copy.
    let again = import(&csv, seed.path(), &["--kind", "consultation-window", "--name", "example"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(yorisoi_seed::read_dir(seed.path()).unwrap().directory.resources.len(), 1);
}

#[test]
fn yorisois_own_export_comes_back_with_its_ids_needs_kinds_and_referrals() {
    let directory = seed();
    let out = tempfile::tempdir().unwrap();
    yorisoi_hsds::export(&directory, None).write_dir(out.path()).unwrap();
    let target = import_target();
    let output = import(out.path(), target.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let back = yorisoi_seed::read_dir(target.path()).unwrap().directory;
    assert_eq!(back.resources.len(), directory.resources.len());
    assert_eq!(back.organizations.len(), directory.organizations.len());
    for original in &directory.resources {
        let r = back
            .resources
            .iter()
            .find(|r| r.id == original.id)
            .unwrap_or_else(|| panic!("{} kept its id", original.id));
        assert_eq!((&r.name, &r.kind, &r.kana), (&original.name, &original.kind, &original.kana), "{}", r.id);
        assert_eq!(r.needs, original.needs, "{}", r.id);
        let phones = |x: &yorisoi_core::Resource| -> Vec<Option<String>> {
            x.contacts.iter().filter(|c| !c.staff_only && c.phone.is_some()).map(|c| c.phone.clone()).collect()
        };
        assert_eq!(phones(r), phones(original), "{}", r.id);
        assert_eq!(r.status, original.status, "{}", r.id);
        assert_eq!(r.application.bring, original.application.bring, "{}", r.id);
        assert_eq!(r.operators.first(), original.operators.first(), "{}", r.id);
        let edges = |d: &Directory, id: &yorisoi_core::Id| {
            let mut e: Vec<(String, String)> = d
                .referrals
                .iter()
                .filter(|e| &e.from == id)
                .map(|e| (e.to.to_string(), e.kind.code().to_owned()))
                .collect();
            e.sort();
            e
        };
        assert_eq!(edges(&back, &r.id), edges(&directory, &original.id), "{} keeps its referrals", r.id);
    }
    // Weekly and monthly rules come back as rules (the open-now answer still works).
    let weekly = directory
        .resources
        .iter()
        .filter(|r| matches!(r.schedule.rules.as_slice(), [yorisoi_core::Rule::Weekly { .. }]));
    for original in weekly {
        let r = back.resources.iter().find(|r| r.id == original.id).unwrap();
        assert_eq!(r.schedule.rules, original.schedule.rules, "{}", r.id);
    }
}

#[test]
fn bad_hsds_input_is_refused_with_where_and_what_to_do_and_nothing_is_written() {
    let seed = import_target();
    let dir = tempfile::tempdir().unwrap();
    let before: Vec<_> = std::fs::read_dir(seed.path()).unwrap().map(|e| e.unwrap().file_name()).collect();

    // Not JSON: the file, line and column.
    let broken = dir.path().join("services.json");
    std::fs::write(&broken, "[\n  {\"id\": \"a\",\n   \"name\": }\n]").unwrap();
    let output = import(&broken, seed.path(), &["--kind", "consultation-window"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("services.json:3:"), "{}", stderr(&output));

    // No kind: says which flag gives one.
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, r#"[{"id": "s1", "name": "Food bank"}]"#).unwrap();
    let output = import(&plain, seed.path(), &[]);
    assert!(
        stderr(&output).contains("plain.json [0]: carries no Yorisoi kind") && stderr(&output).contains("--kind"),
        "{}",
        stderr(&output)
    );
    let output = import(&plain, seed.path(), &["--kind", "no-such-kind"]);
    assert!(stderr(&output).contains("--kind no-such-kind is not a kind"), "{}", stderr(&output));

    // No id: HSDS requires one.
    let no_id = dir.path().join("no_id.json");
    std::fs::write(&no_id, r#"{"contents": [{"name": "Food bank"}]}"#).unwrap();
    let output = import(&no_id, seed.path(), &["--kind", "consultation-window"]);
    assert!(stderr(&output).contains("no_id.json [0]: has no `id`"), "{}", stderr(&output));

    // Records that fail the seed checks: every problem named in the candidate file,
    // which is kept beside as .rejected; nothing is imported.
    let hostile = dir.path().join("hostile.json");
    let long = "長".repeat(300);
    std::fs::write(
        &hostile,
        serde_json::json!([{ "id": "s1", "name": long, "url": "javascript:alert(1)" }]).to_string(),
    )
    .unwrap();
    let output = import(&hostile, seed.path(), &["--kind", "consultation-window"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("imported-hostile.yaml:") && err.contains("nothing was imported"), "{err}");
    assert!(seed.path().join("imported-hostile.yaml.rejected").exists());
    let after: Vec<_> = std::fs::read_dir(seed.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().ends_with(".rejected"))
        .collect();
    assert_eq!(after.len(), before.len(), "no seed file was added");
    assert!(yorisoi_seed::read_dir(seed.path()).unwrap().directory.resources.is_empty());
}
