//! The read-only HSDS 3.0 API under `/hsds/` (Open Referral's OpenAPI: services,
//! organizations, service at locations, taxonomies, taxonomy terms, each listed in the
//! `Page` envelope and fetched by id). The documents are `yorisoi_hsds::export` of the
//! current snapshot, made once per snapshot and kept until an edit replaces it; a
//! `search` on services goes through Yorisoi's Japanese search.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use yorisoi_core::Directory;
use yorisoi_hsds::HsdsExport;

use super::AppState;

/// The HSDS version this API serves.
const VERSION: &str = "3.0";
/// The OpenAPI description this API follows.
const OPENAPI_URL: &str = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json";
const DEFAULT_PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 100;
/// How deep a `search` ranks services (as GraphQL's search pages at most this deep).
const SEARCH_DEPTH: usize = 1_000;

/// The export of one snapshot's directory, with each document's position by id.
#[derive(Debug)]
pub struct Documents {
    directory: Arc<Directory>,
    export: HsdsExport,
    positions: HashMap<String, (Table, usize)>,
    /// Each service's HSDS id by steward's id, to turn search hits into services.
    service_by_key: HashMap<String, usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Service,
    Organization,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
}

impl Table {
    fn of(export: &HsdsExport, table: Table) -> &[Value] {
        match table {
            Table::Service => &export.services,
            Table::Organization => &export.organizations,
            Table::ServiceAtLocation => &export.service_at_locations,
            Table::Taxonomy => &export.taxonomies,
            Table::TaxonomyTerm => &export.taxonomy_terms,
        }
    }
}

/// The documents of the last snapshot asked for; one per server process.
pub type Cache = Arc<Mutex<Option<Arc<Documents>>>>;

fn steward_id(document: &Value) -> Option<&str> {
    document["attributes"].as_array()?.iter().find(|a| a["link_type"] == "yorisoi_id")?["value"].as_str()
}

impl Documents {
    fn new(directory: Arc<Directory>) -> Self {
        let export = yorisoi_hsds::export(&directory, None);
        let mut positions = HashMap::new();
        for table in
            [Table::Service, Table::Organization, Table::ServiceAtLocation, Table::Taxonomy, Table::TaxonomyTerm]
        {
            for (i, document) in Table::of(&export, table).iter().enumerate() {
                if let Some(id) = document["id"].as_str() {
                    positions.insert(id.to_owned(), (table, i));
                }
            }
        }
        let service_by_key =
            export.services.iter().enumerate().filter_map(|(i, s)| Some((steward_id(s)?.to_owned(), i))).collect();
        Documents { directory, export, positions, service_by_key }
    }
}

