//! Following the change log, so every server on one database serves every write: the
//! entries after the last one applied are read in order, the records they name are read
//! again and patched into the snapshot, the index and the graph (or, for a load that
//! touched the taxonomies or thousands of records, the whole directory is read again).
//! PostgreSQL's notifications wake the follower; it also polls, which is all SQLite has.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use yorisoi_core::{Change, Directory, Id, RecordKind};
use yorisoi_store::StoreError;

use crate::live::{Live, Snapshot};

/// Entries read from the log at once.
const BATCH: u64 = 5_000;
/// A batch of at most this many records is always patched in.
const FULL_REFRESH: usize = 2_000;

/// How many records one batch may touch before the whole directory is read again
/// instead: a quarter of the directory's records (at least [`FULL_REFRESH`]). Measured
/// at 100,000 resources, patching goes at about 3,000 records/s and a re-read at
/// about 6,400 records of the directory per second, so patching is cheaper until about
/// half of the directory changed; and a re-read holds a second copy of everything
/// while the first serves (at 1,000,000 resources that is 10 GB more).
fn full_refresh_at(directory: &Directory) -> usize {
    ((directory.resources.len() + directory.referrals.len()) / 4).max(FULL_REFRESH)
}
/// How long a hole in the numbering is taken for a write not yet visible before it is
/// skipped. Numbers are handed out under a lock, in commit order, so a hole can only
/// come from an older Yorisoi or a hand-written row; it is waited for, then reported.
const GAP_WAIT: Duration = Duration::from_secs(10);

/// Why following the log stopped for a moment (it is tried again).
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the search index could not take change {change}: {reason}")]
    Index { change: i64, reason: String },
}

/// How far a server has followed the log, for `/readyz` and `/metrics`.
#[derive(Debug)]
pub(crate) struct Progress {
    applied: AtomicI64,
    /// The newest entry the store held when last asked.
    newest: AtomicI64,
    /// When the oldest entry not yet applied was written (ms since the epoch); 0 when
    /// none is waiting.
    waiting_since_ms: AtomicI64,
    /// Whether a catch-up has found nothing left to apply since the server started.
    caught_up: AtomicBool,
    /// Since when the next number has been missing while later ones are visible.
    gap_since: Mutex<Option<Instant>>,
    /// When the last entry applied was written, as the store gave it (µs since the
    /// epoch); 0 when unknown. If the store later gives another time for that number,
    /// the database was restored or failed over to a standby that lacked it.
    last_written_us: AtomicI64,
}

/// Where a server stands in the change log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FollowStatus {
    /// The last entry applied to the served snapshot.
    pub applied: i64,
    /// The newest entry in the store when last asked.
    pub newest: i64,
    /// Entries written but not yet served here.
    pub lag_entries: i64,
    /// How long the oldest entry not yet served has waited.
    pub lag_seconds: f64,
    /// Whether the server has caught up with the log since it started.
    pub ready: bool,
}

impl Progress {
    pub(crate) fn new(applied: i64) -> Self {
        Progress {
            applied: AtomicI64::new(applied),
            newest: AtomicI64::new(applied),
            waiting_since_ms: AtomicI64::new(0),
            caught_up: AtomicBool::new(false),
            gap_since: Mutex::new(None),
            last_written_us: AtomicI64::new(0),
        }
    }

    fn last_applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Entries up to `number` are served.
    pub(crate) fn applied(&self, number: i64) {
        if self.applied.fetch_max(number, Ordering::SeqCst) < number {
            self.last_written_us.store(0, Ordering::SeqCst);
        }
        self.newest.fetch_max(number, Ordering::SeqCst);
    }
}

impl Live {
    /// Where this server stands in the change log.
    pub fn follow_status(&self) -> FollowStatus {
        let p = &self.progress;
        let applied = p.last_applied();
        let newest = p.newest.load(Ordering::SeqCst).max(applied);
        let since = p.waiting_since_ms.load(Ordering::SeqCst);
        let lag_seconds = if since > 0 && newest > applied {
            ((chrono::Utc::now().timestamp_millis() - since).max(0) as f64) / 1000.0
        } else {
            0.0
        };
        FollowStatus {
            applied,
            newest,
            lag_entries: newest - applied,
            lag_seconds,
            ready: p.caught_up.load(Ordering::SeqCst),
        }
    }

    /// Applies every change-log entry written since the last one applied (by this or any
    /// other server, or a load); returns how many were applied.
    pub async fn catch_up(&self) -> Result<usize, FollowError> {
        let _one_at_a_time = self.writing.lock().await;
        self.catch_up_locked().await
    }

