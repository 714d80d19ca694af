//! `yorisoi serve`: the GraphQL API over HTTP. A thin host: axum routes, limits, and
//! the schema run on a blocking thread (search and the graph are synchronous work).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use yorisoi_core::{Directory, ReferralGraph};
use yorisoi_graphql::{Api, YorisoiSchema};
use yorisoi_store::Store;

/// The largest request body accepted (a GraphQL query is small).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest a request may run.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP routes over a schema.
pub fn app(schema: YorisoiSchema) -> Router {
    Router::new()
        .route("/graphql", post(graphql))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ready" }))
        .with_state(schema)
        // tower-http's limit, unlike axum's DefaultBodyLimit, also covers the GraphQL extractor.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
}

async fn graphql(State(schema): State<YorisoiSchema>, request: GraphQLRequest) -> Result<GraphQLResponse, StatusCode> {
    let request = request.into_inner();
    let handle = tokio::runtime::Handle::current();
    // Off the async workers: a search or an audit is CPU work.
    let response = tokio::task::spawn_blocking(move || handle.block_on(schema.execute(request)))
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(response.into())
}

/// Builds the schema over the store's directory, loading `seed` first when the store
/// is empty (the embedded default's first run).
pub async fn prepare(url: &str, seed: &Path, data_dir: &Path) -> anyhow::Result<YorisoiSchema> {
    let store = Store::connect(url).await?;
    let mut directory = store.read_directory().await?;
    if directory.resources.is_empty() && directory.organizations.is_empty() && seed.exists() {
        let set = yorisoi_seed::read_dir(seed).with_context(|| format!("loading {} on first run", seed.display()))?;
        let report = store.replace_directory(&set.directory).await?;
        tracing::info!(created = report.total().created, "loaded the seed directory on first run");
        directory = store.read_directory().await?;
    }
    store.close().await?;
    let data_dir = data_dir.to_owned();
    let directory = Arc::new(directory);
    let for_index = Arc::clone(&directory);
    let index = tokio::task::spawn_blocking(move || {
        yorisoi_search::SearchIndex::open_or_create(&data_dir.join("index"), &for_index).map(|(index, _)| index)
    })
    .await??;
    Ok(yorisoi_graphql::schema(api(directory, index)))
}

/// The schema's inputs from a directory and its index.
pub fn api(directory: Arc<Directory>, index: yorisoi_search::SearchIndex) -> Api {
    let graph = Arc::new(ReferralGraph::new(&directory));
    Api { directory, index: Arc::new(index), graph }
}

/// Serves until SIGTERM or Ctrl-C, finishing requests in flight.
pub async fn serve(schema: YorisoiSchema, addr: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    println!("Yorisoi GraphQL API on http://{}/graphql", listener.local_addr()?);
    axum::serve(listener, app(schema)).with_graceful_shutdown(shutdown()).await?;
    Ok(())
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
    tracing::info!("shutting down after requests in flight");
}
