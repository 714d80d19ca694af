//! Table `resource_links`: one row per (resource, need | municipality | operator), so
//! filters and nested lookups are indexed queries instead of JSON scans.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_id: String,
    /// `need`, `municipality` or `operator`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub link: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
