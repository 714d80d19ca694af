//! The whole directory as one value: what a seed load produces, what the store saves
//! and what search and the graph are built from.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ids::{Id, MunicipalityCode};
use crate::organization::Organization;
use crate::place::{Area, Municipality};
use crate::provenance::Source;
use crate::referral::Referral;
use crate::resource::Resource;
use crate::taxonomy::{Kind, Need};

/// Every record of the directory.
///
/// Resources and referrals, by far the most numerous, are shared (`Arc`): a copy of
/// the directory with one record changed costs a pointer per record, not a deep copy,
/// so a steward's edit makes a new snapshot in milliseconds while requests read the old.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    pub sources: Vec<Source>,
    pub municipalities: Vec<Municipality>,
    pub areas: Vec<Area>,
    pub needs: Vec<Need>,
    pub kinds: Vec<Kind>,
    pub organizations: Vec<Organization>,
    pub resources: Vec<Arc<Resource>>,
    pub referrals: Vec<Arc<Referral>>,
}

/// The collections of a [`Directory`], for counts and for pointing at a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    Source,
    Municipality,
    Area,
    Need,
    Kind,
    Organization,
    Resource,
    Referral,
}

impl RecordKind {
    pub const ALL: [RecordKind; 8] = [
        Self::Source,
        Self::Municipality,
        Self::Area,
        Self::Need,
        Self::Kind,
        Self::Organization,
        Self::Resource,
        Self::Referral,
    ];

    /// The plural key used in seed files (`resources:`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Source => "sources",
            Self::Municipality => "municipalities",
            Self::Area => "areas",
            Self::Need => "needs",
            Self::Kind => "kinds",
            Self::Organization => "organizations",
            Self::Resource => "resources",
            Self::Referral => "referrals",
        }
    }

    /// The singular noun used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Municipality => "municipality",
            Self::Area => "area",
            Self::Need => "need",
            Self::Kind => "kind",
            Self::Organization => "organization",
            Self::Resource => "resource",
            Self::Referral => "referral",
        }
    }
}

impl Directory {
    /// A digest of every record, the same whatever order the records are in: two
    /// servers serving the same directory show the same digest (within one build).
    pub fn digest(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        fn each<T: std::fmt::Debug>(items: &[T], all: &mut Vec<u64>) {
            let mut digests: Vec<u64> = items
                .iter()
                .map(|item| {
                    let mut h = DefaultHasher::new();
                    format!("{item:?}").hash(&mut h);
                    h.finish()
                })
                .collect();
            digests.sort_unstable();
            all.push(digests.len() as u64);
            all.extend(digests);
        }
        let mut all = Vec::new();
        each(&self.sources, &mut all);
        each(&self.municipalities, &mut all);
        each(&self.areas, &mut all);
        each(&self.needs, &mut all);
        each(&self.kinds, &mut all);
        each(&self.organizations, &mut all);
        each(&self.resources, &mut all);
        each(&self.referrals, &mut all);
        let mut h = DefaultHasher::new();
        all.hash(&mut h);
        h.finish()
    }

    pub fn count(&self, kind: RecordKind) -> usize {
        match kind {
            RecordKind::Source => self.sources.len(),
            RecordKind::Municipality => self.municipalities.len(),
            RecordKind::Area => self.areas.len(),
            RecordKind::Need => self.needs.len(),
            RecordKind::Kind => self.kinds.len(),
            RecordKind::Organization => self.organizations.len(),
            RecordKind::Resource => self.resources.len(),
            RecordKind::Referral => self.referrals.len(),
        }
    }

    /// The key of each record of `kind`, in order: ids, or codes for municipalities.
    pub fn keys(&self, kind: RecordKind) -> Vec<String> {
        fn ids<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a Id) -> Vec<String> {
            items.iter().map(|item| id(item).to_string()).collect()
        }
        match kind {
            RecordKind::Source => ids(&self.sources, |r| &r.id),
            RecordKind::Municipality => self.municipalities.iter().map(|m| m.code.to_string()).collect(),
            RecordKind::Area => ids(&self.areas, |r| &r.id),
            RecordKind::Need => ids(&self.needs, |r| &r.code),
            RecordKind::Kind => ids(&self.kinds, |r| &r.code),
            RecordKind::Organization => ids(&self.organizations, |r| &r.id),
            RecordKind::Resource => ids(&self.resources, |r| &r.id),
            RecordKind::Referral => ids(&self.referrals, |r| &r.id),
        }
    }

    pub fn municipality(&self, code: MunicipalityCode) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.code == code)
    }

    /// `code` and every municipality enclosing it (江東区, 東京都).
    pub fn municipality_and_ancestors(&self, code: MunicipalityCode) -> Vec<MunicipalityCode> {
        let parents: HashMap<_, _> = self.municipalities.iter().map(|m| (m.code, m.parent)).collect();
        chain_to_root(&parents, &code)
    }
}

