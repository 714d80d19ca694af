//! Where a fact comes from and when someone last checked it.

use chrono::NaiveDate;

use crate::ids::Id;

/// A source document or page that records cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: Id,
    pub title: String,
    pub publisher: Option<String>,
    /// When the source was published, as precisely as it says (2025-06, 2025年11月号).
    pub published: Option<String>,
    /// The file name of a document kept with the project (seed-documents/…).
    pub file: Option<String>,
    pub url: Option<String>,
}

/// A record's evidence: which source, where in it, and when it was last verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Provenance {
    pub source: Id,
    /// Where in the source: a page, a section, a short quote.
    pub locator: Option<String>,
    pub verified: NaiveDate,
}
