//! The directory the API serves: an immutable snapshot per request, replaced by a
//! patched copy when a steward's edit has been written, and kept in step with every
//! other server on the same database by following the change log (`follow`).

use std::sync::{Arc, RwLock};

use chrono::Utc;
use yorisoi_core::{Action, Change, Directory, Edit, Id, RecordKind, ReferralGraph, validate_edit};
use yorisoi_search::SearchIndex;
use yorisoi_seed::FieldProblem;
use yorisoi_store::Store;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::follow::Progress;

/// One consistent state of the directory with its graph and lookups by id, so nested
/// fields resolve from memory: a request reads no table (see the query-count test).
#[derive(Debug)]
pub struct Snapshot {
    pub directory: Arc<Directory>,
    pub index: Arc<SearchIndex>,
    pub graph: Arc<ReferralGraph>,
    /// The number of the last change-log entry this snapshot holds (0: none known).
    pub version: i64,
    resources: Arc<Positions>,
    organizations: Arc<Positions>,
    needs: Arc<Positions>,
    kinds: Arc<Positions>,
}

/// Where each record is in its collection.
type Positions = rustc_hash::FxHashMap<Id, usize>;

fn positions<T>(items: &[T], id: impl Fn(&T) -> &Id) -> Arc<Positions> {
    Arc::new(items.iter().enumerate().map(|(i, item)| (id(item).clone(), i)).collect())
}

impl Snapshot {
    /// A snapshot over a directory and the index that already holds it.
    pub fn new(directory: Arc<Directory>, index: Arc<SearchIndex>) -> Self {
        Self::at_version(directory, index, 0)
    }

    /// A snapshot that holds the change-log entries up to `version`.
    pub fn at_version(directory: Arc<Directory>, index: Arc<SearchIndex>, version: i64) -> Self {
        let graph = Arc::new(ReferralGraph::new(&directory));
        Snapshot {
            resources: positions(&directory.resources, |r| &r.id),
            organizations: positions(&directory.organizations, |o| &o.id),
            needs: positions(&directory.needs, |n| &n.code),
            kinds: positions(&directory.kinds, |k| &k.code),
            directory,
            index,
            graph,
            version,
        }
    }

    /// The snapshot after some resources and referrals changed in `directory` (put in
    /// place, appended or removed), sharing with this one whatever did not change:
    /// the graph is patched, not rebuilt. Organizations and taxonomies are as here.
    pub fn patched(&self, directory: Arc<Directory>, resources: &[Id], referrals: &[Id], version: i64) -> Self {
        let graph = Arc::new(self.graph.patched(&directory, resources, referrals));
        let same_places = directory.resources.len() == self.directory.resources.len()
            && resources.iter().all(|id| {
                self.resources.get(id).is_some_and(|&i| directory.resources.get(i).is_some_and(|r| &r.id == id))
            });
        let appended = !same_places
            && directory.resources.len() > self.directory.resources.len()
            && self.directory.resources.iter().zip(&directory.resources).all(|(a, b)| a.id == b.id);
        let resources = if same_places {
            Arc::clone(&self.resources)
        } else if appended {
            let mut map = Positions::clone(&self.resources);
            let start = self.directory.resources.len();
            map.extend(directory.resources[start..].iter().enumerate().map(|(i, r)| (r.id.clone(), start + i)));
            Arc::new(map)
        } else {
            positions(&directory.resources, |r| &r.id)
        };
        Snapshot {
            resources,
            organizations: Arc::clone(&self.organizations),
            needs: Arc::clone(&self.needs),
            kinds: Arc::clone(&self.kinds),
            directory,
            index: Arc::clone(&self.index),
            graph,
            version,
        }
    }