/// Why a name or code typed by a person names no single record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("unknown {what} `{text}`; give its {hint}")]
    Unknown { what: &'static str, text: String, hint: &'static str },
    #[error("`{text}` names several municipalities: {}; give the code", .candidates.join(", "))]
    Ambiguous { text: String, candidates: Vec<String> },
}

impl Directory {
    /// A municipality by code (131083) or exact name (江東区); an ambiguous name asks for the code.
    pub fn find_municipality(&self, text: &str) -> Result<MunicipalityCode, LookupError> {
        if let Ok(code) = MunicipalityCode::parse(text) {
            return Ok(code);
        }
        let matches: Vec<&Municipality> = self.municipalities.iter().filter(|m| m.name == text).collect();
        match matches.as_slice() {
            [one] => Ok(one.code),
            [] => Err(LookupError::Unknown {
                what: "municipality",
                text: text.to_owned(),
                hint: "name as in the directory (江東区) or its code (131083)",
            }),
            many => Err(LookupError::Ambiguous {
                text: text.to_owned(),
                candidates: many.iter().map(|m| format!("{} ({})", m.code, m.name)).collect(),
            }),
        }
    }

    /// A need by code (`8050`) or label (8050問題).
    pub fn find_need(&self, text: &str) -> Result<Id, LookupError> {
        self.needs
            .iter()
            .find(|n| n.code.as_str() == text)
            .map(|n| n.code.clone())
            .or_else(|| self.need_by_word(text).map(|(n, _)| n.code.clone()))
            .ok_or_else(|| LookupError::Unknown {
                what: "need",
                text: text.to_owned(),
                hint: "label or code as in seed/taxonomy.yaml",
            })
    }

    /// A kind by code, label, synonym or local name.
    pub fn find_kind(&self, text: &str) -> Result<Id, LookupError> {
        self.kinds
            .iter()
            .find(|k| k.code.as_str() == text)
            .map(|k| k.code.clone())
            .or_else(|| self.kind_by_word(text).map(|(k, _)| k.code.clone()))
            .ok_or_else(|| LookupError::Unknown {
                what: "kind",
                text: text.to_owned(),
                hint: "label or code as in seed/taxonomy.yaml",
            })
    }

    /// The need a person's word names, and how: `label` or `synonym`.
    pub fn need_by_word(&self, text: &str) -> Option<(&crate::Need, &'static str)> {
        let text = text.trim();
        self.needs
            .iter()
            .find(|n| n.label == text)
            .map(|n| (n, "label"))
            .or_else(|| self.needs.iter().find(|n| n.synonyms.iter().any(|s| s == text)).map(|n| (n, "synonym")))
    }

    /// The kind a person's word names, and how: `label`, `synonym` or `local name`.
    pub fn kind_by_word(&self, text: &str) -> Option<(&crate::Kind, &'static str)> {
        let text = text.trim();
        self.kinds
            .iter()
            .find(|k| k.label == text)
            .map(|k| (k, "label"))
            .or_else(|| self.kinds.iter().find(|k| k.synonyms.iter().any(|s| s == text)).map(|k| (k, "synonym")))
            .or_else(|| {
                self.kinds.iter().find(|k| k.local_names.iter().any(|l| l.name == text)).map(|k| (k, "local name"))
            })
    }
}

/// `start` and its parent, grandparent, … as `parents` records them. Stops at a
/// repeat, so a cycle (which validation reports) cannot loop here.
pub fn chain_to_root<K: Clone + Eq + std::hash::Hash>(parents: &HashMap<K, Option<K>>, start: &K) -> Vec<K> {
    let mut chain = vec![start.clone()];
    let mut current = start;
    while let Some(Some(parent)) = parents.get(current) {
        if chain.contains(parent) {
            break;
        }
        chain.push(parent.clone());
        current = parent;
    }
    chain
}
