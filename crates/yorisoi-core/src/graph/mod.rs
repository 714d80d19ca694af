//! The referral graph: resources and organizations as nodes; referrals, operation and
//! the department tree as edges. petgraph stays inside: callers speak in record ids.

mod audit;
mod finding;
mod paths;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::{Directory, Id, MunicipalityCode, ReferralConditions, ReferralKind, ReferralState, Status, chain_to_root};

pub use audit::{Audit, AuditOptions, Coverage};
pub use finding::{Finding, FindingCode, Severity};
pub use paths::{Hop, Path, PathQuery, Person};

/// Why a graph question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("unknown organization or resource `{0}`")]
    UnknownNode(String),
    #[error("unknown need `{0}`")]
    UnknownNeed(String),
}

/// What an edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A referral edge from the directory.
    Referral(ReferralKind),
    /// A resource is run by an organization.
    OperatedBy,
    /// An organization is part of another (課 → 部).
    PartOf,
    /// An organization is a member of a platform.
    MemberOf,
}

impl EdgeKind {
    pub fn code(self) -> &'static str {
        match self {
            EdgeKind::Referral(kind) => kind.code(),
            EdgeKind::OperatedBy => "operated_by",
            EdgeKind::PartOf => "part_of",
            EdgeKind::MemberOf => "member_of",
        }
    }

    /// Whether a worker can hand a person along this edge.
    fn carries_people(self) -> bool {
        match self {
            EdgeKind::Referral(kind) => kind.carries_people(),
            EdgeKind::OperatedBy | EdgeKind::PartOf | EdgeKind::MemberOf => true,
        }
    }

    /// Whether a person can go along the edge both ways: partners, members and the
    /// parts of one organization refer to each other.
    fn both_ways(self) -> bool {
        matches!(
            self,
            EdgeKind::Referral(ReferralKind::PartnersWith | ReferralKind::MemberOf)
                | EdgeKind::OperatedBy
                | EdgeKind::PartOf
                | EdgeKind::MemberOf
        )
    }

    /// Order of preference when two paths are equally short.
    fn preference(self) -> u8 {
        match self {
            EdgeKind::Referral(ReferralKind::RefersTo) => 0,
            EdgeKind::Referral(ReferralKind::EscalatesTo) => 1,
            EdgeKind::OperatedBy => 2,
            EdgeKind::Referral(ReferralKind::Consults) => 3,
            EdgeKind::Referral(ReferralKind::PartnersWith) => 4,
            EdgeKind::PartOf => 5,
            EdgeKind::Referral(ReferralKind::MemberOf) | EdgeKind::MemberOf => 6,
            EdgeKind::Referral(ReferralKind::SharesInformationWith) => 7,
        }
    }
}

/// A node's facts the graph questions need.
#[derive(Debug, Clone)]
pub struct NodeData {
    pub id: Id,
    pub name: String,
    pub is_resource: bool,
    /// Resources: their status; organizations are always active.
    pub status: Status,
    /// Resources: the needs addressed. Organizations: those of the resources they run.
    pub needs: Vec<Id>,
    /// The municipalities served, as written.
    pub municipalities: Vec<MunicipalityCode>,
    /// A place a person can walk into with any worry.
    pub entry_window: bool,
    /// The day the record's freshest evidence is as of (its source's publication, or
    /// the check against it if earlier).
    pub verified: Option<chrono::NaiveDate>,
    /// The last listed date, when the schedule is only a list of dates.
    pub listed_until: Option<chrono::NaiveDate>,
}

/// An edge's facts.
#[derive(Debug, Clone)]
pub struct EdgeData {
    pub kind: EdgeKind,
    /// The referral's id, for referral edges.
    pub referral: Option<Id>,
    /// The needs the edge applies to; empty means any.
    pub needs: Vec<Id>,
    pub conditions: ReferralConditions,
    pub state: ReferralState,
    pub note: Option<String>,
    /// The day the referral's freshest evidence is as of.
    pub verified: Option<chrono::NaiveDate>,
}

/// The directory's referral network.
///
/// Node and edge facts are shared (`Arc`), and so is the id lookup, so that
/// [`ReferralGraph::patched`] copies a graph of a million nodes in milliseconds and
/// changes only what an edit touched.
#[derive(Debug, Clone)]
pub struct ReferralGraph {
    graph: StableDiGraph<Arc<NodeData>, Arc<EdgeData>>,
    by_id: Arc<FxHashMap<Id, NodeIndex>>,
    /// The edge of each referral record.
    referral_edges: Arc<FxHashMap<Id, EdgeIndex>>,
    /// Each need and its ancestors, and each need and its descendants.
    need_up: Arc<HashMap<Id, Vec<Id>>>,
    need_down: Arc<HashMap<Id, Vec<Id>>>,
    need_labels: Arc<HashMap<Id, String>>,
    /// Each municipality and the ones enclosing it.
    municipality_up: Arc<HashMap<MunicipalityCode, Vec<MunicipalityCode>>>,
    municipality_names: Arc<HashMap<MunicipalityCode, String>>,
}

