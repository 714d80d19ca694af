//! Search relevance over the seed directory: the team's development set (kept in
//! tests/eval/dev-queries.yaml, a copy of ../shared/eval/ so a fresh clone runs it)
//! and our own cases (tests/eval/relevance-extra.yaml). Prints recall@5 and nDCG@5
//! per case and in total; fails below recall@5 = 0.9.

use serde::Deserialize;
use yorisoi_core::{Directory, MunicipalityCode, Resource};
use yorisoi_search::{SearchIndex, SearchRequest};

use crate::support::{repo, seed_dir};

#[derive(Debug, Deserialize)]
struct CaseFile {
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    query: String,
    municipality: Option<String>,
    #[serde(default)]
    needs_any: Vec<String>,
    #[serde(default)]
    top5_any: Vec<String>,
    #[allow(dead_code)] // documentation for people reading the set
    why: String,
}

struct Scored {
    recall: f64,
    ndcg: Option<f64>,
}

/// The strings a result is judged by: its name, its operators, its kind label and
/// the local name of its kind where it serves.
fn judged_strings(directory: &Directory, resource: &Resource) -> Vec<String> {
    let mut strings = vec![resource.name.clone()];
    for op in &resource.operators {
        strings.extend(directory.organizations.iter().find(|o| &o.id == op).map(|o| o.name.clone()));
    }
    if let Some(kind) = directory.kinds.iter().find(|k| k.code == resource.kind) {
        strings.push(kind.label.clone());
        let served: Vec<MunicipalityCode> = resource
            .service_area
            .municipalities
            .iter()
            .flat_map(|m| directory.municipality_and_ancestors(*m))
            .collect();
        strings.extend(kind.local_names.iter().filter(|l| served.contains(&l.municipality)).map(|l| l.name.clone()));
    }
    strings.extend(resource.local_kind_name.clone());
    strings
}

fn run_case(index: &SearchIndex, directory: &Directory, case: &Case) -> Scored {
    let municipality = case.municipality.as_ref().map(|name| {
        directory
            .municipalities
            .iter()
            .find(|m| &m.name == name)
            .unwrap_or_else(|| panic!("unknown municipality {name}"))
            .code
    });
    let results = index
        .search(&SearchRequest { text: case.query.clone(), municipality, limit: 50, ..Default::default() })
        .unwrap();
    let mut criteria: Vec<f64> = Vec::new();
    if !case.needs_any.is_empty() {
        let found = results.understood.needs.iter().any(|n| case.needs_any.contains(&n.label));
        criteria.push(if found { 1.0 } else { 0.0 });
    }
    let mut ndcg = None;
    if !case.top5_any.is_empty() {
        let relevant: Vec<bool> = results
            .hits
            .iter()
            .map(|hit| {
                let resource = directory.resources.iter().find(|r| r.id == hit.id).unwrap();
                judged_strings(directory, resource)
                    .iter()
                    .any(|s| case.top5_any.iter().any(|want| s.contains(want.as_str())))
            })
            .collect();
        criteria.push(if relevant.iter().take(5).any(|r| *r) { 1.0 } else { 0.0 });
        let dcg: f64 =
            relevant.iter().take(5).enumerate().filter(|(_, r)| **r).map(|(i, _)| 1.0 / (i as f64 + 2.0).log2()).sum();
        let ideal_count = relevant.iter().filter(|r| **r).count().clamp(1, 5);
        let idcg: f64 = (0..ideal_count).map(|i| 1.0 / (i as f64 + 2.0).log2()).sum();
        ndcg = Some(dcg / idcg);
    }
    let recall = criteria.iter().sum::<f64>() / criteria.len().max(1) as f64;
    let top: Vec<&str> = results.hits.iter().take(5).map(|h| h.name.as_str()).collect();
    let needs: Vec<&str> = results.understood.needs.iter().map(|n| n.label.as_str()).collect();
    println!(
        "{:<5.2} {:<6} {} | needs {:?} | top5 {:?}",
        recall,
        ndcg.map_or_else(|| "-".to_owned(), |n| format!("{n:.2}")),
        case.query,
        needs,
        top
    );
    Scored { recall, ndcg }
}

fn evaluate(path: &std::path::Path) -> (f64, f64) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: CaseFile = serde_saphyr::from_str(&text).unwrap();
    let directory = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    let index = SearchIndex::in_ram(&directory).unwrap();
    println!("recall ndcg  query");
    let scored: Vec<Scored> = file.cases.iter().map(|case| run_case(&index, &directory, case)).collect();
    let recall = scored.iter().map(|s| s.recall).sum::<f64>() / scored.len() as f64;
    let ndcgs: Vec<f64> = scored.iter().filter_map(|s| s.ndcg).collect();
    let ndcg = ndcgs.iter().sum::<f64>() / ndcgs.len().max(1) as f64;
    println!("total: recall@5 {recall:.3}, nDCG@5 {ndcg:.3} over {} cases", scored.len());
    (recall, ndcg)
}

#[test]
fn shared_development_set() {
    let (recall, _) = evaluate(&repo().join("tests/eval/dev-queries.yaml"));
    assert!(recall >= 0.9, "recall@5 {recall:.3} is below 0.9");
}

/// The copies in tests/eval/ are the team's sets as they stand in ../shared/eval/,
/// when that folder is beside the clone (a user's clone has none: nothing to compare).
#[test]
fn evaluation_copies_match_the_shared_sets() {
    let shared = repo().join("../shared/eval");
    if !shared.is_dir() {
        return;
    }
    for name in ["dev-queries.yaml", "situations-dev.yaml"] {
        let ours = std::fs::read(repo().join("tests/eval").join(name)).unwrap();
        let theirs = std::fs::read(shared.join(name)).unwrap();
        assert!(ours == theirs, "tests/eval/{name} differs from ../shared/eval/{name}; copy the shared one over");
    }
}

#[test]
fn our_own_cases() {
    let (recall, _) = evaluate(&repo().join("tests/eval/relevance-extra.yaml"));
    assert!(recall >= 0.9, "recall@5 {recall:.3} is below 0.9");
}
