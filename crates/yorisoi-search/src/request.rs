//! What a search asks for and what it answers.

use chrono::NaiveDateTime;
use yorisoi_core::{Id, MunicipalityCode};

use crate::vocabulary::Understanding;

/// A search: text plus filters. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What the worker typed: a name, a kind, or a situation in plain words.
    pub text: String,
    /// Resources serving this municipality (or the whole of an enclosing one).
    pub municipality: Option<MunicipalityCode>,
    pub area: Option<Id>,
    /// Resources addressing all of these needs (or more specific ones).
    pub needs: Vec<Id>,
    /// The needs the text is about, as the worker settled them, in place of what the
    /// text is understood to say (a chip removed or added on the page); they rank, they
    /// do not filter.
    pub about: Option<Vec<Id>>,
    /// Resources of any of these kinds (or more specific ones).
    pub kinds: Vec<Id>,
    /// A person's age that must fit the audience's age range.
    pub age: Option<u8>,
    /// The person's gender, for places that are for one (a mismatch is said, not hidden).
    pub gender: Option<yorisoi_core::Gender>,
    /// Only resources open at this Japan-time moment; `unknown` counts as not open.
    pub open_at: Option<NaiveDateTime>,
    /// Keep resources whose schedule does not say (`Openness::Unknown`) in an open-at search.
    pub include_unknown_hours: bool,
    pub free_only: bool,
    /// Include paused, planned and ended resources.
    pub include_inactive: bool,
    /// Leave snippets empty (callers that re-rank many candidates and show reasons).
    pub skip_snippets: bool,
    /// Count every match (`SearchResults::total`); costs a pass over all matches.
    pub count: bool,
    /// Count matches per need, kind and municipality; costs a pass over all matches.
    pub facets: bool,
    pub limit: usize,
    pub offset: usize,
}

/// One hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: Id,
    pub name: String,
    pub score: f32,
    /// A fragment of the description with the matched words.
    pub snippet: Snippet,
    /// The resource's needs that the query asked for or was understood to be about.
    pub matched_needs: Vec<Id>,
    /// Why it is here, in words for the worker.
    pub reason: String,
    /// The municipalities its service area names (not the ones enclosing them).
    pub serves: Vec<MunicipalityCode>,
    /// The last day it is known to be held (a validity's end, an event's last date).
    pub last_day: Option<chrono::NaiveDate>,
    /// Held on listed dates only: an event, not an ongoing place.
    pub event: bool,
    /// Why the person may not be eligible (residence, a circumstance it excludes that
    /// the text says), in words; empty when nothing known rules them out.
    pub ineligible: Vec<String>,
    /// Who besides the person it takes questions from.
    pub may_consult: yorisoi_core::MayConsult,
}

/// A fragment of text and the byte ranges in it that matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    pub fragment: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The fragment with matches in 【】, for terminals.
    pub fn marked(&self) -> String {
        let mut out = String::new();
        let mut at = 0;
        for (from, to) in &self.highlights {
            out.push_str(&self.fragment[at..*from]);
            out.push('【');
            out.push_str(&self.fragment[*from..*to]);
            out.push('】');
            at = *to;
        }
        out.push_str(&self.fragment[at..]);
        out
    }
}

/// Counts of matching resources per value, most first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub needs: Vec<(Id, usize)>,
    pub kinds: Vec<(Id, usize)>,
    pub municipalities: Vec<(MunicipalityCode, usize)>,
}

/// The answer to a search.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// All matches, before `limit`/`offset`, when `count` or `facets` was asked for.
    pub total: Option<usize>,
    pub facets: Facets,
    /// What the text was understood to be about, so the page can say so.
    pub understood: Understanding,
}
