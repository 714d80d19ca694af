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
    /// The person's gender, for places that are for one.
    pub gender: Option<yorisoi_core::Gender>,
    /// The household in words (ひとり親, 高齢の夫婦), read like the situation.
    pub household: Option<String>,
    /// Where the worker stands: their window or organization.
    pub from: Option<Id>,
    pub open_at: Option<chrono::NaiveDateTime>,
    /// Who is asking: the person, their family or a professional (places that do not
    /// take them come last, and say so).
    pub asker: yorisoi_core::Asker,
    /// The day the referral is for (events over by then are never suggested); today in
    /// Japan when not given, or the day of `open_at`.
    pub today: Option<chrono::NaiveDate>,
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

/// How much a place serving the worker's own municipality by name counts over one
/// serving it only as part of the prefecture or the country.
const OWN_MUNICIPALITY: f32 = 1.5;
/// How much an event (held on listed dates) counts against an ongoing place.
const EVENT: f32 = 0.5;

/// Ranks places for a person: search relevance, raised for places the worker's own
/// window already reaches (fewer hops, more), each with its reasons and its chain.
/// Places serving the worker's municipality by name come before prefecture-wide ones,
/// ongoing places before events, places addressing an understood need before a match
/// on words alone, and places the person is eligible for before places whose residence,
/// exclusions or who-may-consult rule them out (kept last, the reason said); events
/// already over are never suggested.
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
        gender: request.gender,
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
    let today = request
        .today
        .or(request.open_at.map(|at| at.date()))
        .unwrap_or_else(|| yorisoi_core::japan_time(chrono::Utc::now()).date());
    let understood_any = !results.understood.needs.is_empty() || !request.needs.is_empty();
    let any_addresses = results.hits.iter().any(|h| !h.matched_needs.is_empty());
    let mut suggestions: Vec<((bool, bool, f32), Suggestion)> = results
        .hits
        .into_iter()
        .filter(|hit| hit.last_day.is_none_or(|last| last >= today))
        .map(|mut hit| {
            let path = paths.get(&hit.id).cloned();
            let mut score = hit.score;
            if let Some(own) = request.municipality
                && hit.serves.contains(&own)
            {
                score *= OWN_MUNICIPALITY;
            }
            if hit.event {
                score *= EVENT;
                hit.reason.push_str(" / 日程の決まった催し");
            }

            if request.needs.iter().any(|n| graph.addresses(&hit.id, n)) {
                score *= 1.5;
            }
            if path.as_ref().is_some_and(|p| p.hops.is_empty()) {
                hit.reason.push_str(" / 起点の窓口そのもの");
            } else if let Some(path) = &path {
                // A place one hop away is a phone call; four hops is a project.
                score *= 1.0 + 0.5 / (1.0 + path.hops.len() as f32);
                let name = |id: &Id| graph.node(id).map_or_else(|| id.to_string(), |n| n.name.clone());
                let start = path.hops.first().map(|h| name(&h.from));
                let chain =
                    start.into_iter().chain(path.hops.iter().map(|h| name(&h.to))).collect::<Vec<_>>().join(" → ");
                hit.reason.push_str(&format!(" / つなぎ: {}ステップ（{chain}）", path.hops.len()));
            }
            if let Some(refused) = request.asker.refused_by(hit.may_consult) {
                hit.ineligible.push(refused.to_owned());
                hit.reason.push_str(&format!(" / 対象外の可能性: {refused}"));
            } else if let Some(welcomed) = request.asker.welcomed_by(hit.may_consult) {
                hit.reason.push_str(&format!(" / {welcomed}"));
            }
            // Places the person is eligible for come first; then, when the situation was
            // understood, places that address it, whatever a match on words scores.
            let eligible = hit.ineligible.is_empty();
            let addresses = !(understood_any && any_addresses && hit.matched_needs.is_empty());
            ((eligible, addresses, score), Suggestion { hit, path })
        })
        .collect();
    suggestions.sort_by(|a, b| {
        let ((a_eligible, a_addresses, a_score), (b_eligible, b_addresses, b_score)) = (a.0, b.0);
        (b_eligible, b_addresses)
            .cmp(&(a_eligible, a_addresses))
            .then_with(|| b_score.total_cmp(&a_score))
            .then_with(|| a.1.hit.id.cmp(&b.1.hit.id))
    });
    let limit = if request.limit == 0 { 10 } else { request.limit };
    Ok(ReferResults {
        suggestions: suggestions.into_iter().take(limit).map(|(_, s)| s).collect(),
        understood: results.understood,
    })
}