/// What building a node needs from the rest of the directory.
struct Facts<'a> {
    entry_kinds: HashMap<&'a Id, bool>,
    /// Each source's publication date, when it has one.
    published: HashMap<&'a Id, chrono::NaiveDate>,
}

impl<'a> Facts<'a> {
    fn of(directory: &'a Directory) -> Self {
        Facts {
            entry_kinds: directory.kinds.iter().map(|k| (&k.code, k.entry_window)).collect(),
            published: directory.sources.iter().filter_map(|s| Some((&s.id, s.published_until()?))).collect(),
        }
    }

    /// A record is as fresh as its freshest evidence; a piece of evidence is as of its
    /// source's publication when that is earlier than the check against it.
    fn latest(&self, provenance: &[crate::Provenance]) -> Option<chrono::NaiveDate> {
        crate::provenance::as_of(provenance, |source| self.published.get(source).copied())
    }

    fn resource_node(&self, r: &crate::Resource) -> NodeData {
        NodeData {
            id: r.id.clone(),
            name: r.name.clone(),
            is_resource: true,
            status: r.status,
            needs: r.needs.clone(),
            municipalities: r
                .service_area
                .municipalities
                .iter()
                .copied()
                .chain(r.locations.iter().filter_map(|l| l.municipality))
                .collect(),
            entry_window: r.entry_window.unwrap_or_else(|| self.entry_kinds.get(&r.kind).copied().unwrap_or(false)),
            verified: self.latest(&r.provenance),
            listed_until: r.schedule.listed_until(),
        }
    }

    fn organization_node(&self, o: &crate::Organization, run_needs: Vec<Id>) -> NodeData {
        NodeData {
            id: o.id.clone(),
            name: o.name.clone(),
            is_resource: false,
            status: Status::Active,
            needs: run_needs,
            municipalities: o.municipality.into_iter().chain(o.service_area.municipalities.iter().copied()).collect(),
            entry_window: false,
            verified: self.latest(&o.provenance),
            listed_until: None,
        }
    }

    fn referral_edge(&self, referral: &crate::Referral) -> EdgeData {
        EdgeData {
            kind: EdgeKind::Referral(referral.kind),
            referral: Some(referral.id.clone()),
            needs: referral.needs.clone(),
            conditions: referral.conditions.clone(),
            state: referral.state,
            note: referral.note.clone(),
            verified: self.latest(&referral.provenance),
        }
    }
}

fn structural(kind: EdgeKind) -> Arc<EdgeData> {
    Arc::new(EdgeData {
        kind,
        referral: None,
        needs: vec![],
        conditions: ReferralConditions::default(),
        state: ReferralState::Working,
        note: None,
        verified: None,
    })
}

/// Adds `need` to `needs` once, keeping them sorted (an organization's needs are those
/// of the places it runs, in one order however they were gathered).
fn add_need(needs: &mut Vec<Id>, need: &Id) {
    if let Err(at) = needs.binary_search(need) {
        needs.insert(at, need.clone());
    }
}

