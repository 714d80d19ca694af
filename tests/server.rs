//! The HTTP server's routes without a socket (`oneshot`), on the seed directory in a
//! real store: the hostile-request corpus, tokens, CORS, load shedding, the timeout,
//! GraphiQL, /metrics, and snapshots of answers.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use yorisoi::server::{AppState, MAX_BODY_BYTES, ServerOptions, app};
use yorisoi_graphql::{Tokens, hash_token};

use crate::support::{TestDb, assert_snapshot, repo, seed_dir};

pub const STEWARD_TOKEN: &str = "ys_test-steward-token";
pub const STAFF_TOKEN: &str = "ys_test-staff-token";

/// The tokens file lines for the two test tokens.
pub fn token_lines() -> String {
    format!("steward koto-steward {}\nstaff koto-counter {}", hash_token(STEWARD_TOKEN), hash_token(STAFF_TOKEN))
}

/// The seed directory in a fresh store, served by the router.
struct Harness {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    state: AppState,
    _db: TestDb,
    _data: tempfile::TempDir,
}

impl Harness {
    fn new(options: ServerOptions) -> Self {
        Self::with(options, true)
    }

    fn with(options: ServerOptions, introspection: bool) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let db = TestDb::new();
        let data = tempfile::tempdir().unwrap();
        let live = runtime.block_on(yorisoi::server::prepare(&db.url, &seed_dir(), data.path())).unwrap();
        let tokens = Tokens::parse(&token_lines(), "test").unwrap();
        let service = yorisoi::server::service(live, tokens, introspection);
        let state = AppState::new(service, &options);
        Harness { router: app(state.clone(), &options), state, runtime, _db: db, _data: data }
    }

    fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = to_bytes(response.into_body(), 1 << 22).await.unwrap();
            (status, headers, String::from_utf8_lossy(&body).into_owned())
        })
    }

    /// POSTs a GraphQL body as JSON; returns the status and the parsed body.
    fn graphql(&self, body: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = post(body.to_owned(), "application/json");
        if let Some(token) = token {
            request.headers_mut().insert(header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        }
        let (status, _, body) = self.send(request);
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}")))
    }

    fn query(&self, query: &str) -> Value {
        let (status, body) = self.graphql(&json!({ "query": query }).to_string(), None);
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The server still answers an ordinary query.
    fn still_serves(&self) {
        let body = self.query("{ needs { code } }");
        assert!(body["data"]["needs"].as_array().is_some_and(|n| n.len() == 20), "{body}");
    }
}

fn post(body: impl Into<Body>, content_type: &str) -> Request<Body> {
    Request::post("/graphql").header(header::CONTENT_TYPE, content_type).body(body.into()).unwrap()
}

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("(none)")
}

