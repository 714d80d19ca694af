//! The audit a platform coordinator runs: where people get bounced (たらい回し), where
//! referrals stop, what nobody can reach, which needs a municipality lacks, what is
//! stale, which information flows break, and who holds the network together.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{Months, NaiveDate};
use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use super::finding::Referral;
use super::{EdgeKind, Finding, FindingCode, ReferralGraph, Severity};
use crate::{Id, MunicipalityCode, ReferralKind, ReferralState, Status};

/// How many days ahead the audit warns that a list of dates runs out.
pub const DATES_WARNING_DAYS: u64 = 30;

/// Active resources per municipality and need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub municipalities: Vec<MunicipalityCode>,
    pub needs: Vec<Id>,
    /// `counts[m][n]`: resources serving `municipalities[m]` that address `needs[n]`.
    pub counts: Vec<Vec<usize>>,
}

/// The audit's report.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub findings: Vec<Finding>,
    pub coverage: Coverage,
}

/// What to audit and against which day.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub municipality: Option<MunicipalityCode>,
    /// The day staleness is measured from (the core reads no clock).
    pub today: NaiveDate,
    pub stale_months: u32,
    pub hubs: usize,
    /// Above this many nodes, betweenness is estimated from a sample of sources.
    pub exact_hub_limit: usize,
    pub hub_samples: usize,
}

impl AuditOptions {
    pub fn new(today: NaiveDate) -> Self {
        Self { municipality: None, today, stale_months: 12, hubs: 10, exact_hub_limit: 5_000, hub_samples: 32 }
    }
}

impl ReferralGraph {
    fn name(&self, node: NodeIndex) -> &str {
        &self.graph[node].name
    }

    /// A referral edge with its ends, shared with the graph, for a finding to keep.
    fn referral(&self, edge: petgraph::stable_graph::EdgeReference<'_, Arc<super::EdgeData>>) -> Referral {
        Referral {
            edge: Arc::clone(edge.weight()),
            from: Arc::clone(&self.graph[edge.source()]),
            to: Arc::clone(&self.graph[edge.target()]),
        }
    }

    fn in_scope(&self, node: NodeIndex, scope: Option<MunicipalityCode>) -> bool {
        scope.is_none_or(|m| self.serves(&self.graph[node], m))
    }

    /// Runs every check.
    pub fn audit(&self, options: &AuditOptions) -> Audit {
        let mut findings = Vec::new();
        findings.extend(self.broken_flows(options.municipality));
        findings.extend(self.taraimawashi_cycles(options.municipality));
        findings.extend(self.dead_ends(options.municipality));
        findings.extend(self.unreachable(options.municipality));
        let coverage = self.coverage(options.municipality);
        findings.extend(self.coverage_holes(&coverage));
        findings.extend(self.stale(options));
        findings.extend(self.dates_running_out(options));
        findings.extend(self.referrals_to_closed_places(options.municipality));
        findings.extend(self.hubs(options));
        Audit { findings, coverage }
    }

    /// Referral edges a person is moved along (refers, escalates), working.
    fn moves_person(&self, kind: EdgeKind, state: ReferralState) -> bool {
        state == ReferralState::Working
            && matches!(kind, EdgeKind::Referral(ReferralKind::RefersTo | ReferralKind::EscalatesTo))
    }