impl ReferralGraph {
    pub fn new(directory: &Directory) -> Self {
        let mut graph = StableDiGraph::with_capacity(
            directory.resources.len() + directory.organizations.len(),
            directory.referrals.len() + directory.resources.len() + directory.organizations.len(),
        );
        let mut by_id = FxHashMap::with_capacity_and_hasher(
            directory.resources.len() + directory.organizations.len(),
            Default::default(),
        );
        let facts = Facts::of(directory);
        let mut run_needs: HashMap<&Id, Vec<Id>> = HashMap::new();
        for r in &directory.resources {
            for op in &r.operators {
                let needs = run_needs.entry(op).or_default();
                for n in &r.needs {
                    add_need(needs, n);
                }
            }
        }
        for o in &directory.organizations {
            let needs = run_needs.remove(&o.id).unwrap_or_default();
            let node = graph.add_node(Arc::new(facts.organization_node(o, needs)));
            by_id.insert(o.id.clone(), node);
        }
        for r in &directory.resources {
            let node = graph.add_node(Arc::new(facts.resource_node(r)));
            by_id.insert(r.id.clone(), node);
        }
        for o in &directory.organizations {
            let from = by_id[&o.id];
            if let Some(parent) = o.parent.as_ref().and_then(|p| by_id.get(p)) {
                graph.add_edge(from, *parent, structural(EdgeKind::PartOf));
            }
            for platform in o.member_of.iter().filter_map(|p| by_id.get(p)) {
                graph.add_edge(from, *platform, structural(EdgeKind::MemberOf));
            }
        }
        for r in &directory.resources {
            let from = by_id[&r.id];
            for op in r.operators.iter().filter_map(|o| by_id.get(o)) {
                graph.add_edge(from, *op, structural(EdgeKind::OperatedBy));
            }
        }
        let mut referral_edges = FxHashMap::with_capacity_and_hasher(directory.referrals.len(), Default::default());
        for referral in &directory.referrals {
            if let (Some(from), Some(to)) = (by_id.get(&referral.from), by_id.get(&referral.to)) {
                let edge = graph.add_edge(*from, *to, Arc::new(facts.referral_edge(referral)));
                referral_edges.insert(referral.id.clone(), edge);
            }
        }
        let need_parents: HashMap<Id, Option<Id>> =
            directory.needs.iter().map(|n| (n.code.clone(), n.parent.clone())).collect();
        let need_up: HashMap<Id, Vec<Id>> =
            need_parents.keys().map(|c| (c.clone(), chain_to_root(&need_parents, c))).collect();
        let mut need_down: HashMap<Id, Vec<Id>> = HashMap::new();
        for (code, ancestors) in &need_up {
            for ancestor in ancestors {
                need_down.entry(ancestor.clone()).or_default().push(code.clone());
            }
        }
        for list in need_down.values_mut() {
            list.sort();
        }
        let municipality_up =
            directory.municipalities.iter().map(|m| (m.code, directory.municipality_and_ancestors(m.code))).collect();
        Self {
            graph,
            by_id: Arc::new(by_id),
            referral_edges: Arc::new(referral_edges),
            need_up: Arc::new(need_up),
            need_down: Arc::new(need_down),
            need_labels: Arc::new(directory.needs.iter().map(|n| (n.code.clone(), n.label.clone())).collect()),
            municipality_up: Arc::new(municipality_up),
            municipality_names: Arc::new(directory.municipalities.iter().map(|m| (m.code, m.name.clone())).collect()),
        }
    }

