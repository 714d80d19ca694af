//! `yorisoi search`: a worker's query against the store, through the persisted index.

use crate::terminal::say;
use std::path::Path;

use chrono::{NaiveDateTime, Utc};
use serde_json::json;
use yorisoi_core::{Directory, Id, MunicipalityCode};
use yorisoi_search::{SearchIndex, SearchRequest, SearchResults};

/// What the worker asked for, as typed on the command line.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// A name, a kind, or the situation in plain words
    pub query: String,
    /// Only places serving this municipality (name such as 江東区, or code 131083)
    #[arg(long)]
    pub municipality: Option<String>,
    /// Only places addressing this need (label such as ひきこもり, or code)
    #[arg(long)]
    pub need: Vec<String>,
    /// Only places of this kind (label or code)
    #[arg(long)]
    pub kind: Vec<String>,
    /// The person's age, which must fit the audience
    #[arg(long)]
    pub age: Option<u8>,
    /// Only places open now (Japan time); places whose hours are not published are left out
    #[arg(long, conflicts_with = "at")]
    pub open_now: bool,
    /// Only places open at this Japan-time moment (2026-12-12T14:30)
    #[arg(long, value_parser = parse_moment)]
    pub at: Option<NaiveDateTime>,
    /// Only places free of charge
    #[arg(long)]
    pub free: bool,
    /// How many results
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// A moment as a worker writes it: `2026-12-12T14:30`, `2026-12-12 14:30` (seconds optional).
pub fn parse_moment(text: &str) -> Result<NaiveDateTime, String> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .ok_or_else(|| format!("`{text}` is not a moment; write it as 2026-12-12T14:30 (Japan time)"))
}

/// The moment to check opening hours at: `--at`, or now with `--open-now`.
pub fn open_at(at: Option<NaiveDateTime>, open_now: bool) -> Option<NaiveDateTime> {
    at.or_else(|| open_now.then(now_in_japan))
}

/// Now, as a wall-clock time in Japan (no daylight saving there).
pub fn now_in_japan() -> NaiveDateTime {
    yorisoi_core::japan_time(Utc::now())
}

/// A municipality by code or exact name (the directory's lookup).
pub fn resolve_municipality(directory: &Directory, text: &str) -> anyhow::Result<MunicipalityCode> {
    Ok(directory.find_municipality(text)?)
}

pub fn request(directory: &Directory, args: &SearchArgs) -> anyhow::Result<SearchRequest> {
    let municipality = args.municipality.as_deref().map(|m| resolve_municipality(directory, m)).transpose()?;
    let needs = args.need.iter().map(|n| directory.find_need(n)).collect::<Result<_, _>>()?;
    let kinds = args.kind.iter().map(|k| directory.find_kind(k)).collect::<Result<_, _>>()?;
    Ok(SearchRequest {
        text: args.query.clone(),
        municipality,
        needs,
        kinds,
        age: args.age,
        open_at: open_at(args.at, args.open_now),
        free_only: args.free,
        count: true,
        facets: args.json,
        limit: args.limit,
        ..SearchRequest::default()
    })
}

/// Opens the index in `data_dir`, in line with `directory`.
/// The search index under `data_dir`, in line with `directory`. While `yorisoi serve`
/// holds it, it is read as the server keeps it; if it differs from the store (the
/// store was loaded behind the server's back), the command builds its own in memory.
pub fn open_index(data_dir: &Path, directory: &Directory) -> anyhow::Result<SearchIndex> {
    match SearchIndex::open_or_create(&yorisoi_search::index_dir(data_dir), directory) {
        Ok((index, report)) => {
            tracing::info!(?report, writable = index.is_writable(), "search index ready");
            Ok(index)
        }
        Err(yorisoi_search::SearchError::HeldElsewhere(place)) => {
            eprintln!(
                "note: the search index {place} is in use by a running server and differs from the store; \
                 searching a copy built in memory"
            );
            Ok(SearchIndex::in_ram(directory)?)
        }
        Err(error) => Err(error.into()),
    }
}

/// The first public phone number of a resource.
pub fn phone_of(directory: &Directory, id: &Id) -> Option<String> {
    let resource = directory.resources.iter().find(|r| &r.id == id)?;
    resource.contacts.iter().filter(|c| !c.staff_only).find_map(|c| c.phone.clone())
}

pub fn print(directory: &Directory, args: &SearchArgs, results: &SearchResults) {
    let label =
        |code: &Id| directory.needs.iter().find(|n| &n.code == code).map_or(code.to_string(), |n| n.label.clone());
    if args.json {
        let hits: Vec<_> = results
            .hits
            .iter()
            .map(|h| {
                json!({
                    "id": h.id.as_str(),
                    "name": h.name,
                    "score": h.score,
                    "reason": h.reason,
                    "matchedNeeds": h.matched_needs.iter().map(Id::as_str).collect::<Vec<_>>(),
                    "snippet": h.snippet.fragment,
                    "highlights": h.snippet.highlights,
                    "phone": phone_of(directory, &h.id),
                })
            })
            .collect();
        let facet = |items: Vec<(String, usize)>| {
            items.into_iter().map(|(k, c)| json!({"value": k, "count": c})).collect::<Vec<_>>()
        };
        let out = json!({
            "query": args.query,
            "total": results.total,
            "understoodNeeds": results.understood.needs.iter().map(|n| json!({"code": n.code.as_str(), "label": n.label, "matched": n.matched})).collect::<Vec<_>>(),
            "hits": hits,
            "facets": {
                "needs": facet(results.facets.needs.iter().map(|(k, c)| (k.to_string(), *c)).collect()),
                "kinds": facet(results.facets.kinds.iter().map(|(k, c)| (k.to_string(), *c)).collect()),
                "municipalities": facet(results.facets.municipalities.iter().map(|(k, c)| (k.to_string(), *c)).collect()),
            },
        });
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON values serialize"));
        return;
    }
    if !results.understood.needs.is_empty() {
        let needs: Vec<String> = results.understood.needs.iter().map(|n| n.label.clone()).collect();
        say!("困りごと: {} と理解しました", needs.join("・"));
    }
    say!("{}件", results.total.unwrap_or(results.hits.len()));
    for (rank, hit) in results.hits.iter().enumerate() {
        say!("{:>2}. {}", rank + 1, hit.name);
        say!("    {}", hit.reason);
        if let Some(phone) = phone_of(directory, &hit.id) {
            say!("    電話: {phone}");
        }
        if !hit.snippet.fragment.is_empty() {
            say!("    {}", hit.snippet.marked().replace('\n', " "));
        }
    }
    if results.hits.is_empty() && results.total == Some(0) {
        let needs: Vec<String> = results.understood.needs.iter().map(|n| label(&n.code)).collect();
        if !needs.is_empty() {
            say!("該当する場所が見つかりません。条件を減らすか、相談窓口を探してください（{}）", needs.join("・"));
        }
    }
}
