//! One pass over the matches: the filters that are not terms (age, open at, free),
//! the top hits, and facet counts.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};
use yorisoi_core::Openness;

use crate::document::DocInfo;

/// The filter that is not a term: opening hours, evaluated per matching document.
#[derive(Debug, Clone, Default)]
pub struct Predicate {
    pub open_at: Option<NaiveDateTime>,
    pub include_unknown_hours: bool,
}

impl Predicate {
    fn accepts(&self, info: &DocInfo) -> bool {
        match self.open_at.map(|at| info.schedule.openness_at(at)) {
            None | Some(Openness::Open) => true,
            Some(Openness::Unknown) => self.include_unknown_hours,
            Some(Openness::Closed) => false,
        }
    }
}

/// A ranked match: higher score first, then lower ord (stable, deterministic).
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    pub score: Score,
    pub ord: u64,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    /// "Greater" is better; the heap keeps the worst on top via Reverse.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.ord.cmp(&self.ord))
    }
}

/// The result of the pass. Facet counts are indexed by the numbers of `FacetTables`.
#[derive(Debug, Default)]
pub struct Collected {
    pub top: Vec<Ranked>,
    pub total: usize,
    pub needs: Vec<usize>,
    pub kinds: Vec<usize>,
    pub municipalities: Vec<usize>,
}

fn add_into(into: &mut Vec<usize>, from: &[usize]) {
    if into.len() < from.len() {
        into.resize(from.len(), 0);
    }
    for (sum, count) in into.iter_mut().zip(from) {
        *sum += count;
    }
}

fn bump(counts: &mut [usize], index: u32) {
    if let Some(count) = counts.get_mut(index as usize) {
        *count += 1;
    }
}

pub struct RankCollector {
    pub docs: Arc<Vec<Option<Arc<DocInfo>>>>,
    pub predicate: Predicate,
    /// How many of the best to keep (offset + limit).
    pub keep: usize,
    /// The sizes of the facet tables.
    pub facet_sizes: (usize, usize, usize),
}

pub struct RankSegment {
    docs: Arc<Vec<Option<Arc<DocInfo>>>>,
    predicate: Predicate,
    keep: usize,
    ords: Column<u64>,
    heap: BinaryHeap<std::cmp::Reverse<Ranked>>,
    out: Collected,
}

impl Collector for RankCollector {
    type Fruit = Collected;
    type Child = RankSegment;

    fn for_segment(&self, _segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<RankSegment> {
        Ok(RankSegment {
            docs: Arc::clone(&self.docs),
            predicate: self.predicate.clone(),
            keep: self.keep,
            ords: reader.fast_fields().u64("ord")?,
            heap: BinaryHeap::new(),
            out: Collected {
                needs: vec![0; self.facet_sizes.0],
                kinds: vec![0; self.facet_sizes.1],
                municipalities: vec![0; self.facet_sizes.2],
                ..Collected::default()
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        for fruit in fruits {
            merged.top.extend(fruit.top);
            merged.total += fruit.total;
            add_into(&mut merged.needs, &fruit.needs);
            add_into(&mut merged.kinds, &fruit.kinds);
            add_into(&mut merged.municipalities, &fruit.municipalities);
        }
        merged.top.sort_by(|a, b| b.cmp(a));
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

impl SegmentCollector for RankSegment {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(ord) = self.ords.first(doc) else { return };
        let Some(Some(info)) = self.docs.get(ord as usize) else { return };
        if !self.predicate.accepts(info) {
            return;
        }
        self.out.total += 1;
        for need in &info.facet_needs {
            bump(&mut self.out.needs, *need);
        }
        bump(&mut self.out.kinds, info.facet_kind);
        for municipality in &info.facet_municipalities {
            bump(&mut self.out.municipalities, *municipality);
        }
        let ranked = Ranked { score, ord };
        if self.heap.len() < self.keep {
            self.heap.push(std::cmp::Reverse(ranked));
        } else if self.heap.peek().is_some_and(|worst| ranked > worst.0) {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(ranked));
        }
    }

    fn harvest(mut self) -> Collected {
        self.out.top = self.heap.into_iter().map(|r| r.0).collect();
        self.out.top.sort_by(|a, b| b.cmp(a));
        self.out
    }
}
