//! Yorisoi's store: the directory in SQLite (the embedded default) or PostgreSQL,
//! through sea-orm. Only this crate knows tables; callers give and get a
//! [`Directory`].

mod entity;
mod log;
mod migration;
mod rows;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use yorisoi_core::{Action, Change, Directory, Edit, Id, RecordKind};

use entity::*;
pub use log::CHANNEL;
use migration::Migrator;
use rows::{Rows, from_rows, links_of, referral_row, resource_row, to_rows};

/// The database used when none is named: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://yorisoi.db?mode=rwc";

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no database this build can open.
    #[error("cannot use database `{url}`: {reason}; use sqlite://FILE?mode=rwc or postgres://USER@HOST/DB")]
    BadUrl { url: String, reason: String },
    #[error("cannot connect to the database at `{url}`: {source}")]
    Connect { url: String, source: DbErr },
    #[error("database schema migration failed: {0}")]
    Migrate(DbErr),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error("cannot listen for PostgreSQL's notifications of changes: {0}")]
    Listen(String),
    /// A row does not decode: someone edited the tables by hand, or a newer Yorisoi wrote them.
    #[error("table {table}, row `{key}` cannot be read: {detail}")]
    Corrupt { table: String, key: String, detail: String },
}

/// How one collection changed in a load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// What a load changed (or, refused or dry, would change), per collection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub counts: Vec<(RecordKind, Counts)>,
    /// The ids of the records removed, by collection, in id order.
    pub removed: Vec<(RecordKind, Vec<String>)>,
    /// The ids of the records created and of those updated, by collection.
    pub created: Vec<(RecordKind, Vec<String>)>,
    pub updated: Vec<(RecordKind, Vec<String>)>,
}

impl LoadReport {
    pub fn get(&self, kind: RecordKind) -> Counts {
        self.counts.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c).unwrap_or_default()
    }

    pub fn total(&self) -> Counts {
        self.counts.iter().fold(Counts::default(), |sum, (_, c)| Counts {
            created: sum.created + c.created,
            updated: sum.updated + c.updated,
            removed: sum.removed + c.removed,
            unchanged: sum.unchanged + c.unchanged,
        })
    }

    pub fn changed_nothing(&self) -> bool {
        let total = self.total();
        total.created + total.updated + total.removed == 0
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<14} {:>8} {:>8} {:>8} {:>10}", "", "created", "updated", "removed", "unchanged")?;
        for (kind, c) in &self.counts {
            writeln!(f, "{:<14} {:>8} {:>8} {:>8} {:>10}", kind.key(), c.created, c.updated, c.removed, c.unchanged)?;
        }
        let t = self.total();
        write!(f, "{:<14} {:>8} {:>8} {:>8} {:>10}", "total", t.created, t.updated, t.removed, t.unchanged)
    }
}

/// Who a load is entered under in the change log when the caller names no one.
pub const LOAD_ACTOR: &str = "yorisoi load";

/// The change-log entries of a load: one per record created, updated or removed.
fn load_entries(report: &LoadReport, actor: &str) -> Vec<Change> {
    let at = chrono::Utc::now();
    let mut entries = Vec::new();
    for (action, lists) in [
        (Action::LoadCreated, &report.created),
        (Action::LoadUpdated, &report.updated),
        (Action::LoadRemoved, &report.removed),
    ] {
        for (kind, keys) in lists {
            for key in keys {
                // Every key is an id or a municipality code, both valid ids; a key that
                // is not (a hand-edited table) is still loaded, just not followed.
                let Ok(record_id) = Id::parse(key) else { continue };
                entries.push(Change {
                    id: 0,
                    at,
                    actor: actor.to_owned(),
                    action,
                    record: *kind,
                    record_id,
                    before: None,
                    after: None,
                    note: None,
                });
            }
        }
    }
    // In log order: by collection as loaded, then by id.
    entries.sort_by(|a, b| (a.record, a.record_id.as_str()).cmp(&(b.record, b.record_id.as_str())));
    entries
}

/// PostgreSQL's notifications that the change log grew, for one schema.
pub struct WakeUps {
    listener: sqlx::postgres::PgListener,
    schema: String,
}

impl std::fmt::Debug for WakeUps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WakeUps").field("schema", &self.schema).finish_non_exhaustive()
    }
}

