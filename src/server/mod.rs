//! `yorisoi serve`: the GraphQL API over HTTP and the frontline page. A thin host around
//! [`yorisoi_graphql::Service`]: routes, bearer tokens, limits, load shedding, CORS,
//! metrics and request logs; `page` renders the worker's page and the referral sheet
//! from the same schema. GraphQL runs on a blocking thread (search and the graph
//! are synchronous work).

mod hsds;
mod html;
mod listen;
mod metrics;
mod page;
mod stewards;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use yorisoi_graphql::{Caller, Live, Options, Service, Snapshot, Tokens};
use yorisoi_store::Store;

pub use metrics::{Gauges, Metrics};

/// The largest request body accepted (a GraphQL query is small).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest answer sent (a page of 100 full records is well under 1 MiB).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// The longest a request may take to arrive and run, unless configured otherwise.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a client may take to send a request's headers, and the longest an idle
/// keep-alive connection stays open.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections at most; past it new ones wait to be accepted. Below the usual
/// limit of 1,024 open files, leaving room for the store and the index.
pub const MAX_CONNECTIONS: usize = 512;
/// How often a server reads the change log when nothing woke it.
pub const FOLLOW_POLL: Duration = Duration::from_secs(1);
/// How long a shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How the server behaves beyond the schema.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Serve GraphiQL on GET /graphql.
    pub graphiql: bool,
    /// Origins a browser may call the API from (CORS); none means same-origin only.
    pub cors_origins: Vec<HeaderValue>,
    /// GraphQL requests answered at once; more are refused with 503 at once, not queued.
    pub max_concurrent: usize,
    /// GraphQL requests whose work runs at the same time (the rest of those admitted
    /// wait their turn); default one per core.
    pub workers: usize,
    /// The longest a request's body may take to arrive (408 after), and the moment
    /// after which its fields are no longer run (they answer `TIMEOUT`).
    pub timeout: Duration,
    /// The longest a client may take to send headers, or stay idle between requests.
    pub header_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    /// How long SIGTERM waits for requests in flight before the process exits.
    pub grace: Duration,
    /// Answer /metrics only to a staff or steward token. Off by default: the metrics
    /// are counts and timings, with no record or query text in them.
    pub private_metrics: bool,
    /// The largest answer sent; a larger one is replaced by an error. The field count
    /// and cost limits keep answers far below it; this bounds what they miss.
    pub max_response_bytes: usize,
    /// How often the change log is read when no notification came (PostgreSQL wakes
    /// followers at once; SQLite has only this), and how often the audit looks for a
    /// new snapshot.
    pub follow_poll: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            graphiql: true,
            cors_origins: Vec::new(),
            max_concurrent: 64,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            timeout: REQUEST_TIMEOUT,
            header_timeout: HEADER_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            grace: SHUTDOWN_GRACE,
            private_metrics: false,
            max_response_bytes: MAX_RESPONSE_BYTES,
            follow_poll: FOLLOW_POLL,
        }
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub service: Service,
    pub metrics: Arc<Metrics>,
    /// Permits for GraphQL requests in flight; when none is free, requests are shed.
    /// A permit is held until the request's work has ended, not only its answer.
    pub in_flight: Arc<Semaphore>,
    /// Permits to run GraphQL work, one per core: requests past them wait their turn
    /// (first come, first served) instead of sharing the cores and all finishing late.
    workers: Arc<Semaphore>,
    max_concurrent: usize,
    timeout: Duration,
    private_metrics: bool,
    max_response_bytes: usize,
    /// The HSDS documents of the last snapshot the HSDS API was asked about.
    hsds: hsds::Cache,
}

impl AppState {
    pub fn new(service: Service, options: &ServerOptions) -> Self {
        AppState {
            service,
            metrics: Arc::new(Metrics::default()),
            in_flight: Arc::new(Semaphore::new(options.max_concurrent)),
            workers: Arc::new(Semaphore::new(options.workers.max(1))),
            max_concurrent: options.max_concurrent,
            timeout: options.timeout,
            private_metrics: options.private_metrics,
            max_response_bytes: options.max_response_bytes,
            hsds: hsds::Cache::default(),
        }
    }
}

