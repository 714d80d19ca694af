//! Table `organizations`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub kana: Option<String>,
    pub kind: String,
    pub parent: Option<String>,
    pub municipality: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub service_area: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub contacts: String,
    pub url: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub member_of: String,
    #[sea_orm(column_type = "Text")]
    pub provenance: String,
    /// The latest verification date among the provenance entries, for stale-record queries.
    pub verified: Option<Date>,
    /// HSDS fields kept from an import (JSON text).
    #[sea_orm(column_type = "Text", nullable)]
    pub hsds: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
