//! The HTTP server's routes without a socket (`oneshot`), on the seed directory.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use yorisoi::server::{MAX_BODY_BYTES, api, app};

use crate::support::seed_dir;

fn router() -> axum::Router {
    let directory = Arc::new(yorisoi_seed::read_dir(&seed_dir()).unwrap().directory);
    let index = yorisoi_search::SearchIndex::in_ram(&directory).unwrap();
    app(yorisoi_graphql::schema(api(directory, index)))
}

fn post(body: impl Into<Body>, content_type: &str) -> Request<Body> {
    Request::post("/graphql").header(header::CONTENT_TYPE, content_type).body(body.into()).unwrap()
}

async fn send(request: Request<Body>) -> (StatusCode, String) {
    let response = router().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn a_search_over_http() {
    runtime().block_on(async {
        let query = r#"{"query":"{ search(query: \"ふーどばんく 八王子\", first: 1) { edges { node { resource { name } } } } }"}"#;
        let (status, body) = send(post(query, "application/json")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["data"]["search"]["edges"][0]["node"]["resource"]["name"], "フードバンク八王子");
    });
}

#[test]
fn health_and_readiness() {
    runtime().block_on(async {
        let (status, body) = send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
        let (status, _) = send(Request::get("/readyz").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
    });
}

#[test]
fn hostile_requests_are_refused_with_their_status() {
    runtime().block_on(async {
        // An oversized body: refused from its Content-Length before anything is read…
        let huge = format!(r#"{{"query":"{{ needs {{ code }} }}","padding":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
        let mut request = post(huge.clone(), "application/json");
        request.headers_mut().insert(header::CONTENT_LENGTH, huge.len().into());
        let (status, _) = send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        // …and, without a length, cut off while the GraphQL extractor reads it.
        let (status, _) = send(post(huge, "application/json")).await;
        assert!(status.is_client_error(), "{status}");
        // Batches are not served.
        let (status, _) = send(post(r#"[{"query":"{ needs { code } }"}]"#, "application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Malformed JSON.
        let (status, _) = send(post(r#"{"query": "#, "application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // A huge page size is a GraphQL error with its code, and the server goes on.
        let (status, body) =
            send(post(r#"{"query":"{ resources(first: 100000) { totalCount } }"}"#, "application/json")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("BAD_USER_INPUT"), "{body}");
        let (status, _) = send(post(r#"{"query":"{ needs { code } }"}"#, "application/json")).await;
        assert_eq!(status, StatusCode::OK);
    });
}
