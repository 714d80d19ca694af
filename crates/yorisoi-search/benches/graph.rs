//! The referral graph at national scale: `paths` (k = 4) and `where to refer` latency,
//! and the full audit's time and memory.
//!
//! `cargo bench -p yorisoi-search --bench graph`. A deterministic synthetic directory:
//! 1,741 municipalities, 900,000 resources and 100,000 organizations (1M nodes),
//! 3.9M referrals plus operated-by links (about 5M edges). Where-to-refer searches an
//! index of the first 100,000 resources (the search benchmark's size) and ranks with
//! the whole graph.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use yorisoi_core::graph::{AuditOptions, PathQuery};
use yorisoi_core::synthetic::{Rng, Size, directory};
use yorisoi_core::{Id, ReferralGraph};
use yorisoi_search::{ReferRequest, SearchIndex, where_to_refer};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<16} n={:<5} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

/// Peak resident memory of this process so far.
fn peak_memory_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seed");
    let taxonomy = yorisoi_seed::read_dir(&seed).unwrap().directory;
    let size = Size { municipalities: 1_741, resources: 900_000, organizations: 100_000, referrals: 3_900_000 };
    let start = Instant::now();
    let dir = directory(&taxonomy, size, 42);
    println!("generated in {:.1} s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let graph = ReferralGraph::new(&dir);
    println!(
        "graph: {} nodes, {} edges, built in {:.1} s, peak memory {:.0} MB",
        graph.node_count(),
        graph.edge_count(),
        start.elapsed().as_secs_f64(),
        peak_memory_mb()
    );

    let mut rng = Rng::new(7);
    let needs: Vec<Id> = taxonomy.needs.iter().map(|n| n.code.clone()).collect();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..500 {
        let from = dir.resources[rng.below(dir.resources.len())].id.clone();
        let mut query = PathQuery::new(from, rng.pick(&needs).clone());
        query.max_hops = 4;
        let t = Instant::now();
        let paths = graph.paths(&query).unwrap();
        times.push(t.elapsed());
        found += usize::from(!paths.is_empty());
    }
    assert!(found > 250, "only {found} of 500 path queries found a place");
    report("paths k=4", times);

    let start = Instant::now();
    let subset = yorisoi_core::Directory {
        resources: dir.resources[..100_000].to_vec(),
        ..yorisoi_core::Directory { referrals: vec![], resources: vec![], ..dir.clone() }
    };
    let index = SearchIndex::in_ram(&subset).unwrap();
    println!("indexed {} resources in {:.1} s", index.len(), start.elapsed().as_secs_f64());
    let situations = [
        "親が80代で、50代の息子がずっと家にいる",
        "食べるものに困っている",
        "買い物に行けない高齢者",
        "ひとり親で子育てがつらい",
    ];
    let mut times = Vec::new();
    for i in 0..200 {
        let from = dir.resources[rng.below(100_000)].id.clone();
        let request = ReferRequest {
            situation: situations[i % situations.len()].into(),
            from: Some(from),
            age: Some(80),
            limit: 10,
            ..ReferRequest::default()
        };
        let t = Instant::now();
        let results = where_to_refer(&index, &graph, &request).unwrap();
        times.push(t.elapsed());
        assert!(!results.suggestions.is_empty());
    }
    report("where to refer", times);

    let start = Instant::now();
    let audit = graph.audit(&AuditOptions::new(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()));
    let mut counts = std::collections::BTreeMap::new();
    for f in &audit.findings {
        *counts.entry(f.code.code()).or_insert(0) += 1;
    }
    println!(
        "full audit in {:.1} s, peak memory {:.0} MB, findings {counts:?}",
        start.elapsed().as_secs_f64(),
        peak_memory_mb()
    );
}
