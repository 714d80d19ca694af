//! The GraphQL `search` query over HTTP on loopback, driven by wrk, next to the same
//! searches in process (the index alone, and the schema without HTTP), on a
//! deterministic synthetic directory; and how long a steward's edit takes to be
//! visible to search.
//!
//! Then a load campaign. Capacity is measured open loop: offered well past what wrk
//! reaches (150 % of it for 20 s), the answers the server gets right per second are
//! what it can do (it sheds the rest); wrk's closed loop shares the two cores with the
//! server and its figure moves by a quarter from run to run. The generator then sends
//! 80 % of that capacity for 60 s (latency counted from when each request was due, so
//! a slow answer cannot hide the queue behind it), and 130 % for 20 s to show that
//! shedding starts only past capacity.
//!
//! `cargo bench --bench http` (needs `wrk`: `apt-get install wrk`; optionally
//! `-- 100000` for the size, and `YORISOI_CAMPAIGN_SECONDS` to shorten the campaign).
//! Every response body is checked for `errors`.

use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use yorisoi::server::ServerOptions;
use yorisoi_core::synthetic::{SITUATIONS, Size, directory};
use yorisoi_graphql::{Live, Snapshot, Tokens, hash_token};
use yorisoi_search::{SearchIndex, SearchRequest};
use yorisoi_store::Store;

const STEWARD: &str = "ys_bench-steward";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(name: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let p50 = percentile(&times, 0.50);
    println!(
        "{name:<26} n={:<6} p50 {:>7.3} ms   p99 {:>7.3} ms",
        times.len(),
        p50.as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3
    );
    p50
}

/// The query a worker's page sends: a page of ten with the fields it shows.
fn graphql_body(text: &str) -> String {
    let query =
        "query($q: String!) { search(query: $q, first: 10) { edges { node { resource { key name } reason } } } }";
    json!({ "query": query, "variables": { "q": text } }).to_string()
}

/// A wrk script that posts the bodies round-robin and counts answers that are not a
/// clean 200 (a status other than 200, or a body with `errors`).
fn wrk_script(bodies: &[String]) -> String {
    let list: Vec<String> = bodies.iter().map(|b| format!("[==[{b}]==]")).collect();
    format!(
        r#"local bodies = {{ {} }}
local i = 0
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/graphql", {{ ["Content-Type"] = "application/json" }}, bodies[i])
end
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("BAD %d\n", total))
  io.write(string.format("P50 %f\nP99 %f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"#,
        list.join(", ")
    )
}

/// Runs wrk; returns (requests per second, p50 ms, p99 ms, bad answers).
fn wrk(addr: &str, script: &Path, threads: usize, connections: usize, seconds: u64) -> (f64, f64, f64, u64) {
    let output = Command::new("wrk")
        .args(["-t", &threads.to_string(), "-c", &connections.to_string(), "-d", &format!("{seconds}s"), "-s"])
        .arg(script)
        .arg(format!("http://{addr}/graphql"))
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().parse().unwrap()))
            .unwrap_or_else(|| panic!("wrk printed no {key}: {text}"))
    };
    let rps = value("Requests/sec:");
    let non_2xx = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .map_or(0.0, |v| v.trim().parse().unwrap());
    assert_eq!(non_2xx, 0.0, "{text}");
    (rps, value("P50 "), value("P99 "), value("BAD ") as u64)
}

/// What an open-loop run saw.
struct Campaign {
    latencies: Vec<Duration>,
    /// Answers slower than 50 ms: seconds into the run they were due, and latency.
    slow: Vec<(f64, Duration)>,
    /// The share of CPU time the hypervisor gave to other machines during the run
    /// (steal, from /proc/stat), to tell the machine's stalls from the server's.
    steal: f64,
    /// The share of the machine's CPU time other processes used during the run (the
    /// machine's busy time less this process's).
    others: f64,
    /// Answers that were neither a clean 200 nor a 503 shed, and broken connections.
    failed: u64,
    shed: u64,
}

