//! One pass over the matches: the filters that are not terms (age, open at, free),
//! the top hits, and facet counts.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use chrono::NaiveDateTime;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};
use yorisoi_core::Openness;

use crate::document::DocInfo;

/// Filters evaluated per matching document.
#[derive(Debug, Clone, Default)]
pub struct Predicate {
    pub age: Option<u8>,
    pub open_at: Option<NaiveDateTime>,
    pub include_unknown_hours: bool,
    pub free_only: bool,
}

impl Predicate {
    fn accepts(&self, info: &DocInfo) -> bool {
        if let Some(age) = self.age
            && (info.age_min.is_some_and(|min| age < min) || info.age_max.is_some_and(|max| age > max))
        {
            return false;
        }
        if self.free_only && info.free != Some(true) {
            return false;
        }
        if let Some(at) = self.open_at {
            match info.schedule.openness_at(at) {
                Openness::Open => {}
                Openness::Unknown if self.include_unknown_hours => {}
                _ => return false,
            }
        }
        true
    }
}

/// A ranked match: higher score first, then lower ord (stable, deterministic).
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    pub score: Score,
    pub ord: u64,
    pub address: DocAddress,
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

/// The result of the pass.
#[derive(Debug, Default)]
pub struct Collected {
    pub top: Vec<Ranked>,
    pub total: usize,
    pub needs: HashMap<String, usize>,
    pub kinds: HashMap<String, usize>,
    pub municipalities: HashMap<String, usize>,
}

pub struct RankCollector {
    pub docs: Arc<Vec<Option<Arc<DocInfo>>>>,
    pub predicate: Predicate,
    /// How many of the best to keep (offset + limit).
    pub keep: usize,
}

pub struct RankSegment {
    docs: Arc<Vec<Option<Arc<DocInfo>>>>,
    predicate: Predicate,
    keep: usize,
    segment: SegmentOrdinal,
    ords: Column<u64>,
    heap: BinaryHeap<std::cmp::Reverse<Ranked>>,
    out: Collected,
}

impl Collector for RankCollector {
    type Fruit = Collected;
    type Child = RankSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<RankSegment> {
        Ok(RankSegment {
            docs: Arc::clone(&self.docs),
            predicate: self.predicate.clone(),
            keep: self.keep,
            segment,
            ords: reader.fast_fields().u64("ord")?,
            heap: BinaryHeap::new(),
            out: Collected::default(),
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
            for (from, into) in [
                (fruit.needs, &mut merged.needs),
                (fruit.kinds, &mut merged.kinds),
                (fruit.municipalities, &mut merged.municipalities),
            ] {
                for (key, count) in from {
                    *into.entry(key).or_default() += count;
                }
            }
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
        for need in &info.needs {
            *self.out.needs.entry(need.to_string()).or_default() += 1;
        }
        *self.out.kinds.entry(info.kind.to_string()).or_default() += 1;
        for code in &info.municipalities {
            *self.out.municipalities.entry(code.to_string()).or_default() += 1;
        }
        let ranked = Ranked { score, ord, address: DocAddress::new(self.segment, doc) };
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
