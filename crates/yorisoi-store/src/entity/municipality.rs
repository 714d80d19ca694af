//! Table `municipalities`, keyed by 全国地方公共団体コード.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "municipalities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub kana: Option<String>,
    pub parent: Option<String>,
    /// JSON list of provenance entries.
    #[sea_orm(column_type = "Text")]
    pub provenance: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