    /// This snapshot served from another index (one that holds the same directory).
    pub fn with_index(&self, index: Arc<SearchIndex>) -> Self {
        Snapshot {
            directory: Arc::clone(&self.directory),
            index,
            graph: Arc::clone(&self.graph),
            version: self.version,
            resources: Arc::clone(&self.resources),
            organizations: Arc::clone(&self.organizations),
            needs: Arc::clone(&self.needs),
            kinds: Arc::clone(&self.kinds),
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

    /// Whether `id` names a record of `kind` (organizations and resources).
    pub fn has(&self, kind: RecordKind, id: &Id) -> bool {
        match kind {
            RecordKind::Resource => self.resources.contains_key(id),
            RecordKind::Organization => self.organizations.contains_key(id),
            _ => false,
        }
    }
}

/// The served directory and the store stewards' edits are written to.
#[derive(Debug)]
pub struct Live {
    pub(crate) store: Store,
    pub(crate) current: RwLock<Arc<Snapshot>>,
    /// One writer of the snapshot at a time (an edit, or the follower applying the log),
    /// so each edit is checked against the state it replaces and no older read of the
    /// store overwrites a newer edit.
    pub(crate) writing: tokio::sync::Mutex<()>,
    /// How far this server has followed the change log.
    pub(crate) progress: Progress,
    /// The audit of the last snapshot, made in the background.
    pub(crate) audits: crate::audits::Audits,
    /// An index of this build's analyzers to build beside the stale one served now.
    pub(crate) rebuild: crate::rebuild::Rebuild,
}

impl Live {
    pub fn new(store: Store, snapshot: Snapshot) -> Self {
        let progress = Progress::new(snapshot.version);
        Live {
            store,
            current: RwLock::new(Arc::new(snapshot)),
            writing: tokio::sync::Mutex::new(()),
            progress,
            audits: crate::audits::Audits::default(),
            rebuild: crate::rebuild::Rebuild::default(),
        }
    }

    /// The snapshot new requests read.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().expect("the snapshot lock is never poisoned"))
    }

    pub(crate) fn replace(&self, next: Arc<Snapshot>) {
        *self.current.write().expect("the snapshot lock is never poisoned") = next;
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checks an edit against the directory (only the record it puts: its fields and the
    /// records it names), writes it and its change-log entry in one transaction, updates
    /// the index, patches the graph and swaps the snapshot. When it returns, searches
    /// on this server see the change; other servers see it when they follow the log.
    /// On any error nothing has changed.
    pub async fn edit(
        &self,
        caller: &Caller,
        action: Action,
        edit: Edit,
        note: Option<String>,
    ) -> Result<(Change, Arc<Snapshot>), ApiError> {
        let _one_at_a_time = self.writing.lock().await;
        let started = std::time::Instant::now();
        // What other servers wrote first, so the edit is checked against it.
        if let Err(error) = self.catch_up_locked().await {
            tracing::warn!(%error, "could not follow the change log before an edit; checking against this server's state");
        }
        let current = self.snapshot();
        let (record, id) = edit.target();
        let id = id.clone();
        let before = record_json(&current, record, &id);
        let mut directory = Directory::clone(&current.directory);
        let at = match &edit {
            Edit::PutResource(r) => Some(put(&mut directory.resources, current.resource_at(&r.id), r)),
            Edit::PutReferral(r) => {
                let at = directory.referrals.iter().position(|x| x.id == r.id);
                Some(put(&mut directory.referrals, at, r))
            }
            Edit::RemoveReferral(id) => {
                directory.referrals.retain(|r| &r.id != id);
                None
            }
        };
        if let Some(at) = at {
            let today = yorisoi_core::japan_time(Utc::now()).date();
            let nodes = |node: &Id, kind: RecordKind| (node == &id && kind == record) || current.has(kind, node);
            let problems: Vec<FieldProblem> = validate_edit(&directory, &edit, at, today, &nodes)
                .into_iter()
                .filter(|p| p.at.record == record && p.at.index == at)
                .map(|p| FieldProblem { path: p.at.field, message: p.message })
                .collect();
            if !problems.is_empty() {
                return Err(ApiError::InvalidRecord { record: format!("{} `{id}`", record.noun()), problems });
            }
        }
        let after = match &edit {
            Edit::PutResource(r) => Some(yorisoi_seed::resource_to_json(r).to_string()),
            Edit::PutReferral(r) => Some(yorisoi_seed::referral_to_json(r).to_string()),
            Edit::RemoveReferral(_) => None,
        };
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
        let checked = started.elapsed();
        let (resources, referrals): (Vec<Id>, Vec<Id>) = match record {
            RecordKind::Resource => (vec![id.clone()], vec![]),
            _ => (vec![], vec![id.clone()]),
        };
        // The graph and lookups are patched on another core while the store writes
        // and the index updates; the patch is only served once the store has the edit.
        let patching = {
            let (current, directory) = (Arc::clone(&current), Arc::new(directory));
            tokio::task::spawn_blocking(move || current.patched(directory, &resources, &referrals, current.version))
        };
        let change = self.store.apply(&edit, change).await.map_err(|e| ApiError::Internal(e.to_string()))?;
        let stored = started.elapsed();
        // The log is followed in order: this edit's number is the snapshot's version
        // only when nothing from another server came between (the follower applies it
        // again otherwise, and finds it already here).
        let version = if change.id == current.version + 1 { change.id } else { current.version };
        // The store has the edit, so the snapshot follows it even if the index cannot;
        // the index is brought back in line when the server next starts (it syncs).
        if let Edit::PutResource(resource) = &edit {
            let index = Arc::clone(&current.index);
            let put = vec![Arc::new(resource.clone())];
            let applied = (version == change.id).then_some(version);
            let indexed = tokio::task::spawn_blocking(move || index.apply(&put, &[], applied)).await;
            if let Ok(Err(error)) | Err(error) = indexed.map_err(|e| yorisoi_search::SearchError::Index(e.to_string()))
            {
                tracing::error!(%error, resource = %id, "search index not updated; it is resynced at the next start");
            }
        }
        let indexed = started.elapsed();
        let mut next = patching.await.map_err(|e| {
            // The store has the edit: the follower applies it from the log.
            ApiError::Internal(format!("the edit is stored but this server could not patch its snapshot: {e}"))
        })?;
        next.version = version;
        let next = Arc::new(next);
        self.replace(Arc::clone(&next));
        self.progress.applied(version);
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        tracing::info!(
            actor = %caller.name, action = action.code(), record = %id, change = change.id,
            checked_ms = ms(checked), stored_ms = ms(stored - checked), indexed_ms = ms(indexed - stored),
            patch_waited_ms = ms(started.elapsed() - indexed), "directory edited"
        );
        Ok((change, next))
    }
}

/// Puts `record` at `at` (its position, when it is there) or at the end; returns where.
fn put<T: Clone>(list: &mut Vec<Arc<T>>, at: Option<usize>, record: &T) -> usize {
    match at {
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

/// A record as seed-format JSON text, when it exists.
fn record_json(snapshot: &Snapshot, record: RecordKind, id: &Id) -> Option<String> {
    let directory = &snapshot.directory;
    let value = match record {
        RecordKind::Resource => {
            snapshot.resource_at(id).map(|i| yorisoi_seed::resource_to_json(&directory.resources[i]))
        }
        RecordKind::Referral => {
            directory.referrals.iter().find(|r| &r.id == id).map(|r| yorisoi_seed::referral_to_json(r))
        }
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
