//! Needs and kinds name where they are stated (a `provenance` column, JSON), and
//! needs take a municipality's own words (`local_names`, JSON, as kinds have); both
//! empty lists for rows written before them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Needs {
    Table,
    Provenance,
    LocalNames,
}

#[derive(DeriveIden)]
enum Kinds {
    Table,
    Provenance,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(
                Table::alter().table(Needs::Table).add_column(text(Needs::Provenance).default("[]")).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Needs::Table).add_column(text(Needs::LocalNames).default("[]")).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Kinds::Table).add_column(text(Kinds::Provenance).default("[]")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Needs::Table).drop_column(Needs::Provenance).to_owned()).await?;
        manager.alter_table(Table::alter().table(Needs::Table).drop_column(Needs::LocalNames).to_owned()).await?;
        manager.alter_table(Table::alter().table(Kinds::Table).drop_column(Kinds::Provenance).to_owned()).await
    }
}
