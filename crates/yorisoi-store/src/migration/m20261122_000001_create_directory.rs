//! The directory tables: sources, places, taxonomies, organizations, resources,
//! their link table and referrals.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sources {
    Table,
    Id,
    Title,
    Publisher,
    Published,
    File,
    Url,
}

#[derive(DeriveIden)]
enum Municipalities {
    Table,
    Code,
    Name,
    Kana,
    Parent,
    Provenance,
}

#[derive(DeriveIden)]
enum Areas {
    Table,
    Id,
    Municipality,
    Kind,
    Name,
    Kana,
    Provenance,
}

#[derive(DeriveIden)]
enum Needs {
    Table,
    Code,
    Label,
    Kana,
    Parent,
    Synonyms,
    Cues,
    Description,
}

#[derive(DeriveIden)]
enum Kinds {
    Table,
    Code,
    Label,
    Kana,
    Parent,
    Synonyms,
    LocalNames,
    EntryWindow,
    Description,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Kana,
    Kind,
    Parent,
    Municipality,
    ServiceArea,
    Description,
    Contacts,
    Url,
    MemberOf,
    Provenance,
    Verified,
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    Id,
    Name,
    Kana,
    Kind,
    LocalKindName,
    Description,
    Needs,
    Audience,
    ServiceArea,
    Contacts,
    Locations,
    Schedule,
    Cost,
    Languages,
    Accessibility,
    Application,
    Status,
    Operators,
    EntryWindow,
    StaffNote,
    Provenance,
    Verified,
}

#[derive(DeriveIden)]
enum ResourceLinks {
    Table,
    ResourceId,
    Link,
    Target,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    FromId,
    ToId,
    Kind,
    Needs,
    Conditions,
    State,
    Note,
    Provenance,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .col(string(Sources::Id).primary_key())
                    .col(text(Sources::Title))
                    .col(text_null(Sources::Publisher))
                    .col(text_null(Sources::Published))
                    .col(text_null(Sources::File))
                    .col(text_null(Sources::Url))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Municipalities::Table)
                    .col(string(Municipalities::Code).primary_key())
                    .col(text(Municipalities::Name))
                    .col(text_null(Municipalities::Kana))
                    .col(string_null(Municipalities::Parent))
                    .col(text(Municipalities::Provenance))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Areas::Table)
                    .col(string(Areas::Id).primary_key())
                    .col(string(Areas::Municipality))
                    .col(string(Areas::Kind))
                    .col(text(Areas::Name))
                    .col(text_null(Areas::Kana))
                    .col(text(Areas::Provenance))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Needs::Table)
                    .col(string(Needs::Code).primary_key())
                    .col(text(Needs::Label))
                    .col(text_null(Needs::Kana))
                    .col(string_null(Needs::Parent))
                    .col(text(Needs::Synonyms))
                    .col(text(Needs::Cues))
                    .col(text_null(Needs::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Kinds::Table)
                    .col(string(Kinds::Code).primary_key())
                    .col(text(Kinds::Label))
                    .col(text_null(Kinds::Kana))
                    .col(string_null(Kinds::Parent))
                    .col(text(Kinds::Synonyms))
                    .col(text(Kinds::LocalNames))
                    .col(boolean(Kinds::EntryWindow))
                    .col(text_null(Kinds::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(string(Organizations::Id).primary_key())
                    .col(text(Organizations::Name))
                    .col(text_null(Organizations::Kana))
                    .col(string(Organizations::Kind))
                    .col(string_null(Organizations::Parent))
                    .col(string_null(Organizations::Municipality))
                    .col(text(Organizations::ServiceArea))
                    .col(text_null(Organizations::Description))
                    .col(text(Organizations::Contacts))
                    .col(text_null(Organizations::Url))
                    .col(text(Organizations::MemberOf))
                    .col(text(Organizations::Provenance))
                    .col(date_null(Organizations::Verified))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Resources::Table)
                    .col(string(Resources::Id).primary_key())
                    .col(text(Resources::Name))
                    .col(text_null(Resources::Kana))
                    .col(string(Resources::Kind))
                    .col(text_null(Resources::LocalKindName))
                    .col(text_null(Resources::Description))
                    .col(text(Resources::Needs))
                    .col(text(Resources::Audience))
                    .col(text(Resources::ServiceArea))
                    .col(text(Resources::Contacts))
                    .col(text(Resources::Locations))
                    .col(text(Resources::Schedule))
                    .col(text(Resources::Cost))
                    .col(text(Resources::Languages))
                    .col(text(Resources::Accessibility))
                    .col(text(Resources::Application))
                    .col(string(Resources::Status))
                    .col(text(Resources::Operators))
                    .col(boolean_null(Resources::EntryWindow))
                    .col(text_null(Resources::StaffNote))
                    .col(text(Resources::Provenance))
                    .col(date_null(Resources::Verified))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("resources_kind").table(Resources::Table).col(Resources::Kind).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResourceLinks::Table)
                    .col(string(ResourceLinks::ResourceId))
                    .col(string(ResourceLinks::Link))
                    .col(string(ResourceLinks::Target))
                    .primary_key(
                        Index::create()
                            .col(ResourceLinks::ResourceId)
                            .col(ResourceLinks::Link)
                            .col(ResourceLinks::Target),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("resource_links_target")
                    .table(ResourceLinks::Table)
                    .col(ResourceLinks::Link)
                    .col(ResourceLinks::Target)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(string(Referrals::Id).primary_key())
                    .col(string(Referrals::FromId))
                    .col(string(Referrals::ToId))
                    .col(string(Referrals::Kind))
                    .col(text(Referrals::Needs))
                    .col(text(Referrals::Conditions))
                    .col(string(Referrals::State))
                    .col(text_null(Referrals::Note))
                    .col(text(Referrals::Provenance))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [("referrals_from", Referrals::FromId), ("referrals_to", Referrals::ToId)] {
            manager.create_index(Index::create().name(name).table(Referrals::Table).col(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Referrals::Table.into_iden(),
            ResourceLinks::Table.into_iden(),
            Resources::Table.into_iden(),
            Organizations::Table.into_iden(),
            Kinds::Table.into_iden(),
            Needs::Table.into_iden(),
            Areas::Table.into_iden(),
            Municipalities::Table.into_iden(),
            Sources::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
