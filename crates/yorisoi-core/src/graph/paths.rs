//! Referral paths: from where a worker stands, the shortest chains to places that
//! address a need, each hop with its conditions.

use std::collections::{HashMap, VecDeque};

use petgraph::stable_graph::{EdgeIndex, NodeIndex};

use super::{EdgeKind, GraphError, ReferralGraph};
use crate::{Id, MunicipalityCode, ReferralConditions, Status};

/// The person being referred, for edge conditions.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub age: Option<u8>,
    pub residence: Option<MunicipalityCode>,
}

impl Person {
    /// Whether the person meets a referral's conditions (unknown facts do not exclude).
    pub(super) fn meets(&self, conditions: &ReferralConditions, graph: &ReferralGraph) -> bool {
        if let Some(age) = self.age
            && (conditions.age_min.is_some_and(|min| age < min) || conditions.age_max.is_some_and(|max| age > max))
        {
            return false;
        }
        match self.residence {
            Some(home) if !conditions.residence.is_empty() => {
                let up = graph.municipality_up.get(&home);
                conditions.residence.iter().any(|r| *r == home || up.is_some_and(|up| up.contains(r)))
            }
            _ => true,
        }
    }
}

/// A paths question.
#[derive(Debug, Clone)]
pub struct PathQuery {
    pub from: Id,
    pub need: Id,
    pub municipality: Option<MunicipalityCode>,
    pub max_hops: usize,
    pub person: Option<Person>,
    pub limit: usize,
}

impl PathQuery {
    pub fn new(from: Id, need: Id) -> Self {
        Self { from, need, municipality: None, max_hops: 4, person: None, limit: 20 }
    }
}

/// One step of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: Id,
    pub to: Id,
    pub kind: EdgeKind,
    /// The referral record, for referral edges.
    pub referral: Option<Id>,
    pub conditions: ReferralConditions,
    pub note: Option<String>,
}

/// A chain from the worker's place to a place that addresses the need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub target: Id,
    pub target_name: String,
    pub hops: Vec<Hop>,
}

/// For each reached node: its distance and the node and edge it was reached by.
pub(super) type Reached = HashMap<NodeIndex, (usize, Option<(NodeIndex, EdgeIndex)>)>;

impl ReferralGraph {
    /// Breadth-first distances from `from` over people-carrying edges for `need`, up to
    /// `max_hops`, with the edge each node was first reached by.
    pub(super) fn reach(
        &self,
        from: NodeIndex,
        need: Option<&Id>,
        person: Option<&Person>,
        max_hops: usize,
    ) -> Reached {
        let mut seen: Reached = HashMap::new();
        seen.insert(from, (0, None));
        let mut queue = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            let depth = seen[&node].0;
            if depth == max_hops {
                continue;
            }
            for (next, edge) in self.neighbours(node, need, person) {
                if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(next) {
                    slot.insert((depth + 1, Some((node, edge))));
                    queue.push_back(next);
                }
            }
        }
        seen
    }

    fn hops_to(&self, reached: &Reached, target: NodeIndex) -> Vec<Hop> {
        let mut hops = Vec::new();
        let mut current = target;
        while let Some((_, Some((previous, edge)))) = reached.get(&current) {
            let data = &self.graph[*edge];
            hops.push(Hop {
                from: self.graph[*previous].id.clone(),
                to: self.graph[current].id.clone(),
                kind: data.kind,
                referral: data.referral.clone(),
                conditions: data.conditions.clone(),
                note: data.note.clone(),
            });
            current = *previous;
        }
        hops.reverse();
        hops
    }

    /// The shortest chains (at most `max_hops`) from `from` to active resources that
    /// address `need` in `municipality`, shortest first, then by name and id.
    pub fn paths(&self, query: &PathQuery) -> Result<Vec<Path>, GraphError> {
        let from = self.index(&query.from)?;
        self.check_need(&query.need)?;
        let reached = self.reach(from, Some(&query.need), query.person.as_ref(), query.max_hops);
        let mut targets: Vec<(usize, &str, &Id, NodeIndex)> = reached
            .iter()
            .filter(|(node, _)| **node != from)
            .filter_map(|(node, (depth, _))| {
                let data = &self.graph[*node];
                let fits = data.is_resource
                    && data.status == Status::Active
                    && data.needs.iter().any(|n| self.related(n, &query.need))
                    && query.municipality.is_none_or(|m| self.serves(data, m));
                fits.then_some((*depth, data.name.as_str(), &data.id, *node))
            })
            .collect();
        targets.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)).then_with(|| a.2.cmp(b.2)));
        Ok(targets
            .into_iter()
            .take(query.limit)
            .map(|(_, name, id, node)| Path {
                target: id.clone(),
                target_name: name.to_owned(),
                hops: self.hops_to(&reached, node),
            })
            .collect())
    }

    /// The shortest chain from `from` to each of `targets` within `max_hops` for
    /// `need` (any need when `None`), from one breadth-first search.
    pub fn paths_to(
        &self,
        from: &Id,
        need: Option<&Id>,
        person: Option<&Person>,
        targets: &[Id],
        max_hops: usize,
    ) -> Result<HashMap<Id, Path>, GraphError> {
        let start = self.index(from)?;
        if let Some(need) = need {
            self.check_need(need)?;
        }
        let reached = self.reach(start, need, person, max_hops);
        Ok(targets
            .iter()
            .filter_map(|target| {
                let node = *self.by_id.get(target)?;
                reached.contains_key(&node).then(|| {
                    let path = Path {
                        target: target.clone(),
                        target_name: self.graph[node].name.clone(),
                        hops: self.hops_to(&reached, node),
                    };
                    (target.clone(), path)
                })
            })
            .collect())
    }

    /// Hops from `from` to every place reachable within `max_hops` for `need`, by id.
    pub fn distances(&self, from: &Id, need: Option<&Id>, max_hops: usize) -> Result<HashMap<Id, usize>, GraphError> {
        let start = self.index(from)?;
        Ok(self
            .reach(start, need, None, max_hops)
            .into_iter()
            .map(|(n, (d, _))| (self.graph[n].id.clone(), d))
            .collect())
    }
}
