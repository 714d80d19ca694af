//! Property tests on random graphs, against a brute-force model built straight from
//! the directory: every path is valid and shortest, none is missed; every reported
//! cycle is a real cycle, and every bouncing component is reported.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::visit::IntoEdgeReferences;

use chrono::NaiveDate;

use super::*;
use crate::*;

struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const NEEDS: [&str; 3] = ["food", "care", "isolation"];
const KINDS: [ReferralKind; 6] = [
    ReferralKind::RefersTo,
    ReferralKind::EscalatesTo,
    ReferralKind::Consults,
    ReferralKind::PartnersWith,
    ReferralKind::MemberOf,
    ReferralKind::SharesInformationWith,
];

fn id(text: &str) -> Id {
    Id::parse(text).unwrap()
}

fn random_directory(rng: &mut XorShift) -> Directory {
    let provenance =
        vec![Provenance { source: id("doc"), locator: None, verified: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() }];
    let orgs = 1 + rng.below(4);
    let resources = 3 + rng.below(10);
    let mut dir = Directory {
        needs: NEEDS
            .iter()
            .map(|n| Need {
                code: id(n),
                label: (*n).into(),
                kana: None,
                parent: None,
                synonyms: vec![],
                cues: vec![],
                description: None,
                local_names: vec![],
                provenance: vec![],
            })
            .collect(),
        kinds: vec![Kind {
            code: id("window"),
            label: "窓口".into(),
            kana: None,
            parent: None,
            synonyms: vec![],
            local_names: vec![],
            entry_window: true,
            description: None,
            provenance: vec![],
        }],
        ..Directory::default()
    };
    for o in 0..orgs {
        dir.organizations.push(Organization {
            id: id(&format!("o{o}")),
            name: format!("団体{o}"),
            kana: None,
            kind: OrganizationKind::Other,
            parent: (o > 0 && rng.below(2) == 0).then(|| id(&format!("o{}", rng.below(o)))),
            municipality: None,
            service_area: ServiceArea::default(),
            description: None,
            contacts: vec![],
            url: None,
            member_of: vec![],
            provenance: provenance.clone(),
            hsds: None,
        });
    }
    for r in 0..resources {
        let needs: Vec<Id> = NEEDS.iter().filter(|_| rng.below(3) == 0).map(|n| id(n)).collect();
        let mut resource = Resource::new(id(&format!("r{r}")), format!("資源{r}"), id("window"));
        resource.needs = needs;
        resource.status = if rng.below(6) == 0 { Status::Paused } else { Status::Active };
        resource.operators = if rng.below(3) == 0 { vec![id(&format!("o{}", rng.below(orgs)))] } else { vec![] };
        resource.provenance = provenance.clone();
        dir.resources.push(resource.into());
    }
    let nodes = orgs + resources;
    let name = |i: usize| if i < orgs { format!("o{i}") } else { format!("r{}", i - orgs) };
    for e in 0..rng.below(nodes * 3) {
        let (from, to) = (rng.below(nodes), rng.below(nodes));
        if from == to {
            continue;
        }
        dir.referrals.push(
            Referral {
                id: id(&format!("e{e}")),
                from: id(&name(from)),
                to: id(&name(to)),
                kind: KINDS[rng.below(KINDS.len())],
                needs: if rng.below(2) == 0 { vec![] } else { vec![id(NEEDS[rng.below(NEEDS.len())])] },
                conditions: ReferralConditions::default(),
                state: if rng.below(8) == 0 { ReferralState::NotWorking } else { ReferralState::Working },
                note: None,
                provenance: provenance.clone(),
            }
            .into(),
        );
    }
    dir
}

