//! `cargo bench --bench cluster [RESOURCES] [GRAPH_NODES]`: several servers on one
//! PostgreSQL. Two live directories (servers A and B, each with its own store
//! connection, on-disk index and follower, as two `yorisoi serve` would have) over the
//! synthetic directory of RESOURCES (default 100,000) in a schema of its own on the
//! machine's PostgreSQL (`YORISOI_BENCH_POSTGRES`, default the local `test` database):
//! a steward's edit through A visible to search on A and on B; the rate at which a
//! server that was stopped catches up; then, on a synthetic directory of GRAPH_NODES
//! nodes (default 1,000,000), an edit patched into the graph against a rebuild, an
//! edit's checks, and the background audit's time and memory against the directory's.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use yorisoi_core::graph::AuditOptions;
use yorisoi_core::synthetic::{Size, directory};
use yorisoi_core::{Directory, Edit, Id, RecordKind, ReferralGraph, validate_edit};
use yorisoi_graphql::{Live, Snapshot, Tokens, hash_token};
use yorisoi_search::{SearchIndex, SearchRequest};
use yorisoi_store::Store;

const STEWARD: &str = "ys_bench-steward";
const MARKERS: [&str; 30] = [
    "柊木犀",
    "紫陽花",
    "向日葵",
    "曼珠沙華",
    "山茶花",
    "沈丁花",
    "百日紅",
    "金木犀",
    "竜胆",
    "桔梗",
    "撫子",
    "女郎花",
    "藤袴",
    "吾亦紅",
    "秋桜",
    "木蓮",
    "辛夷",
    "馬酔木",
    "石楠花",
    "躑躅",
    "皐月",
    "菖蒲",
    "杜若",
    "芍薬",
    "牡丹",
    "鈴蘭",
    "水仙",
    "福寿草",
    "蝋梅",
    "雪割草",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<44} n={:<4} p50 {:>9.3} ms   p90 {:>9.3} ms   max {:>9.3} ms",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.90).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

