//! Dated schema migrations, the same on SQLite and PostgreSQL. A migration, once
//! released, never changes; a schema change is a new dated file.

use sea_orm_migration::prelude::*;

mod m20261122_000001_create_directory;
mod m20261122_000002_create_changes;
mod m20261202_000003_taxonomy_provenance;
mod m20261202_000004_imports;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_directory::Migration),
            Box::new(m20261122_000002_create_changes::Migration),
            Box::new(m20261202_000003_taxonomy_provenance::Migration),
            Box::new(m20261202_000004_imports::Migration),
        ]
    }
}