/// Reads one HTTP/1.1 response (Content-Length or chunked); returns status and body.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<(u16, String)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or(std::io::ErrorKind::InvalidData)?;
    let (mut length, mut chunked) = (0usize, false);
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("content-length:") {
            length = value.trim().parse().map_err(|_| std::io::ErrorKind::InvalidData)?;
        }
        chunked |= header.starts_with("transfer-encoding:") && header.contains("chunked");
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(|_| std::io::ErrorKind::InvalidData)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// CPU time counters of the whole machine: (stolen, busy, total), in ticks.
fn cpu_ticks() -> (u64, u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> =
        stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    let steal = fields.get(7).copied().unwrap_or(0);
    (steal, total - idle - steal, total)
}

/// CPU ticks this process has used (user and system).
fn own_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) close with ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after the ')'
    // (the state is 0).
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

/// Sends `rate` requests a second in all for `seconds`, spread over `connections`
/// keep-alive connections each keeping its own schedule.
fn open_loop(addr: &str, bodies: &[String], rate: f64, seconds: f64, connections: usize) -> Campaign {
    let ((steal_before, busy_before, total_before), own_before) = (cpu_ticks(), own_ticks());
    let mut run = open_loop_run(addr, bodies, rate, seconds, connections);
    let ((steal_after, busy_after, total_after), own_after) = (cpu_ticks(), own_ticks());
    let total = (total_after - total_before).max(1) as f64;
    run.steal = (steal_after - steal_before) as f64 / total;
    run.others = (busy_after - busy_before).saturating_sub(own_after - own_before) as f64 / total;
    run
}

fn open_loop_run(addr: &str, bodies: &[String], rate: f64, seconds: f64, connections: usize) -> Campaign {
    let start = Instant::now() + Duration::from_millis(100);
    let end = start + Duration::from_secs_f64(seconds);
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let (addr, bodies) = (addr.to_owned(), bodies.to_vec());
            std::thread::spawn(move || {
                let mut seen =
                    Campaign { latencies: Vec::new(), slow: Vec::new(), steal: 0.0, others: 0.0, failed: 0, shed: 0 };
                let connect = || {
                    let stream = TcpStream::connect(&addr).unwrap();
                    stream.set_nodelay(true).unwrap();
                    (stream.try_clone().unwrap(), BufReader::new(stream))
                };
                let (mut writer, mut reader) = connect();
                for k in 0.. {
                    let due = start + Duration::from_secs_f64((k * connections + c) as f64 / rate);
                    if due >= end {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let body = &bodies[(k * connections + c) % bodies.len()];
                    let request = format!(
                        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let answer = writer.write_all(request.as_bytes()).and_then(|()| read_response(&mut reader));
                    let took = due.elapsed();
                    seen.latencies.push(took);
                    if took > Duration::from_millis(50) {
                        seen.slow.push(((due - start).as_secs_f64(), took));
                    }
                    match answer {
                        Ok((200, body)) if !body.contains("\"errors\"") => {}
                        Ok((503, _)) => seen.shed += 1,
                        Ok(_) => seen.failed += 1,
                        Err(_) => {
                            seen.failed += 1;
                            (writer, reader) = connect();
                        }
                    }
                }
                seen
            })
        })
        .collect();
    let mut all = Campaign { latencies: Vec::new(), slow: Vec::new(), steal: 0.0, others: 0.0, failed: 0, shed: 0 };
    for thread in threads {
        let seen = thread.join().unwrap();
        all.latencies.extend(seen.latencies);
        all.slow.extend(seen.slow);
        all.failed += seen.failed;
        all.shed += seen.shed;
    }
    all
}