    /// This graph brought in line with `directory` after the resources and referrals
    /// named changed in it (put or removed), without rebuilding the rest: the same
    /// graph [`ReferralGraph::new`] would build from `directory`, in time that grows
    /// with the edit, not with the directory. Organizations and the taxonomies are taken
    /// as they are here; a change to those calls for `new`.
    pub fn patched(&self, directory: &Directory, resources: &[Id], referrals: &[Id]) -> Self {
        let mut next = self.clone();
        let facts = Facts::of(directory);
        let wanted: rustc_hash::FxHashSet<&Id> = resources.iter().chain(referrals).collect();
        let mut now_resources: FxHashMap<&Id, &crate::Resource> = FxHashMap::default();
        let mut now_referrals: FxHashMap<&Id, &crate::Referral> = FxHashMap::default();
        if !resources.is_empty() {
            now_resources =
                directory.resources.iter().filter(|r| wanted.contains(&r.id)).map(|r| (&r.id, &**r)).collect();
        }
        if !referrals.is_empty() {
            now_referrals =
                directory.referrals.iter().filter(|r| wanted.contains(&r.id)).map(|r| (&r.id, &**r)).collect();
        }
        // Organizations whose needs (those of the places they run) must be gathered again.
        let mut operators: Vec<NodeIndex> = Vec::new();
        for id in resources {
            let old = next.by_id.get(id).copied();
            if let Some(node) = old {
                let runs: Vec<(EdgeIndex, NodeIndex)> = next
                    .graph
                    .edges_directed(node, Direction::Outgoing)
                    .filter(|e| e.weight().kind == EdgeKind::OperatedBy)
                    .map(|e| (e.id(), e.target()))
                    .collect();
                for (edge, operator) in runs {
                    next.graph.remove_edge(edge);
                    operators.push(operator);
                }
            }
            match (old, now_resources.get(id)) {
                (Some(node), Some(r)) => next.graph[node] = Arc::new(facts.resource_node(r)),
                (None, Some(r)) => {
                    let node = next.graph.add_node(Arc::new(facts.resource_node(r)));
                    Arc::make_mut(&mut next.by_id).insert(r.id.clone(), node);
                }
                (Some(node), None) => {
                    let gone: Vec<Id> = next
                        .graph
                        .edges(node)
                        .chain(next.graph.edges_directed(node, Direction::Incoming))
                        .filter_map(|e| e.weight().referral.clone())
                        .collect();
                    let edges = Arc::make_mut(&mut next.referral_edges);
                    for referral in gone {
                        edges.remove(&referral);
                    }
                    next.graph.remove_node(node);
                    Arc::make_mut(&mut next.by_id).remove(id);
                }
                (None, None) => {}
            }
            if let (Some(r), Some(&from)) = (now_resources.get(id), next.by_id.get(id)) {
                for &op in r.operators.iter().filter_map(|o| next.by_id.get(o)) {
                    next.graph.add_edge(from, op, structural(EdgeKind::OperatedBy));
                    operators.push(op);
                }
            }
        }
        operators.sort();
        operators.dedup();
        for operator in operators {
            if next.graph[operator].is_resource {
                continue;
            }
            let mut needs = Vec::new();
            for edge in next.graph.edges_directed(operator, Direction::Incoming) {
                if edge.weight().kind == EdgeKind::OperatedBy {
                    for n in &next.graph[edge.source()].needs {
                        add_need(&mut needs, n);
                    }
                }
            }
            if next.graph[operator].needs != needs {
                Arc::make_mut(&mut next.graph[operator]).needs = needs;
            }
        }
        for id in referrals {
            if let Some(edge) = Arc::make_mut(&mut next.referral_edges).remove(id) {
                next.graph.remove_edge(edge);
            }
            if let Some(referral) = now_referrals.get(id)
                && let (Some(&from), Some(&to)) = (next.by_id.get(&referral.from), next.by_id.get(&referral.to))
            {
                let edge = next.graph.add_edge(from, to, Arc::new(facts.referral_edge(referral)));
                Arc::make_mut(&mut next.referral_edges).insert(referral.id.clone(), edge);
            }
        }
        next
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn node(&self, id: &Id) -> Option<&NodeData> {
        self.by_id.get(id).map(|n| &*self.graph[*n])
    }

    fn index(&self, id: &Id) -> Result<NodeIndex, GraphError> {
        self.by_id.get(id).copied().ok_or_else(|| GraphError::UnknownNode(id.to_string()))
    }

    fn check_need(&self, need: &Id) -> Result<(), GraphError> {
        if self.need_up.contains_key(need) { Ok(()) } else { Err(GraphError::UnknownNeed(need.to_string())) }
    }

    pub fn need_label(&self, need: &Id) -> String {
        self.need_labels.get(need).cloned().unwrap_or_else(|| need.to_string())
    }

    /// Whether `need_of_record` answers `need`: the same need, a narrower one or a
    /// broader one (a 居場所 for 孤独・孤立 helps with ひきこもり).
    fn related(&self, need_of_record: &Id, need: &Id) -> bool {
        self.need_up.get(need).is_some_and(|up| up.contains(need_of_record))
            || self.need_down.get(need).is_some_and(|down| down.contains(need_of_record))
    }

    /// Whether a node addresses `need`.
    pub fn addresses(&self, id: &Id, need: &Id) -> bool {
        self.node(id).is_some_and(|n| n.needs.iter().any(|x| self.related(x, need)))
    }

    /// Whether an edge applies to `need` (`None`: any need).
    fn edge_applies(&self, edge: &EdgeData, need: Option<&Id>) -> bool {
        match need {
            None => true,
            Some(need) => edge.needs.is_empty() || edge.needs.iter().any(|x| self.related(x, need)),
        }
    }

    /// Whether a node serves municipality `code` (or all of an enclosing one, or part of it).
    fn serves(&self, node: &NodeData, code: MunicipalityCode) -> bool {
        let up = self.municipality_up.get(&code);
        node.municipalities.iter().any(|m| {
            *m == code
                || up.is_some_and(|up| up.contains(m))
                || self.municipality_up.get(m).is_some_and(|their_up| their_up.contains(&code))
        })
    }

    /// The people-carrying neighbours of `node` for `need`, with the edge taken, in a
    /// stable order (preferred edge kind, then id).
    fn neighbours(&self, node: NodeIndex, need: Option<&Id>, person: Option<&Person>) -> Vec<(NodeIndex, EdgeIndex)> {
        let mut out: Vec<(NodeIndex, EdgeIndex)> = Vec::new();
        for direction in [Direction::Outgoing, Direction::Incoming] {
            for edge in self.graph.edges_directed(node, direction) {
                let data = edge.weight();
                if direction == Direction::Incoming && !data.kind.both_ways() {
                    continue;
                }
                if !data.kind.carries_people()
                    || data.state == ReferralState::NotWorking
                    || !self.edge_applies(data, need)
                    || person.is_some_and(|p| !p.meets(&data.conditions, self))
                {
                    continue;
                }
                let other = if direction == Direction::Outgoing { edge.target() } else { edge.source() };
                if other != node {
                    out.push((other, edge.id()));
                }
            }
        }
        out.sort_by(|a, b| {
            let (ka, kb) = (self.graph[a.1].kind.preference(), self.graph[b.1].kind.preference());
            ka.cmp(&kb).then_with(|| self.graph[a.0].id.cmp(&self.graph[b.0].id))
        });
        out
    }
}