impl WakeUps {
    /// Waits for the next notification about this store's schema. An error means the
    /// connection broke; the listener reconnects on the next call.
    pub async fn next(&mut self) -> Result<(), StoreError> {
        loop {
            let notification = self.listener.recv().await.map_err(|e| StoreError::Listen(e.to_string()))?;
            if notification.payload() == self.schema {
                return Ok(());
            }
        }
    }
}

/// Which writes of the change log a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    All,
    /// Stewards' edits through the API.
    Edits,
    /// Records a load created, updated or removed.
    Loads,
}

impl Origin {
    fn filter(self, query: sea_orm::Select<change::Entity>) -> sea_orm::Select<change::Entity> {
        match self {
            Origin::All => query,
            Origin::Edits => query.filter(change::Column::Action.not_like("load_%")),
            Origin::Loads => query.filter(change::Column::Action.like("load_%")),
        }
    }
}

/// A connection to the directory's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Statements run since connecting, so tests and `/metrics` can see how many
    /// queries a request costs.
    statements: Arc<AtomicU64>,
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, None).await
    }

    /// Like [`Store::connect`], with PostgreSQL tables in `schema` (created if missing),
    /// so several directories can share one database (tests, staging).
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, Some(schema)).await
    }

    async fn connect_with(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let is_sqlite = url.starts_with("sqlite:");
        if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(StoreError::BadUrl { url: url.to_owned(), reason: "unknown scheme".to_owned() });
        }
        let mut options = ConnectOptions::new(url);
        options.sqlx_logging(false);
        if is_sqlite {
            // One connection: an in-memory database exists per connection, and SQLite
            // allows one writer at a time anyway.
            options.max_connections(1);
        }
        if let Some(schema) = schema {
            if is_sqlite {
                return Err(StoreError::BadUrl {
                    url: url.to_owned(),
                    reason: "schemas are a PostgreSQL feature".to_owned(),
                });
            }
            let admin =
                Database::connect(url).await.map_err(|source| StoreError::Connect { url: url.to_owned(), source })?;
            admin.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"")).await?;
            admin.close().await?;
            options.set_schema_search_path(schema.to_owned());
        }
        let mut db =
            Database::connect(options).await.map_err(|source| StoreError::Connect { url: url.to_owned(), source })?;
        Migrator::up(&db, None).await.map_err(StoreError::Migrate)?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self { db, statements })
    }

    /// Drops a PostgreSQL schema made by [`Store::connect_in_schema`].
    pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
        let admin =
            Database::connect(url).await.map_err(|source| StoreError::Connect { url: url.to_owned(), source })?;
        admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).await?;
        admin.close().await?;
        Ok(())
    }

    /// Makes the store hold exactly `directory`, in one transaction: records not in
    /// it are removed, changed ones updated, new ones created. Either all of it is
    /// written or nothing is.
    pub async fn replace_directory(&self, directory: &Directory) -> Result<LoadReport, StoreError> {
        Ok(self.replace_directory_if(directory, |_| true).await?.0)
    }

    /// Works out the load inside its transaction and writes it only when `accept`
    /// agrees with what it would do; otherwise rolls back, leaving the store as it was.
    /// Returns the report and whether it was written. The plan shown to a steward is
    /// thus the very load that runs, not an estimate.
    pub async fn replace_directory_if(
        &self,
        directory: &Directory,
        accept: impl FnOnce(&LoadReport) -> bool,
    ) -> Result<(LoadReport, bool), StoreError> {
        self.load_as(directory, LOAD_ACTOR, accept).await
    }

    /// [`Store::replace_directory_if`], with every record created, updated or removed
    /// entered in the change log under `actor`, in the same transaction, so servers
    /// following the log see the load.
    pub async fn load_as(
        &self,
        directory: &Directory,
        actor: &str,
        accept: impl FnOnce(&LoadReport) -> bool,
    ) -> Result<(LoadReport, bool), StoreError> {
        let rows = to_rows(directory);
        let txn = self.db.begin().await?;
        let synced = match log::lock(&txn).await {
            Ok(()) => sync_all(&txn, rows).await,
            Err(error) => Err(error),
        };
        match synced {
            Ok(report) if accept(&report) => {
                if let Err(error) = log::append(&txn, load_entries(&report, actor)).await {
                    txn.rollback().await?;
                    return Err(error.into());
                }
                txn.commit().await?;
                Ok((report, true))
            }
            Ok(report) => {
                txn.rollback().await?;
                Ok((report, false))
            }
            Err(error) => {
                txn.rollback().await?;
                Err(error.into())
            }
        }
    }

    /// Reads the whole directory, every collection ordered by id or code.
    pub async fn read_directory(&self) -> Result<Directory, StoreError> {
        read_all(&self.db).await
    }

    /// Writes one steward's edit and its change-log entry in one transaction, and
    /// returns the entry with its id. Either both are written or neither is.
    pub async fn apply(&self, edit: &Edit, change: Change) -> Result<Change, StoreError> {
        let txn = self.db.begin().await?;
        let result = async {
            log::lock(&txn).await?;
            write_edit(&txn, edit).await?;
            log::append(&txn, vec![change]).await
        }
        .await;
        match result {
            Ok(mut numbered) => {
                txn.commit().await?;
                Ok(numbered.remove(0))
            }
            Err(error) => {
                txn.rollback().await?;
                Err(error.into())
            }
        }
    }

    /// The entries numbered after `after`, oldest first, at most `limit`: what a server
    /// following the log has not applied yet.
    pub async fn changes_after(&self, after: i64, limit: u64) -> Result<Vec<Change>, StoreError> {
        self.changes(None, Some(after), limit, Origin::All).await
    }

    /// The number of the newest change-log entry (0 when there is none).
    pub async fn last_change(&self) -> Result<i64, StoreError> {
        Ok(log::last_number(&self.db).await?)
    }

    /// The whole directory and the number of the last change it includes, read in one
    /// consistent view of the database (a snapshot on PostgreSQL, a read transaction on
    /// SQLite), so a follower can go on from that number without missing a write.
    pub async fn read_directory_at(&self) -> Result<(Directory, i64), StoreError> {
        let txn = match self.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                self.db
                    .begin_with_config(
                        Some(sea_orm::IsolationLevel::RepeatableRead),
                        Some(sea_orm::AccessMode::ReadOnly),
                    )
                    .await?
            }
            _ => self.db.begin().await?,
        };
        // The number first: under repeatable read the snapshot is taken by the first
        // statement, and everything after reads that same snapshot.
        let last = log::last_number(&txn).await?;
        let directory = read_all(&txn).await?;
        txn.commit().await?;
        Ok((directory, last))
    }

    /// The current rows of some resources and referrals, by id (a follower re-reads what
    /// the log says changed). Ids with no row are absent from the answer.
    pub async fn read_records(&self, resources: &[Id], referrals: &[Id]) -> Result<Directory, StoreError> {
        let keys = |ids: &[Id]| ids.iter().map(ToString::to_string).collect::<Vec<_>>();
        let mut rows = Rows::default();
        for chunk in keys(resources).chunks(500) {
            rows.resources.extend(
                resource::Entity::find()
                    .filter(resource::Column::Id.is_in(chunk.to_vec()))
                    .order_by_asc(resource::Column::Id)
                    .all(&self.db)
                    .await?,
            );
        }
        for chunk in keys(referrals).chunks(500) {
            rows.referrals.extend(
                referral::Entity::find()
                    .filter(referral::Column::Id.is_in(chunk.to_vec()))
                    .order_by_asc(referral::Column::Id)
                    .all(&self.db)
                    .await?,
            );
        }
        from_rows(rows)
    }

    /// PostgreSQL's notifications of new change-log entries in this store's schema: a
    /// wake-up for followers (they poll too, since a notification can be missed while
    /// the listening connection reconnects). None on SQLite.
    pub async fn wake_ups(&self) -> Result<Option<WakeUps>, StoreError> {
        if self.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(None);
        }
        let schema: Option<String> = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT current_schema()::text",
            ))
            .await?
            .map(|row| row.try_get_by_index(0))
            .transpose()?;
        let pool = self.db.get_postgres_connection_pool();
        let listen = |e: sqlx::Error| StoreError::Listen(e.to_string());
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await.map_err(listen)?;
        listener.listen(CHANNEL).await.map_err(listen)?;
        Ok(Some(WakeUps { listener, schema: schema.unwrap_or_default() }))
    }

    /// Change-log entries at or after `since`, oldest first, after the entry with id
    /// `after` (for paging), at most `limit`.
    pub async fn changes(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
        after: Option<i64>,
        limit: u64,
        origin: Origin,
    ) -> Result<Vec<Change>, StoreError> {
        let mut query = origin.filter(change::Entity::find()).order_by_asc(change::Column::Id).limit(limit);
        if let Some(since) = since {
            query = query.filter(change::Column::At.gte(since));
        }
        if let Some(after) = after {
            query = query.filter(change::Column::Id.gt(after));
        }
        query.all(&self.db).await?.into_iter().map(change_from_row).collect()
    }

    /// The newest `limit` changes, newest first; only those of record `record` (a
    /// steward's id) when given.
    pub async fn recent_changes(
        &self,
        record: Option<&str>,
        limit: u64,
        origin: Origin,
    ) -> Result<Vec<Change>, StoreError> {
        let mut query = origin.filter(change::Entity::find()).order_by_desc(change::Column::Id).limit(limit);
        if let Some(record) = record {
            query = query.filter(change::Column::RecordId.eq(record));
        }
        query.all(&self.db).await?.into_iter().map(change_from_row).collect()
    }

    /// The number of link rows (resource × need / municipality / operator); for tests
    /// and diagnostics that the link table follows the resources.
    pub async fn link_count(&self) -> Result<usize, StoreError> {
        Ok(resource_link::Entity::find().all(&self.db).await?.len())
    }

    /// How many SQL statements this connection has run since it was opened.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub async fn close(self) -> Result<(), StoreError> {
        Ok(self.db.close().await?)
    }
}