fn campaign_report(name: &str, rate: f64, mut run: Campaign) {
    run.latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<26} {rate:>5.0} req/s offered, {} answers: p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms; failed {}, shed {}",
        run.latencies.len(),
        ms(percentile(&run.latencies, 0.50)),
        ms(percentile(&run.latencies, 0.99)),
        ms(*run.latencies.last().unwrap()),
        run.failed,
        run.shed
    );
    // When the slow answers were due, by second of the run: a stall shows as one
    // second holding most of them.
    let mut seconds: Vec<(u64, usize, Duration)> = Vec::new();
    for (at, took) in &run.slow {
        let second = *at as u64;
        match seconds.iter_mut().find(|(s, _, _)| *s == second) {
            Some((_, n, worst)) => {
                *n += 1;
                *worst = (*worst).max(*took);
            }
            None => seconds.push((second, 1, *took)),
        }
    }
    seconds.sort();
    let listed: Vec<String> =
        seconds.iter().map(|(s, n, worst)| format!("{s} s: {n} (worst {:.0} ms)", ms(*worst))).collect();
    println!(
        "{:<26} answers over 50 ms: {} of {}, by second due: {}; of the machine's CPU during the run: steal {:.1} %, other processes {:.1} %",
        "",
        run.slow.len(),
        run.latencies.len(),
        if listed.is_empty() { "none".to_owned() } else { listed.join(", ") },
        run.steal * 100.0,
        run.others * 100.0
    );
}

