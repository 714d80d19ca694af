//! Table `resources`: support resources. Value objects are JSON text; the columns
//! that filters need (kind, status, verified) are plain, and needs, service area and
//! operators are also kept in link tables for queries.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub kana: Option<String>,
    pub kind: String,
    pub local_kind_name: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub needs: String,
    #[sea_orm(column_type = "Text")]
    pub audience: String,
    #[sea_orm(column_type = "Text")]
    pub service_area: String,
    #[sea_orm(column_type = "Text")]
    pub contacts: String,
    #[sea_orm(column_type = "Text")]
    pub locations: String,
    #[sea_orm(column_type = "Text")]
    pub schedule: String,
    #[sea_orm(column_type = "Text")]
    pub cost: String,
    #[sea_orm(column_type = "Text")]
    pub languages: String,
    #[sea_orm(column_type = "Text")]
    pub accessibility: String,
    #[sea_orm(column_type = "Text")]
    pub application: String,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub operators: String,
    pub entry_window: Option<bool>,
    #[sea_orm(column_type = "Text", nullable)]
    pub staff_note: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub provenance: String,
    pub verified: Option<Date>,
    /// HSDS fields kept from an import (JSON text).
    #[sea_orm(column_type = "Text", nullable)]
    pub hsds: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