/// Reads the whole directory through `db`, every collection ordered by id or code.
async fn read_all(db: &impl ConnectionTrait) -> Result<Directory, StoreError> {
    let rows = Rows {
        sources: source::Entity::find().order_by_asc(source::Column::Id).all(db).await?,
        municipalities: municipality::Entity::find().order_by_asc(municipality::Column::Code).all(db).await?,
        areas: area::Entity::find().order_by_asc(area::Column::Id).all(db).await?,
        needs: need::Entity::find().order_by_asc(need::Column::Code).all(db).await?,
        kinds: kind::Entity::find().order_by_asc(kind::Column::Code).all(db).await?,
        organizations: organization::Entity::find().order_by_asc(organization::Column::Id).all(db).await?,
        resources: resource::Entity::find().order_by_asc(resource::Column::Id).all(db).await?,
        links: Vec::new(),
        referrals: referral::Entity::find().order_by_asc(referral::Column::Id).all(db).await?,
    };
    from_rows(rows)
}

/// Writes the rows an edit changes: a resource with its link rows, or a referral.
async fn write_edit(txn: &DatabaseTransaction, edit: &Edit) -> Result<(), DbErr> {
    match edit {
        Edit::PutResource(r) => {
            let id = r.id.to_string();
            resource::Entity::delete_by_id(id.clone()).exec(txn).await?;
            resource::Entity::insert(resource_row(r).into_active_model().reset_all())
                .exec_without_returning(txn)
                .await?;
            resource_link::Entity::delete_many().filter(resource_link::Column::ResourceId.eq(id)).exec(txn).await?;
            let links: Vec<_> = links_of(r).into_iter().map(|l| l.into_active_model().reset_all()).collect();
            if !links.is_empty() {
                resource_link::Entity::insert_many(links).exec_without_returning(txn).await?;
            }
        }
        Edit::PutReferral(r) => {
            referral::Entity::delete_by_id(r.id.to_string()).exec(txn).await?;
            referral::Entity::insert(referral_row(r).into_active_model().reset_all())
                .exec_without_returning(txn)
                .await?;
        }
        Edit::RemoveReferral(id) => {
            referral::Entity::delete_by_id(id.to_string()).exec(txn).await?;
        }
    }
    Ok(())
}