    /// For each need (sorted by code), the person-moving edges that apply to it, from
    /// one pass over the graph.
    fn moving_edges_by_need(&self) -> (Vec<Id>, Vec<Vec<(NodeIndex, NodeIndex)>>) {
        let mut needs: Vec<Id> = self.need_up.keys().cloned().collect();
        needs.sort();
        let position: HashMap<&Id, usize> = needs.iter().enumerate().map(|(i, n)| (n, i)).collect();
        // Each need and the needs it is related to (itself, broader, narrower), by position.
        let related: HashMap<&Id, Vec<usize>> = needs
            .iter()
            .map(|n| {
                let mut all: Vec<usize> = self.need_up[n]
                    .iter()
                    .chain(self.need_down.get(n).into_iter().flatten())
                    .map(|x| position[x])
                    .collect();
                all.sort_unstable();
                all.dedup();
                (n, all)
            })
            .collect();
        let mut buckets: Vec<Vec<(NodeIndex, NodeIndex)>> = vec![Vec::new(); needs.len()];
        for edge in self.graph.edge_references() {
            let data = edge.weight();
            if !self.moves_person(data.kind, data.state) {
                continue;
            }
            let pair = (edge.source(), edge.target());
            if data.needs.is_empty() {
                buckets.iter_mut().for_each(|b| b.push(pair));
                continue;
            }
            let mut targets: Vec<usize> = data.needs.iter().filter_map(|n| related.get(n)).flatten().copied().collect();
            targets.sort_unstable();
            targets.dedup();
            for t in targets {
                buckets[t].push(pair);
            }
        }
        (needs, buckets)
    }

