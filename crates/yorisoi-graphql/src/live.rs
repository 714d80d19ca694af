//! The directory the API serves: an immutable snapshot per request, swapped whole when
//! a steward's edit has been written to the store, the search index and the graph.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::Utc;
use yorisoi_core::{Action, Change, Directory, Edit, Id, RecordKind, ReferralGraph, validate};
use yorisoi_search::SearchIndex;
use yorisoi_seed::FieldProblem;
use yorisoi_store::Store;

use crate::auth::Caller;
use crate::error::ApiError;

/// One consistent state of the directory with its graph and lookups by id, so nested
/// fields resolve from memory: a request reads no table (see the query-count test).
#[derive(Debug)]
pub struct Snapshot {
    pub directory: Arc<Directory>,
    pub index: Arc<SearchIndex>,
    pub graph: Arc<ReferralGraph>,
    resources: HashMap<Id, usize>,
    organizations: HashMap<Id, usize>,
    needs: HashMap<Id, usize>,
    kinds: HashMap<Id, usize>,
}

fn positions<T>(items: &[T], id: impl Fn(&T) -> &Id) -> HashMap<Id, usize> {
    items.iter().enumerate().map(|(i, item)| (id(item).clone(), i)).collect()
}

impl Snapshot {
    /// A snapshot over a directory and the index that already holds it.
    pub fn new(directory: Arc<Directory>, index: Arc<SearchIndex>) -> Self {
        let graph = Arc::new(ReferralGraph::new(&directory));
        Snapshot {
            resources: positions(&directory.resources, |r| &r.id),
            organizations: positions(&directory.organizations, |o| &o.id),
            needs: positions(&directory.needs, |n| &n.code),
            kinds: positions(&directory.kinds, |k| &k.code),
            directory,
            index,
            graph,
        }
    }

    /// The position of a resource in `directory.resources`.
    pub fn resource_at(&self, id: &Id) -> Option<usize> {
        self.resources.get(id).copied()
    }

    /// The position of an organization in `directory.organizations`.
    pub fn organization_at(&self, id: &Id) -> Option<usize> {
        self.organizations.get(id).copied()
    }

    pub fn need(&self, code: &Id) -> Option<&yorisoi_core::Need> {
        self.needs.get(code).map(|&i| &self.directory.needs[i])
    }

    pub fn kind(&self, code: &Id) -> Option<&yorisoi_core::Kind> {
        self.kinds.get(code).map(|&i| &self.directory.kinds[i])
    }
}

/// The served directory and the store stewards' edits are written to.
#[derive(Debug)]
pub struct Live {
    store: Store,
    current: RwLock<Arc<Snapshot>>,
    /// One edit at a time, so each is checked against the state it replaces.
    writing: tokio::sync::Mutex<()>,
}

impl Live {
    pub fn new(store: Store, snapshot: Snapshot) -> Self {
        Live { store, current: RwLock::new(Arc::new(snapshot)), writing: tokio::sync::Mutex::new(()) }
    }

    /// The snapshot new requests read.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().expect("the snapshot lock is never poisoned"))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checks an edit against the whole directory, writes it and its change-log entry
    /// in one transaction, updates the index and the graph, and swaps the snapshot.
    /// When it returns, searches see the change. On any error nothing has changed.
    pub async fn edit(
        &self,
        caller: &Caller,
        action: Action,
        edit: Edit,
        note: Option<String>,
    ) -> Result<(Change, Arc<Snapshot>), ApiError> {
        let _one_at_a_time = self.writing.lock().await;
        let current = self.snapshot();
        let (record, id) = edit.target();
        let id = id.clone();
        let before = record_json(&current.directory, record, &id);
        let mut directory = Directory::clone(&current.directory);
        if let Some(at) = directory.apply(&edit) {
            let problems: Vec<FieldProblem> = validate(&directory, yorisoi_core::japan_time(Utc::now()).date())
                .into_iter()
                .filter(|p| p.at.record == record && p.at.index == at)
                .map(|p| FieldProblem { path: p.at.field, message: p.message })
                .collect();
            if !problems.is_empty() {
                return Err(ApiError::InvalidRecord { record: format!("{} `{id}`", record.noun()), problems });
            }
        }
        let after = record_json(&directory, record, &id);
        let change = Change {
            id: 0,
            at: Utc::now(),
            actor: caller.name.clone(),
            action,
            record,
            record_id: id.clone(),
            before,
            after,
            note,
        };
        let change = self.store.apply(&edit, change).await.map_err(|e| ApiError::Internal(e.to_string()))?;
        // The store has the edit, so the snapshot follows it even if the index cannot;
        // the index is brought back in line when the server next starts (it syncs).
        if let Edit::PutResource(resource) = &edit
            && let Err(error) = current.index.upsert(resource)
        {
            tracing::error!(%error, resource = %resource.id, "search index not updated; it is resynced at the next start");
        }
        let next = Arc::new(Snapshot::new(Arc::new(directory), Arc::clone(&current.index)));
        *self.current.write().expect("the snapshot lock is never poisoned") = Arc::clone(&next);
        tracing::info!(actor = %caller.name, action = action.code(), record = %id, change = change.id, "directory edited");
        Ok((change, next))
    }
}

/// A record as seed-format JSON text, when it exists.
fn record_json(directory: &Directory, record: RecordKind, id: &Id) -> Option<String> {
    let value = match record {
        RecordKind::Resource => directory.resources.iter().find(|r| &r.id == id).map(yorisoi_seed::resource_to_json),
        RecordKind::Referral => directory.referrals.iter().find(|r| &r.id == id).map(yorisoi_seed::referral_to_json),
        _ => None,
    }?;
    Some(value.to_string())
}

/// The snapshot a request reads (put into its context by `Service`).
pub(crate) fn snapshot<'a>(ctx: &async_graphql::Context<'a>) -> &'a Arc<Snapshot> {
    ctx.data_unchecked::<Arc<Snapshot>>()
}

/// The live state a steward's edit goes through.
pub(crate) fn live<'a>(ctx: &async_graphql::Context<'a>) -> &'a Live {
    ctx.data_unchecked::<Arc<Live>>()
}