fn change_from_row(row: change::Model) -> Result<Change, StoreError> {
    let key = row.id.to_string();
    let corrupt = |detail: String| StoreError::Corrupt { table: "changes".to_owned(), key: key.clone(), detail };
    let action = Action::from_code(&row.action).ok_or_else(|| corrupt(format!("unknown action `{}`", row.action)))?;
    let record = RecordKind::ALL
        .into_iter()
        .find(|k| k.key() == row.record_kind)
        .ok_or_else(|| corrupt(format!("unknown record kind `{}`", row.record_kind)))?;
    let record_id = Id::parse(&row.record_id).map_err(|e| corrupt(format!("record id: {e}")))?;
    Ok(Change {
        id: row.id,
        at: row.at,
        actor: row.actor,
        action,
        record,
        record_id,
        before: row.before,
        after: row.after,
        note: row.note,
    })
}

async fn sync_all(txn: &DatabaseTransaction, rows: Rows) -> Result<LoadReport, DbErr> {
    let mut report = LoadReport::default();
    let mut record = |kind: RecordKind, diff: TableDiff| {
        report.counts.push((kind, diff.counts));
        for (list, keys) in [
            (&mut report.created, diff.created),
            (&mut report.updated, diff.updated),
            (&mut report.removed, diff.removed),
        ] {
            if !keys.is_empty() {
                list.push((kind, keys));
            }
        }
    };
    record(RecordKind::Source, sync_table::<source::Entity>(txn, rows.sources, |m| m.id.clone()).await?);
    let municipalities = sync_table::<municipality::Entity>(txn, rows.municipalities, |m| m.code.clone()).await?;
    record(RecordKind::Municipality, municipalities);
    record(RecordKind::Area, sync_table::<area::Entity>(txn, rows.areas, |m| m.id.clone()).await?);
    record(RecordKind::Need, sync_table::<need::Entity>(txn, rows.needs, |m| m.code.clone()).await?);
    record(RecordKind::Kind, sync_table::<kind::Entity>(txn, rows.kinds, |m| m.code.clone()).await?);
    let organizations = sync_table::<organization::Entity>(txn, rows.organizations, |m| m.id.clone()).await?;
    record(RecordKind::Organization, organizations);
    record(RecordKind::Resource, sync_table::<resource::Entity>(txn, rows.resources, |m| m.id.clone()).await?);
    // Link rows follow the resources; they are derived, so they are not counted.
    sync_table::<resource_link::Entity>(txn, rows.links, |m| {
        format!("{}\u{1f}{}\u{1f}{}", m.resource_id, m.link, m.target)
    })
    .await?;
    record(RecordKind::Referral, sync_table::<referral::Entity>(txn, rows.referrals, |m| m.id.clone()).await?);
    Ok(report)
}

