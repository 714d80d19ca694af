//! A steward's edit to the directory and its entry in the change log (who, when,
//! what, before and after), so every change can be read back and undone by hand.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::directory::{Directory, RecordKind};
use crate::ids::Id;
use crate::referral::Referral;
use crate::resource::Resource;

/// One edit a steward makes between loads.
#[allow(clippy::large_enum_variant)] // one edit at a time; boxing buys nothing
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Create a resource or replace the one with its id.
    PutResource(Resource),
    /// Create a referral or replace the one with its id.
    PutReferral(Referral),
    /// Delete a referral.
    RemoveReferral(Id),
}

impl Edit {
    /// The collection and id of the record the edit touches.
    pub fn target(&self) -> (RecordKind, &Id) {
        match self {
            Edit::PutResource(r) => (RecordKind::Resource, &r.id),
            Edit::PutReferral(r) => (RecordKind::Referral, &r.id),
            Edit::RemoveReferral(id) => (RecordKind::Referral, id),
        }
    }
}

impl Directory {
    /// Applies an edit in place; returns the position of the record put, if any.
    pub fn apply(&mut self, edit: &Edit) -> Option<usize> {
        fn put<T: Clone>(list: &mut Vec<Arc<T>>, record: &T, same: impl Fn(&T) -> bool) -> usize {
            match list.iter().position(|x| same(x)) {
                Some(i) => {
                    list[i] = Arc::new(record.clone());
                    i
                }
                None => {
                    list.push(Arc::new(record.clone()));
                    list.len() - 1
                }
            }
        }
        match edit {
            Edit::PutResource(r) => Some(put(&mut self.resources, r, |x| x.id == r.id)),
            Edit::PutReferral(r) => Some(put(&mut self.referrals, r, |x| x.id == r.id)),
            Edit::RemoveReferral(id) => {
                self.referrals.retain(|r| &r.id != id);
                None
            }
        }
    }
}

/// What a steward did, as the change log names it: an edit through the API, or a
/// record a `yorisoi load` created, updated or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    UpsertResource,
    RetireResource,
    VerifyResource,
    AddReferral,
    RemoveReferral,
    LoadCreated,
    LoadUpdated,
    LoadRemoved,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::UpsertResource,
        Action::RetireResource,
        Action::VerifyResource,
        Action::AddReferral,
        Action::RemoveReferral,
        Action::LoadCreated,
        Action::LoadUpdated,
        Action::LoadRemoved,
    ];

    /// The stable code stored and shown (`upsert_resource`).
    pub fn code(self) -> &'static str {
        match self {
            Action::UpsertResource => "upsert_resource",
            Action::RetireResource => "retire_resource",
            Action::VerifyResource => "verify_resource",
            Action::AddReferral => "add_referral",
            Action::RemoveReferral => "remove_referral",
            Action::LoadCreated => "load_created",
            Action::LoadUpdated => "load_updated",
            Action::LoadRemoved => "load_removed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Whether the entry was written by a load (it carries no before and after).
    pub fn is_load(self) -> bool {
        matches!(self, Action::LoadCreated | Action::LoadUpdated | Action::LoadRemoved)
    }
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Assigned by the store: 1, 2, 3… in commit order, without gaps; 0 before the
    /// entry is stored.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The name of the token the steward used.
    pub actor: String,
    pub action: Action,
    pub record: RecordKind,
    pub record_id: Id,
    /// The record before the change, as seed-format JSON; none when it is new.
    pub before: Option<String>,
    /// The record after the change, as seed-format JSON; none when it was removed.
    pub after: Option<String>,
    /// Why, in the steward's words.
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_replaces_by_id_and_remove_deletes() {
        let mut dir = Directory::default();
        let kind = Id::parse("salon").unwrap();
        let first = Resource::new(Id::parse("a").unwrap(), "サロンA", kind.clone());
        assert_eq!(dir.apply(&Edit::PutResource(first)), Some(0));
        let renamed = Resource::new(Id::parse("a").unwrap(), "サロンA（新）", kind.clone());
        assert_eq!(dir.apply(&Edit::PutResource(renamed)), Some(0));
        assert_eq!(dir.resources.len(), 1);
        assert_eq!(dir.resources[0].name, "サロンA（新）");
        let other = Resource::new(Id::parse("b").unwrap(), "サロンB", kind);
        assert_eq!(dir.apply(&Edit::PutResource(other)), Some(1));
        for action in Action::ALL {
            assert_eq!(Action::from_code(action.code()), Some(action));
        }
    }
}