/// The HTTP routes over a service.
pub fn app(state: AppState, options: &ServerOptions) -> Router {
    let mut graphql = post(graphql);
    let mut router = Router::new();
    if options.graphiql {
        graphql = graphql.get(graphiql_page);
        router = router.route("/graphiql.js", get(graphiql_script));
    }
    let graphql_route = Router::new().route("/graphql", graphql).route_layer(middleware::from_fn(json_only));
    // The stewards' view shows staff-only facts: no cache keeps a copy.
    let stewards_routes = Router::new()
        .route("/stewards", get(stewards::overview))
        .route("/stewards/record", get(stewards::record))
        .route("/stewards/sign-in", post(stewards::sign_in_post))
        .route("/stewards/sign-out", post(stewards::sign_out))
        .route_layer(middleware::map_response(no_store));
    let mut router = router
        .merge(graphql_route)
        .merge(stewards_routes)
        .route("/hsds", get(hsds::root))
        .route("/hsds/", get(hsds::root))
        .route("/hsds/services", get(hsds::services))
        .route("/hsds/services/{id}", get(hsds::service))
        .route("/hsds/organizations", get(hsds::organizations))
        .route("/hsds/organizations/{id}", get(hsds::organization))
        .route("/hsds/service_at_locations", get(hsds::service_at_locations))
        .route("/hsds/service_at_locations/{id}", get(hsds::service_at_location))
        .route("/hsds/taxonomies", get(hsds::taxonomies))
        .route("/hsds/taxonomies/{id}", get(hsds::taxonomy))
        .route("/hsds/taxonomy_terms", get(hsds::taxonomy_terms))
        .route("/hsds/taxonomy_terms/{id}", get(hsds::taxonomy_term))
        .route("/", get(page::page))
        .route("/sheet", get(page::sheet))
        .route("/page.css", get(stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readiness))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .with_state(state)
        // tower-http's limit, unlike axum's DefaultBodyLimit, covers every extractor.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::map_response(in_graphql_shape))
        .layer(middleware::map_response(page_headers));
    if !options.cors_origins.is_empty() {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(options.cors_origins.clone()))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
    }
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            })
            .on_request(())
            .on_response(|response: &Response, took: Duration, _: &tracing::Span| {
                tracing::info!(status = response.status().as_u16(), ms = took.as_secs_f64() * 1e3, "answered");
            }),
    )
}

/// An error answered before GraphQL runs, in GraphQL's error shape so clients parse
/// one format.
fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Refusals made by layers (a body over the limit) in GraphQL's error shape, so
/// clients parse one format.
async fn in_graphql_shape(response: Response) -> Response {
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !is_json => refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the request body is over {MAX_BODY_BYTES} bytes; send a smaller query"),
        ),
        _ => response,
    }
}

/// The content security policy of the GraphiQL page: its scripts and styles only from
/// the pinned CDN files (whose hashes the page names) and this server.
const GRAPHIQL_CSP: &str = "default-src 'none'; script-src 'self' https://unpkg.com; style-src https://unpkg.com \
     'unsafe-inline'; font-src https://unpkg.com data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

async fn graphiql_page() -> Response {
    (
        [(header::CONTENT_SECURITY_POLICY, GRAPHIQL_CSP), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")],
        Html(include_str!("graphiql.html")),
    )
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        html::STYLESHEET,
    )
        .into_response()
}

/// Security headers of the frontline pages: no script, nothing from elsewhere.
async fn page_headers(response: Response) -> Response {
    let mut response = response;
    let is_html = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html && !response.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(html::PAGE_CSP));
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    response
}

async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn graphiql_script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("graphiql.js")).into_response()
}

/// POST /graphql takes `application/json` only: a form or text/plain post is what a
/// cross-site page can send without CORS, so it is refused before anything runs.
async fn json_only(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the GraphQL request as JSON with `Content-Type: application/json`",
        );
    }
    next.run(request).await
}