/// The process's resident memory now, in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Runs `work` while a thread samples resident memory; returns its result, how long
/// it took and the highest memory seen above what the process held before it.
fn measured<T>(work: impl FnOnce() -> T) -> (T, Duration, f64) {
    let before = rss_mib();
    let running = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(before.to_bits()));
    let sampler = {
        let (running, peak) = (Arc::clone(&running), Arc::clone(&peak));
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                let now = rss_mib();
                if now > f64::from_bits(peak.load(Ordering::Relaxed)) {
                    peak.store(now.to_bits(), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let started = Instant::now();
    let out = work();
    let took = started.elapsed();
    running.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let peak = f64::from_bits(peak.load(Ordering::Relaxed)).max(rss_mib());
    (out, took, peak - before)
}

fn size_for(resources: usize) -> Size {
    Size { municipalities: 1_741, resources, organizations: resources / 10, referrals: resources / 2 }
}

/// A server's live directory on the store at `url` in `schema`, its index under `data`.
async fn server(url: &str, schema: &str, data: &Path) -> Arc<Live> {
    let store = Store::connect_in_schema(url, schema).await.unwrap();
    let (dir, version) = store.read_directory_at().await.unwrap();
    let dir = Arc::new(dir);
    let path = yorisoi_search::index_dir(data);
    let for_index = Arc::clone(&dir);
    let index = tokio::task::spawn_blocking(move || SearchIndex::open_at(&path, &for_index, Some(version)).unwrap().0)
        .await
        .unwrap();
    Arc::new(Live::new(store, Snapshot::at_version(dir, Arc::new(index), version)))
}

fn found(live: &Live, marker: &str, id: &Id) -> bool {
    let hits = live.snapshot().index.search(&SearchRequest { text: marker.to_owned(), limit: 1, ..Default::default() });
    hits.is_ok_and(|h| h.hits.first().is_some_and(|h| &h.id == id))
}

fn main() {
    // Warnings and errors of the servers (a failed index update) show with the figures.
    let filter = tracing_subscriber::EnvFilter::try_from_env("YORISOI_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let resources = args.first().copied().unwrap_or(100_000);
    let graph_nodes = args.get(1).copied().unwrap_or(1_000_000);
    let url =
        std::env::var("YORISOI_BENCH_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("yorisoi_bench_cluster_{}", std::process::id());
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let taxonomy = yorisoi_seed::read_dir(&seed).unwrap().directory;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = directory(&taxonomy, size_for(resources), 42);

    runtime.block_on(async {
        Store::drop_schema(&url, &schema).await.unwrap();
        let store = Store::connect_in_schema(&url, &schema).await.unwrap();
        let started = Instant::now();
        store.replace_directory(&dir).await.unwrap();
        println!(
            "loaded {resources} resources into PostgreSQL with their change-log entries in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    });
    let data = tempfile::tempdir().unwrap();
    let (a, b) = runtime.block_on(async {
        let started = Instant::now();
        let a = server(&url, &schema, &data.path().join("a")).await;
        println!("server A: directory read and index built in {:.1} s", started.elapsed().as_secs_f64());
        let b = server(&url, &schema, &data.path().join("b")).await;
        (a, b)
    });
    let restart = runtime.block_on(async {
        let started = Instant::now();
        let again = server(&url, &schema, &data.path().join("b")).await;
        drop(again);
        started.elapsed()
    });
    println!("a server restarted on its index (resumed, not rebuilt) in {:.1} s", restart.as_secs_f64());
    let service = yorisoi::server::service(
        Arc::try_unwrap(a).unwrap_or_else(|_| panic!("A is not shared yet")),
        Tokens::parse(&format!("steward bench {}", hash_token(STEWARD)), "bench").unwrap(),
        true,
    );
    let a = service.shared_live();
    let poll = Duration::from_secs(1);
    let followers = (runtime.spawn(Arc::clone(&a).follow(poll)), runtime.spawn(Arc::clone(&b).follow(poll)));

    // Edits through A, by GraphQL as a steward sends them: first with B stopped (on
    // two cores, B applying the same edit at the same moment would compete with A,
    // which separate machines do not), visible on A when the mutation returns; then
    // with B following, the time until B serves it.
    let active: Vec<&yorisoi_core::Resource> =
        dir.resources.iter().filter(|r| r.status == yorisoi_core::Status::Active).map(|r| &**r).collect();
    let edit = |i: usize| {
        // Places search shows by default (active ones), renamed with a word no
        // synthetic record holds.
        let target = active[i * (active.len() / 30)];
        let mut record = yorisoi_seed::resource_to_json(target);
        record["name"] = json!(format!("{} {}", record["name"].as_str().unwrap(), MARKERS[i]));
        let mutation = json!({ "query": "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }", "variables": { "r": record } });
        let caller = service.authenticate(STEWARD);
        let started = Instant::now();
        let response = runtime.block_on(service.execute(serde_json::from_value(mutation).unwrap(), caller));
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        assert!(found(&a, MARKERS[i], &target.id), "A finds its own edit ({}) when the mutation returns", MARKERS[i]);
        let number = response.data.into_json().unwrap()["upsertResource"]["change"]["number"].as_i64().unwrap();
        (started, number, target.id.clone())
    };
    followers.1.abort();
    let mut on_a = Vec::new();
    for i in 0..15 {
        let (started, _, _) = edit(i);
        on_a.push(started.elapsed());
    }
    report("edit visible to search on A (same server)", on_a);
    runtime.block_on(b.catch_up()).unwrap();
    let following = runtime.spawn(Arc::clone(&b).follow(poll));
    let mut on_b = Vec::new();
    for (i, marker) in MARKERS.iter().enumerate().skip(15) {
        let (started, number, id) = edit(i);
        while b.follow_status().applied < number {
            assert!(started.elapsed() < Duration::from_secs(30), "B never saw edit {i}");
            std::thread::sleep(Duration::from_micros(500));
        }
        on_b.push(started.elapsed());
        assert!(found(&b, marker, &id), "B serves the edit once it has applied its entry");
    }
    report("edit visible to search on B (other server)", on_b);
    let followers = (followers.0, following);

    // Catch-up: B stops following; loads change records; B catches up when it returns.
    followers.1.abort();
    // Resources alone are patched in (in batches of the log's reads); an organization
    // among the changes shapes every document, so the whole directory is read again.
    let cases = [
        (1_500, false, "patched record by record"),
        (20_000, false, "patched record by record, in batches"),
        (20_000, true, "an organization among them: whole directory read again"),
    ];
    for (changed, organization, what) in cases {
        let mut next = runtime.block_on(async { a.store().read_directory().await.unwrap() });
        for r in next.resources.iter_mut().take(changed) {
            Arc::make_mut(r).description = Some(format!("更新{changed}{what}"));
        }
        if organization {
            next.organizations[0].description = Some(format!("更新{changed}{what}"));
        }
        let entries_before = runtime.block_on(a.store().last_change()).unwrap();
        runtime.block_on(a.store().replace_directory(&next)).unwrap();
        let entries = runtime.block_on(a.store().last_change()).unwrap() - entries_before;
        let started = Instant::now();
        let applied = runtime.block_on(b.catch_up()).unwrap();
        let took = started.elapsed();
        assert_eq!(applied as i64, entries);
        println!(
            "catch-up of {entries} changes ({what}): {:.2} s, {:.0} changes/s",
            took.as_secs_f64(),
            entries as f64 / took.as_secs_f64()
        );
    }
    followers.0.abort();
    drop((service, a, b));
    runtime.block_on(Store::drop_schema(&url, &schema)).unwrap();

    // The graph at GRAPH_NODES nodes: patched edits against a rebuild, an edit's
    // checks, and the background audit against the directory's own memory.
    drop(dir);
    // The graph benchmark's national directory (crates/yorisoi-search/benches/graph.rs):
    // nine resources to each organization, 3.9 referrals a node.
    let big_size = Size {
        municipalities: 1_741,
        resources: graph_nodes * 9 / 10,
        organizations: graph_nodes / 10,
        referrals: graph_nodes * 39 / 10,
    };
    let (big, took, dir_mib) = measured(|| directory(&taxonomy, big_size, 42));
    println!(
        "synthetic directory of {} nodes ({} resources, {} referrals): made in {:.1} s, {:.0} MiB",
        big.resources.len() + big.organizations.len(),
        big.resources.len(),
        big.referrals.len(),
        took.as_secs_f64(),
        dir_mib
    );
    let (graph, took, graph_mib) = measured(|| ReferralGraph::new(&big));
    println!("graph built in {:.2} s, {:.0} MiB", took.as_secs_f64(), graph_mib);
    let mut big = big;
    let mut patched = Vec::new();
    let mut checked = Vec::new();
    let mut graph = graph;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let organizations: std::collections::HashSet<Id> = big.organizations.iter().map(|o| o.id.clone()).collect();
    let resource_ids: std::collections::HashSet<Id> = big.resources.iter().map(|r| r.id.clone()).collect();
    for i in 0..20 {
        let at = i * (big.resources.len() / 20);
        let mut resource = yorisoi_core::Resource::clone(&big.resources[at]);
        resource.needs.reverse();
        resource.operators = vec![big.organizations[i].id.clone()];
        let edit = Edit::PutResource(resource.clone());
        let nodes = |id: &Id, kind: RecordKind| match kind {
            RecordKind::Organization => organizations.contains(id),
            _ => resource_ids.contains(id),
        };
        let started = Instant::now();
        let mut next: Directory = Directory::clone(&big);
        next.resources[at] = Arc::new(resource);
        let problems = validate_edit(&next, &edit, at, today, &nodes);
        checked.push(started.elapsed());
        assert!(problems.is_empty(), "{problems:?}");
        let started = Instant::now();
        graph = graph.patched(&next, &[next.resources[at].id.clone()], &[]);
        patched.push(started.elapsed());
        big = next;
    }
    report("edit: copy directory and check the record", checked);
    report("edit: graph patched", patched);
    let (audit, took, audit_mib) = measured(|| graph.audit(&AuditOptions::new(today)));
    let mut by_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for finding in &audit.findings {
        *by_code.entry(finding.code.code()).or_default() += 1;
    }
    println!("audit findings by code: {by_code:?}");
    println!(
        "audit of {} nodes: {:.1} s, {} findings, memory above the graph's {:.0} MiB (directory {:.0} MiB)",
        graph.node_count(),
        took.as_secs_f64(),
        audit.findings.len(),
        audit_mib,
        dir_mib
    );
}