/// Who a person can be handed to for `need`, read straight off the records.
fn model_edges(dir: &Directory, need: &Id) -> HashMap<Id, HashSet<Id>> {
    let mut adj: HashMap<Id, HashSet<Id>> = HashMap::new();
    let both = |a: &Id, b: &Id, adj: &mut HashMap<Id, HashSet<Id>>| {
        adj.entry(a.clone()).or_default().insert(b.clone());
        adj.entry(b.clone()).or_default().insert(a.clone());
    };
    for o in &dir.organizations {
        if let Some(p) = &o.parent {
            both(&o.id, p, &mut adj);
        }
    }
    for r in &dir.resources {
        for op in &r.operators {
            both(&r.id, op, &mut adj);
        }
    }
    for e in &dir.referrals {
        let applies = e.needs.is_empty() || e.needs.contains(need);
        if e.state == ReferralState::NotWorking || e.kind == ReferralKind::SharesInformationWith || !applies {
            continue;
        }
        if matches!(e.kind, ReferralKind::PartnersWith | ReferralKind::MemberOf) {
            both(&e.from, &e.to, &mut adj);
        } else {
            adj.entry(e.from.clone()).or_default().insert(e.to.clone());
        }
    }
    adj
}

fn model_distances(adj: &HashMap<Id, HashSet<Id>>, from: &Id) -> HashMap<Id, usize> {
    let mut dist = HashMap::from([(from.clone(), 0)]);
    let mut queue = VecDeque::from([from.clone()]);
    while let Some(node) = queue.pop_front() {
        for next in adj.get(&node).into_iter().flatten() {
            if !dist.contains_key(next) {
                dist.insert(next.clone(), dist[&node] + 1);
                queue.push_back(next.clone());
            }
        }
    }
    dist
}

#[test]
fn paths_are_valid_shortest_and_complete() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    for _ in 0..300 {
        let dir = random_directory(&mut rng);
        let graph = ReferralGraph::new(&dir);
        let need = id(NEEDS[rng.below(NEEDS.len())]);
        let from = dir.resources[rng.below(dir.resources.len())].id.clone();
        let max_hops = 1 + rng.below(4);
        let adj = model_edges(&dir, &need);
        let dist = model_distances(&adj, &from);
        let mut query = PathQuery::new(from.clone(), need.clone());
        query.max_hops = max_hops;
        query.limit = usize::MAX;
        let paths = graph.paths(&query).unwrap();
        for path in &paths {
            assert_eq!(path.hops.first().map(|h| &h.from), Some(&from));
            assert_eq!(path.hops.last().map(|h| &h.to), Some(&path.target));
            for pair in path.hops.windows(2) {
                assert_eq!(pair[0].to, pair[1].from);
            }
            for hop in &path.hops {
                assert!(
                    adj.get(&hop.from).is_some_and(|n| n.contains(&hop.to)),
                    "hop {} → {} is no edge",
                    hop.from,
                    hop.to
                );
            }
            assert_eq!(path.hops.len(), dist[&path.target], "path to {} is not shortest", path.target);
        }
        let expected: HashSet<&Id> = dir
            .resources
            .iter()
            .filter(|r| r.id != from && r.status == Status::Active && r.needs.contains(&need))
            .filter(|r| dist.get(&r.id).is_some_and(|d| *d <= max_hops))
            .map(|r| &r.id)
            .collect();
        let found: HashSet<&Id> = paths.iter().map(|p| &p.target).collect();
        assert_eq!(found, expected);
        checked += paths.iter().filter(|p| p.hops.len() >= 2).count();
    }
    // The random graphs must exercise multi-hop paths, or this test proves nothing.
    assert!(checked > 50, "only {checked} multi-hop paths");
}

