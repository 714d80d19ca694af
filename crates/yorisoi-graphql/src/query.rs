//! The query root: the directory, search, where to refer, referral paths and the audit.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDateTime, Utc};
use yorisoi_core::graph::{PathQuery, Person};
use yorisoi_core::{Directory, Id, MunicipalityCode};
use yorisoi_search::{ReferRequest, SearchRequest};

use crate::changes::ChangeEntry;
use crate::connection::page;
use crate::error::{ApiError, Coded};
use crate::global_id::{NodeType, cursor, decode};
use crate::live::{Snapshot, snapshot};
use crate::types::{Asker, Kind, Municipality, Need, Node, Organization, Referral, Resource, Source};

/// The largest page any connection returns; a request's cost grows with `first`.
pub const MAX_FIRST: i32 = 100;

/// Base costs of the fields that do real work, in the units of
/// [`crate::MAX_COMPLEXITY`] (a plain field costs 1): a request may run a few searches,
/// one where-to-refer with a full page, and at most a handful of audits.
const SEARCH_COST: usize = 50;
const REFER_COST: usize = 200;
const PATHS_COST: usize = 100;
const AUDIT_COST: usize = 1_000;

/// A page's cost: its base plus `first` times what each item selects, as GitHub's
/// and Shopify's APIs count (an out-of-range `first` is refused when it runs).
fn page_cost(first: i32, child_complexity: usize, base: usize) -> usize {
    base + first.clamp(1, MAX_FIRST) as usize * child_complexity
}

/// Extra fields of a counted connection.
#[derive(SimpleObject)]
pub struct Counted {
    /// All matching records (at most the directory's size).
    pub total_count: usize,
}

/// Extra fields of a search.
#[derive(SimpleObject)]
pub struct SearchInfo {
    /// Matches in all, when asked for (costs a pass over every match).
    pub total_count: Option<usize>,
    /// The needs the query was understood to be about (理解した困りごと).
    pub detected_needs: Vec<DetectedNeed>,
    /// Matches per need code, when asked for.
    pub need_facets: Vec<FacetCount>,
    /// Matches per kind code, when asked for.
    pub kind_facets: Vec<FacetCount>,
}

/// A need found in the query's words.
#[derive(SimpleObject)]
pub struct DetectedNeed {
    /// The need's code.
    pub code: String,
    /// The need's Japanese label.
    pub label: String,
    /// The words that signalled it.
    pub matched: String,
}

/// A facet value and how many matches have it.
#[derive(SimpleObject)]
pub struct FacetCount {
    /// The code counted.
    pub value: String,
    /// How many matches have it.
    pub count: usize,
}

/// A search hit: the resource, why, and a highlighted fragment.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// The place found.
    pub resource: Resource,
    /// Relevance; higher is better, comparable within one search only.
    pub score: f32,
    /// Why it is here, for the worker (理由).
    pub reason: String,
    /// A fragment of the description.
    pub snippet: String,
    /// Byte ranges of the fragment that matched, as [from, to] pairs.
    pub highlights: Vec<Vec<usize>>,
    /// The resource's needs the query asked for or was understood to be about.
    pub matched_needs: Vec<String>,
    /// Why the person may not be eligible (residence, an exclusion the text says); empty
    /// when nothing known rules them out.
    pub ineligible: Vec<String>,
    /// With `from`: the shortest chain of referrals (at most four) from the worker's own
    /// place to this one, for the need the search is about; empty when it is that
    /// place; null when the worker's place does not reach it.
    pub chain: Option<Vec<Hop>>,
}

/// One step of a referral chain.
#[derive(SimpleObject)]
pub struct Hop {
    /// The steward's id of the place the step starts from.
    pub from: String,
    /// The steward's id of the place the step reaches.
    pub to: String,
    /// The names of the two places (for the worker).
    pub from_name: String,
    pub to_name: String,
    /// refers_to, escalates_to, consults, partners_with, member_of, operated_by, part_of.
    pub kind: String,
    /// Conditions in words (条件).
    pub conditions: Option<String>,
    /// Documents to bring or pass on (書類).
    pub documents: Vec<String>,
    /// What the referral record says about this step (備考).
    pub note: Option<String>,
}

/// A chain from a place to one that addresses a need.
#[derive(SimpleObject)]
pub struct ReferralPath {
    /// The place that addresses the need.
    pub target: Resource,
    /// The steps from the starting place, in order.
    pub hops: Vec<Hop>,
}

