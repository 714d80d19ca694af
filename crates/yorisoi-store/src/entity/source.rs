//! Table `sources`: documents records cite.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub file: Option<String>,
    pub url: Option<String>,
    pub licence: Option<String>,
    /// What an HSDS import keeps of the data set (JSON text).
    #[sea_orm(column_type = "Text", nullable)]
    pub hsds: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