/// The documents of the current snapshot, made off the async workers when it changed.
async fn documents(state: &AppState) -> Result<Arc<Documents>, Refusal> {
    let snapshot = state.service.live().snapshot();
    if let Some(current) = state.hsds.lock().expect("hsds cache").as_ref()
        && Arc::ptr_eq(&current.directory, &snapshot.directory)
    {
        return Ok(Arc::clone(current));
    }
    let directory = Arc::clone(&snapshot.directory);
    let made = tokio::task::spawn_blocking(move || Arc::new(Documents::new(directory)))
        .await
        .map_err(|e| problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    *state.hsds.lock().expect("hsds cache") = Some(Arc::clone(&made));
    Ok(made)
}

/// A request the API cannot answer: the status and why, as `{"error": …}`.
#[derive(Debug)]
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn problem(status: StatusCode, message: &str) -> Refusal {
    Refusal(status, message.to_owned())
}

/// GET /hsds/: the version and the profile.
pub async fn root() -> Response {
    Json(json!({
        "version": VERSION,
        "profile": yorisoi_hsds::profile::PROFILE,
        "openapi_url": OPENAPI_URL,
    }))
    .into_response()
}

/// The query parameters of a list, checked.
struct Listing {
    page: usize,
    per_page: usize,
    parameters: HashMap<String, String>,
}

impl Listing {
    fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Listing, Refusal> {
        let mut parameters = HashMap::new();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let known = ["page", "per_page", "format", "full", "minimal"].contains(&key.as_ref())
                || allowed.contains(&key.as_ref());
            if !known {
                let message =
                    format!("unknown parameter `{key}`; this list takes page, per_page, {}", allowed.join(", "));
                return Err(problem(StatusCode::BAD_REQUEST, &message));
            }
            parameters.insert(key.into_owned(), value.into_owned());
        }
        let number = |name: &str, default: usize, max: usize| -> Result<usize, Refusal> {
            match parameters.get(name) {
                None => Ok(default),
                Some(text) => text.parse::<usize>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
                    problem(StatusCode::BAD_REQUEST, &format!("`{name}` must be a whole number from 1 to {max}"))
                }),
            }
        };
        Ok(Listing {
            page: number("page", 1, usize::MAX)?,
            per_page: number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)?,
            parameters,
        })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The `Page` envelope around the page asked for of `items`.
    fn page(&self, items: Vec<Value>) -> Response {
        let total = items.len();
        let pages = total.div_ceil(self.per_page);
        let contents: Vec<Value> =
            items.into_iter().skip((self.page - 1).saturating_mul(self.per_page)).take(self.per_page).collect();
        Json(json!({
            "total_items": total,
            "total_pages": pages,
            "page_number": self.page,
            "size": contents.len(),
            "first_page": self.page == 1,
            "last_page": self.page >= pages,
            "empty": contents.is_empty(),
            "contents": contents,
        }))
        .into_response()
    }
}