/// A suggested place for a person.
#[derive(SimpleObject)]
pub struct Suggestion {
    /// The suggested place.
    pub resource: Resource,
    /// Why (困りごと・地域・開所・つなぎ).
    pub reason: String,
    /// How the worker's place reaches it, when it does within four hops.
    pub path: Option<Vec<Hop>>,
    /// Why the person may not be eligible (residence, an exclusion the situation says,
    /// the person only); such places come last.
    pub ineligible: Vec<String>,
}

/// The audit made in the background for the whole directory (ネットワーク点検の状況).
#[derive(SimpleObject)]
pub struct AuditStatus {
    /// The change-log entry the audited snapshot held.
    pub version: i64,
    /// The change-log entry the served snapshot holds now.
    pub served_version: i64,
    /// The day staleness was measured from.
    pub today: chrono::NaiveDate,
    pub computed_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub took_ms: f64,
    /// How many findings it has.
    pub findings: i32,
    /// How many of each code.
    pub counts: Vec<FindingCount>,
}

/// How many findings of one code an audit has.
#[derive(SimpleObject)]
pub struct FindingCount {
    pub code: String,
    pub count: i32,
}

/// Findings of each code a request gets unless it asks for fewer or more.
pub const DEFAULT_FINDINGS_PER_CODE: usize = 1_000;
/// The most findings of each code one request may ask for (page with `offset`).
pub const MAX_FINDINGS_PER_CODE: usize = 10_000;

fn finding_counts(audit: &yorisoi_core::graph::Audit) -> Vec<FindingCount> {
    let mut counts: Vec<(yorisoi_core::graph::FindingCode, usize)> = Vec::new();
    for finding in &audit.findings {
        match counts.iter_mut().find(|(code, _)| *code == finding.code) {
            Some((_, n)) => *n += 1,
            None => counts.push((finding.code, 1)),
        }
    }
    counts
        .into_iter()
        .map(|(code, n)| FindingCount { code: code.code().to_owned(), count: i32::try_from(n).unwrap_or(i32::MAX) })
        .collect()
}

fn finding_codes(codes: Option<Vec<String>>) -> Result<Option<Vec<yorisoi_core::graph::FindingCode>>, ApiError> {
    codes
        .map(|codes| {
            codes
                .iter()
                .map(|c| {
                    yorisoi_core::graph::FindingCode::from_code(c).ok_or_else(|| {
                        let known: Vec<&str> = yorisoi_core::graph::FindingCode::ALL.iter().map(|c| c.code()).collect();
                        ApiError::BadUserInput(format!("`{c}` is no finding code; use one of {}", known.join(", ")))
                    })
                })
                .collect()
        })
        .transpose()
}

/// A count argument within `0..=max`, `default` when absent.
fn count_argument(name: &str, value: Option<i32>, default: usize, max: usize) -> Result<usize, ApiError> {
    let Some(value) = value else { return Ok(default) };
    match usize::try_from(value) {
        Ok(n) if n <= max => Ok(n),
        _ => Err(ApiError::BadUserInput(format!("`{name}` must be between 0 and {max}, not {value}"))),
    }
}

/// The audit a request asks for (see [`crate::live::Live::audit_for`]).
async fn audit_for(
    ctx: &Context<'_>,
    municipality: Option<&str>,
    today: Option<chrono::NaiveDate>,
) -> Result<Arc<yorisoi_core::graph::Audit>> {
    let api = snapshot(ctx);
    let municipality = self::municipality(&api.directory, municipality).coded()?;
    crate::live::live(ctx)
        .audit_for(api, municipality, today)
        .await
        .map_err(|error| ApiError::Internal(format!("the audit stopped: {error}")))
        .coded()
}

/// The state of the directory a server serves.
#[derive(SimpleObject)]
pub struct DirectoryState {
    /// The last change-log entry the served snapshot holds.
    pub version: i64,
    /// A digest of every record, independent of their order (16 hex digits).
    pub digest: String,
    pub resources: i32,
    pub referrals: i32,
}

/// Which writes of the change log to list.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChangeOrigin {
    /// Every entry.
    #[default]
    All,
    /// Stewards' edits through the API.
    Edits,
    /// Records a `yorisoi load` created, updated or removed.
    Loads,
}

impl From<ChangeOrigin> for yorisoi_store::Origin {
    fn from(origin: ChangeOrigin) -> Self {
        match origin {
            ChangeOrigin::All => yorisoi_store::Origin::All,
            ChangeOrigin::Edits => yorisoi_store::Origin::Edits,
            ChangeOrigin::Loads => yorisoi_store::Origin::Loads,
        }
    }
}