fn main() {
    let resources: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let taxonomy = yorisoi_seed::read_dir(&seed).unwrap().directory;
    let size = Size { municipalities: 1_741, resources, organizations: resources / 10, referrals: resources / 2 };
    let dir = Arc::new(directory(&taxonomy, size, 42));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    let start = Instant::now();
    let index = Arc::new(SearchIndex::in_ram(&dir).unwrap());
    println!("indexed {} resources in {:.1} s", index.len(), start.elapsed().as_secs_f64());
    // Reads answer from the snapshot; the store only takes edits and the change log, so
    // an empty SQLite file stands in for the loaded one.
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", data.path().join("bench.db").display());
    let store = runtime.block_on(Store::connect(&url)).unwrap();
    let tokens = Tokens::parse(&format!("steward bench {}", hash_token(STEWARD)), "bench").unwrap();
    let service =
        yorisoi::server::service(Live::new(store, Snapshot::new(Arc::clone(&dir), Arc::clone(&index))), tokens, true);

    // What workers type: part of a place's name, and situations in plain words.
    let mut texts: Vec<String> = (0..40)
        .map(|i| dir.resources[i * (resources / 40)].name.chars().take_while(|c| !c.is_ascii_digit()).collect())
        .collect();
    for situation in SITUATIONS {
        texts.push(situation.to_owned());
    }
    let requests: Vec<SearchRequest> =
        texts.iter().map(|t| SearchRequest { text: t.clone(), limit: 10, ..SearchRequest::default() }).collect();
    let bodies: Vec<String> = texts.iter().map(|t| graphql_body(t)).collect();

    // In process, round by round so noise falls on both alike.
    let mut search_times = Vec::new();
    let mut schema_times = Vec::new();
    for round in 0..21 {
        for (request, body) in requests.iter().zip(&bodies) {
            let start = Instant::now();
            let results = index.search(request).unwrap();
            let took = start.elapsed();
            assert!(!results.hits.is_empty(), "`{}` found nothing", request.text);
            let parsed: async_graphql::Request = serde_json::from_str(body).unwrap();
            let start = Instant::now();
            let response = runtime.block_on(service.execute(parsed, None));
            let took_schema = start.elapsed();
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            if round > 0 {
                search_times.push(took);
                schema_times.push(took_schema);
            }
        }
    }
    let search_p50 = report("search (index only)", search_times);
    let schema_p50 = report("GraphQL in process", schema_times);

    // Over loopback.
    // The server as `yorisoi serve` runs it: its own accept loop and limits.
    // YORISOI_BENCH_WORKERS sets how many requests run their work at once.
    let workers = std::env::var("YORISOI_BENCH_WORKERS").ok().and_then(|w| w.parse().ok());
    let options =
        ServerOptions { workers: workers.unwrap_or(ServerOptions::default().workers), ..ServerOptions::default() };
    println!("server: {} workers, {} requests admitted at most", options.workers, options.max_concurrent);
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let served = service.clone();
    runtime.spawn(async move { yorisoi::server::serve_on(listener, served, &options, std::future::pending()).await });
    let mut script = tempfile::NamedTempFile::new().unwrap();
    script.write_all(wrk_script(&bodies).as_bytes()).unwrap();
    wrk(&addr, script.path(), 1, 1, 3); // warm-up
    let (rps1, p50_1, p99_1, bad1) = wrk(&addr, script.path(), 1, 1, 15);
    println!(
        "HTTP, 1 connection         {rps1:>7.0} req/s   p50 {p50_1:>7.3} ms   p99 {p99_1:>7.3} ms   bad answers {bad1}"
    );
    let mut capacity = 0.0f64;
    for connections in [4, 16] {
        let (rps, p50, p99, bad) = wrk(&addr, script.path(), 2, connections, 15);
        println!(
            "HTTP, {connections:>2} connections       {rps:>7.0} req/s   p50 {p50:>7.3} ms   p99 {p99:>7.3} ms   bad answers {bad}"
        );
        capacity = capacity.max(rps);
    }
    let added = p50_1 - search_p50.as_secs_f64() * 1e3;
    println!(
        "GraphQL+HTTP adds {added:.3} ms at p50 over the search's {:.3} ms ({:.0}%; schema alone adds {:.3} ms)",
        search_p50.as_secs_f64() * 1e3,
        100.0 * added / (search_p50.as_secs_f64() * 1e3),
        (schema_p50 - search_p50).as_secs_f64() * 1e3
    );

    // The load campaign: capacity measured open loop, then 80 % of it, then past it.
    let seconds: f64 = std::env::var("YORISOI_CAMPAIGN_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60.0);
    let probe_seconds = seconds / 3.0;
    let probe = open_loop(&addr, &bodies, 1.5 * capacity, probe_seconds, 96);
    let answered = probe.latencies.len() as u64 - probe.failed - probe.shed;
    let measured = answered as f64 / probe_seconds;
    println!(
        "capacity (open loop, {:.0} req/s offered for {probe_seconds:.0} s): {measured:.0} req/s answered, {} shed, {} failed (wrk: {capacity:.0})",
        1.5 * capacity,
        probe.shed,
        probe.failed
    );
    // YORISOI_CAMPAIGN_CAPACITY overrides the measured capacity (to compare settings at
    // one offered load).
    let capacity = std::env::var("YORISOI_CAMPAIGN_CAPACITY").ok().and_then(|c| c.parse().ok()).unwrap_or(measured);
    let steady = 0.8 * capacity;
    // YORISOI_CAMPAIGN_CONNECTIONS: the generator's connections at 80 % (each a thread).
    let connections = std::env::var("YORISOI_CAMPAIGN_CONNECTIONS").ok().and_then(|c| c.parse().ok()).unwrap_or(32);
    campaign_report("open loop, 80 % capacity", steady, open_loop(&addr, &bodies, steady, seconds, connections));
    let over = 1.3 * capacity;
    campaign_report("open loop, 130 % capacity", over, open_loop(&addr, &bodies, over, seconds / 3.0, 96));

    // A steward's edit: checked against the whole directory, written, indexed, graph
    // rebuilt, snapshot swapped; then the new name is searched for.
    let mut visible = Vec::new();
    for i in 0..7 {
        let mut record = yorisoi_seed::resource_to_json(&dir.resources[i * 1000]);
        let marker = ["柊木犀", "紫陽花", "向日葵", "曼珠沙華", "山茶花", "沈丁花", "百日紅"][i].to_owned();
        record["name"] = json!(format!("{} {marker}", record["name"].as_str().unwrap()));
        let mutation = json!({ "query": "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }", "variables": { "r": record } });
        let caller = service.authenticate(STEWARD);
        let start = Instant::now();
        let response = runtime.block_on(service.execute(serde_json::from_value(mutation).unwrap(), caller));
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let found =
            index.search(&SearchRequest { text: marker.clone(), limit: 1, ..SearchRequest::default() }).unwrap();
        visible.push(start.elapsed());
        assert_eq!(found.hits.first().map(|h| &h.id), Some(&dir.resources[i * 1000].id), "{marker}");
    }
    report("edit visible to search", visible);
}
