//! `yorisoi serve` as a process on a free port, over real sockets: first-run load,
//! a search, an edit without and with a token, a request log line, and SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::server::{STEWARD_TOKEN, token_lines};
use crate::support::{TestDb, seed_dir};

/// One HTTP/1.1 exchange; returns the status and the body.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
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

fn graphql(addr: &str, query: &str, variables: Value, token: Option<&str>) -> Value {
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_yorisoi"))
        .args(["serve", "--db", &db.url, "--seed"])
        .arg(seed_dir())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--addr", "127.0.0.1:0"])
        .env("YORISOI_TOKENS", token_lines().replace('\n', ";"))
        .env("YORISOI_LOG_FORMAT", "json")
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

    let stopped = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exits cleanly on SIGTERM: {status}");

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