/// A finding of the audit.
#[derive(SimpleObject)]
pub struct Finding {
    /// TARAIMAWASHI_CYCLE, DEAD_END, BROKEN_FLOW, UNREACHABLE, COVERAGE_HOLE, STALE, HUB,
    /// DATES_RUNNING_OUT, REFERS_TO_CLOSED_PLACE.
    pub code: String,
    /// info, warning or error.
    pub severity: String,
    /// The need code the finding is about, if one.
    pub need: Option<String>,
    /// Steward ids of the records involved, in order.
    pub records: Vec<String>,
    /// What is wrong, for the steward (Japanese).
    pub message: String,
    /// What to do about it (Japanese).
    pub suggestion: String,
}

/// Active places per municipality and need (カバー状況): the holes a ward should fill.
#[derive(SimpleObject)]
pub struct Coverage {
    /// The rows: municipalities with places of their own (within the scope asked).
    pub municipalities: Vec<Municipality>,
    /// The columns: every need.
    pub needs: Vec<Need>,
    /// `counts[m][n]`: active places serving `municipalities[m]` (by name or by an
    /// enclosing municipality) that address `needs[n]` or a need it is part of.
    pub counts: Vec<Vec<i32>>,
}

/// How deep a search may page: it gathers `offset + first` hits in memory, so a
/// forged cursor must not name a far offset. Past this, narrow the search.
pub const MAX_SEARCH_DEPTH: usize = 1_000;

/// The longest search text or situation accepted, in characters: a worker's note is a
/// few sentences, and every extra word is more work for every search in the request.
pub const MAX_TEXT_CHARS: usize = 1_000;

fn check_text_length(argument: &str, text: &str) -> Result<(), ApiError> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ApiError::BadUserInput(format!(
            "`{argument}` is {chars} characters long; at most {MAX_TEXT_CHARS} are accepted, shorten it"
        )));
    }
    Ok(())
}

/// What a text argument adds to a field's cost: the analyzers and the query's terms
/// grow with its length (one unit per two characters, up to the length accepted), so
/// a request holds at most about nine searches of the longest text.
fn text_cost(text: &str) -> usize {
    text.chars().count().min(MAX_TEXT_CHARS) / 2
}

fn municipality(directory: &Directory, text: Option<&str>) -> Result<Option<MunicipalityCode>, ApiError> {
    text.map(|t| directory.find_municipality(t)).transpose().map_err(|e| ApiError::BadUserInput(e.to_string()))
}

fn need(directory: &Directory, text: &str) -> Result<Id, ApiError> {
    directory.find_need(text).map_err(|e| ApiError::BadUserInput(e.to_string()))
}

fn resource(api: &Arc<Snapshot>, id: &Id) -> Option<Resource> {
    Resource::find(api, id)
}

fn hops(graph: &yorisoi_core::ReferralGraph, path: &yorisoi_core::graph::Path) -> Vec<Hop> {
    let name = |id: &Id| graph.node(id).map_or_else(|| id.to_string(), |n| n.name.clone());
    path.hops
        .iter()
        .map(|h| Hop {
            from: h.from.to_string(),
            to: h.to.to_string(),
            from_name: name(&h.from),
            to_name: name(&h.to),
            kind: h.kind.code().to_owned(),
            conditions: h.conditions.text.clone(),
            documents: h.conditions.documents.clone(),
            note: h.note.clone(),
        })
        .collect()
}

/// The entry points of the API.
#[derive(Debug)]
pub struct QueryRoot;