    /// Cycles of referrals for a need in which no member addresses it: a person sent
    /// round them never reaches help.
    pub fn taraimawashi_cycles(&self, scope: Option<MunicipalityCode>) -> Vec<Finding> {
        let (needs, buckets) = self.moving_edges_by_need();
        let mut findings = Vec::new();
        for (need, mut pairs) in needs.iter().zip(buckets) {
            pairs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| self.graph[a.1].id.cmp(&self.graph[b.1].id)));
            pairs.dedup();
            let mut edges: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::new();
            for (from, to) in pairs {
                edges.entry(from).or_default().push(to);
            }
            for component in strongly_connected(&edges) {
                if component.iter().any(|n| self.graph[*n].needs.iter().any(|x| self.related(x, need))) {
                    continue;
                }
                if !component.iter().any(|n| self.in_scope(*n, scope)) {
                    continue;
                }
                let cycle = shortest_cycle(&edges, &component, |n| self.graph[n].id.clone());
                let names: Vec<&str> = cycle.iter().map(|n| self.name(*n)).collect();
                let label = self.need_label(need);
                findings.push(Finding::written(
                    FindingCode::TaraimawashiCycle,
                    Severity::Error,
                    Some(need.clone()),
                    cycle.iter().map(|n| self.graph[*n].id.clone()).collect(),
                    format!(
                        "「{label}」の相談が {} と回り、どこも対応していません（たらい回しの恐れ）",
                        names.join(" → ")
                    ),
                    format!(
                        "この輪のどこかで「{label}」に対応する窓口を登録するか、対応できる先への紹介を加えてください"
                    ),
                ));
            }
        }
        findings
    }

    /// Places that receive referrals for a need they do not address and refer nowhere for it.
    pub fn dead_ends(&self, scope: Option<MunicipalityCode>) -> Vec<Finding> {
        let mut needs: Vec<&Id> = self.need_up.keys().collect();
        needs.sort();
        let position: HashMap<&Id, usize> = needs.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut received: HashMap<(NodeIndex, usize), Vec<NodeIndex>> = HashMap::new();
        for edge in self.graph.edge_references() {
            let data = edge.weight();
            if !self.moves_person(data.kind, data.state) {
                continue;
            }
            for need in data.needs.iter().filter_map(|n| position.get(n)) {
                received.entry((edge.target(), *need)).or_default().push(edge.source());
            }
        }
        let mut keys: Vec<&(NodeIndex, usize)> = received.keys().collect();
        keys.sort_by(|a, b| self.graph[a.0].id.cmp(&self.graph[b.0].id).then_with(|| a.1.cmp(&b.1)));
        let mut findings = Vec::new();
        for key in keys {
            let (node, need) = (&key.0, needs[key.1]);
            let data = &self.graph[*node];
            if data.needs.iter().any(|x| self.related(x, need)) || !self.in_scope(*node, scope) {
                continue;
            }
            let refers_on = self.graph.edges_directed(*node, Direction::Outgoing).any(|e| {
                let d = e.weight();
                d.state == ReferralState::Working
                    && matches!(
                        d.kind,
                        EdgeKind::Referral(ReferralKind::RefersTo | ReferralKind::EscalatesTo | ReferralKind::Consults)
                    )
                    && self.edge_applies(d, Some(need))
            });
            if refers_on {
                continue;
            }
            let mut senders = received[key].clone();
            senders.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
            senders.dedup();
            let label = self.need_label(need);
            let from: Vec<&str> = senders.iter().map(|n| self.name(*n)).collect();
            findings.push(Finding::written(
                FindingCode::DeadEnd,
                Severity::Warning,
                Some(need.clone()),
                std::iter::once(data.id.clone()).chain(senders.iter().map(|n| self.graph[*n].id.clone())).collect(),
                format!(
                    "{} は {} から「{label}」の紹介を受けますが、対応する支援資源も次の紹介先も登録されていません",
                    data.name,
                    from.join("・")
                ),
                format!("{} の「{label}」の窓口を支援資源として登録するか、紹介先を加えてください", data.name),
            ));
        }
        findings
    }

    /// Active resources that no entry window can reach.
    pub fn unreachable(&self, scope: Option<MunicipalityCode>) -> Vec<Finding> {
        let mut seen: HashSet<NodeIndex> = HashSet::new();
        let mut queue: VecDeque<NodeIndex> = VecDeque::new();
        for node in self.graph.node_indices() {
            let data = &self.graph[node];
            if data.entry_window && data.status == Status::Active {
                seen.insert(node);
                queue.push_back(node);
            }
        }
        while let Some(node) = queue.pop_front() {
            for (next, _) in self.neighbours(node, None, None) {
                if seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        let mut lost: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|n| {
                let d = &self.graph[*n];
                d.is_resource && d.status == Status::Active && !seen.contains(n) && self.in_scope(*n, scope)
            })
            .collect();
        lost.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        lost.into_iter().map(|n| Finding::unreachable(Arc::clone(&self.graph[n]))).collect()
    }

    /// Active resources per municipality (with resources) and need.
    pub fn coverage(&self, scope: Option<MunicipalityCode>) -> Coverage {
        let mut needs: Vec<Id> = self.need_up.keys().cloned().collect();
        needs.sort();
        let need_index: HashMap<&Id, usize> = needs.iter().enumerate().map(|(i, n)| (n, i)).collect();
        // Resources by the municipality they name, with every need they cover.
        let mut direct: HashMap<MunicipalityCode, Vec<usize>> = HashMap::new();
        let mut named: HashSet<MunicipalityCode> = HashSet::new();
        for node in self.graph.node_weights() {
            if !node.is_resource || node.status != Status::Active {
                continue;
            }
            let covered: HashSet<usize> = needs
                .iter()
                .filter(|need| node.needs.iter().any(|x| self.related(x, need)))
                .map(|need| need_index[need])
                .collect();
            for m in &node.municipalities {
                named.insert(*m);
                let row = direct.entry(*m).or_insert_with(|| vec![0; needs.len()]);
                for n in &covered {
                    row[*n] += 1;
                }
            }
        }
        let mut municipalities: Vec<MunicipalityCode> = named
            .into_iter()
            .filter(|m| scope.is_none_or(|s| *m == s || self.municipality_up.get(m).is_some_and(|up| up.contains(&s))))
            .collect();
        municipalities.sort();
        let counts = municipalities
            .iter()
            .map(|m| {
                let mut row = vec![0; needs.len()];
                // Resources named for this municipality or for all of an enclosing one.
                let up = self.municipality_up.get(m).cloned().unwrap_or_else(|| vec![*m]);
                for place in up {
                    if let Some(counts) = direct.get(&place) {
                        for (cell, count) in row.iter_mut().zip(counts) {
                            *cell += count;
                        }
                    }
                }
                row
            })
            .collect();
        Coverage { municipalities, needs, counts }
    }

    fn coverage_holes(&self, coverage: &Coverage) -> Vec<Finding> {
        coverage
            .municipalities
            .iter()
            .zip(&coverage.counts)
            .filter_map(|(m, row)| {
                let missing: Vec<&Id> =
                    coverage.needs.iter().zip(row).filter(|(_, c)| **c == 0).map(|(n, _)| n).collect();
                if missing.is_empty() {
                    return None;
                }
                let name = self.municipality_names.get(m).cloned().unwrap_or_else(|| m.to_string());
                let labels: Vec<String> = missing.iter().map(|n| self.need_label(n)).collect();
                Some(Finding::written(
                    FindingCode::CoverageHole,
                    Severity::Info,
                    None,
                    missing.into_iter().cloned().collect(),
                    format!("{name} には次の困りごとに対応する支援資源が登録されていません: {}", labels.join("、")),
                    format!("{name} の該当する窓口・活動を調べて登録してください（区外・都全域の資源でも構いません）"),
                ))
            })
            .collect()
    }

    /// Records not verified for `stale_months`.
    pub fn stale(&self, options: &AuditOptions) -> Vec<Finding> {
        let cutoff = options.today.checked_sub_months(Months::new(options.stale_months)).unwrap_or(NaiveDate::MIN);
        let mut findings: Vec<Finding> = Vec::new();
        let mut nodes: Vec<NodeIndex> = self.graph.node_indices().collect();
        nodes.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        for node in nodes {
            let data = &self.graph[node];
            if data.verified.is_some_and(|v| v < cutoff) && self.in_scope(node, options.municipality) {
                findings.push(Finding::stale_record(Arc::clone(data), options.stale_months));
            }
        }
        let mut edges: Vec<_> = self.graph.edge_references().filter(|e| e.weight().referral.is_some()).collect();
        edges.sort_by(|a, b| a.weight().referral.cmp(&b.weight().referral));
        for edge in edges {
            let data = edge.weight();
            if data.verified.is_some_and(|v| v < cutoff) && self.in_scope(edge.source(), options.municipality) {
                findings.push(Finding::stale_referral(self.referral(edge), options.stale_months));
            }
        }
        findings
    }

    /// Active places whose schedule is only listed dates, the last of them within
    /// [`DATES_WARNING_DAYS`] of `today` or past: a steward should add the next dates
    /// (or end the record) before workers see "unknown".
    pub fn dates_running_out(&self, options: &AuditOptions) -> Vec<Finding> {
        let soon = options.today.checked_add_days(chrono::Days::new(DATES_WARNING_DAYS)).unwrap_or(NaiveDate::MAX);
        let mut nodes: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|n| {
                let data = &self.graph[*n];
                data.status == Status::Active
                    && data.listed_until.is_some_and(|last| last <= soon)
                    && self.in_scope(*n, options.municipality)
            })
            .collect();
        nodes.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        nodes
            .into_iter()
            .map(|n| {
                let data = &self.graph[n];
                let past = data.listed_until.is_some_and(|last| last < options.today);
                Finding::dates_running_out(Arc::clone(data), past)
            })
            .collect()
    }

    /// Working referrals that send people to a place that has ended or has not opened:
    /// a worker following the edge would find nobody there.
    pub fn referrals_to_closed_places(&self, scope: Option<MunicipalityCode>) -> Vec<Finding> {
        let mut edges: Vec<_> = self
            .graph
            .edge_references()
            .filter(|e| {
                let target = &self.graph[e.target()];
                e.weight().referral.is_some()
                    && e.weight().state == ReferralState::Working
                    && e.weight().kind.carries_people()
                    && target.is_resource
                    && matches!(target.status, Status::Ended | Status::Planned)
                    && (self.in_scope(e.source(), scope) || self.in_scope(e.target(), scope))
            })
            .collect();
        edges.sort_by(|a, b| a.weight().referral.cmp(&b.weight().referral));
        edges.into_iter().map(|edge| Finding::refers_to_closed_place(self.referral(edge))).collect()
    }

    /// Information flows marked as not working, with the chain that feeds them.
    pub fn broken_flows(&self, scope: Option<MunicipalityCode>) -> Vec<Finding> {
        let mut broken: Vec<_> = self
            .graph
            .edge_references()
            .filter(|e| e.weight().state == ReferralState::NotWorking)
            .filter(|e| self.in_scope(e.source(), scope) || self.in_scope(e.target(), scope))
            .collect();
        broken.sort_by(|a, b| a.weight().referral.cmp(&b.weight().referral));
        broken
            .into_iter()
            .map(|edge| {
                // Walk back along the same kind of edge to where the flow starts.
                let kind = edge.weight().kind;
                let mut chain = vec![edge.target(), edge.source()];
                while let Some(previous) = self
                    .graph
                    .edges_directed(*chain.last().expect("a chain has a start"), Direction::Incoming)
                    .filter(|e| e.weight().kind == kind && !chain.contains(&e.source()))
                    .map(|e| e.source())
                    .min_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id))
                {
                    chain.push(previous);
                }
                chain.reverse();
                let names: Vec<&str> = chain.iter().map(|n| self.name(*n)).collect();
                let what = if kind == EdgeKind::Referral(ReferralKind::SharesInformationWith) {
                    "情報の流れ"
                } else {
                    "紹介"
                };
                Finding::written(
                    FindingCode::BrokenFlow,
                    Severity::Error,
                    edge.weight().needs.first().cloned(),
                    chain.iter().map(|n| self.graph[*n].id.clone()).collect(),
                    format!(
                        "{what}が途切れています: {}（{} → {} が機能していません）",
                        names.join(" → "),
                        self.name(edge.source()),
                        self.name(edge.target())
                    ),
                    format!(
                        "{} と {} で、受け渡しの方法（同意の範囲・頻度・担当）を取り決めてください",
                        self.name(edge.source()),
                        self.name(edge.target())
                    ),
                )
            })
            .collect()
    }

    /// The places most shortest referral paths pass through (betweenness centrality,
    /// estimated from a sample of sources on large graphs).
    pub fn hubs(&self, options: &AuditOptions) -> Vec<Finding> {
        if options.hubs == 0 {
            return Vec::new();
        }
        let scores = self.betweenness(options);
        let mut ranked: Vec<(NodeIndex, f64)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| self.graph[a.0].id.cmp(&self.graph[b.0].id)));
        ranked
            .into_iter()
            .filter(|(n, _)| self.in_scope(*n, options.municipality))
            .take(options.hubs)
            .map(|(n, score)| {
                Finding::written(
                    FindingCode::Hub,
                    Severity::Info,
                    None,
                    vec![self.graph[n].id.clone()],
                    format!("{} がネットワークをつないでいます（媒介中心性 {score:.1}）", self.name(n)),
                    format!(
                        "{} が止まっても紹介が途切れないよう、周りの窓口どうしの直接の連携も登録してください",
                        self.name(n)
                    ),
                )
            })
            .collect()
    }

    /// Brandes' betweenness over people-carrying edges, any need, on dense arrays.
    pub fn betweenness(&self, options: &AuditOptions) -> HashMap<NodeIndex, f64> {
        let mut nodes: Vec<NodeIndex> = self.graph.node_indices().collect();
        nodes.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        let sources: Vec<NodeIndex> = if nodes.len() <= options.exact_hub_limit {
            nodes.clone()
        } else {
            let step = nodes.len() / options.hub_samples.max(1);
            nodes.iter().step_by(step.max(1)).take(options.hub_samples).copied().collect()
        };
        let scale = nodes.len() as f64 / sources.len().max(1) as f64;
        let bound = self.graph.node_bound();
        let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); bound];
        for node in &nodes {
            adjacency[node.index()] =
                self.neighbours(*node, None, None).into_iter().map(|(m, _)| m.index() as u32).collect();
        }
        let mut centrality = vec![0.0f64; bound];
        let mut sigma = vec![0.0f64; bound];
        let mut delta = vec![0.0f64; bound];
        let mut distance = vec![u32::MAX; bound];
        let mut order: Vec<u32> = Vec::new();
        for source in sources {
            let s = source.index() as u32;
            sigma[s as usize] = 1.0;
            distance[s as usize] = 0;
            order.clear();
            order.push(s);
            let mut head = 0;
            while head < order.len() {
                let v = order[head] as usize;
                head += 1;
                for &w in &adjacency[v] {
                    let w = w as usize;
                    if distance[w] == u32::MAX {
                        distance[w] = distance[v] + 1;
                        order.push(w as u32);
                    }
                    if distance[w] == distance[v] + 1 {
                        sigma[w] += sigma[v];
                    }
                }
            }
            // Deepest first: each node passes its share back to the nodes one step closer.
            for &v in order.iter().rev() {
                let v = v as usize;
                for &w in &adjacency[v] {
                    let w = w as usize;
                    if distance[w] == distance[v] + 1 {
                        delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                    }
                }
                if v as u32 != s {
                    centrality[v] += delta[v] * scale;
                }
            }
            for &v in &order {
                let v = v as usize;
                sigma[v] = 0.0;
                delta[v] = 0.0;
                distance[v] = u32::MAX;
            }
        }
        nodes.into_iter().map(|n| (n, centrality[n.index()])).collect()
    }
}