/// Only the fields an HSDS `_list` document holds (the nested lists are for the
/// document by id).
fn listed(document: &Value, fields: &[&str]) -> Value {
    let object: Map<String, Value> = document
        .as_object()
        .map(|o| o.iter().filter(|(k, _)| fields.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Value::Object(object)
}

const SERVICE_LIST_FIELDS: &[&str] = &[
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "application_process",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "organization",
];
const ORGANIZATION_LIST_FIELDS: &[&str] =
    &["id", "name", "alternate_name", "description", "email", "website", "legal_status", "parent_organization_id"];

fn has_term(document: &Value, term: &str) -> bool {
    document["attributes"].as_array().is_some_and(|a| a.iter().any(|x| x["taxonomy_term_id"] == term))
}

/// Whether a document was checked (its metadata's last action) after `date`.
fn modified_after(document: &Value, date: &str) -> bool {
    document["metadata"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x["last_action_date"].as_str().is_some_and(|d| d > date)))
}

fn checked_date(listing: &Listing) -> Result<Option<String>, Refusal> {
    let Some(text) = listing.get("modified_after") else { return Ok(None) };
    let date = text.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    date.map(|d| Some(d.to_string()))
        .ok_or_else(|| problem(StatusCode::BAD_REQUEST, "`modified_after` must be a date (2026-12-01) or a date-time"))
}

/// GET /hsds/services: search (Japanese, through Yorisoi's index), taxonomy_term_id,
/// organization_id, modified_after, page, per_page.
pub async fn services(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let listing = match Listing::parse(
        query.as_deref(),
        &["search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after"],
    ) {
        Ok(listing) => listing,
        Err(refused) => return refused.into_response(),
    };
    let after = match checked_date(&listing) {
        Ok(after) => after,
        Err(refused) => return refused.into_response(),
    };
    let documents = match documents(&state).await {
        Ok(documents) => documents,
        Err(failed) => return failed.into_response(),
    };
    let all = &documents.export.services;
    // With a search, services in the order of relevance; otherwise in id order.
    let order: Vec<usize> = match listing.get("search") {
        Some(text) => {
            let index = Arc::clone(&state.service.live().snapshot().index);
            let request = yorisoi_search::SearchRequest {
                text: text.to_owned(),
                limit: SEARCH_DEPTH,
                include_inactive: true,
                skip_snippets: true,
                ..yorisoi_search::SearchRequest::default()
            };
            let found = tokio::task::spawn_blocking(move || index.search(&request)).await;
            match found {
                Ok(Ok(results)) => {
                    results.hits.iter().filter_map(|h| documents.service_by_key.get(h.id.as_str()).copied()).collect()
                }
                _ => return problem(StatusCode::INTERNAL_SERVER_ERROR, "the search failed").into_response(),
            }
        }
        None => (0..all.len()).collect(),
    };
    let items = order
        .into_iter()
        .map(|i| &all[i])
        .filter(|s| listing.get("taxonomy_term_id").is_none_or(|t| has_term(s, t)))
        .filter(|s| listing.get("organization_id").is_none_or(|o| s["organization_id"] == o))
        .filter(|s| after.as_deref().is_none_or(|d| modified_after(s, d)))
        .map(|s| listed(s, SERVICE_LIST_FIELDS))
        .collect();
    listing.page(items)
}

/// A simple `search` on names and descriptions, for the lists that are not services.
fn mentions(document: &Value, text: Option<&str>) -> bool {
    text.is_none_or(|t| {
        ["name", "description", "alternate_name"].iter().any(|f| document[*f].as_str().is_some_and(|v| v.contains(t)))
    })
}

async fn plain_list(
    state: AppState,
    query: Option<String>,
    table: Table,
    allowed: &[&str],
    keep: impl Fn(&Value, &Listing) -> bool,
    fields: Option<&[&str]>,
) -> Response {
    let listing = match Listing::parse(query.as_deref(), allowed) {
        Ok(listing) => listing,
        Err(refused) => return refused.into_response(),
    };
    let documents = match documents(&state).await {
        Ok(documents) => documents,
        Err(failed) => return failed.into_response(),
    };
    let items = Table::of(&documents.export, table)
        .iter()
        .filter(|d| mentions(d, listing.get("search")) && keep(d, &listing))
        .map(|d| fields.map_or_else(|| d.clone(), |f| listed(d, f)))
        .collect();
    listing.page(items)
}

/// GET /hsds/organizations.
pub async fn organizations(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    plain_list(
        state,
        query,
        Table::Organization,
        &["search", "full_service"],
        |_, _| true,
        Some(ORGANIZATION_LIST_FIELDS),
    )
    .await
}

/// GET /hsds/service_at_locations.
pub async fn service_at_locations(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    plain_list(
        state,
        query,
        Table::ServiceAtLocation,
        &["search", "organization_id", "taxonomy_term_id", "taxonomy_id", "modified_after", "postcode", "proximity"],
        |_, _| true,
        None,
    )
    .await
}

/// GET /hsds/taxonomies.
pub async fn taxonomies(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    plain_list(state, query, Table::Taxonomy, &["search"], |_, _| true, None).await
}

/// GET /hsds/taxonomy_terms: search, taxonomy_id, parent_id, top_only.
pub async fn taxonomy_terms(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let keep = |term: &Value, listing: &Listing| {
        listing.get("taxonomy_id").is_none_or(|t| term["taxonomy_id"] == t)
            && listing.get("parent_id").is_none_or(|p| term["parent_id"] == p)
            && (listing.get("top_only") != Some("true") || term.get("parent_id").is_none())
    };
    plain_list(state, query, Table::TaxonomyTerm, &["search", "taxonomy_id", "parent_id", "top_only"], keep, None).await
}

/// GET /hsds/{table}/{id}: one document by its HSDS id, or 404.
async fn one(state: AppState, table: Table, id: String) -> Response {
    let documents = match documents(&state).await {
        Ok(documents) => documents,
        Err(failed) => return failed.into_response(),
    };
    match documents.positions.get(&id) {
        Some(&(found, at)) if found == table => Json(Table::of(&documents.export, table)[at].clone()).into_response(),
        _ => problem(StatusCode::NOT_FOUND, &format!("no record with id `{id}` here")).into_response(),
    }
}

pub async fn service(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    one(state, Table::Service, id).await
}

pub async fn organization(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    one(state, Table::Organization, id).await
}

pub async fn service_at_location(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    one(state, Table::ServiceAtLocation, id).await
}

pub async fn taxonomy(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    one(state, Table::Taxonomy, id).await
}

pub async fn taxonomy_term(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    one(state, Table::TaxonomyTerm, id).await
}
