//! The audit of the referral network, made in the background once per snapshot
//! version (and once a day, since staleness is measured from today) and served from
//! there, instead of being worked out again for every request.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use yorisoi_core::MunicipalityCode;
use yorisoi_core::graph::{Audit, AuditOptions};

use crate::live::{Live, Snapshot};

/// One audit of the whole directory.
#[derive(Debug)]
pub struct AuditRun {
    /// The change-log entry the audited snapshot held.
    pub version: i64,
    /// The day staleness was measured from (today in Japan).
    pub today: NaiveDate,
    pub computed_at: DateTime<Utc>,
    pub took: Duration,
    pub audit: Arc<Audit>,
}

/// The last audit made, and the last one asked for a municipality or another day.
#[derive(Debug, Default)]
pub(crate) struct Audits {
    last: RwLock<Option<Arc<AuditRun>>>,
    /// Kept so that the fields of one request (the findings, their counts) and a
    /// steward paging through them do not each audit again.
    asked: Mutex<Option<(AuditKey, Arc<Audit>)>>,
}

/// Which audit: of which snapshot, for where, from which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AuditKey {
    version: i64,
    municipality: Option<MunicipalityCode>,
    today: NaiveDate,
}

impl Live {
    /// The last audit of the whole directory made in the background, if any.
    pub fn last_audit(&self) -> Option<Arc<AuditRun>> {
        self.audits.last.read().expect("the audit lock is never poisoned").clone()
    }

    /// Audits the current snapshot if the last audit is of an older version or day;
    /// returns the audit now served.
    pub async fn refresh_audit(&self) -> Option<Arc<AuditRun>> {
        let snapshot = self.snapshot();
        let today = yorisoi_core::japan_time(Utc::now()).date();
        if let Some(last) = self.last_audit()
            && last.version == snapshot.version
            && last.today == today
        {
            return Some(last);
        }
        let version = snapshot.version;
        let made = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let audit = Arc::new(snapshot.graph.audit(&AuditOptions::new(today)));
            AuditRun { version, today, computed_at: Utc::now(), took: started.elapsed(), audit }
        })
        .await;
        match made {
            Ok(run) => {
                tracing::info!(version, ms = run.took.as_secs_f64() * 1e3, "audit made");
                let run = Arc::new(run);
                *self.audits.last.write().expect("the audit lock is never poisoned") = Some(Arc::clone(&run));
                Some(run)
            }
            Err(error) => {
                tracing::error!(%error, "the audit stopped");
                None
            }
        }
    }

    /// The audit of `snapshot` for `municipality` (all when none) measured from `today`
    /// (today in Japan when none): the background audit when that is what is asked,
    /// else the one asked last if it is the same, else made now on a blocking thread.
    pub async fn audit_for(
        &self,
        snapshot: &Arc<Snapshot>,
        municipality: Option<MunicipalityCode>,
        today: Option<NaiveDate>,
    ) -> Result<Arc<Audit>, tokio::task::JoinError> {
        if municipality.is_none()
            && let Some(run) = self.last_audit().filter(|run| today.is_none_or(|t| t == run.today))
        {
            return Ok(Arc::clone(&run.audit));
        }
        let today = today.unwrap_or_else(|| yorisoi_core::japan_time(Utc::now()).date());
        let key = AuditKey { version: snapshot.version, municipality, today };
        if let Some((asked, audit)) = self.audits.asked.lock().expect("the audit lock is never poisoned").as_ref()
            && *asked == key
        {
            return Ok(Arc::clone(audit));
        }
        let graph = Arc::clone(&snapshot.graph);
        let audit = tokio::task::spawn_blocking(move || {
            let mut options = AuditOptions::new(today);
            options.municipality = municipality;
            Arc::new(graph.audit(&options))
        })
        .await?;
        *self.audits.asked.lock().expect("the audit lock is never poisoned") = Some((key, Arc::clone(&audit)));
        Ok(audit)
    }

    /// Keeps the audit in step until the task is dropped: after each change of version
    /// (looked at every `every`), one audit at a time, and after an audit at least as
    /// long a pause as it took, so that on a large directory edited all day the audit
    /// takes at most half a core.
    pub async fn keep_audited(self: Arc<Self>, every: Duration) {
        loop {
            let took = self.refresh_audit().await.map_or(Duration::ZERO, |run| run.took);
            tokio::time::sleep(every.max(took)).await;
        }
    }
}
