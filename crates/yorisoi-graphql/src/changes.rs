//! The change log a steward's edits leave (変更履歴): its entries and the page of it
//! that callers with a token may read.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Json, Object, Result};
use chrono::{DateTime, Utc};
use yorisoi_core::Change;

use crate::auth::Caller;
use crate::connection::page;
use crate::error::{ApiError, Coded};
use crate::global_id::{cursor, offset};
use crate::live::live;

/// One entry of the change log (変更履歴).
pub struct ChangeEntry(pub Change);

/// One entry of the change log (変更履歴): who changed which record when, and how.
#[Object]
impl ChangeEntry {
    /// Increasing number of the entry.
    async fn number(&self) -> i64 {
        self.0.id
    }
    /// When it was written (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The name of the steward's token (担当者).
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// upsert_resource, retire_resource, verify_resource, add_referral or remove_referral; load_created, load_updated or load_removed for a record a `yorisoi load` changed.
    async fn action(&self) -> &str {
        self.0.action.code()
    }
    /// resources or referrals (a load may also change sources, municipalities, areas, needs, kinds and organizations).
    async fn record_kind(&self) -> &str {
        self.0.record.key()
    }
    /// The steward's id of the record.
    async fn record_id(&self) -> &str {
        self.0.record_id.as_str()
    }
    /// The record before, in the seed file's format; null when it was created.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        json(self.0.before.as_deref())
    }
    /// The record after, in the seed file's format; null when it was removed.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        json(self.0.after.as_deref())
    }
    /// Why, in the steward's words (理由).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

fn json(text: Option<&str>) -> Option<Json<serde_json::Value>> {
    text.and_then(|t| serde_json::from_str(t).ok()).map(Json)
}

/// Refuses a caller without a token: the change log may hold staff-only fields.
fn needs_token(ctx: &Context<'_>) -> Result<()> {
    if ctx.data_opt::<Caller>().is_none() {
        return Err(ApiError::Unauthenticated(
            "the change log needs a staff or steward token: send `Authorization: Bearer <token>`".to_owned(),
        ))
        .coded();
    }
    Ok(())
}

/// The newest changes, newest first (of one record when `record_id` is given), for
/// callers with a token.
pub(crate) async fn recent_changes(
    ctx: &Context<'_>,
    record_id: Option<String>,
    first: i32,
    origin: yorisoi_store::Origin,
) -> Result<Vec<ChangeEntry>> {
    needs_token(ctx)?;
    let (_, size) = page(first, None, 0).coded()?;
    let entries = live(ctx)
        .store()
        .recent_changes(record_id.as_deref(), size as u64, origin)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
        .coded()?;
    Ok(entries.into_iter().map(ChangeEntry).collect())
}

/// A page of the change log, for callers with a token.
pub(crate) async fn changes(
    ctx: &Context<'_>,
    since: Option<DateTime<Utc>>,
    first: i32,
    after: Option<String>,
    origin: yorisoi_store::Origin,
) -> Result<Connection<String, ChangeEntry>> {
    needs_token(ctx)?;
    let (_, size) = page(first, None, 0).coded()?;
    let after_id = after
        .as_deref()
        .map(|c| {
            offset(c).and_then(|n| {
                i64::try_from(n).map_err(|_| ApiError::BadUserInput(format!("`{c}` is not a cursor of the change log")))
            })
        })
        .transpose()
        .coded()?;
    let mut entries = live(ctx)
        .store()
        .changes(since, after_id, size as u64 + 1, origin)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
        .coded()?;
    let has_next = entries.len() > size;
    entries.truncate(size);
    let mut connection = Connection::new(after_id.is_some(), has_next);
    connection.edges.extend(entries.into_iter().map(|c| Edge::new(cursor(c.id.max(0) as usize), ChangeEntry(c))));
    Ok(connection)
}