/// What a load did to one table: counts, and the keys of the rows it touched.
struct TableDiff {
    counts: Counts,
    created: Vec<String>,
    updated: Vec<String>,
    removed: Vec<String>,
}

/// Makes table `E` hold exactly `desired`, matching rows by `key`.
async fn sync_table<E>(
    txn: &DatabaseTransaction,
    desired: Vec<E::Model>,
    key: impl Fn(&E::Model) -> String,
) -> Result<TableDiff, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + PartialEq,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let mut existing: HashMap<String, E::Model> = E::find().all(txn).await?.into_iter().map(|m| (key(&m), m)).collect();
    let mut counts = Counts::default();
    let mut inserts = Vec::new();
    let (mut created, mut updated) = (Vec::new(), Vec::new());
    for model in desired {
        let k = key(&model);
        match existing.remove(&k) {
            None => {
                inserts.push(model.into_active_model().reset_all());
                counts.created += 1;
                created.push(k);
            }
            Some(old) if old == model => counts.unchanged += 1,
            Some(_) => {
                model.into_active_model().reset_all().update(txn).await?;
                counts.updated += 1;
                updated.push(k);
            }
        }
    }
    // Batches stay under SQLite's limit of 32766 bound parameters (resources have 23 columns).
    while !inserts.is_empty() {
        let batch: Vec<_> = inserts.drain(..inserts.len().min(500)).collect();
        E::insert_many(batch).exec_without_returning(txn).await?;
    }
    let mut removed = Vec::with_capacity(existing.len());
    for (k, old) in existing {
        E::delete(old.into_active_model()).exec(txn).await?;
        counts.removed += 1;
        removed.push(k);
    }
    removed.sort();
    Ok(TableDiff { counts, created, updated, removed })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use yorisoi_core::*;

    use super::*;

    fn provenance() -> Vec<Provenance> {
        vec![Provenance {
            source: Id::parse("doc").unwrap(),
            locator: None,
            verified: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        }]
    }

    fn resource(id: &str, name: &str) -> Resource {
        Resource {
            provenance: provenance(),
            ..Resource::new(Id::parse(id).unwrap(), name, Id::parse("window").unwrap())
        }
    }

    fn directory(names: &[(&str, &str)]) -> Directory {
        Directory {
            sources: vec![Source {
                id: Id::parse("doc").unwrap(),
                title: "資料".into(),
                publisher: None,
                published: None,
                file: None,
                url: None,
                licence: None,
                hsds: None,
            }],
            resources: names.iter().map(|(id, name)| resource(id, name).into()).collect(),
            referrals: vec![Arc::new(Referral {
                id: Id::parse("edge").unwrap(),
                from: Id::parse("a").unwrap(),
                to: Id::parse("b").unwrap(),
                kind: ReferralKind::RefersTo,
                needs: vec![],
                conditions: ReferralConditions::default(),
                state: ReferralState::Working,
                note: None,
                provenance: provenance(),
            })],
            ..Directory::default()
        }
    }

    /// SQLite in memory, or a fresh schema on the PostgreSQL that `DATABASE_URL` names.
    async fn store(schema: &str) -> (Store, Option<String>) {
        match std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
            Some(url) => {
                let schema = format!("{schema}_{}", std::process::id());
                Store::drop_schema(&url, &schema).await.unwrap();
                (Store::connect_in_schema(&url, &schema).await.unwrap(), Some(schema))
            }
            None => (Store::connect("sqlite::memory:").await.unwrap(), None),
        }
    }

    #[tokio::test]
    async fn a_load_that_fails_midway_writes_nothing() {
        let (store, schema) = store("store_atomic").await;
        store.replace_directory(&directory(&[("a", "窓口A"), ("b", "窓口B")])).await.unwrap();
        // Break the last table written, so the load fails after resources were changed.
        store.db.execute_unprepared("DROP TABLE referrals").await.unwrap();
        let edited = directory(&[("a", "窓口A（改）"), ("c", "窓口C")]);
        assert!(store.replace_directory(&edited).await.is_err());
        let after = store.read_directory_without_referrals().await;
        let names: Vec<&str> = after.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["窓口A", "窓口B"]);
        if let (Some(schema), Ok(url)) = (schema, std::env::var("DATABASE_URL")) {
            Store::drop_schema(&url, &schema).await.unwrap();
        }
    }

    #[tokio::test]
    async fn counts_say_what_changed() {
        let (store, schema) = store("store_counts").await;
        let first = store.replace_directory(&directory(&[("a", "窓口A"), ("b", "窓口B")])).await.unwrap();
        assert_eq!(first.get(RecordKind::Resource), Counts { created: 2, updated: 0, removed: 0, unchanged: 0 });
        let same = store.replace_directory(&directory(&[("a", "窓口A"), ("b", "窓口B")])).await.unwrap();
        assert!(same.changed_nothing());
        assert_eq!(store.last_change().await.unwrap(), 4, "a load that changes nothing writes no entry");
        let (edited, _) =
            store.load_as(&directory(&[("a", "窓口A（改）"), ("c", "窓口C")]), "steward-koto", |_| true).await.unwrap();
        assert_eq!(edited.get(RecordKind::Resource), Counts { created: 1, updated: 1, removed: 1, unchanged: 0 });
        let entries = store.changes_after(4, 10).await.unwrap();
        let described: Vec<(i64, &str, &str, &str)> =
            entries.iter().map(|c| (c.id, c.action.code(), c.record_id.as_str(), c.actor.as_str())).collect();
        assert_eq!(
            described,
            // By collection, then by id.
            [
                (5, "load_updated", "a", "steward-koto"),
                (6, "load_removed", "b", "steward-koto"),
                (7, "load_created", "c", "steward-koto")
            ]
        );
        if let (Some(schema), Ok(url)) = (schema, std::env::var("DATABASE_URL")) {
            Store::drop_schema(&url, &schema).await.unwrap();
        }
    }

    fn change(action: Action, record_id: &str, at: &str) -> Change {
        Change {
            id: 0,
            at: at.parse().unwrap(),
            actor: "steward-koto".into(),
            action,
            record: RecordKind::Resource,
            record_id: Id::parse(record_id).unwrap(),
            before: None,
            after: Some("{}".into()),
            note: Some("電話で確認".into()),
        }
    }

    #[tokio::test]
    async fn an_edit_and_its_log_entry_are_written_together_and_read_back_in_order() {
        let (store, schema) = store("store_apply").await;
        store.replace_directory(&directory(&[("a", "窓口A"), ("b", "窓口B")])).await.unwrap();
        let renamed = resource("a", "窓口A（改）");
        let first = store
            .apply(&Edit::PutResource(renamed), change(Action::UpsertResource, "a", "2026-11-22T01:00:00Z"))
            .await
            .unwrap();
        let edge = Id::parse("edge").unwrap();
        let mut second = change(Action::RemoveReferral, "edge", "2026-11-22T02:00:00Z");
        second.record = RecordKind::Referral;
        let second = store.apply(&Edit::RemoveReferral(edge), second).await.unwrap();
        assert!(second.id > first.id, "ids increase: {} then {}", first.id, second.id);

        let dir = store.read_directory().await.unwrap();
        let names: Vec<&str> = dir.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["窓口A（改）", "窓口B"]);
        assert!(dir.referrals.is_empty());

        // The load came first: one entry per record it created, numbered 1, 2, 3…
        let loaded = store.changes(None, None, 10, Origin::Loads).await.unwrap();
        let described: Vec<(i64, &str, &str, &str)> =
            loaded.iter().map(|c| (c.id, c.action.code(), c.record.key(), c.record_id.as_str())).collect();
        assert_eq!(
            described,
            [
                (1, "load_created", "sources", "doc"),
                (2, "load_created", "resources", "a"),
                (3, "load_created", "resources", "b"),
                (4, "load_created", "referrals", "edge")
            ]
        );
        assert!(loaded.iter().all(|c| c.actor == LOAD_ACTOR && c.before.is_none() && c.after.is_none()));
        assert_eq!((first.id, second.id), (5, 6), "edits go on numbering after the load");
        let all = store.changes(None, None, 10, Origin::All).await.unwrap();
        assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
        let edits = store.changes(None, None, 10, Origin::Edits).await.unwrap();
        assert_eq!(edits, vec![first.clone(), second.clone()]);
        let since =
            store.changes(Some("2026-11-22T01:30:00Z".parse().unwrap()), None, 10, Origin::Edits).await.unwrap();
        assert_eq!(since, vec![second.clone()]);
        let page = store.changes(None, Some(first.id), 1, Origin::All).await.unwrap();
        assert_eq!(page, vec![second]);
        assert_eq!(store.last_change().await.unwrap(), 6);

        // A failing edit writes neither the record nor its entry.
        store.db.execute_unprepared("DROP TABLE resource_links").await.unwrap();
        let failed = store
            .apply(
                &Edit::PutResource(resource("b", "窓口B（改）")),
                change(Action::UpsertResource, "b", "2026-11-22T03:00:00Z"),
            )
            .await;
        assert!(failed.is_err());
        assert_eq!(store.changes(None, None, 10, Origin::All).await.unwrap().len(), 6);
        assert_eq!(store.last_change().await.unwrap(), 6, "a rolled-back edit leaves no gap in the numbers");
        let newest = store.recent_changes(None, 10, Origin::Edits).await.unwrap();
        assert!(newest.len() == 2 && newest[0].id > newest[1].id, "newest first");
        let of_one = store.recent_changes(Some(newest[1].record_id.as_str()), 10, Origin::All).await.unwrap();
        assert!(of_one.iter().all(|c| c.record_id == newest[1].record_id) && !of_one.is_empty());
        let names: Vec<String> = store.read_directory_without_referrals().await.into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["窓口A（改）", "窓口B"]);
        if let (Some(schema), Ok(url)) = (schema, std::env::var("DATABASE_URL")) {
            Store::drop_schema(&url, &schema).await.unwrap();
        }
    }

    impl Store {
        async fn read_directory_without_referrals(&self) -> Vec<entity::resource::Model> {
            entity::resource::Entity::find().order_by_asc(entity::resource::Column::Id).all(&self.db).await.unwrap()
        }
    }
}
