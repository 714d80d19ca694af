//! The change log as one ordered stream of every write: a steward's edit and each record
//! a load creates, updates or removes get the next number, without gaps, in the same
//! transaction as the write; servers follow the stream to stay in step (`Store::changes_after`).
//!
//! Numbers are handed out under a lock on the log, so the order of numbers is the order
//! of commits: a follower that has read up to `n` can never later find a smaller number
//! committed behind it. PostgreSQL's own sequence would not give that (a transaction
//! that took 7 may commit after one that took 8), nor freedom from gaps (a rollback
//! burns a number).

use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait, QuerySelect,
    Statement,
};
use yorisoi_core::Change;

use crate::entity::change;

/// The PostgreSQL channel a write notifies on commit; the payload is the schema written,
/// so servers of several directories in one database wake only for their own.
pub const CHANNEL: &str = "yorisoi_changes";

/// Takes the log's write lock for `txn` (PostgreSQL; SQLite has one writer anyway).
/// Every writer takes it first, before touching a record: writes through several
/// servers then run one after another, so a record replaced by two edits at once ends
/// as the later one, not as a failed insert, and numbers follow commit order.
pub(crate) async fn lock(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // EXCLUSIVE blocks other writers of the log until this transaction ends, and
        // lets readers through.
        txn.execute_unprepared("LOCK TABLE changes IN EXCLUSIVE MODE").await?;
    }
    Ok(())
}

/// Appends `entries` to the log inside `txn`, numbered after the last entry, and asks
/// PostgreSQL to wake the followers when `txn` commits. Returns the entries numbered.
pub(crate) async fn append(txn: &DatabaseTransaction, entries: Vec<Change>) -> Result<Vec<Change>, DbErr> {
    if entries.is_empty() {
        return Ok(entries);
    }
    let postgres = txn.get_database_backend() == DatabaseBackend::Postgres;
    // Held already when the caller took it first (taking it again is a no-op). SQLite
    // needs none: it has one writer at a time, and every caller has written a row
    // before it appends, so it holds SQLite's write lock.
    lock(txn).await?;
    let last = last_number(txn).await?;
    let numbered: Vec<Change> =
        entries.into_iter().enumerate().map(|(i, c)| Change { id: last + 1 + i as i64, ..c }).collect();
    // Batches stay under SQLite's limit of bound parameters (9 columns a row).
    for batch in numbered.chunks(1000) {
        let rows = batch.iter().map(|c| change::ActiveModel {
            id: ActiveValue::Set(c.id),
            at: ActiveValue::Set(c.at),
            actor: ActiveValue::Set(c.actor.clone()),
            action: ActiveValue::Set(c.action.code().to_owned()),
            record_kind: ActiveValue::Set(c.record.key().to_owned()),
            record_id: ActiveValue::Set(c.record_id.to_string()),
            before: ActiveValue::Set(c.before.clone()),
            after: ActiveValue::Set(c.after.clone()),
            note: ActiveValue::Set(c.note.clone()),
        });
        change::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    if postgres {
        let notify = Statement::from_string(
            DatabaseBackend::Postgres,
            format!("SELECT pg_notify('{CHANNEL}', current_schema())::text"),
        );
        txn.query_one_raw(notify).await?;
    }
    Ok(numbered)
}

/// The number of the newest entry, 0 when the log is empty.
pub(crate) async fn last_number(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let newest: Option<Option<i64>> =
        change::Entity::find().select_only().column_as(change::Column::Id.max(), "newest").into_tuple().one(db).await?;
    Ok(newest.flatten().unwrap_or(0))
}