/// The answer when the server is already answering as many GraphQL requests as it
/// may: 503 with Retry-After at once, so a burst cannot queue requests past their
/// timeout.
fn overloaded(state: &AppState) -> Response {
    state.metrics.shed();
    let mut response = refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "OVERLOADED",
        "the server is answering as many requests as it can; retry in a second",
    );
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Counts every answer by route and status for `/metrics`.
async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("other", |p| p.as_str()).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Ready once this server has caught up with the change log since it started (it
/// stays ready while it follows, serving at most a moment behind, rather than leave a
/// load balancer with no server during a large load).
async fn readiness(State(state): State<AppState>) -> Response {
    let status = state.service.live().follow_status();
    if status.ready {
        "ready".into_response()
    } else {
        let message = format!("catching up with the change log: {} entries behind", status.lag_entries);
        (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
    }
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.private_metrics && !matches!(caller(&state.service, &headers), Ok(Some(_))) {
        return unauthorized("/metrics needs a staff or steward token: send `Authorization: Bearer <token>`");
    }
    let live = state.service.live();
    let snapshot = live.snapshot();
    let audit = live.last_audit();
    let gauges = Gauges {
        in_flight: state.max_concurrent - state.in_flight.available_permits(),
        resources: snapshot.directory.resources.len(),
        referrals: snapshot.directory.referrals.len(),
        store_statements: live.store().statements_run(),
        follow: live.follow_status(),
        audit: audit.map(|a| (a.version, a.took.as_secs_f64())),
        index_rebuilding: live.rebuilding_index(),
    };
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(gauges)).into_response()
}

fn unauthorized(message: &str) -> Response {
    let mut response = refusal(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The caller named by `Authorization: Bearer …`; a header that names no known token
/// is an error (its message), not an anonymous request, so a client learns its token
/// is wrong.
fn caller(service: &Service, headers: &HeaderMap) -> Result<Option<Caller>, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value.to_str().ok().and_then(bearer_token).ok_or("use `Authorization: Bearer <token>`")?;
    service.authenticate(token).map(Some).ok_or("this token is not known to the server")
}

/// The token of a `Bearer` credential; the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

async fn graphql(State(state): State<AppState>, request: Request) -> Response {
    let deadline = Instant::now() + state.timeout;
    let Ok(permit) = Arc::clone(&state.in_flight).try_acquire_owned() else { return overloaded(&state) };
    let (parts, body) = request.into_parts();
    let caller = match caller(&state.service, &parts.headers) {
        Ok(caller) => caller,
        Err(message) => return unauthorized(message),
    };
    let body = match tokio::time::timeout_at(deadline.into(), axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return in_graphql_shape(StatusCode::PAYLOAD_TOO_LARGE.into_response()).await,
        Err(_) => {
            return refusal(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "the request body did not arrive in time; send it at once",
            );
        }
    };
    let request = match parse_request(&body) {
        Ok(request) => request,
        Err(message) => return refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message),
    };
    let Ok(turn) = Arc::clone(&state.workers).acquire_owned().await else {
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR", "internal error");
    };
    let service = state.service.clone();
    let handle = tokio::runtime::Handle::current();
    // Off the async workers: a search or an audit is CPU work. The permit goes with
    // the work, so `max_concurrent` bounds work in progress even when the client has
    // gone; fields that would start after the deadline are not run.
    let work = tokio::task::spawn_blocking(move || {
        let response = handle.block_on(service.execute_until(request, caller, Some(deadline)));
        drop((turn, permit));
        response
    });
    let Ok(response) = work.await else {
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR", "internal error");
    };
    for error in &response.errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| if let async_graphql::Value::String(s) = c { Some(s.as_str()) } else { None })
            .unwrap_or("GRAPHQL_VALIDATION_FAILED");
        state.metrics.graphql_error(code);
    }
    let Ok(body) = serde_json::to_vec(&response) else {
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR", "internal error");
    };
    if body.len() > state.max_response_bytes {
        state.metrics.graphql_error("RESPONSE_TOO_LARGE");
        return refusal(
            StatusCode::OK,
            "RESPONSE_TOO_LARGE",
            &format!(
                "the answer would be {} bytes, over the {} allowed; ask for fewer fields or smaller pages",
                body.len(),
                state.max_response_bytes
            ),
        );
    }
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// One GraphQL request from a JSON body; batches are refused (one operation, one cost).
fn parse_request(body: &[u8]) -> Result<async_graphql::Request, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    if value.is_array() {
        return Err("batched requests are not accepted; send one operation per request".to_owned());
    }
    if !value.get("query").is_some_and(serde_json::Value::is_string) {
        return Err("the request has no `query` string; send {\"query\": \"…\", \"variables\": {…}}".to_owned());
    }
    serde_json::from_value(value).map_err(|e| format!("not a GraphQL request: {e}; send {{\"query\": \"…\"}}"))
}

