//! Where things are and whom they serve: municipalities (自治体) and areas below them.

use crate::ids::{Id, MunicipalityCode};

/// A prefecture, city, ward or town, identified by its 全国地方公共団体コード.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
    pub kana: Option<String>,
    /// The enclosing municipality: 東京都 for 江東区, 名古屋市 for 名古屋市北区.
    pub parent: Option<MunicipalityCode>,
    pub provenance: Vec<crate::Provenance>,
}

/// What kind of area below a municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AreaKind {
    /// 日常生活圏域 (the unit of a 地域包括支援センター).
    DailyLifeZone,
    /// 小学校区.
    SchoolDistrict,
    /// 町会・自治会 area.
    NeighbourhoodAssociation,
    /// 地区 (an administrative or customary district).
    District,
}

/// An area below a municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub id: Id,
    pub municipality: MunicipalityCode,
    pub kind: AreaKind,
    pub name: String,
    pub kana: Option<String>,
    pub provenance: Vec<crate::Provenance>,
}

/// Where a resource or organization serves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ServiceArea {
    pub municipalities: Vec<MunicipalityCode>,
    pub areas: Vec<Id>,
}
