//! Yorisoi next to what a ward's contractor would otherwise build search on —
//! SQLite FTS5 (trigram), PostgreSQL pg_trgm and PostgreSQL full text — on the same
//! synthetic directory and the same judged queries, in one run: per query class p50
//! and p99 latency, throughput of one client, recall@10 and nDCG@10; per engine the
//! time to index, the size on disk and the memory it took. Three rounds, engines
//! interleaved class by class, warm cache (a warm-up pass first); each figure is the
//! median of its three rounds' values. Then the time from
//! YAML seed files to a loaded SQLite store and search index.
//!
//! `cargo bench --bench peers` (sizes 10000 and 100000; or `-- 1000 10000`). PostgreSQL
//! at `YORISOI_PEERS_POSTGRES` (default postgres://postgres@127.0.0.1:5432/test), in
//! schemas of its own that it drops afterwards.

mod engines;

use std::sync::Arc;
use std::time::{Duration, Instant};

use engines::{Class, ClassResult, Engine, Fts5, Postgres, YorisoiHttp, YorisoiIndex};
use yorisoi_core::synthetic::{Size, directory};
use yorisoi_graphql::{Live, Snapshot, Tokens};
use yorisoi_search::SearchIndex;
use yorisoi_store::Store;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The resident memory of this process, in bytes (Linux).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| if e.path().is_dir() { dir_size(&e.path()) } else { e.metadata().map_or(0, |m| m.len()) })
                .sum()
        })
        .unwrap_or(0)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

struct Built {
    name: String,
    index_seconds: f64,
    disk: u64,
    memory: Option<u64>,
}

