//! What imports bring: resources, organizations and sources keep the HSDS fields an
//! import found and Yorisoi has no place for (`hsds`, JSON text: a record's fields, a
//! data set's own taxonomies), so an export gives them back; sources name their
//! licence (`licence`: CC BY 4.0 and the attribution it asks). Null for what stewards
//! wrote.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Resources {
    Table,
    Hsds,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Hsds,
}

#[derive(DeriveIden)]
enum Sources {
    Table,
    Hsds,
    Licence,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(Table::alter().table(Resources::Table).add_column(text_null(Resources::Hsds)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Organizations::Table).add_column(text_null(Organizations::Hsds)).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(Sources::Table).add_column(text_null(Sources::Hsds)).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Sources::Table).add_column(text_null(Sources::Licence)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Resources::Table).drop_column(Resources::Hsds).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Organizations::Table).drop_column(Organizations::Hsds).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Sources::Table).drop_column(Sources::Hsds).to_owned()).await?;
        manager.alter_table(Table::alter().table(Sources::Table).drop_column(Sources::Licence).to_owned()).await
    }
}
