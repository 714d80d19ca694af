//! `yorisoi serve` as a process on a free port, over real sockets: first-run load,
//! a search, an edit without and with a token, a request log line, and SIGTERM; slow
//! and idle clients, the connection cap, and a shutdown held up by a half-sent request.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::server::{STEWARD_TOKEN, token_lines};
use crate::support::{TestDb, seed_dir};

/// One HTTP/1.1 exchange; returns the status and the body.
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    (status, if chunked { dechunk(body) } else { body.to_owned() })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

pub fn graphql(addr: &str, query: &str, variables: Value, token: Option<&str>) -> Value {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    let (status, body) =
        http(addr, "POST", "/graphql", &headers, &json!({ "query": query, "variables": variables }).to_string());
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn the_binary_serves_searches_and_edits_and_stops_on_sigterm() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let mut server =
        Server::launch(&db.url, &dir.path().join("data"), &[], &[("YORISOI_LOG_FORMAT", "json")], log.into());
    let addr = server.addr.clone();

    let found = graphql(
        &addr,
        r#"{ search(query: "ふーどぱんとりー", first: 3) { edges { node { resource { key } } } } }"#,
        json!({}),
        None,
    );
    let keys: Vec<&str> = found["data"]["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["resource"]["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"higashikurume-pantry-hiyoko"), "{found}");

    let upsert = "mutation($r: JSON!) { upsertResource(record: $r, note: \"土曜開催と確認\") { resource { name } } }";
    let record = json!({
        "id": "higashikurume-pantry-hiyoko", "name": "東久留米フードパントリーひよこ（土曜開催）", "kind": "food-pantry",
        "needs": ["food", "poverty"], "service_area": { "municipalities": ["132225"] },
        "provenance": [{ "source": "tokyo-coop-review-2022", "verified": "2026-11-22" }]
    });
    let refused = graphql(&addr, upsert, json!({ "r": record }), None);
    assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{refused}");
    let done = graphql(&addr, upsert, json!({ "r": record }), Some(STEWARD_TOKEN));
    assert_eq!(
        done["data"]["upsertResource"]["resource"]["name"], "東久留米フードパントリーひよこ（土曜開催）",
        "{done}"
    );
    let renamed = graphql(
        &addr,
        r#"{ search(query: "土曜開催", first: 1) { edges { node { resource { key } } } } }"#,
        json!({}),
        None,
    );
    assert_eq!(renamed["data"]["search"]["edges"][0]["node"]["resource"]["key"], "higashikurume-pantry-hiyoko");

    let (status, text) = http(&addr, "GET", "/metrics", &[], "");
    assert_eq!(status, 200);
    assert!(text.contains("yorisoi_http_requests_total{route=\"/graphql\",status=\"200\"} 4\n"), "{text}");

    let status = server.terminate_within(Duration::from_secs(30));
    assert!(status.is_some_and(|s| s.success()), "exits cleanly on SIGTERM: {status:?}");

    // Each request left one structured log line.
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    let answered: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["fields"]["message"] == "answered")
        .collect();
    assert_eq!(answered.len(), 5, "four GraphQL requests and /metrics: {log}");
    assert_eq!(answered[0]["span"]["path"], "/graphql", "{log}");
    assert_eq!(answered[0]["fields"]["status"], 200, "{log}");
    assert!(log.contains("directory edited"), "{log}");
}

/// A `yorisoi serve` process on a free port, killed when dropped.
pub struct Server {
    child: Option<Child>,
    pub addr: String,
    _owned: Option<(TestDb, tempfile::TempDir)>,
}

impl Server {
    /// A server on a fresh store of the seed directory.
    pub fn start(extra: &[&str]) -> Self {
        let db = TestDb::new();
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::on(&db.url, &dir.path().join("data"), extra);
        server._owned = Some((db, dir));
        server
    }