    /// [`Live::catch_up`] for a caller that holds `writing`.
    pub(crate) async fn catch_up_locked(&self) -> Result<usize, FollowError> {
        let mut total = 0;
        if self.log_went_back().await? {
            // The database was restored, or a standby that had not received the last
            // commits was promoted: this server may serve writes the store lost.
            tracing::warn!(
                applied = self.progress.last_applied(),
                "the change log is not the one this server followed; reading the whole directory again"
            );
            self.reload_from(0).await?;
            total += 1;
        }
        loop {
            let from = self.progress.last_applied();
            let newest = self.store.last_change().await?;
            self.progress.newest.fetch_max(newest, Ordering::SeqCst);
            if newest <= from {
                self.progress.waiting_since_ms.store(0, Ordering::SeqCst);
                self.progress.caught_up.store(true, Ordering::SeqCst);
                return Ok(total);
            }
            let batch = self.store.changes_after(from, BATCH).await?;
            let Some(first) = batch.first() else { return Ok(total) };
            self.progress.waiting_since_ms.store(first.at.timestamp_millis(), Ordering::SeqCst);
            let start = if first.id == from + 1 {
                *self.progress.gap_since.lock().expect("never poisoned") = None;
                from
            } else {
                let mut gap = self.progress.gap_since.lock().expect("never poisoned");
                let since = *gap.get_or_insert_with(Instant::now);
                if since.elapsed() < GAP_WAIT {
                    return Ok(total);
                }
                tracing::warn!(
                    missing_from = from + 1,
                    missing_to = first.id - 1,
                    "change-log numbers missing; going on"
                );
                *gap = None;
                first.id - 1
            };
            let run: Vec<&Change> =
                batch.iter().enumerate().take_while(|(i, c)| c.id == start + 1 + *i as i64).map(|(_, c)| c).collect();
            self.apply_changes(&run).await?;
            // A re-read of the whole directory covers every entry up to its own.
            total += usize::try_from(self.progress.last_applied() - from).unwrap_or(run.len());
        }
    }

    /// Whether the log no longer holds the last entry this server applied as it was:
    /// shorter than it, or with another entry under its number.
    async fn log_went_back(&self) -> Result<bool, FollowError> {
        let from = self.progress.last_applied();
        if from == 0 {
            return Ok(false);
        }
        let known = self.progress.last_written_us.load(Ordering::SeqCst);
        let entry = self.store.changes_after(from - 1, 1).await?;
        Ok(match entry.first() {
            Some(entry) if entry.id == from => known != 0 && entry.at.timestamp_micros() != known,
            _ => true,
        })
    }

    /// Brings the snapshot, index and graph up to the last entry of `run`.
    async fn apply_changes(&self, run: &[&Change]) -> Result<(), FollowError> {
        let Some(last) = run.last().map(|c| c.id) else { return Ok(()) };
        let mut resources = BTreeSet::new();
        let mut referrals = BTreeSet::new();
        let mut whole = false;
        for change in run {
            match change.record {
                RecordKind::Resource => {
                    resources.insert(change.record_id.clone());
                }
                RecordKind::Referral => {
                    referrals.insert(change.record_id.clone());
                }
                // Organizations and taxonomies shape every document and node: read all.
                _ => whole = true,
            }
        }
        if whole || resources.len() + referrals.len() > full_refresh_at(&self.snapshot().directory) {
            self.reload().await?;
            if let Some(entry) = run.last().filter(|e| e.id == self.progress.last_applied()) {
                self.progress.last_written_us.store(entry.at.timestamp_micros(), Ordering::SeqCst);
            }
            return Ok(());
        }
        let resources: Vec<Id> = resources.into_iter().collect();
        let referrals: Vec<Id> = referrals.into_iter().collect();
        let fresh = self.store.read_records(&resources, &referrals).await?;
        let current = self.snapshot();
        let mut directory = Directory::clone(&current.directory);
        let (puts, removed) =
            patch(&mut directory.resources, &resources, fresh.resources, |id| current.resource_at(id));
        let referral_at: HashMap<Id, usize> = if referrals.is_empty() {
            HashMap::new()
        } else {
            directory.referrals.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect()
        };
        let (referral_puts, referrals_removed) =
            patch(&mut directory.referrals, &referrals, fresh.referrals, |id| referral_at.get(id).copied());
        let changed_resources: Vec<Id> = puts.iter().map(|r| r.id.clone()).chain(removed.iter().cloned()).collect();
        let changed_referrals: Vec<Id> =
            referral_puts.iter().map(|r| r.id.clone()).chain(referrals_removed.iter().cloned()).collect();
        if !changed_resources.is_empty() {
            let index = Arc::clone(&current.index);
            tokio::task::spawn_blocking(move || index.apply(&puts, &removed, Some(last)))
                .await
                .map_err(|e| FollowError::Index { change: last, reason: e.to_string() })?
                .map_err(|e| FollowError::Index { change: last, reason: e.to_string() })?;
        }
        let next = current.patched(Arc::new(directory), &changed_resources, &changed_referrals, last);
        self.replace(Arc::new(next));
        self.progress.applied(last);
        if let Some(entry) = run.last() {
            self.progress.last_written_us.store(entry.at.timestamp_micros(), Ordering::SeqCst);
        }
        Ok(())
    }