/// The served directory from the store, loading `seed` first when the store is empty
/// (the embedded default's first run), with its search index under `data_dir`, caught
/// up with the change log.
pub async fn prepare(url: &str, seed: &Path, data_dir: &Path) -> anyhow::Result<Live> {
    let store = Store::connect(url).await?;
    let (mut directory, mut version) = store.read_directory_at().await?;
    if directory.resources.is_empty() && directory.organizations.is_empty() && seed.exists() {
        let set = yorisoi_seed::read_dir(seed).with_context(|| format!("loading {} on first run", seed.display()))?;
        match store.load_as(&set.directory, "first run", |_| true).await {
            Ok((report, _)) => {
                tracing::info!(created = report.total().created, "loaded the seed directory on first run")
            }
            // Another server starting on the same empty database may have loaded it
            // first; what it loaded is read below.
            Err(error) => tracing::warn!(%error, "first-run load not written; reading what the store holds"),
        }
        (directory, version) = store.read_directory_at().await?;
    }
    let data_dir = data_dir.to_owned();
    let directory = Arc::new(directory);
    let for_index = Arc::clone(&directory);
    let (snapshot, stale) = tokio::task::spawn_blocking(move || {
        let target = yorisoi_search::index_dir(&data_dir);
        // An index made by other analyzers is served from while this build's is made
        // beside it (`serve` starts the rebuild), rather than keep workers waiting.
        if !yorisoi_search::is_current_index(&target)
            && let Some(stale) = yorisoi_search::stale_index_dir(&data_dir)
            && let Some((index, _)) = yorisoi_search::SearchIndex::open_stale(&stale, &for_index, Some(version))?
        {
            tracing::info!(stale = %stale.display(), "search index made by other analyzers; serving from it while a new one is built");
            return anyhow::Ok((Snapshot::at_version(for_index, Arc::new(index), version), Some((stale, target))));
        }
        let (index, _) = yorisoi_search::SearchIndex::open_at(&target, &for_index, Some(version))?;
        anyhow::Ok((Snapshot::at_version(for_index, Arc::new(index), version), None))
    })
    .await??;
    let live = Live::new(store, snapshot);
    if let Some((stale, target)) = stale {
        live.rebuild_index_later(stale, target);
    }
    live.catch_up().await?;
    Ok(live)
}

/// Reads the tokens file and the `YORISOI_TOKENS` text (either may be absent).
pub fn tokens(file: Option<&Path>, env_text: Option<&str>) -> anyhow::Result<Tokens> {
    let mut tokens = Tokens::default();
    if let Some(file) = file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("cannot read tokens file {}", file.display()))?;
        tokens.add_lines(&text, &file.display().to_string())?;
    }
    if let Some(text) = env_text {
        // In a variable, `;` may stand for a line break.
        tokens.add_lines(&text.replace(';', "\n"), "YORISOI_TOKENS")?;
    }
    Ok(tokens)
}

/// Serves until SIGTERM or Ctrl-C, then finishes requests in flight for at most the
/// grace period.
pub async fn serve(service: Service, options: &ServerOptions, addr: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    // Tests and scripts read this line to find the port when ADDR ends in :0.
    println!("Yorisoi GraphQL API on http://{}/graphql", listener.local_addr()?);
    serve_on(listener, service, options, shutdown()).await;
    Ok(())
}

/// Serves on a bound listener until `stop` completes (the benchmarks' entry point).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    service: Service,
    options: &ServerOptions,
    stop: impl std::future::Future<Output = ()>,
) {
    let live = service.shared_live();
    let follower = tokio::spawn(Arc::clone(&live).follow(options.follow_poll));
    let rebuilder = Arc::clone(&live);
    let rebuild = tokio::spawn(async move {
        if let Err(error) = rebuilder.rebuild_index().await {
            tracing::error!(%error, "the new search index could not be built; still serving from the stale one");
        }
    });
    let auditor = tokio::spawn(live.keep_audited(options.follow_poll));
    let router = app(AppState::new(service, options), options);
    listen::serve_connections(listener, router, options, stop).await;
    follower.abort();
    rebuild.abort();
    auditor.abort();
}

/// Builds the service over a live directory with the schema options.
pub fn service(live: Live, tokens: Tokens, introspection: bool) -> Service {
    Service::new(live, tokens, &Options { introspection })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