    /// A server on the store at `url` with its index under `data_dir`, loading the
    /// seed directory when the store is empty; steward and staff tokens are the tests'.
    pub fn on(url: &str, data_dir: &std::path::Path, extra: &[&str]) -> Self {
        Server::launch(url, data_dir, extra, &[], Stdio::null())
    }

    /// [`Server::on`] with more environment and the log (stderr) sent to `log`.
    pub fn launch(url: &str, data_dir: &std::path::Path, extra: &[&str], env: &[(&str, &str)], log: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yorisoi"))
            .args(["serve", "--db", url, "--seed"])
            .arg(seed_dir())
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .env("YORISOI_TOKENS", token_lines().replace('\n', ";"))
            .envs(env.iter().copied())
            .env_remove("YORISOI_LOG")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("Yorisoi GraphQL API on http://")
            .and_then(|rest| rest.strip_suffix("/graphql"))
            .unwrap_or_else(|| panic!("the first line names the address: {line:?}"))
            .to_owned();
        Server { child: Some(child), addr, _owned: None }
    }

    /// Kills the process at once (SIGKILL), as a power cut or the OOM killer would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Sends SIGTERM and returns how the process ended, or None if it had not ended
    /// within `limit` (then it is killed).
    fn terminate_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take().unwrap();
        let pid = child.id();
        assert!(Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
        let (sender, receiver) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait().unwrap();
            let _ = sender.send(status);
        });
        let ended = receiver.recv_timeout(limit).ok();
        if ended.is_none() {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        waiter.join().unwrap();
        ended
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads until the server closes the connection; Err if it does not within `limit`.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, std::io::Error> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).map(|_| received)
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_connections_are_capped() {
    let server = Server::start(&["--header-timeout", "1", "--max-connections", "3"]);
    // A client that sends half a request head and then nothing (slowloris) is closed
    // once the header timeout passes, without an answer to a request it never sent.
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: app").unwrap();
    let received = read_until_closed(&mut slow, Duration::from_secs(20)).expect("the server closes a slow client");
    assert!(!String::from_utf8_lossy(&received).contains(" 200 "), "{}", String::from_utf8_lossy(&received));
    // An idle keep-alive connection is closed too.
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    read_until_closed(&mut idle, Duration::from_secs(20)).expect("the server closes an idle connection");

    // At the cap, a new connection waits: three idle connections fill it…
    let held: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(&server.addr).unwrap()).collect();
    let mut waiting = TcpStream::connect(&server.addr).unwrap();
    let body = r#"{"query":"{ needs { code } }"}"#;
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    waiting.write_all(request.as_bytes()).unwrap();
    waiting.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut first = [0u8; 1];
    let early = waiting.read(&mut first);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "no answer while the cap is reached: {early:?}"
    );
    // …and it is answered once one of them goes.
    drop(held);
    let answer = read_until_closed(&mut waiting, Duration::from_secs(20)).unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
}

#[test]
fn sigterm_with_a_half_sent_request_exits_after_the_grace_period() {
    let mut server = Server::start(&["--header-timeout", "600", "--shutdown-grace", "1"]);
    let mut half = TcpStream::connect(&server.addr).unwrap();
    half.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n").unwrap();
    // The request is in flight (its head half read) before the signal.
    let (status, _) = http(&server.addr, "GET", "/healthz", &[], "");
    assert_eq!(status, 200);
    let ended = server.terminate_within(Duration::from_secs(30));
    assert!(ended.is_some_and(|s| s.success()), "the process exits on its own after the grace period: {ended:?}");
}

/// A worker's command reads the index while the server holds it for writing.
#[test]
fn the_command_line_searches_while_the_server_holds_the_index() {
    let db = TestDb::new();
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let _server = Server::on(&db.url, &data_dir, &[]);
    let output = crate::support::yorisoi(&[
        "search",
        "ふーどばんく 八王子",
        "--db",
        &db.url,
        "--data-dir",
        data_dir.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", crate::support::stderr(&output));
    let out = crate::support::stdout(&output);
    assert!(out.contains(" 1. フードバンク八王子"), "{out}");
}
