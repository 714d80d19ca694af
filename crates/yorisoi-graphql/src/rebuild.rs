//! Rebuilding the search index without downtime: when the index on disk was made by
//! other analyzers (a new dictionary, a changed tokenizer), the server serves from it
//! while a new one is built in a folder of its own, then switches and removes the old.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use yorisoi_search::SearchIndex;

use crate::follow::FollowError;
use crate::live::Live;

/// A rebuild waiting to run, and whether one is running.
#[derive(Debug, Default)]
pub(crate) struct Rebuild {
    pending: Mutex<Option<(PathBuf, PathBuf)>>,
    running: AtomicBool,
}

impl Live {
    /// Asks for an index of this build's analyzers to be built in `target` while the
    /// stale one in `stale` is served; [`Live::rebuild_index`] does it.
    pub fn rebuild_index_later(&self, stale: PathBuf, target: PathBuf) {
        *self.rebuild.pending.lock().expect("never poisoned") = Some((stale, target));
        self.rebuild.running.store(true, Ordering::SeqCst);
    }

    /// Whether a new index is being built beside the served one.
    pub fn rebuilding_index(&self) -> bool {
        self.rebuild.running.load(Ordering::SeqCst)
    }

    /// Builds the index asked for by [`Live::rebuild_index_later`] from the current
    /// snapshot (requests go on being answered from the stale index), brings it up to
    /// the changes applied meanwhile, switches to it and removes the stale folder.
    pub async fn rebuild_index(&self) -> Result<(), FollowError> {
        let Some((stale, target)) = self.rebuild.pending.lock().expect("never poisoned").take() else {
            return Ok(());
        };
        let rebuilt = self.build_and_switch(stale, target).await;
        self.rebuild.running.store(false, Ordering::SeqCst);
        rebuilt
    }

    async fn build_and_switch(&self, stale: PathBuf, target: PathBuf) -> Result<(), FollowError> {
        let started = std::time::Instant::now();
        let snapshot = self.snapshot();
        let (directory, version) = (Arc::clone(&snapshot.directory), snapshot.version);
        drop(snapshot);
        let index_error = |reason: String| FollowError::Index { change: version, reason };
        let built = tokio::task::spawn_blocking(move || SearchIndex::open_at(&target, &directory, Some(version)))
            .await
            .map_err(|e| index_error(e.to_string()))?
            .map_err(|e| index_error(e.to_string()))?
            .0;
        let built = Arc::new(built);
        {
            // No change is applied while the index is switched: the new one is brought
            // up to the snapshot first.
            let _one_at_a_time = self.writing.lock().await;
            let current = self.snapshot();
            let (index, directory, version) = (Arc::clone(&built), Arc::clone(&current.directory), current.version);
            tokio::task::spawn_blocking(move || index.sync_at(&directory, Some(version)))
                .await
                .map_err(|e| index_error(e.to_string()))?
                .map_err(|e| index_error(e.to_string()))?;
            self.replace(Arc::new(current.with_index(built)));
        }
        tracing::info!(
            stale = %stale.display(), seconds = started.elapsed().as_secs_f64(),
            "search index rebuilt beside the stale one and switched to"
        );
        // Requests still reading the stale index keep their open files; the folder goes.
        if let Err(error) = std::fs::remove_dir_all(&stale) {
            tracing::warn!(%error, stale = %stale.display(), "the stale search index could not be removed");
        }
        Ok(())
    }
}