    /// Reads the whole directory again and syncs the index with it (a load that changed
    /// organizations or taxonomies, or thousands of records).
    pub(crate) async fn reload(&self) -> Result<(), FollowError> {
        self.reload_from(i64::MAX).await
    }

    /// [`Live::reload`]; with `back_to` 0 the server's progress is set back to the
    /// store's log even when that is behind what it had applied.
    async fn reload_from(&self, back_to: i64) -> Result<(), FollowError> {
        let (directory, last) = self.store.read_directory_at().await?;
        let directory = Arc::new(directory);
        let index = Arc::clone(&self.snapshot().index);
        let (for_index, index_at) = (Arc::clone(&directory), Arc::clone(&index));
        tokio::task::spawn_blocking(move || index_at.sync_at(&for_index, Some(last)))
            .await
            .map_err(|e| FollowError::Index { change: last, reason: e.to_string() })?
            .map_err(|e| FollowError::Index { change: last, reason: e.to_string() })?;
        let next = tokio::task::spawn_blocking(move || Snapshot::at_version(directory, index, last))
            .await
            .map_err(|e| FollowError::Index { change: last, reason: e.to_string() })?;
        self.replace(Arc::new(next));
        if back_to == 0 {
            // Set back to the store's log, whatever this server had applied.
            self.progress.applied.store(last, Ordering::SeqCst);
            self.progress.newest.store(last, Ordering::SeqCst);
            self.progress.last_written_us.store(0, Ordering::SeqCst);
        }
        self.progress.applied(last);
        Ok(())
    }

    /// Follows the log until the task is dropped: catches up, then waits for
    /// PostgreSQL's notification or `poll`, whichever comes first.
    pub async fn follow(self: Arc<Self>, poll: Duration) {
        let mut wake_ups = match self.store.wake_ups().await {
            Ok(w) => w,
            Err(error) => {
                tracing::warn!(%error, "no notifications of changes; polling every {poll:?}");
                None
            }
        };
        loop {
            if let Err(error) = self.catch_up().await {
                tracing::warn!(%error, "could not follow the change log; trying again");
            }
            match wake_ups.as_mut() {
                Some(w) => {
                    tokio::select! {
                        woke = w.next() => if let Err(error) = woke {
                            tracing::warn!(%error, "notifications of changes interrupted; polling");
                            tokio::time::sleep(poll).await;
                        },
                        () = tokio::time::sleep(poll) => {}
                    }
                }
                None => tokio::time::sleep(poll).await,
            }
        }
    }
}

/// Puts the store's current rows of `ids` into `list` (in place, or at the end) and
/// removes those with no row; returns what was put (only what differs) and removed.
fn patch<T: PartialEq + HasId>(
    list: &mut Vec<Arc<T>>,
    ids: &[Id],
    fresh: Vec<Arc<T>>,
    position: impl Fn(&Id) -> Option<usize>,
) -> (Vec<Arc<T>>, Vec<Id>) {
    let mut fresh: HashMap<Id, Arc<T>> = fresh.into_iter().map(|r| (r.id().clone(), r)).collect();
    let mut puts = Vec::new();
    let mut removed = Vec::new();
    for id in ids {
        match (position(id), fresh.remove(id)) {
            (Some(i), Some(record)) => {
                if list[i] != record {
                    list[i] = Arc::clone(&record);
                    puts.push(record);
                }
            }
            (None, Some(record)) => {
                list.push(Arc::clone(&record));
                puts.push(record);
            }
            (Some(_), None) => removed.push(id.clone()),
            (None, None) => {}
        }
    }
    if !removed.is_empty() {
        let gone: std::collections::HashSet<&Id> = removed.iter().collect();
        list.retain(|r| !gone.contains(r.id()));
    }
    (puts, removed)
}

/// A record with a steward's id.
trait HasId {
    fn id(&self) -> &Id;
}

impl HasId for yorisoi_core::Resource {
    fn id(&self) -> &Id {
        &self.id
    }
}

impl HasId for yorisoi_core::Referral {
    fn id(&self) -> &Id {
        &self.id
    }
}