fn main() {
    let sizes: Vec<usize> = {
        let given: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
        if given.is_empty() { vec![10_000, 100_000] } else { given }
    };
    let postgres = std::env::var("YORISOI_PEERS_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let taxonomy = yorisoi_seed::read_dir(&seed).unwrap().directory;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores; warm cache; medians of 3 rounds; engines interleaved class by class");

    for &resources in &sizes {
        let size = Size { municipalities: 1_741, resources, organizations: resources / 10, referrals: 0 };
        let dir = Arc::new(directory(&taxonomy, size, 42));
        let queries = engines::queries(&dir, 20);
        println!("\n## {resources} resources, {} judged queries", queries.len());
        let work = tempfile::tempdir().unwrap();
        let mut built = Vec::new();

        let before = rss();
        let start = Instant::now();
        let disk_index = work.path().join("yorisoi-index");
        let (index, _) = SearchIndex::open_or_create(&disk_index, &dir).unwrap();
        let index = Arc::new(index);
        built.push(Built {
            name: "Yorisoi".into(),
            index_seconds: start.elapsed().as_secs_f64(),
            disk: dir_size(&disk_index),
            memory: Some(rss().saturating_sub(before)),
        });

        let before = rss();
        let start = Instant::now();
        let fts_path = work.path().join("fts5.db");
        let mut fts = Fts5::build(&dir, &fts_path);
        built.push(Built {
            name: "SQLite FTS5 trigram".into(),
            index_seconds: start.elapsed().as_secs_f64(),
            disk: std::fs::metadata(&fts_path).map_or(0, |m| m.len()),
            memory: Some(rss().saturating_sub(before)),
        });

        let mut peers: Vec<Postgres> = Vec::new();
        for (schema, full_text) in
            [(format!("peers_trgm_{resources}"), false), (format!("peers_fts_{resources}"), true)]
        {
            let start = Instant::now();
            let pool = engines::postgres_load(&runtime, &postgres, &schema, &dir);
            engines::postgres_index(&runtime, &pool, full_text);
            let seconds = start.elapsed().as_secs_f64();
            let disk = engines::postgres_size(&runtime, &pool) as u64;
            let engine_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let peer = Postgres { runtime: engine_runtime, pool, full_text };
            built.push(Built { name: peer.name(), index_seconds: seconds, disk, memory: None });
            peers.push(peer);
        }

        // The server as `yorisoi serve` runs it, over the same index.
        let data = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", data.path().join("bench.db").display());
        let store = runtime.block_on(Store::connect(&url)).unwrap();
        let service = yorisoi::server::service(
            Live::new(store, Snapshot::new(Arc::clone(&dir), Arc::clone(&index))),
            Tokens::default(),
            true,
        );
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let options = yorisoi::server::ServerOptions::default();
        runtime
            .spawn(async move { yorisoi::server::serve_on(listener, service, &options, std::future::pending()).await });
        let mut http = YorisoiHttp::connect(&addr);

        let mut yorisoi = YorisoiIndex(&index);
        let mut all: Vec<&mut dyn Engine> = vec![&mut yorisoi, &mut http, &mut fts];
        for peer in &mut peers {
            all.push(peer);
        }
        // Warm-up, then three rounds.
        for engine in all.iter_mut() {
            engines::run(&mut **engine, &queries);
        }
        // rounds[round][engine] = per class results.
        let mut rounds: Vec<Vec<Vec<(Class, ClassResult)>>> = Vec::new();
        for _ in 0..3 {
            let mut round: Vec<Vec<(Class, ClassResult)>> = all.iter().map(|_| Vec::new()).collect();
            for class in Class::ALL {
                let mine: Vec<engines::Query> = queries.iter().filter(|q| q.class == class).cloned().collect();
                for (engine, out) in all.iter_mut().zip(&mut round) {
                    out.extend(engines::run(&mut **engine, &mine));
                }
            }
            rounds.push(round);
        }

        println!("\n| engine | index time | on disk | memory |\n| --- | ---: | ---: | ---: |");
        for b in &built {
            let memory = b.memory.map_or("in the server".to_owned(), |m| format!("{:.0} MB", mb(m)));
            println!("| {} | {:.1} s | {:.0} MB | {memory} |", b.name, b.index_seconds, mb(b.disk));
        }
        // The median over the rounds of a figure of one round.
        let median = |engine: usize, class: Class, figure: &dyn Fn(&ClassResult) -> f64| -> Option<f64> {
            let mut values: Vec<f64> = rounds
                .iter()
                .filter_map(|round| round[engine].iter().find(|(c, _)| *c == class).map(|(_, r)| figure(r)))
                .collect();
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied()
        };
        let p = |q: f64| {
            move |r: &ClassResult| {
                let mut times = r.times.clone();
                times.sort();
                percentile(&times, q).as_secs_f64() * 1e3
            }
        };
        let throughput =
            |r: &ClassResult| r.times.len() as f64 / r.times.iter().map(Duration::as_secs_f64).sum::<f64>();
        for class in Class::ALL {
            let Some(our_p99) = median(0, class, &p(0.99)) else { continue };
            let n = queries.iter().filter(|q| q.class == class).count();
            println!(
                "\n**{}** ({n} queries)\n\n| engine | p50 ms | p99 ms | queries/s | recall@10 | nDCG@10 | p99 Yorisoi/engine |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
                class.label()
            );
            for (e, engine) in all.iter().enumerate() {
                let Some(p99) = median(e, class, &p(0.99)) else { continue };
                println!(
                    "| {} | {:.2} | {:.2} | {:.0} | {:.3} | {:.3} | {:.2} |",
                    engine.name(),
                    median(e, class, &p(0.5)).unwrap_or_default(),
                    p99,
                    median(e, class, &throughput).unwrap_or_default(),
                    median(e, class, &|r| r.recall).unwrap_or_default(),
                    median(e, class, &|r| r.ndcg).unwrap_or_default(),
                    our_p99 / p99
                );
            }
        }
        drop(all);
        drop(peers);
        runtime.block_on(async {
            let admin = sqlx::PgPool::connect(&postgres).await.unwrap();
            for schema in ["trgm", "fts"] {
                let drop = format!("DROP SCHEMA IF EXISTS peers_{schema}_{resources} CASCADE");
                sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await.unwrap();
            }
            admin.close().await;
        });

        // From the stewards' YAML to a loaded SQLite store and a search index.
        // As stewards would keep them: files under the reader's 1 MiB budget each.
        let yaml = work.path().join("seed");
        let rest = yorisoi_core::Directory { resources: vec![], organizations: vec![], ..(*dir).clone() };
        yorisoi_seed::write_dir(&rest, &yaml, false).unwrap();
        for (i, chunk) in dir.organizations.chunks(1_000).enumerate() {
            let part = yorisoi_core::Directory { organizations: chunk.to_vec(), ..Default::default() };
            std::fs::write(yaml.join(format!("organizations-{i:03}.yaml")), yorisoi_seed::file_text(&part, "bench"))
                .unwrap();
        }
        for (i, chunk) in dir.resources.chunks(1_000).enumerate() {
            let part = yorisoi_core::Directory { resources: chunk.to_vec(), ..Default::default() };
            std::fs::write(yaml.join(format!("resources-{i:03}.yaml")), yorisoi_seed::file_text(&part, "bench"))
                .unwrap();
        }
        let db = format!("sqlite://{}?mode=rwc", work.path().join("load.db").display());
        let start = Instant::now();
        let set = yorisoi_seed::read_dir(&yaml).unwrap();
        let read = start.elapsed();
        runtime.block_on(async {
            let store = Store::connect(&db).await.unwrap();
            store.replace_directory(&set.directory).await.unwrap();
            store.close().await.unwrap();
        });
        let stored = start.elapsed();
        SearchIndex::open_or_create(&work.path().join("load-index"), &set.directory).unwrap();
        println!(
            "\nYAML seed files → SQLite store → search index: {:.1} s (read and check {:.1} s, store {:.1} s, index {:.1} s)",
            start.elapsed().as_secs_f64(),
            read.as_secs_f64(),
            (stored - read).as_secs_f64(),
            (start.elapsed() - stored).as_secs_f64()
        );
    }
}
