//! The change log: one row per steward's edit through the API (who, when, before, after).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Changes {
    Table,
    Id,
    At,
    Actor,
    Action,
    RecordKind,
    RecordId,
    Before,
    After,
    Note,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(big_integer(Changes::Id).auto_increment().primary_key())
                    .col(timestamp_with_time_zone(Changes::At))
                    .col(string(Changes::Actor))
                    .col(string(Changes::Action))
                    .col(string(Changes::RecordKind))
                    .col(string(Changes::RecordId))
                    .col(text_null(Changes::Before))
                    .col(text_null(Changes::After))
                    .col(text_null(Changes::Note))
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("changes_at").table(Changes::Table).col(Changes::At).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Changes::Table).to_owned()).await
    }
}