/// Strongly connected components with more than one member (Tarjan, iterative).
pub(super) fn strongly_connected(edges: &HashMap<NodeIndex, Vec<NodeIndex>>) -> Vec<Vec<NodeIndex>> {
    let mut nodes: Vec<NodeIndex> = edges.keys().copied().collect();
    nodes.sort();
    let mut index: HashMap<NodeIndex, usize> = HashMap::new();
    let mut low: HashMap<NodeIndex, usize> = HashMap::new();
    let mut on_stack: HashSet<NodeIndex> = HashSet::new();
    let mut stack: Vec<NodeIndex> = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    let empty: Vec<NodeIndex> = Vec::new();
    for root in nodes {
        if index.contains_key(&root) {
            continue;
        }
        // (node, next child position)
        let mut work: Vec<(NodeIndex, usize)> = vec![(root, 0)];
        index.insert(root, counter);
        low.insert(root, counter);
        counter += 1;
        stack.push(root);
        on_stack.insert(root);
        while let Some(&mut (node, ref mut child)) = work.last_mut() {
            let children = edges.get(&node).unwrap_or(&empty);
            if let Some(&next) = children.get(*child) {
                *child += 1;
                if let Some(&next_index) = index.get(&next) {
                    if on_stack.contains(&next) {
                        let l = low[&node].min(next_index);
                        low.insert(node, l);
                    }
                } else {
                    index.insert(next, counter);
                    low.insert(next, counter);
                    counter += 1;
                    stack.push(next);
                    on_stack.insert(next);
                    work.push((next, 0));
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let l = low[&parent].min(low[&node]);
                low.insert(parent, l);
            }
            if low[&node] == index[&node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(&member);
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    components.push(component);
                }
            }
        }
    }
    components
}

/// The shortest cycle through the component's first member (by id), as a closed path.
pub(super) fn shortest_cycle(
    edges: &HashMap<NodeIndex, Vec<NodeIndex>>,
    component: &[NodeIndex],
    id: impl Fn(NodeIndex) -> Id,
) -> Vec<NodeIndex> {
    let members: HashSet<NodeIndex> = component.iter().copied().collect();
    let start = *component.iter().min_by_key(|n| id(**n)).expect("a component has members");
    let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in edges.get(&node).into_iter().flatten() {
            if !members.contains(next) {
                continue;
            }
            if *next == start {
                let mut cycle = vec![start, node];
                let mut at = node;
                while let Some(p) = previous.get(&at) {
                    cycle.push(*p);
                    at = *p;
                }
                // Built backwards (start, node, …, start); turn it forwards.
                cycle.reverse();
                return cycle;
            }
            if *next != start && !previous.contains_key(next) {
                previous.insert(*next, node);
                queue.push_back(*next);
            }
        }
    }
    vec![start, start]
}
