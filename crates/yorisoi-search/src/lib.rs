//! Japanese search over the Yorisoi directory: tantivy with lindera's IPADIC,
//! analyzers for words, bigrams and readings, the taxonomy's synonyms, cues and local
//! names, filters, facets and reasons.

pub mod analysis;
mod collect;
pub mod dictionary;
mod disk;
mod document;
mod index;
pub mod normalize;
pub mod refer;
mod request;
pub mod situation;
pub mod vocabulary;

pub use index::{SearchIndex, SyncReport, index_dir, index_tag, is_current_index, stale_index_dir};
pub use refer::{ReferRequest, ReferResults, Suggestion, where_to_refer};
pub use request::{Facets, Hit, SearchRequest, SearchResults, Snippet};
pub use vocabulary::{DetectedNeed, Understanding, Vocabulary};

/// What went wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The Japanese dictionary could not be found, built or loaded.
    #[error("japanese dictionary: {0}")]
    Dictionary(String),
    /// The index could not be opened, written or read.
    #[error("search index: {0}")]
    Index(String),
    /// The request names something that does not exist.
    #[error("{0}")]
    Request(String),
    /// Another process (a running `yorisoi serve`) holds the index for writing, and
    /// the index differs from the directory asked for: it can be read, not synced.
    #[error("search index {0} is held by another process and differs from the store")]
    HeldElsewhere(String),
}