#[test]
fn reported_cycles_are_real_and_none_is_missed() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut cycles = 0;
    for _ in 0..1000 {
        let dir = random_directory(&mut rng);
        let graph = ReferralGraph::new(&dir);
        let findings = graph.taraimawashi_cycles(None);
        for need in NEEDS.map(id) {
            // Person-moving referral edges for this need, straight off the records.
            let mut moves: HashMap<&Id, HashSet<&Id>> = HashMap::new();
            for e in &dir.referrals {
                let moving = matches!(e.kind, ReferralKind::RefersTo | ReferralKind::EscalatesTo);
                if moving && e.state == ReferralState::Working && (e.needs.is_empty() || e.needs.contains(&need)) {
                    moves.entry(&e.from).or_default().insert(&e.to);
                }
            }
            let addresses = |node: &Id| graph.addresses(node, &need);
            let reported: Vec<&Finding> = findings.iter().filter(|f| f.need() == Some(&need)).collect();
            for finding in &reported {
                let cycle = finding.records();
                assert!(cycle.len() >= 3 && cycle.first() == cycle.last(), "{cycle:?} is not closed");
                for pair in cycle.windows(2) {
                    assert!(
                        moves.get(&pair[0]).is_some_and(|n| n.contains(&pair[1])),
                        "{} → {} is no edge",
                        pair[0],
                        pair[1]
                    );
                }
                assert!(cycle.iter().all(|n| !addresses(n)));
            }
            // Brute force: strongly connected groups (mutual reachability) of two or
            // more in which nobody addresses the need.
            let nodes: Vec<&Id> = moves.keys().copied().collect();
            let reach = |from: &Id| {
                let mut seen: HashSet<&Id> = HashSet::new();
                let mut stack = vec![from];
                while let Some(n) = stack.pop() {
                    for next in moves.get(n).into_iter().flatten() {
                        if seen.insert(next) {
                            stack.push(next);
                        }
                    }
                }
                seen
            };
            let reaches: HashMap<&Id, HashSet<&Id>> = nodes.iter().map(|n| (*n, reach(n))).collect();
            let mut groups: Vec<Vec<&Id>> = Vec::new();
            for n in &nodes {
                if !reaches[n].contains(n) || groups.iter().any(|g| g.contains(n)) {
                    continue;
                }
                let group: Vec<&Id> =
                    nodes.iter().filter(|m| reaches[n].contains(*m) && reaches[*m].contains(n)).copied().collect();
                groups.push(group);
            }
            let bouncing = groups.iter().filter(|g| g.len() > 1 && g.iter().all(|n| !addresses(n))).count();
            assert_eq!(reported.len(), bouncing, "need {need}");
            cycles += reported.len();
        }
    }
    assert!(cycles > 40, "only {cycles} cycles reported");
}

/// The graph as comparable text: every node's facts, and every edge with its ends.
fn canonical(graph: &ReferralGraph) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut nodes: Vec<String> = graph.graph.node_weights().map(|n| format!("{n:?}")).collect();
    nodes.sort();
    let mut edges: Vec<String> = graph
        .graph
        .edge_references()
        .map(|e| format!("{} -> {} {:?}", graph.graph[e.source()].id, graph.graph[e.target()].id, e.weight()))
        .collect();
    edges.sort();
    let mut referrals: Vec<String> = graph
        .referral_edges
        .iter()
        .map(|(id, e)| {
            let (from, to) = graph.graph.edge_endpoints(*e).unwrap();
            format!("{id}: {} -> {}", graph.graph[from].id, graph.graph[to].id)
        })
        .collect();
    referrals.sort();
    (nodes, edges, referrals)
}

