//! In-process search latency on a deterministic synthetic directory.
//!
//! `cargo bench -p yorisoi-search --bench search` (optionally `-- 100000` for the size).
//! Prints build time and p50/p99 per query family; asserts every query finds something.
//! Also times understanding a situation alone (the 70 texts of tests/eval/situations-dev.yaml).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use yorisoi_core::synthetic::{SITUATIONS, Size, directory};
use yorisoi_core::{Id, MunicipalityCode};
use yorisoi_search::{SearchIndex, SearchRequest, Vocabulary};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs every family round by round (warm-up first), so noise from the shared
/// machine falls on all families alike, and prints p50/p99 per family.
fn measure_all(index: &SearchIndex, families: &[(&str, Vec<SearchRequest>, usize)]) {
    for (name, requests, _) in families {
        for request in requests {
            let results = index.search(request).unwrap();
            assert!(!results.hits.is_empty(), "{name}: `{}` found nothing", request.text);
        }
    }
    let mut times: Vec<Vec<Duration>> = families.iter().map(|_| Vec::new()).collect();
    let rounds = families.iter().map(|f| f.2).max().unwrap_or(1);
    for round in 0..rounds {
        for (family, (_, requests, family_rounds)) in families.iter().enumerate() {
            if round >= *family_rounds {
                continue;
            }
            for request in requests {
                let start = Instant::now();
                let results = index.search(request).unwrap();
                times[family].push(start.elapsed());
                std::hint::black_box(results);
            }
        }
    }
    for ((name, _, _), mut times) in families.iter().zip(times) {
        times.sort();
        println!(
            "{name:<12} n={:<6} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
            times.len(),
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
        );
    }
}

fn main() {
    let resources: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seed");
    let taxonomy = yorisoi_seed::read_dir(&seed).unwrap().directory;
    let size = Size { municipalities: 1_741, resources, organizations: resources / 10, referrals: 0 };
    let dir = directory(&taxonomy, size, 42);

    measure_understanding(&taxonomy, &seed.join("../tests/eval/situations-dev.yaml"));

    let start = Instant::now();
    let index = SearchIndex::in_ram(&dir).unwrap();
    println!("indexed {} resources in {:.1} s", index.len(), start.elapsed().as_secs_f64());

    let names: Vec<SearchRequest> = (0..50)
        .map(|i| {
            let r = &dir.resources[i * (resources / 50)];
            // A worker types part of the name: the place word and the kind.
            let typed: String = r.name.chars().take_while(|c| !c.is_ascii_digit()).collect();
            SearchRequest { text: typed, ..SearchRequest::default() }
        })
        .collect();
    let situations: Vec<SearchRequest> =
        SITUATIONS.iter().map(|text| SearchRequest { text: (*text).to_owned(), ..SearchRequest::default() }).collect();
    let monday_morning = NaiveDateTime::parse_from_str("2026-11-16 10:00", "%Y-%m-%d %H:%M").unwrap();
    let filtered: Vec<SearchRequest> = (0..20)
        .map(|i| {
            let r = &dir.resources[i * (resources / 20) + 1];
            SearchRequest {
                text: "相談".into(),
                municipality: Some(r.service_area.municipalities[0]),
                age: Some(70),
                open_at: (i % 2 == 0).then_some(monday_morning),
                include_unknown_hours: true,
                ..SearchRequest::default()
            }
        })
        .collect();
    let prefecture_need: Vec<SearchRequest> = (1..=10u32)
        .map(|p| SearchRequest {
            text: String::new(),
            municipality: Some(MunicipalityCode::parse(&format!("{:02}000{}", p, check(p))).unwrap()),
            needs: vec![Id::parse("isolation").unwrap()],
            ..SearchRequest::default()
        })
        .collect();

    // A steward's edit: how long until search sees it.
    let mut edits = Vec::new();
    for i in 0..20 {
        let mut resource = yorisoi_core::Resource::clone(&dir.resources[i * 997]);
        resource.name = format!("改称された窓口{i}");
        let start = Instant::now();
        index.upsert(&resource).unwrap();
        edits.push(start.elapsed());
        let found =
            index.search(&SearchRequest { text: format!("改称された窓口{i}"), ..SearchRequest::default() }).unwrap();
        assert_eq!(found.hits.first().map(|h| &h.id), Some(&resource.id));
    }
    edits.sort();
    println!(
        "upsert (edit visible to search): p50 {:.1} ms, max {:.1} ms",
        percentile(&edits, 0.5).as_secs_f64() * 1e3,
        edits.last().unwrap().as_secs_f64() * 1e3
    );

    let with = |requests: &[SearchRequest], count: bool, facets: bool| -> Vec<SearchRequest> {
        requests.iter().map(|r| SearchRequest { count, facets, ..r.clone() }).collect()
    };
    measure_all(
        &index,
        &[
            ("name", names.clone(), 20),
            ("situation", situations.clone(), 50),
            ("filtered", filtered, 50),
            ("browse", prefecture_need, 20),
            ("name+count", with(&names, true, false), 10),
            ("situ+count", with(&situations, true, false), 20),
            ("name+facets", with(&names, false, true), 5),
            ("situ+facets", with(&situations, false, true), 10),
        ],
    );
}

/// Understanding alone (reading the text, matching every cue): p50/p99 over the
/// development set's situations, 50 rounds after a warm-up.
fn measure_understanding(taxonomy: &yorisoi_core::Directory, cases: &Path) {
    let vocabulary = Vocabulary::new(taxonomy);
    let file = std::fs::read_to_string(cases).unwrap();
    let texts: Vec<&str> = file.lines().filter_map(|l| l.trim().strip_prefix("- text: ")).collect();
    assert!(texts.len() >= 50, "read {} situations from {}", texts.len(), cases.display());
    for text in &texts {
        std::hint::black_box(vocabulary.understand(text));
    }
    let mut times = Vec::new();
    for _ in 0..50 {
        for text in &texts {
            let start = Instant::now();
            std::hint::black_box(vocabulary.understand(text));
            times.push(start.elapsed());
        }
    }
    times.sort();
    println!(
        "understand   n={:<6} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    );
}

/// The check digit of a prefecture's code (pp000c).
fn check(prefecture: u32) -> u32 {
    let sum = (prefecture / 10) * 6 + (prefecture % 10) * 5;
    (11 - sum % 11) % 10
}
