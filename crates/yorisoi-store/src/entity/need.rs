//! Table `needs`: the need taxonomy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub label: String,
    pub kana: Option<String>,
    pub parent: Option<String>,
    /// JSON list of strings.
    #[sea_orm(column_type = "Text")]
    pub synonyms: String,
    /// JSON list of strings.
    #[sea_orm(column_type = "Text")]
    pub cues: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// JSON list of local names.
    #[sea_orm(column_type = "Text")]
    pub local_names: String,
    /// JSON list of provenance entries.
    #[sea_orm(column_type = "Text")]
    pub provenance: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