/// The entry points of the API: the directory, search, where to refer, referral paths and the audit.
#[Object(name = "Query")]
impl QueryRoot {
    /// Any record by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let api = snapshot(ctx);
        let (kind, key) = decode(&id).coded()?;
        Ok(match kind {
            NodeType::Resource => resource(api, &key).map(Node::Resource),
            NodeType::Organization => {
                api.organization_at(&key).map(|at| Node::Organization(Organization { snapshot: Arc::clone(api), at }))
            }
        })
    }

    /// A resource by its global id or its steward's id (支援資源).
    /// Null for an id no resource has, as Relay clients expect (NOT_FOUND is for edits).
    async fn resource(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Resource>> {
        let api = snapshot(ctx);
        let key = match decode(&id) {
            Ok((NodeType::Resource, key)) => key,
            _ => Id::parse(&id)
                .map_err(|_| ApiError::BadUserInput(format!("`{}` is not a resource id", id.0)))
                .coded()?,
        };
        Ok(resource(api, &key))
    }

    /// An organization by its global id or its steward's id (運営団体・行政の部課); null
    /// for an id no organization has.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organization>> {
        let api = snapshot(ctx);
        let key = match decode(&id) {
            Ok((NodeType::Organization, key)) => key,
            _ => Id::parse(&id)
                .map_err(|_| ApiError::BadUserInput(format!("`{}` is not an organization id", id.0)))
                .coded()?,
        };
        Ok(api.organization_at(&key).map(|at| Organization { snapshot: Arc::clone(api), at }))
    }

    /// A referral by its steward's id (つなぎ); null for an id no referral has.
    async fn referral(&self, ctx: &Context<'_>, id: String) -> Result<Option<Referral>> {
        let api = snapshot(ctx);
        let key = Id::parse(&id).map_err(|_| ApiError::BadUserInput(format!("`{id}` is not a referral id"))).coded()?;
        Ok(api.directory.referrals.iter().find(|r| r.id == key).map(|r| Referral::of(r)))
    }

    /// Resources, filtered by municipality and need, in id order (支援資源一覧).
    #[graphql(complexity = "page_cost(first, child_complexity, 1)")]
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100.")] first: i32,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(desc = "全国地方公共団体コード or exact name.")] municipality: Option<String>,
        #[graphql(desc = "Need code or label.")] need: Option<String>,
    ) -> Result<Connection<String, Resource, Counted>> {
        let api = snapshot(ctx);
        let in_area = self::municipality(&api.directory, municipality.as_deref()).coded()?;
        let need = need.as_deref().map(|n| self::need(&api.directory, n)).transpose().coded()?;
        let mut matching: Vec<&yorisoi_core::Resource> = api
            .directory
            .resources
            .iter()
            .filter(|r| need.as_ref().is_none_or(|n| api.graph.addresses(&r.id, n)))
            .filter(|r| {
                in_area.is_none_or(|m| {
                    let up = api.directory.municipality_and_ancestors(m);
                    r.service_area.municipalities.iter().any(|s| up.contains(s))
                })
            })
            .map(|r| &**r)
            .collect();
        matching.sort_by(|a, b| a.id.cmp(&b.id));
        let total = matching.len();
        let (start, size) = page(first, after.as_deref(), total).coded()?;
        let mut connection =
            Connection::with_additional_fields(start > 0, start + size < total, Counted { total_count: total });
        for (i, r) in matching.into_iter().enumerate().skip(start).take(size) {
            connection.edges.push(Edge::new(cursor(i), Resource::find(api, &r.id).expect("listed from this snapshot")));
        }
        Ok(connection)
    }

    /// Organizations behind the resources (運営団体・行政の部課), in id order; with a
    /// municipality, those based there or serving it.
    #[graphql(complexity = "page_cost(first, child_complexity, 1)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100.")] first: i32,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(desc = "全国地方公共団体コード or exact name.")] municipality: Option<String>,
    ) -> Result<Connection<String, Organization, Counted>> {
        let api = snapshot(ctx);
        let up = self::municipality(&api.directory, municipality.as_deref())
            .coded()?
            .map(|m| api.directory.municipality_and_ancestors(m));
        let mut matching: Vec<usize> = (0..api.directory.organizations.len())
            .filter(|&i| {
                let o = &api.directory.organizations[i];
                up.as_ref().is_none_or(|up| {
                    o.municipality.is_some_and(|m| up.contains(&m))
                        || o.service_area.municipalities.iter().any(|m| up.contains(m))
                })
            })
            .collect();
        matching.sort_by(|&a, &b| api.directory.organizations[a].id.cmp(&api.directory.organizations[b].id));
        let total = matching.len();
        let (start, size) = page(first, after.as_deref(), total).coded()?;
        let mut connection =
            Connection::with_additional_fields(start > 0, start + size < total, Counted { total_count: total });
        for (i, at) in matching.into_iter().enumerate().skip(start).take(size) {
            connection.edges.push(Edge::new(cursor(i), Organization { snapshot: Arc::clone(api), at }));
        }
        Ok(connection)
    }

    /// The change log (変更履歴): every write at or after `since`, oldest first, numbered
    /// without gaps in the order they were committed — stewards' edits and each record a
    /// `yorisoi load` created, updated or removed. Needs a staff or steward token;
    /// `before` and `after` may hold staff-only fields.
    #[graphql(complexity = "page_cost(first, child_complexity, 1)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only changes at or after this moment (UTC).")] since: Option<DateTime<Utc>>,
        #[graphql(desc = "Page size, 1 to 100.")] first: i32,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(desc = "Edits, loads, or both (the default).", default)] origin: ChangeOrigin,
    ) -> Result<Connection<String, ChangeEntry>> {
        crate::changes::changes(ctx, since, first, after, origin.into()).await
    }

    /// The newest entries of the change log, newest first (最近の変更); of one record
    /// when `recordId` is given. Needs a staff or steward token.
    #[graphql(complexity = "page_cost(first, child_complexity, 1)")]
    async fn recent_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the changes of this record (steward's id).")] record_id: Option<String>,
        #[graphql(desc = "How many, 1 to 100.")] first: i32,
        #[graphql(desc = "Edits, loads, or both (the default).", default)] origin: ChangeOrigin,
    ) -> Result<Vec<ChangeEntry>> {
        crate::changes::recent_changes(ctx, record_id, first, origin.into()).await
    }

    /// Search as a frontline worker types: names in any spelling or a situation in plain words (検索).
    #[allow(clippy::too_many_arguments)] // each argument is a filter a caller may set
    #[graphql(complexity = "page_cost(first, child_complexity, SEARCH_COST) + text_cost(&query)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(desc = "Page size, 1 to 100.")] first: i32,
        after: Option<String>,
        #[graphql(desc = "全国地方公共団体コード or exact name.")] municipality: Option<String>,
        #[graphql(desc = "Need codes or labels the places must address.")] needs: Option<Vec<String>>,
        #[graphql(desc = "The person's age.")] age: Option<u8>,
        #[graphql(desc = "Only places open at this Japan-time moment.")] open_at: Option<NaiveDateTime>,
        #[graphql(desc = "The needs the text is about, as the worker settled them (codes or labels), in place of \
                          what the text was understood to say; places for them rank first, none is required.")]
        about: Option<Vec<String>>,
        #[graphql(desc = "Kind codes or labels; places of any of them (or narrower kinds).")] kinds: Option<
            Vec<String>,
        >,
        #[graphql(desc = "Only places free of charge.")] free: Option<bool>,
        #[graphql(desc = "An area's steward's id (a 日常生活圏域 or 町丁): places serving it.")] area: Option<String>,
        #[graphql(desc = "The household in words (ひとり親, 高齢の夫婦), read like the query.")] household: Option<
            String,
        >,
        #[graphql(desc = "The worker's own window or organization (私の窓口, steward's id): each hit then says \
                          how that place reaches it (`chain`).")]
        from: Option<String>,
    ) -> Result<Connection<String, SearchHit, SearchInfo>> {
        let api = snapshot(ctx);
        let (start, size) = page(first, after.as_deref(), MAX_SEARCH_DEPTH).coded()?;
        if start + size > MAX_SEARCH_DEPTH {
            return Err(ApiError::BadUserInput(format!(
                "a search pages through its first {MAX_SEARCH_DEPTH} places only; narrow it (municipality, needs, age)"
            )))
            .coded();
        }
        check_text_length("query", &query).coded()?;
        if let Some(household) = &household {
            check_text_length("household", household).coded()?;
        }
        let area = area
            .map(|a| {
                Id::parse(&a).ok().filter(|id| api.directory.areas.iter().any(|x| &x.id == id)).ok_or_else(|| {
                    ApiError::BadUserInput(format!("no area `{a}`; give an area's id as in the directory"))
                })
            })
            .transpose()
            .coded()?;
        let query = match household {
            Some(household) => format!("{query} {household}"),
            None => query,
        };
        let look = ctx.look_ahead();
        let wants_facets = look.field("needFacets").exists() || look.field("kindFacets").exists();
        let request = SearchRequest {
            text: query,
            municipality: self::municipality(&api.directory, municipality.as_deref()).coded()?,
            needs: needs
                .unwrap_or_default()
                .iter()
                .map(|n| self::need(&api.directory, n))
                .collect::<Result<_, _>>()
                .coded()?,
            about: about
                .map(|codes| codes.iter().map(|n| self::need(&api.directory, n)).collect::<Result<Vec<_>, _>>())
                .transpose()
                .coded()?,
            kinds: kinds
                .unwrap_or_default()
                .iter()
                .map(|k| api.directory.find_kind(k).map_err(|e| ApiError::BadUserInput(e.to_string())))
                .collect::<Result<_, _>>()
                .coded()?,
            free_only: free.unwrap_or(false),
            area,
            age,
            open_at,
            count: look.field("totalCount").exists(),
            facets: wants_facets,
            limit: size,
            offset: start,
            ..SearchRequest::default()
        };
        let results = api.index.search(&request).map_err(|e| ApiError::Internal(e.to_string())).coded()?;
        // How the worker's own place reaches each hit, from one breadth-first search,
        // for the need the search is about (any need when none).
        let chains = match from {
            Some(from) => {
                let from = Id::parse(&from)
                    .ok()
                    .filter(|id| api.graph.node(id).is_some())
                    .ok_or_else(|| ApiError::BadUserInput(format!("no organization or resource `{from}`")))
                    .coded()?;
                let need = request.needs.first().or(results.understood.needs.first().map(|n| &n.code));
                let targets: Vec<Id> = results.hits.iter().map(|h| h.id.clone()).collect();
                let person = Person { age, residence: request.municipality };
                let paths = api
                    .graph
                    .paths_to(&from, need, Some(&person), &targets, 4)
                    .map_err(|e| ApiError::Internal(e.to_string()))
                    .coded()?;
                Some((from, paths))
            }
            None => None,
        };
        let chain = |id: &Id| -> Option<Vec<Hop>> {
            let (from, paths) = chains.as_ref()?;
            if from == id {
                return Some(Vec::new());
            }
            paths.get(id).map(|p| hops(&api.graph, p))
        };
        let info = SearchInfo {
            total_count: results.total,
            detected_needs: results
                .understood
                .needs
                .iter()
                .map(|n| DetectedNeed { code: n.code.to_string(), label: n.label.clone(), matched: n.matched.clone() })
                .collect(),
            need_facets: results
                .facets
                .needs
                .iter()
                .map(|(k, c)| FacetCount { value: k.to_string(), count: *c })
                .collect(),
            kind_facets: results
                .facets
                .kinds
                .iter()
                .map(|(k, c)| FacetCount { value: k.to_string(), count: *c })
                .collect(),
        };
        let has_next = results.total.map_or(results.hits.len() == size, |t| start + size < t);
        let mut connection = Connection::with_additional_fields(start > 0, has_next, info);
        for (i, hit) in results.hits.into_iter().enumerate() {
            let Some(resource) = resource(api, &hit.id) else { continue };
            connection.edges.push(Edge::new(
                cursor(start + i),
                SearchHit {
                    resource,
                    score: hit.score,
                    reason: hit.reason,
                    snippet: hit.snippet.fragment,
                    highlights: hit.snippet.highlights.iter().map(|(a, b)| vec![*a, *b]).collect(),
                    matched_needs: hit.matched_needs.iter().map(ToString::to_string).collect(),
                    chain: chain(&hit.id),
                    ineligible: hit.ineligible,
                },
            ));
        }
        Ok(connection)
    }

    /// Where to refer a person: places for the situation, preferring those the worker's
    /// own place already reaches (つなぎ先).
    #[allow(clippy::too_many_arguments)] // each argument is something a caller may say about the person
    #[graphql(complexity = "page_cost(first, child_complexity, REFER_COST) + text_cost(&situation)")]
    async fn where_to_refer(
        &self,
        ctx: &Context<'_>,
        situation: String,
        municipality: Option<String>,
        age: Option<u8>,
        #[graphql(desc = "The household in words (ひとり親).")] household: Option<String>,
        #[graphql(desc = "The worker's own place, by steward's id.")] from: Option<String>,
        #[graphql(
            desc = "Who is asking: the person (default), the family or a professional; places that do not take them come last, saying so."
        )]
        asker: Option<Asker>,
        #[graphql(
            desc = "The one asking is the person's family (places taking only the person come last).",
            deprecation = "Use `asker: FAMILY`."
        )]
        by_family: Option<bool>,
        #[graphql(desc = "The person's gender, female or male (places for the other come last, saying so).")]
        gender: Option<String>,
        #[graphql(desc = "How many, 1 to 100.")] first: i32,
    ) -> Result<Vec<Suggestion>> {
        let api = snapshot(ctx);
        let (_, size) = page(first, None, 0).coded()?;
        check_text_length("situation", &situation).coded()?;
        let from = from
            .map(|f| Id::parse(&f).ok().filter(|id| api.graph.node(id).is_some()).ok_or(f))
            .transpose()
            .map_err(|f| ApiError::NotFound(format!("no organization or resource `{f}`")))
            .coded()?;
        let request = ReferRequest {
            situation,
            municipality: self::municipality(&api.directory, municipality.as_deref()).coded()?,
            age,
            household,
            from,
            asker: match (asker, by_family) {
                (Some(asker), Some(true)) if asker != Asker::Family => {
                    return Err(ApiError::BadUserInput("give `asker` or `byFamily`, not both".into())).coded();
                }
                (Some(asker), _) => asker.into(),
                (None, Some(true)) => yorisoi_core::Asker::Family,
                (None, _) => yorisoi_core::Asker::Person,
            },
            gender: gender
                .map(|g| {
                    yorisoi_core::Gender::from_code(&g)
                        .ok_or_else(|| ApiError::BadUserInput(format!("gender `{g}`: say female or male")))
                })
                .transpose()
                .coded()?,
            limit: size,
            ..ReferRequest::default()
        };
        let results = yorisoi_search::where_to_refer(&api.index, &api.graph, &request)
            .map_err(|e| ApiError::Internal(e.to_string()))
            .coded()?;
        Ok(results
            .suggestions
            .into_iter()
            .filter_map(|s| {
                Some(Suggestion {
                    resource: resource(api, &s.hit.id)?,
                    reason: s.hit.reason,
                    path: s.path.as_ref().map(|p| hops(&api.graph, p)),
                    ineligible: s.hit.ineligible,
                })
            })
            .collect())
    }

    /// The shortest referral chains from a place to places that address a need (紹介経路).
    #[graphql(complexity = "PATHS_COST + 10 * child_complexity")]
    async fn referral_paths(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Steward's id of the starting place.")] from: String,
        #[graphql(desc = "Need code or label.")] need: String,
        municipality: Option<String>,
        #[graphql(default = 4, desc = "At most this many hops, 1 to 6.")] max_hops: i32,
        age: Option<u8>,
    ) -> Result<Vec<ReferralPath>> {
        let api = snapshot(ctx);
        if !(1..=6).contains(&max_hops) {
            return Err(ApiError::BadUserInput(format!("`maxHops` must be between 1 and 6, not {max_hops}"))).coded();
        }
        let from = Id::parse(&from).map_err(|_| ApiError::BadUserInput(format!("`{from}` is not an id"))).coded()?;
        let mut query = PathQuery::new(from, self::need(&api.directory, &need).coded()?);
        query.municipality = self::municipality(&api.directory, municipality.as_deref()).coded()?;
        query.max_hops = max_hops as usize;
        query.person = Some(Person { age, residence: query.municipality });
        let paths = api.graph.paths(&query).map_err(|e| ApiError::NotFound(e.to_string())).coded()?;
        Ok(paths
            .iter()
            .filter_map(|p| Some(ReferralPath { target: resource(api, &p.target)?, hops: hops(&api.graph, p) }))
            .collect())
    }

    /// The stewards' audit of the referral network (ネットワーク点検), in pages of each
    /// code: at most `first` findings of each code (after skipping `offset` of each),
    /// so that a national directory's millions of STALE findings neither crowd out the
    /// rest nor fill a response; `auditCounts` gives the totals.
    #[graphql(complexity = "AUDIT_COST + 10 * child_complexity")]
    async fn audit(
        &self,
        ctx: &Context<'_>,
        municipality: Option<String>,
        #[graphql(desc = "The day staleness is measured from; default today in Japan.")] today: Option<
            chrono::NaiveDate,
        >,
        #[graphql(desc = "Only findings of these codes (STALE, HUB, …); default all.")] codes: Option<Vec<String>>,
        #[graphql(desc = "At most this many findings of each code; default 1000, at most 10000.")] first: Option<i32>,
        #[graphql(desc = "Skip this many findings of each code first; default 0.")] offset: Option<i32>,
    ) -> Result<Vec<Finding>> {
        let codes = finding_codes(codes).coded()?;
        let first = count_argument("first", first, DEFAULT_FINDINGS_PER_CODE, MAX_FINDINGS_PER_CODE).coded()?;
        let offset = count_argument("offset", offset, 0, usize::MAX).coded()?;
        let audit = audit_for(ctx, municipality.as_deref(), today).await?;
        let mut taken: std::collections::HashMap<yorisoi_core::graph::FindingCode, usize> =
            std::collections::HashMap::new();
        Ok(audit
            .findings
            .iter()
            .filter(|f| codes.as_ref().is_none_or(|c| c.contains(&f.code)))
            .filter(|f| {
                let seen = taken.entry(f.code).or_default();
                *seen += 1;
                *seen > offset && *seen - offset <= first
            })
            .map(|f| Finding {
                code: f.code.code().to_owned(),
                severity: f.severity.code().to_owned(),
                need: f.need().map(ToString::to_string),
                records: f.records().iter().map(ToString::to_string).collect(),
                message: f.message().into_owned(),
                suggestion: f.suggestion().into_owned(),
            })
            .collect())
    }

    /// How many findings of each code the audit has (codes without findings left out),
    /// in the audit's order.
    #[graphql(complexity = "AUDIT_COST + child_complexity")]
    async fn audit_counts(
        &self,
        ctx: &Context<'_>,
        municipality: Option<String>,
        #[graphql(desc = "The day staleness is measured from; default today in Japan.")] today: Option<
            chrono::NaiveDate,
        >,
    ) -> Result<Vec<FindingCount>> {
        let audit = audit_for(ctx, municipality.as_deref(), today).await?;
        Ok(finding_counts(&audit))
    }

    /// Which state of the directory this server serves: the last change-log entry it
    /// holds and a digest of every record (servers that agree show the same digest).
    /// The digest reads every record: it costs as much as an audit.
    #[graphql(complexity = "AUDIT_COST + child_complexity")]
    async fn directory_state(&self, ctx: &Context<'_>) -> DirectoryState {
        let api = snapshot(ctx);
        DirectoryState {
            version: api.version,
            digest: format!("{:016x}", api.directory.digest()),
            resources: i32::try_from(api.directory.resources.len()).unwrap_or(i32::MAX),
            referrals: i32::try_from(api.directory.referrals.len()).unwrap_or(i32::MAX),
        }
    }

    /// The background audit of the whole directory: which version of it the `audit`
    /// field serves, made when, in how long; null until the first is made.
    async fn audit_status(&self, ctx: &Context<'_>) -> Option<AuditStatus> {
        let run = crate::live::live(ctx).last_audit()?;
        Some(AuditStatus {
            version: run.version,
            served_version: snapshot(ctx).version,
            today: run.today,
            computed_at: run.computed_at,
            took_ms: run.took.as_secs_f64() * 1e3,
            findings: i32::try_from(run.audit.findings.len()).unwrap_or(i32::MAX),
            counts: finding_counts(&run.audit),
        })
    }

    /// Active places per municipality and need, as a matrix (カバー状況).
    #[graphql(complexity = "AUDIT_COST + child_complexity")]
    async fn coverage(&self, ctx: &Context<'_>, municipality: Option<String>) -> Result<Coverage> {
        let api = snapshot(ctx);
        let scope = self::municipality(&api.directory, municipality.as_deref()).coded()?;
        let coverage = api.graph.coverage(scope);
        // Rows and columns stay aligned: a code the directory does not name (validation
        // rules it out) drops its row, or its column from every row.
        let needs: Vec<Option<Need>> = coverage
            .needs
            .iter()
            .map(|code| api.directory.needs.iter().find(|n| n.code == *code).cloned().map(Need))
            .collect();
        let count = |c: &usize| i32::try_from(*c).unwrap_or(i32::MAX);
        let (municipalities, counts) = coverage
            .municipalities
            .iter()
            .zip(&coverage.counts)
            .filter_map(|(code, row)| {
                let municipality = api.directory.municipalities.iter().find(|m| m.code == *code)?;
                let row = row.iter().zip(&needs).filter(|(_, n)| n.is_some()).map(|(c, _)| count(c)).collect();
                Some((Municipality(municipality.clone()), row))
            })
            .unzip();
        Ok(Coverage { municipalities, needs: needs.into_iter().flatten().collect(), counts })
    }

    /// The sources records cite (出典資料).
    async fn sources(&self, ctx: &Context<'_>) -> Vec<Source> {
        snapshot(ctx).directory.sources.iter().map(Source::of).collect()
    }

    /// The need taxonomy (困りごと).
    async fn needs(&self, ctx: &Context<'_>) -> Vec<Need> {
        snapshot(ctx).directory.needs.iter().cloned().map(Need).collect()
    }

    /// The kind taxonomy with local names (支援資源の種類).
    async fn kinds(&self, ctx: &Context<'_>) -> Vec<Kind> {
        snapshot(ctx).directory.kinds.iter().cloned().map(Kind).collect()
    }

    /// Municipalities in the directory (自治体).
    async fn municipalities(&self, ctx: &Context<'_>) -> Vec<Municipality> {
        snapshot(ctx).directory.municipalities.iter().cloned().map(Municipality).collect()
    }
}