/// A random edit of `dir`'s resources and referrals; returns the ids it touched.
fn random_edit(rng: &mut XorShift, dir: &mut Directory) -> (Vec<Id>, Vec<Id>) {
    let mut resources = Vec::new();
    let mut referrals = Vec::new();
    let nodes: Vec<Id> =
        dir.organizations.iter().map(|o| o.id.clone()).chain(dir.resources.iter().map(|r| r.id.clone())).collect();
    for _ in 0..1 + rng.below(4) {
        match rng.below(6) {
            // Change a resource's needs, operators and status.
            0 | 1 if !dir.resources.is_empty() => {
                let i = rng.below(dir.resources.len());
                let r = std::sync::Arc::make_mut(&mut dir.resources[i]);
                r.needs = NEEDS.iter().filter(|_| rng.below(2) == 0).map(|n| id(n)).collect();
                r.operators = if rng.below(2) == 0 {
                    vec![id(&format!("o{}", rng.below(dir.organizations.len())))]
                } else {
                    vec![]
                };
                r.status = if rng.below(3) == 0 { Status::Paused } else { Status::Active };
                resources.push(r.id.clone());
            }
            // A new resource, run by an organization.
            2 => {
                let key = id(&format!("new{}", rng.below(1000)));
                if dir.resources.iter().any(|r| r.id == key) {
                    continue;
                }
                let mut r = Resource::new(key.clone(), "新しい資源", id("window"));
                r.needs = vec![id(NEEDS[rng.below(NEEDS.len())])];
                r.operators = vec![id(&format!("o{}", rng.below(dir.organizations.len())))];
                dir.resources.push(r.into());
                resources.push(key);
            }
            // A resource removed, with the referrals that name it.
            3 if !dir.resources.is_empty() => {
                let gone = dir.resources.remove(rng.below(dir.resources.len())).id.clone();
                for referral in dir.referrals.iter().filter(|e| e.from == gone || e.to == gone) {
                    referrals.push(referral.id.clone());
                }
                dir.referrals.retain(|e| e.from != gone && e.to != gone);
                resources.push(gone);
            }
            // A referral redirected, or removed.
            4 if !dir.referrals.is_empty() => {
                let i = rng.below(dir.referrals.len());
                referrals.push(dir.referrals[i].id.clone());
                if rng.below(2) == 0 {
                    dir.referrals.remove(i);
                } else {
                    let live: Vec<&Id> = nodes
                        .iter()
                        .filter(|n| dir.resources.iter().any(|r| &r.id == *n) || n.as_str().starts_with('o'))
                        .collect();
                    let e = std::sync::Arc::make_mut(&mut dir.referrals[i]);
                    e.to = live[rng.below(live.len())].clone();
                    e.state = ReferralState::Working;
                }
            }
            // A new referral between two places that exist.
            _ => {
                let live: Vec<Id> = dir
                    .organizations
                    .iter()
                    .map(|o| o.id.clone())
                    .chain(dir.resources.iter().map(|r| r.id.clone()))
                    .collect();
                let (from, to) = (live[rng.below(live.len())].clone(), live[rng.below(live.len())].clone());
                let key = id(&format!("added{}", rng.below(1000)));
                if from == to || dir.referrals.iter().any(|e| e.id == key) {
                    continue;
                }
                let mut edge = Referral::clone(dir.referrals.first().map_or(
                    &Referral {
                        id: key.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        kind: ReferralKind::RefersTo,
                        needs: vec![],
                        conditions: ReferralConditions::default(),
                        state: ReferralState::Working,
                        note: None,
                        provenance: vec![],
                    },
                    |e| &**e,
                ));
                edge.id = key.clone();
                edge.from = from;
                edge.to = to;
                dir.referrals.push(edge.into());
                referrals.push(key);
            }
        }
    }
    (resources, referrals)
}

#[test]
fn a_patched_graph_is_the_graph_built_afresh() {
    let mut rng = XorShift(0x5eed_1234_abcd);
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for round in 0..400 {
        let mut dir = random_directory(&mut rng);
        let mut graph = ReferralGraph::new(&dir);
        // Several edits in a row, each patched onto the last patched graph.
        for step in 0..3 {
            let (resources, referrals) = random_edit(&mut rng, &mut dir);
            graph = graph.patched(&dir, &resources, &referrals);
            let fresh = ReferralGraph::new(&dir);
            assert_eq!(canonical(&graph), canonical(&fresh), "round {round}, step {step}: {resources:?} {referrals:?}");
            let options = AuditOptions::new(today);
            assert_eq!(graph.audit(&options).findings, fresh.audit(&options).findings, "round {round}, step {step}");
        }
    }
}
