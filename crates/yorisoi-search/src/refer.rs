//! Where to refer: search for the situation, then prefer places the worker's own
//! window already reaches through the referral graph, and say how.

use yorisoi_core::graph::{Path, Person};
use yorisoi_core::{Id, MunicipalityCode, ReferralGraph};

use crate::{Hit, SearchError, SearchIndex, SearchRequest, Understanding};

/// A where-to-refer question.
#[derive(Debug, Clone, Default)]
pub struct ReferRequest {
    /// The situation in plain words.
    pub situation: String,
    /// Needs the worker already knows (codes).
    pub needs: Vec<Id>,
    pub municipality: Option<MunicipalityCode>,
    pub age: Option<u8>,
    /// The household in words (ひとり親, 高齢の夫婦), read like the situation.
    pub household: Option<String>,
    /// Where the worker stands: their window or organization.
    pub from: Option<Id>,
    pub open_at: Option<chrono::NaiveDateTime>,
    pub limit: usize,
}

/// One suggested place.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub hit: Hit,
    /// How the worker's place reaches it, when it does within four hops.
    pub path: Option<Path>,
}

/// The answer.
#[derive(Debug, Clone)]
pub struct ReferResults {
    pub suggestions: Vec<Suggestion>,
    pub understood: Understanding,
}

/// How many search candidates are re-ranked with the graph.
const CANDIDATES: usize = 50;
const MAX_HOPS: usize = 4;

/// Ranks places for a person: search relevance, raised for places the worker's own
/// window already reaches (fewer hops, more), each with its reasons and its chain.
pub fn where_to_refer(
    index: &SearchIndex,
    graph: &ReferralGraph,
    request: &ReferRequest,
) -> Result<ReferResults, SearchError> {
    let text = match &request.household {
        Some(household) => format!("{} {household}", request.situation),
        None => request.situation.clone(),
    };
    let results = index.search(&SearchRequest {
        text,
        municipality: request.municipality,
        age: request.age,
        open_at: request.open_at,
        include_unknown_hours: true,
        // Fifty candidates are re-ranked; the worker reads reasons and chains.
        skip_snippets: true,
        limit: CANDIDATES,
        ..SearchRequest::default()
    })?;
    // The need the chain must serve: the worker's, else the first understood.
    let need = request.needs.first().cloned().or_else(|| results.understood.needs.first().map(|n| n.code.clone()));
    let person = Person { age: request.age, residence: request.municipality };
    let paths = match &request.from {
        Some(from) => {
            let targets: Vec<Id> = results.hits.iter().map(|h| h.id.clone()).collect();
            graph
                .paths_to(from, need.as_ref(), Some(&person), &targets, MAX_HOPS)
                .map_err(|e| SearchError::Request(e.to_string()))?
        }
        None => Default::default(),
    };
    let mut suggestions: Vec<(f32, Suggestion)> = results
        .hits
        .into_iter()
        .map(|mut hit| {
            let path = paths.get(&hit.id).cloned();
            let mut score = hit.score;
            if request.needs.iter().any(|n| graph.addresses(&hit.id, n)) {
                score *= 1.5;
            }
            if let Some(path) = &path {
                // A place one hop away is a phone call; four hops is a project.
                score *= 1.0 + 0.5 / (1.0 + path.hops.len() as f32);
                let name = |id: &Id| graph.node(id).map_or_else(|| id.to_string(), |n| n.name.clone());
                let start = path.hops.first().map(|h| name(&h.from));
                let chain =
                    start.into_iter().chain(path.hops.iter().map(|h| name(&h.to))).collect::<Vec<_>>().join(" → ");
                hit.reason.push_str(&format!(" / つなぎ: {}ステップ（{chain}）", path.hops.len()));
            }
            (score, Suggestion { hit, path })
        })
        .collect();
    suggestions.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.hit.id.cmp(&b.1.hit.id)));
    let limit = if request.limit == 0 { 10 } else { request.limit };
    Ok(ReferResults {
        suggestions: suggestions.into_iter().take(limit).map(|(_, s)| s).collect(),
        understood: results.understood,
    })
}
