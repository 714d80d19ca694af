//! The two taxonomies: needs (困りごと) and kinds of resource, with labels, readings,
//! synonyms, situation cues and local names.

use crate::ids::{Id, MunicipalityCode};

/// A need (困りごと) such as 孤独・孤立 or 8050問題, in a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub code: Id,
    pub label: String,
    pub kana: Option<String>,
    pub parent: Option<Id>,
    /// Other words and spellings for the same need (引きこもり, 引き籠もり).
    pub synonyms: Vec<String>,
    /// Phrases in plain words that signal this need in a situation
    /// (「ずっと家にいる」 for ひきこもり).
    pub cues: Vec<String>,
    pub description: Option<String>,
    /// Words a municipality uses for this need (its own programme's name for it): a
    /// cue and a search word there and in the municipalities below it.
    pub local_names: Vec<LocalName>,
    /// Where the need and its words are stated (a document, a law).
    pub provenance: Vec<crate::Provenance>,
}

/// A kind of resource such as 地域包括支援センター or フードパントリー.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    pub code: Id,
    pub label: String,
    pub kana: Option<String>,
    pub parent: Option<Id>,
    pub synonyms: Vec<String>,
    /// Names this kind goes by in particular municipalities.
    pub local_names: Vec<LocalName>,
    /// Whether resources of this kind are entry windows: places a person can walk into
    /// with any worry, from which referrals start.
    pub entry_window: bool,
    pub description: Option<String>,
    /// Where the kind is stated (a document, the law that sets it up).
    pub provenance: Vec<crate::Provenance>,
}

/// The name a kind goes by in one municipality and the municipalities below it:
/// 地域包括支援センター is 長寿サポートセンター in 江東区 and いきいき支援センター in 名古屋市.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LocalName {
    pub municipality: MunicipalityCode,
    pub name: String,
    pub kana: Option<String>,
    /// Where the local name is stated (a steward adding it in their own file cites it).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub provenance: Vec<crate::Provenance>,
}