#[test]
fn a_search_over_http() {
    let harness = Harness::new(ServerOptions::default());
    let body =
        harness.query(r#"{ search(query: "ふーどばんく 八王子", first: 1) { edges { node { resource { name } } } } }"#);
    assert_eq!(body["data"]["search"]["edges"][0]["node"]["resource"]["name"], "フードバンク八王子");
}

#[test]
fn health_readiness_and_metrics() {
    let harness = Harness::new(ServerOptions::default());
    let (status, _, body) = harness.send(Request::get("/healthz").body(Body::empty()).unwrap());
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _, _) = harness.send(Request::get("/readyz").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    harness.still_serves();
    harness.graphql(r#"{"query":"{ resources(first: 0) { totalCount } }"}"#, None);
    let (status, headers, text) = harness.send(Request::get("/metrics").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; version=0.0.4");
    assert!(text.contains("yorisoi_http_requests_total{route=\"/graphql\",status=\"200\"} 2\n"), "{text}");
    assert!(text.contains("yorisoi_graphql_errors_total{code=\"BAD_USER_INPUT\"} 1\n"), "{text}");
    assert!(text.contains("yorisoi_directory_resources 38\n"), "{text}");
    assert!(text.contains("yorisoi_http_request_duration_seconds_count{route=\"/graphql\"} 2\n"), "{text}");
}

/// Each hostile request gets its status and code, and the server answers the next one.
#[test]
fn hostile_requests_are_refused_with_their_code_while_the_server_keeps_serving() {
    let harness = Harness::new(ServerOptions::default());
    let mut nested = String::from("name");
    for _ in 0..15 {
        nested = format!("parent {{ {nested} }}");
    }
    let deep = format!(r#"{{ resource(id: "koto-choju-oen-window") {{ operators {{ {nested} }} }} }}"#);
    let aliases: String = (0..3000).map(|i| format!("a{i}: needs {{ code }} ")).collect();
    let search_flood: String =
        (0..120).map(|i| format!(r#"s{i}: search(query: "食", first: 100) {{ edges {{ cursor }} }} "#)).collect();
    let list_nesting = format!(
        "{{ search(query: \"x\", first: 1, needs: {}\"food\"{}) {{ edges {{ cursor }} }} }}",
        "[".repeat(40),
        "]".repeat(40)
    );
    let directives = format!("{{ needs {} {{ code }} }}", "@include(if: true) ".repeat(10));
    // Literals nested ~1,600 deep overflowed the parser's stack before any limit ran.
    let deep_list = format!(
        "{{ search(query: \"x\", first: 1, needs: {}\"food\"{}) {{ edges {{ cursor }} }} }}",
        "[".repeat(1600),
        "]".repeat(1600)
    );
    let deep_object = format!("{{ needs @include(if: {}true{}) {{ code }} }}", "{a:".repeat(1600), "}".repeat(1600));
    // Each fragment spreads the previous one twice: 2^25 `__typename`s from ~1 KB.
    let mut bomb = String::from("query { ...f25 }\n fragment f0 on Query { __typename }\n");
    for i in 1..=25 {
        bomb.push_str(&format!("fragment f{i} on Query {{ ...f{p} ...f{p} }}\n", p = i - 1));
    }
    // Forged cursors: a far offset for search (it would allocate for it), usize::MAX
    // for a listing (it wrapped to the first page).
    let far = base64_url("offset:10000000000000000");
    let wrapping = base64_url(&format!("offset:{}", usize::MAX));
    let past_end = base64_url("offset:38");
    let long_text = "ひきこもり".repeat(201);
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        ("deep nesting", deep, StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
        ("alias flood", format!("{{ {aliases} }}"), StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
        ("expensive alias flood", format!("{{ {search_flood} }}"), StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
        ("nested list argument", list_nesting, StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
        ("directive flood", directives, StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
        ("huge first", "{ resources(first: 100000) { totalCount } }".to_owned(), StatusCode::OK, "BAD_USER_INPUT"),
        (
            "negative first",
            "{ search(query: \"食\", first: -1) { edges { cursor } } }".to_owned(),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        ("syntax error", "{ needs { code }".to_owned(), StatusCode::OK, "GRAPHQL_PARSE_FAILED"),
        ("nested list literal", deep_list, StatusCode::OK, "GRAPHQL_PARSE_FAILED"),
        ("nested object in a directive", deep_object, StatusCode::OK, "GRAPHQL_PARSE_FAILED"),
        ("fragment bomb", bomb, StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
        (
            "forged search cursor",
            format!(r#"{{ search(query: "食", first: 10, after: "{far}") {{ edges {{ cursor }} }} }}"#),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "search paged too deep",
            format!(r#"{{ search(query: "食", first: 100, after: "{}") {{ edges {{ cursor }} }} }}"#, base64_url("offset:950")),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "wrapping listing cursor",
            format!(r#"{{ resources(first: 1, after: "{wrapping}") {{ edges {{ cursor }} }} }}"#),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "cursor past the listing",
            format!(r#"{{ resources(first: 1, after: "{past_end}") {{ edges {{ cursor }} }} }}"#),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "search text over the limit",
            format!(r#"{{ search(query: "{long_text}", first: 1) {{ edges {{ cursor }} }} }}"#),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "long texts cost more: ten long searches are over the budget",
            format!("{{ {} }}", (0..10).map(|i| format!(r#"s{i}: search(query: "{}", first: 10) {{ edges {{ cursor }} }} "#, "ひきこもり".repeat(199))).collect::<String>()),
            StatusCode::OK,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "an open-at that is not a moment",
            r#"{ search(query: "食", first: 1, openAt: "tomorrow") { edges { cursor } } }"#.to_owned(),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "an open-at on a day that does not exist",
            r#"{ search(query: "食", first: 1, openAt: "2026-02-30T10:00:00") { edges { cursor } } }"#.to_owned(),
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
        (
            "two edits in one mutation request",
            r#"mutation { a: retireResource(id: "food-bank-akishima", note: "x") { change { number } } b: retireResource(id: "cafe-kajiyashiki", note: "x") { change { number } } }"#.to_owned(),
            StatusCode::OK,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("unknown field", "{ needz { code } }".to_owned(), StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"),
    ];
    for (name, query, status, expected) in cases {
        let (got, body) = harness.graphql(&json!({ "query": query }).to_string(), None);
        assert_eq!((got, code(&body)), (status, expected), "{name}: {body}");
        assert!(body["data"].is_null(), "{name}: nothing runs: {body}");
        // Suggestions are off: an error does not spell out the schema to a prober.
        assert!(!body.to_string().contains("Did you mean"), "{name}: {body}");
        harness.still_serves();
    }

    let transport: Vec<(&str, Request<Body>, StatusCode, &str)> = vec![
        (
            "batch",
            post(r#"[{"query":"{ needs { code } }"}]"#, "application/json"),
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        ),
        ("malformed JSON", post(r#"{"query": "#, "application/json"), StatusCode::BAD_REQUEST, "BAD_REQUEST"),
        ("not a request", post(r#"{"q": 1}"#, "application/json"), StatusCode::BAD_REQUEST, "BAD_REQUEST"),
        (
            "text/plain (a cross-site form can send it)",
            post(r#"{"query":"{ needs { code } }"}"#, "text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "form",
            post("query=%7B%7D", "application/x-www-form-urlencoded"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "no content type",
            Request::post("/graphql").body(Body::from(r#"{"query":"{ needs { code } }"}"#)).unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "unknown token",
            {
                let mut r = post(r#"{"query":"{ needs { code } }"}"#, "application/json");
                r.headers_mut().insert(header::AUTHORIZATION, "Bearer ys_guessed".parse().unwrap());
                r
            },
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        (
            "basic auth",
            {
                let mut r = post(r#"{"query":"{ needs { code } }"}"#, "application/json");
                r.headers_mut().insert(header::AUTHORIZATION, "Basic dXNlcjpwYXNz".parse().unwrap());
                r
            },
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
    ];
    for (name, request, status, expected) in transport {
        let (got, _, body) = harness.send(request);
        let body: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"));
        assert_eq!((got, code(&body)), (status, expected), "{name}: {body}");
        harness.still_serves();
    }

    // An oversized body: refused from its Content-Length before anything is read…
    let huge = format!(r#"{{"query":"{{ needs {{ code }} }}","padding":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
    let mut request = post(huge.clone(), "application/json");
    request.headers_mut().insert(header::CONTENT_LENGTH, huge.len().into());
    let (status, _, body) = harness.send(request);
    assert_eq!(
        (status, code(&serde_json::from_str(&body).unwrap())),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );
    // …and, sent without a length, cut off while it is read.
    let chunks = futures_util::stream::iter(
        huge.into_bytes().chunks(4096).map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c))).collect::<Vec<_>>(),
    );
    let (status, _, body) = harness.send(post(Body::from_stream(chunks), "application/json"));
    assert_eq!(
        (status, code(&serde_json::from_str(&body).unwrap())),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );
    harness.still_serves();
    // Nothing above was an internal error.
    let (_, _, metrics) = harness.send(Request::get("/metrics").body(Body::empty()).unwrap());
    assert!(!metrics.contains("INTERNAL_SERVER_ERROR"), "{metrics}");
    // The refused mutation wrote nothing.
    let (_, log) =
        harness.graphql(r#"{"query":"{ changes(origin: EDITS, first: 10) { edges { cursor } } }"}"#, Some(STAFF_TOKEN));
    assert_eq!(log["data"]["changes"]["edges"], json!([]), "{log}");
}

#[test]
fn a_request_past_its_time_is_answered_408_and_others_go_on() {
    let harness = Harness::new(ServerOptions { timeout: Duration::from_millis(200), ..ServerOptions::default() });
    // A body that never finishes (a slow client) holds nothing past the timeout.
    let never = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
    let (status, _, body) = harness.send(post(Body::from_stream(never), "application/json"));
    assert_eq!((status, code(&serde_json::from_str(&body).unwrap())), (StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT"));
    harness.still_serves();
}

/// Past its deadline a request runs no more fields: they answer TIMEOUT, and an edit
/// that had not started is not written (the answer says which).
#[test]
fn fields_past_the_deadline_are_not_run_and_say_so() {
    let harness = Harness::new(ServerOptions { timeout: Duration::from_nanos(1), ..ServerOptions::default() });
    let (status, body) = harness.graphql(r#"{"query":"{ needs { code } }"}"#, None);
    assert_eq!((status, code(&body)), (StatusCode::OK, "TIMEOUT"), "{body}");
    let retire =
        r#"{"query":"mutation { retireResource(id: \"food-bank-akishima\", note: \"x\") { resource { status } } }"}"#;
    let (_, body) = harness.graphql(retire, Some(STEWARD_TOKEN));
    assert_eq!(code(&body), "TIMEOUT", "{body}");
    assert!(body["data"].is_null(), "{body}");
    // The permit went with the work: all of them are free again.
    assert_eq!(harness.state.in_flight.available_permits(), ServerOptions::default().max_concurrent);
    let live = harness.state.service.live();
    let akishima = live.snapshot().resource_at(&yorisoi_core::Id::parse("food-bank-akishima").unwrap()).unwrap();
    assert_eq!(live.snapshot().directory.resources[akishima].status, yorisoi_core::Status::Active);
}

/// An answer over the size limit is replaced by an error, and nothing else breaks.
#[test]
fn answers_over_the_size_limit_are_refused() {
    let harness = Harness::new(ServerOptions { max_response_bytes: 2_000, ..ServerOptions::default() });
    let (status, body) =
        harness.graphql(r#"{"query":"{ resources(first: 100) { edges { node { name description } } } }"}"#, None);
    assert_eq!((status, code(&body)), (StatusCode::OK, "RESPONSE_TOO_LARGE"), "{body}");
    assert!(body["data"].is_null(), "{body}");
    harness.still_serves();
}

#[test]
fn metrics_can_be_kept_to_token_holders() {
    let harness = Harness::new(ServerOptions { private_metrics: true, ..ServerOptions::default() });
    let (status, _, body) = harness.send(Request::get("/metrics").body(Body::empty()).unwrap());
    assert_eq!((status, code(&serde_json::from_str(&body).unwrap())), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"));
    let request = Request::get("/metrics")
        .header(header::AUTHORIZATION, format!("Bearer {STAFF_TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, text) = harness.send(request);
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("yorisoi_directory_resources 38\n"), "{text}");
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let harness = Harness::new(ServerOptions::default());
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let mut request =
            post(r#"{"query":"{ changes(origin: EDITS, first: 1) { edges { cursor } } }"}"#, "application/json");
        request.headers_mut().insert(header::AUTHORIZATION, format!("{scheme} {STAFF_TOKEN}").parse().unwrap());
        let (status, _, body) = harness.send(request);
        assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
        assert!(!body.contains("errors"), "{scheme}: {body}");
    }
}

/// Records sent through the API meet the same limits as seed files: lengths, control
/// characters, duplicate codes, dates, and ids that are text.
#[test]
fn hostile_records_are_refused_by_the_seed_checks() {
    let harness = Harness::new(ServerOptions::default());
    let base = json!({ "id": "salon-hostile", "name": "サロン", "kind": "salon", "needs": ["isolation"],
        "provenance": [{ "source": "koto-isolation-platform", "verified": "2026-11-22" }] });
    let with = |field: &str, value: Value| {
        let mut record = base.clone();
        record[field] = value;
        record
    };
    let cases = [
        ("numeric id", with("id", json!(12345)), ""),
        ("20,000-character name", with("name", json!("あ".repeat(20_000))), "name"),
        ("escape sequence in a name", with("name", json!("サロン\u{1b}[2J")), "name"),
        ("NUL in a description", with("description", json!("説明\u{0}")), "description"),
        ("5,000 duplicate needs", with("needs", json!(vec!["isolation"; 5000])), "needs"),
        (
            "verified in 2999",
            with("provenance", json!([{ "source": "koto-isolation-platform", "verified": "2999-01-01" }])),
            "provenance.0.verified",
        ),
    ];
    let upsert = "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }";
    for (name, record, path) in cases {
        let (_, body) =
            harness.graphql(&json!({ "query": upsert, "variables": { "r": record } }).to_string(), Some(STEWARD_TOKEN));
        assert_eq!(code(&body), "BAD_USER_INPUT", "{name}: {body}");
        let problems = body["errors"][0]["extensions"]["problems"].as_array().cloned().unwrap_or_default();
        assert!(
            problems.iter().any(|p| p["path"].as_str().is_some_and(|p| p.starts_with(path))),
            "{name}: a problem at `{path}`: {body}"
        );
    }
    let (_, log) =
        harness.graphql(r#"{"query":"{ changes(origin: EDITS, first: 10) { edges { cursor } } }"}"#, Some(STAFF_TOKEN));
    assert_eq!(log["data"]["changes"]["edges"], json!([]), "nothing was written: {log}");
    // A change-log cursor past i64 is refused, not wrapped to a negative id.
    let wrapping = base64_url(&format!("offset:{}", u64::MAX));
    let query = json!({ "query": format!(r#"{{ changes(origin: EDITS, first: 1, after: "{wrapping}") {{ edges {{ cursor }} }} }}"#) });
    let (_, body) = harness.graphql(&query.to_string(), Some(STAFF_TOKEN));
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}

#[test]
fn requests_over_the_concurrency_limit_are_shed_not_queued() {
    let harness = Harness::new(ServerOptions { max_concurrent: 2, ..ServerOptions::default() });
    // Two requests in flight hold both permits.
    let held = harness.runtime.block_on(harness.state.in_flight.clone().acquire_many_owned(2)).unwrap();
    let (status, headers, body) = harness.send(post(r#"{"query":"{ needs { code } }"}"#, "application/json"));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    assert_eq!(code(&serde_json::from_str(&body).unwrap()), "OVERLOADED");
    // Health checks are not shed, so an orchestrator does not restart a busy server.
    assert_eq!(harness.send(Request::get("/healthz").body(Body::empty()).unwrap()).0, StatusCode::OK);
    drop(held);
    harness.still_serves();
    let (_, _, metrics) = harness.send(Request::get("/metrics").body(Body::empty()).unwrap());
    assert!(metrics.contains("yorisoi_http_requests_shed_total 1\n"), "{metrics}");
}

#[test]
fn cors_allows_only_listed_origins() {
    let options =
        ServerOptions { cors_origins: vec!["https://portal.example.jp".parse().unwrap()], ..ServerOptions::default() };
    let harness = Harness::new(options);
    let preflight = |origin: &str| {
        Request::options("/graphql")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type,authorization")
            .body(Body::empty())
            .unwrap()
    };
    let (_, allowed, _) = harness.send(preflight("https://portal.example.jp"));
    assert_eq!(allowed[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://portal.example.jp");
    let (_, refused, _) = harness.send(preflight("https://evil.example.com"));
    assert!(refused.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{refused:?}");
    // Without a list, no origin is allowed.
    let closed = Harness::new(ServerOptions::default());
    let (_, headers, _) = closed.send(preflight("https://portal.example.jp"));
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[test]
fn graphiql_and_introspection_can_be_switched_off() {
    let open = Harness::new(ServerOptions::default());
    let (status, headers, page) = open.send(Request::get("/graphql").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(page.contains(r#"integrity="sha384-"#), "every CDN file is pinned by its hash: {page}");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self' https://unpkg.com;") && !csp.contains("unsafe-eval"), "{csp}");
    let (status, _, script) = open.send(Request::get("/graphiql.js").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    assert!(script.contains("GraphiQL.createFetcher"), "{script}");
    assert_eq!(open.query("{ __schema { queryType { name } } }")["data"]["__schema"]["queryType"]["name"], "Query");

    let closed = Harness::with(ServerOptions { graphiql: false, ..ServerOptions::default() }, false);
    let (status, _, _) = closed.send(Request::get("/graphql").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (_, body) =
        closed.graphql(r#"{"query":"{ __schema { queryType { name } } __type(name: \"Resource\") { name } }"}"#, None);
    assert_eq!(body["data"], json!({ "__schema": null, "__type": null }), "{body}");
    closed.still_serves();
}

#[test]
fn tokens_decide_who_edits_and_who_sees_staff_fields() {
    let harness = Harness::new(ServerOptions::default());
    let retire = r#"{"query":"mutation { retireResource(id: \"food-bank-akishima\", note: \"活動終了\") { resource { status } change { actor } } }"}"#;
    let (status, body) = harness.graphql(retire, None);
    assert_eq!((status, code(&body)), (StatusCode::OK, "UNAUTHENTICATED"), "{body}");
    let (_, body) = harness.graphql(retire, Some(STAFF_TOKEN));
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let (status, body) = harness.graphql(retire, Some(STEWARD_TOKEN));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["retireResource"],
        json!({ "resource": { "status": "ended" }, "change": { "actor": "koto-steward" } })
    );
    let log = r#"{"query":"{ changes(origin: EDITS, first: 10) { edges { node { action recordId actor note } } } }"}"#;
    let (_, body) = harness.graphql(log, Some(STAFF_TOKEN));
    assert_eq!(
        body["data"]["changes"]["edges"],
        json!([{ "node": { "action": "retire_resource", "recordId": "food-bank-akishima", "actor": "koto-steward", "note": "活動終了" } }])
    );
}

#[test]
fn answers_match_their_reviewed_snapshots() {
    let harness = Harness::new(ServerOptions::default());
    let search = harness.query(
        r#"{ search(query: "親が80代で、50代の息子がずっと家にいる", municipality: "江東区", first: 5) {
            detectedNeeds { code label matched }
            edges { node { resource { key name } matchedNeeds } } } }"#,
    );
    assert_snapshot("search_8050_koto", &search);
    let refer = harness.query(
        r#"{ whereToRefer(situation: "食べるものに困っている", municipality: "東久留米市", first: 1) {
            resource { key name } path { from to kind } } }"#,
    );
    assert_snapshot("where_to_refer_food_higashikurume", &refer);
    let record = json!({ "id": "salon-x", "name": "", "kind": "salonn", "needs": ["isolation", "loneliness"],
        "provenance": [{ "source": "koto-isolation-platform", "verified": "2026-11-22" }] });
    let mutation = json!({ "query": "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }", "variables": { "r": record } });
    let (_, refused) = harness.graphql(&mutation.to_string(), Some(STEWARD_TOKEN));
    assert_snapshot("upsert_refused_problems", &refused);
}

/// GETs a page of the frontline UI (`path` with its query, already encoded).
fn page(harness: &Harness, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    harness.send(request.body(Body::empty()).unwrap())
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The first link of `html` whose attributes hold `marker`, with `&amp;` undone.
fn link_with(html: &str, marker: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker} in the page"));
    let start = html[..at].rfind("href=\"").expect("a link") + 6;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&")
}

/// A worker types a situation: the page says what it understood, with the words, and
/// lists the ward's places with their facts; without JavaScript and with nothing from
/// elsewhere.
#[test]
fn the_page_understands_a_situation_and_lists_places() {
    let harness = Harness::new(ServerOptions::default());
    let (status, headers, html) = page(&harness, "/", None);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("どんなことでお困りですか") && html.contains(r#"<option value="江東区">江東区</option>"#));

    let path = format!("/?q={}&m={}", encode("母80代 息子50代無職 ここ数年閉じこもり"), encode("江東区"));
    let (status, headers_of_search, html) = page(&harness, &path, None);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("8050問題<span class=\"words\">「母80代＋息子50代」</span>"), "{html}");
    assert!(html.contains("ひきこもり<span class=\"words\">「閉じこもり」</span>"));
    assert!(html.contains("江東区社会福祉協議会（相談・地域福祉）"));
    assert!(html.contains("困りごと: 8050問題 / 地域: 江東区"));
    assert!(html.contains(r#"<option value="江東区" selected>"#), "the chosen municipality stays chosen");
    // No script, no asset from elsewhere, and a policy that forbids both.
    assert!(!html.contains("<script"), "the page needs no JavaScript");
    assert!(!html.contains("src=\"http") && html.contains(r#"href="/page.css""#));
    let csp = headers_of_search[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("http"), "{csp}");
    assert!(headers.get(header::SET_COOKIE).is_none(), "nothing is remembered before a municipality is chosen");
    // The municipality is remembered for the next visit, and is what the picker shows.
    let cookie = headers_of_search[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (_, _, next) = page(&harness, "/", Some(&cookie));
    assert!(next.contains(r#"<option value="江東区" selected>"#));
    let (status, _, css) = page(&harness, "/page.css", None);
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("@page { size: A4"));
}

/// Removing a need understood, or adding one, changes the search, and the URL carries
/// the choice (back button, bookmark, share).
#[test]
fn removing_or_adding_a_need_follows_in_the_results() {
    let harness = Harness::new(ServerOptions::default());
    let path = format!("/?q={}&m={}", encode("母80代 息子50代無職 ここ数年閉じこもり"), encode("江東区"));
    let (_, _, html) = page(&harness, &path, None);
    let without_8050 = link_with(&html, "aria-label=\"8050問題を外す\"");
    assert!(without_8050.contains("chosen=1") && without_8050.contains("need=hikikomori"), "{without_8050}");
    assert!(!without_8050.contains("need=8050"));
    let (status, _, after) = page(&harness, &without_8050, None);
    assert_eq!(status, StatusCode::OK);
    assert!(after.contains("ひきこもり<span class=\"words\">「閉じこもり」</span>"), "the words stay with the need");
    assert!(!after.contains("aria-label=\"8050問題を外す\""));
    assert!(after.contains("困りごと: "), "places are matched for ひきこもり");
    // With no need left, no place is matched for one: the results follow the chips.
    let (_, _, none) = page(&harness, &link_with(&after, "aria-label=\"ひきこもりを外す\""), None);
    assert!(none.contains("読み取れませんでした") && !none.contains("困りごと: "), "{none}");

    // A need the text does not say, added by the worker: no words, and places for it.
    let added = format!("/?q={}&m={}&chosen=1&need=food", encode("相談したい"), encode("江東区"));
    let (_, _, html) = page(&harness, &added, None);
    assert!(html.contains("食の支援 <a"), "an added need has no words: {html}");
}

/// Filters reach the search: kind, free of charge, open at a moment; bad input is
/// said on the page and the page still works.
#[test]
fn filters_and_bad_input_on_the_page() {
    let harness = Harness::new(ServerOptions::default());
    let kind = format!("/?q={}&m={}&kind=community-support-center", encode("相談"), encode("江東区"));
    let (_, _, html) = page(&harness, &kind, None);
    let kinds: Vec<&str> =
        html.split("<p class=\"kind\">").skip(1).map(|rest| rest.split(' ').next().unwrap_or("")).collect();
    // Every place is a 地域包括支援センター, shown with 江東区's name for it.
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| *k == "長寿サポートセンター（地域包括支援センター）"),
        "{kinds:?}"
    );

    let at = format!("/?q={}&at=2026-11-24T10%3A00", encode("健康チェック 葛飾"));
    let (_, _, html) = page(&harness, &at, None);
    assert!(html.contains("value=\"2026-11-24T10:00\""), "the moment stays in the form");

    let bad = format!("/?q={}&m={}&age=abc", encode("相談"), encode("どこでも区"));
    let (status, _, html) = page(&harness, &bad, None);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"problem\" role=\"alert\"") && html.contains("どこでも区"), "{html}");
    assert!(html.contains("どんなことでお困りですか"), "the form is still there");
    harness.still_serves();
}

/// Picked places make a referral sheet: both places, a QR code where there is a phone
/// or a web address, laid out for A4; an unknown pick is left out, not an error.
#[test]
fn picked_places_make_a_referral_sheet() {
    let harness = Harness::new(ServerOptions::default());
    // The seed's documents give no phone for a place; a steward adds one for this test
    // (the number is a made-up test value, in a test store only).
    let record = json!({ "id": "test-fixture-window", "name": "試験用の相談窓口", "kind": "consultation-window",
        "needs": ["8050"], "contacts": [{ "phone": "03-0000-0000" }],
        "provenance": [{ "source": "koto-isolation-platform", "verified": "2026-11-22" }] });
    let upsert = json!({ "query": "mutation($r: JSON!) { upsertResource(record: $r) { change { number } } }",
        "variables": { "r": record } });
    let (status, body) = harness.graphql(&upsert.to_string(), Some(STEWARD_TOKEN));
    assert_eq!(status, StatusCode::OK, "{body}");
    let path = "/sheet?q=x&chosen=1&need=8050&pick=koto-shakyo-window&pick=test-fixture-window&pick=no-such-place";
    let (status, _, html) = page(&harness, path, None);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("つなぎシート") && html.contains("困りごと：8050問題"), "{html}");
    assert!(html.contains("江東区社会福祉協議会（相談・地域福祉）") && html.contains("試験用の相談窓口"));
    assert_eq!(html.matches("<section class=\"sheet-place\">").count(), 2, "the unknown pick is left out");
    assert!(html.contains(r#"<svg role="img" aria-label="tel:0300000000""#), "a QR code of the phone");
    assert!(html.contains(r#"<a href="tel:0300000000">03-0000-0000</a>"#));
    assert!(html.contains(r#"href="/page.css""#) && !html.contains("<script"));
    let back = link_with(&html, "検索にもどる");
    assert!(back.starts_with("/?q=x") && back.contains("pick=koto-shakyo-window"), "{back}");
}

/// The stewards' view: without a token only the sign-in form, no finding and no change;
/// with one (signed in by the form, or a bearer header) the audit's findings with links
/// to the records, the coverage heat map, the change log, and a record's page with its
/// provenance and its referrals in and out.
#[test]
fn the_stewards_view_needs_a_token_and_shows_the_network() {
    let harness = Harness::new(ServerOptions::default());
    let (status, headers, html) = page(&harness, "/stewards", None);
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<form method="post" action="/stewards/sign-in""#), "{html}");
    assert!(!html.contains("点検結果（") && !html.contains("REFERS_TO_CLOSED_PLACE"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let (_, _, html) = page(&harness, "/stewards/record?id=nagoya-kita-issho-ni-kangaeru-ba", None);
    assert!(
        html.contains("/stewards/sign-in") && !html.contains("困りごとをみんなで一緒に考える場"),
        "no record without a token"
    );

    // A wrong token is refused, saying so; the right one is kept in an HttpOnly cookie.
    let sign_in = |token: &str| {
        let request = Request::post("/stewards/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={}", encode(token))))
            .unwrap();
        harness.send(request)
    };
    let (_, headers, html) = sign_in("ys_not-a-token");
    assert!(html.contains("このトークンは使えません") && headers.get(header::SET_COOKIE).is_none());
    let (status, headers, _) = sign_in(STAFF_TOKEN);
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/stewards");
    let set_cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    let (status, _, html) = page(&harness, "/stewards", Some(&cookie));
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("koto-counter（職員）でログイン中"));
    // The seed's three escalations to 004's planned place are found, linked to records.
    assert!(html.contains("終わった場所へのつなぎ（3件）"), "{html}");
    assert!(html.contains(r#"<a href="/stewards/record?id=sewayaki-to-issho-ni-kangaeru-ba">"#));
    // The heat map: a row per municipality with places, a column per need; 名古屋市北区's
    // places are the plan's windows, salons and supports, none for food.
    assert!(html.contains(r#"<th scope="row">江東区</th>"#) && html.contains(r#"<th scope="col">食の支援</th>"#));
    assert!(html.contains(r#"title="名古屋市北区・食の支援: 0">空白</td>"#), "{html}");
    assert!(html.contains("変更はまだありません"), "nothing edited yet");

    // An edit through the API shows in the change log and on the record's page.
    let verify = json!({ "query": "mutation { verifyResource(id: \"koto-shakyo-window\", \
        source: \"koto-isolation-platform\", note: \"電話で確認\") { change { number } } }" });
    let (status, body) = harness.graphql(&verify.to_string(), Some(STEWARD_TOKEN));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    let (_, _, html) = page(&harness, "/stewards", Some(&cookie));
    assert!(html.contains("koto-steward</td><td>確認</td>"), "{html}");
    assert!(html.contains("電話で確認"));

    let path = "/stewards/record?id=nagoya-kita-issho-ni-kangaeru-ba";
    let mut request = Request::get(path);
    request = request.header(header::AUTHORIZATION, format!("Bearer {STEWARD_TOKEN}"));
    let (status, _, html) = harness.send(request.body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("困りごとをみんなで一緒に考える場（名古屋市北区）") && html.contains("準備中"));
    assert!(html.contains("名古屋市北区 地域福祉活動計画"), "the source's title: {html}");
    assert!(html.contains("つなぎ元（この記録へ）（3件）") && html.contains("つなぎ先（この記録から）（0件）"));
    assert!(html.contains("専門機関へつなぐ"));
    let (status, _, _) = page(&harness, "/stewards/record?id=no-such-record", Some(&cookie));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, html) = page(&harness, "/stewards/record?id=koto-shakyo-window", Some(&cookie));
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("この記録の変更履歴") && html.contains("電話で確認"), "{html}");

    // Signing out forgets the cookie.
    let (status, headers, _) = harness.send(Request::post("/stewards/sign-out").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
}

/// The read-only HSDS API: the root names version and profile; every list is a `Page`
/// whose items validate against HSDS's `_list` schemas and every document by id against
/// the compiled ones; filters and paging do what they say; bad parameters are refused.
#[test]
fn the_hsds_api_answers_in_hsds_shapes() {
    use crate::hsds::{problems, schema};
    let harness = Harness::new(ServerOptions::default());
    let get = |path: &str| {
        let (status, _, body) = page(&harness, path, None);
        (status, serde_json::from_str::<Value>(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")))
    };
    let (status, root) = get("/hsds/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(root["version"], "3.0");
    assert_eq!(root["profile"], "urn:yorisoi:hsds-profile:ja:1");

    // The Page envelope as openapi.json defines it.
    let openapi: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("tests/hsds-3.0/schema/openapi.json")).unwrap())
            .unwrap();
    let page_schema = jsonschema::validator_for(&openapi["components"]["schemas"]["Page"]).unwrap();
    let lists = [
        ("/hsds/services?per_page=100", Some("compiled/service_list.json")),
        ("/hsds/organizations?per_page=100", Some("compiled/organization_list.json")),
        ("/hsds/service_at_locations?per_page=100", Some("compiled/service_at_location_list.json")),
        ("/hsds/taxonomies", None),
        ("/hsds/taxonomy_terms?per_page=100", None),
    ];
    for (path, item_schema) in lists {
        let (status, body) = get(path);
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(page_schema.iter_errors(&body).next().is_none(), "{path}");
        assert!(body["total_items"].as_u64().unwrap() > 0 && body["first_page"] == true, "{path}");
        if let Some(item_schema) = item_schema {
            let validator = schema(item_schema);
            for item in body["contents"].as_array().unwrap() {
                let found = problems(&validator, item);
                assert!(found.is_empty(), "{path} {}: {found:#?}", item["name"]);
            }
        }
    }

    // Paging: 38 services, 10 a page → 4 pages, the last holding 8.
    let (_, last) = get("/hsds/services?per_page=10&page=4");
    assert_eq!(
        (last["total_items"].as_u64(), last["total_pages"].as_u64(), last["size"].as_u64()),
        (Some(38), Some(4), Some(8))
    );
    assert_eq!(last["last_page"], true);
    // Search in Japanese goes through Yorisoi's search: the 8050 windows come first.
    let (_, found) = get(&format!("/hsds/services?search={}", encode("ひきこもり")));
    let names: Vec<&str> = found["contents"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.iter().any(|n| n.contains("長寿サポートセンター")), "{names:?}");
    // A taxonomy term filters services: those tagged with the term itself (8050問題).
    let term = yorisoi_hsds::uuid("taxonomy_term", "need/8050");
    let (_, tagged) = get(&format!("/hsds/services?taxonomy_term_id={term}&per_page=100"));
    let expected = yorisoi_seed::read_dir(&seed_dir())
        .unwrap()
        .directory
        .resources
        .iter()
        .filter(|r| r.needs.iter().any(|n| n.as_str() == "8050"))
        .count();
    assert_eq!(tagged["total_items"].as_u64(), Some(expected as u64));
    // By organization.
    let org = yorisoi_hsds::uuid("organization", "koto-shakyo");
    let (_, run) = get(&format!("/hsds/services?organization_id={org}"));
    assert!(run["contents"].as_array().unwrap().iter().all(|s| s["organization_id"] == org.as_str()));
    assert!(run["total_items"].as_u64().unwrap() >= 1);

    // One document by id, against the compiled schema.
    let id = yorisoi_hsds::uuid("service", "koto-choju-support-centers");
    let (status, service) = get(&format!("/hsds/services/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert!(problems(&schema("compiled/service.json"), &service).is_empty());
    assert_eq!(service["name"], "長寿サポートセンター（江東区内21か所）");
    let (status, organization) = get(&format!("/hsds/organizations/{org}"));
    assert_eq!(status, StatusCode::OK);
    assert!(problems(&schema("compiled/organization.json"), &organization).is_empty());
    let terms = format!("/hsds/taxonomy_terms/{term}");
    assert_eq!(get(&terms).1["name"], "8050問題");
    // An id of another table, or none, is 404; bad parameters are 400 and say why.
    assert_eq!(get(&format!("/hsds/organizations/{id}")).0, StatusCode::NOT_FOUND);
    assert_eq!(get("/hsds/services/not-an-id").0, StatusCode::NOT_FOUND);
    let (status, refused) = get("/hsds/services?per_page=1000");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused["error"].as_str().unwrap().contains("per_page"));
    assert_eq!(get("/hsds/services?colour=blue").0, StatusCode::BAD_REQUEST);
    assert_eq!(get("/hsds/services?modified_after=yesterday").0, StatusCode::BAD_REQUEST);
    let (_, none) = get("/hsds/services?modified_after=2099-01-01");
    assert_eq!((none["total_items"].as_u64(), none["empty"].as_bool()), (Some(0), Some(true)));
}

/// 「私の窓口」: with a municipality chosen the worker picks their own window; each place
/// then says how that window reaches it (names and how each step goes), that it is the
/// window itself, or that no referral is recorded; the kind shows its local name.
#[test]
fn the_workers_own_window_shows_the_chain_to_each_place() {
    let harness = Harness::new(ServerOptions::default());
    let path =
        format!("/?q={}&m={}&from=koto-choju-oen-window", encode("一人暮らしで話し相手がいない"), encode("江東区"));
    let (status, _, html) = page(&harness, &path, None);
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"<option value="koto-choju-oen-window" selected>"#), "the picker keeps the window: {html}");
    assert!(html.contains(r#"<p class="chain">ここが私の窓口です</p>"#));
    // 長寿応援課's window → the division that runs it → the 見守り支援事業 it runs.
    assert!(
        html.contains("私の窓口から：長寿応援課（孤独・孤立対策、高齢者の見守り） →（運営）江東区 福祉部 長寿応援課 →（運営）高齢者地域見守り支援事業"),
        "{html}"
    );
    assert!(html.contains("私の窓口から：登録されたつなぎはありません"), "a place no referral reaches says so");
    assert!(html.contains("長寿サポートセンター（地域包括支援センター）"), "the kind with its local name");
    // The choice travels in every link (chips, the sheet's form).
    assert!(html.contains(r#"<input type="hidden" name="from" value="koto-choju-oen-window">"#));
    // Without a municipality there is no window to pick.
    let (_, _, plain) = page(&harness, &format!("/?q={}", encode("話し相手がいない")), None);
    assert!(!plain.contains("私の窓口"));
}
