//! Who runs things: ward departments, 社会福祉協議会, coops, NPOs, neighbourhood
//! associations and platforms, in a parent tree.

use crate::contact::Contact;
use crate::ids::{Id, MunicipalityCode};
use crate::place::ServiceArea;
use crate::provenance::Provenance;

/// The legal or administrative form of an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrganizationKind {
    /// A municipality's government as a whole (江東区).
    LocalGovernment,
    /// 部 of a local government.
    Department,
    /// 課 of a local government.
    Division,
    /// 係 of a local government.
    Section,
    /// A government office or facility (保健所, 出張所).
    PublicOffice,
    /// 社会福祉協議会.
    SocialWelfareCouncil,
    /// 生活協同組合 (a consumer coop).
    ConsumerCoop,
    /// 医療生協 / 保健生協.
    MedicalCoop,
    /// ワーカーズコープ / ワーカーズ・コレクティブ.
    WorkerCoop,
    /// A federation of coops (東京都生協連).
    CoopFederation,
    /// 特定非営利活動法人.
    Npo,
    /// 社会福祉法人.
    SocialWelfareCorporation,
    /// 一般社団法人.
    GeneralIncorporatedAssociation,
    /// 公益社団法人・公益財団法人.
    PublicInterestCorporation,
    /// 日本司法支援センター (法テラス), set up by law (総合法律支援法) for legal help.
    LegalSupportCenter,
    /// 任意団体 (a voluntary group).
    VoluntaryGroup,
    /// 町会・自治会.
    NeighbourhoodAssociation,
    /// 株式会社 and other companies.
    Company,
    /// 民生委員・児童委員協議会.
    WelfareCommissionersCouncil,
    /// 連携プラットフォーム, 連絡会, まちづくり groups: networks of organizations.
    Platform,
    /// Anything else (a hospital, a school).
    Other,
}

impl OrganizationKind {
    pub const ALL: [OrganizationKind; 21] = [
        Self::LocalGovernment,
        Self::Department,
        Self::Division,
        Self::Section,
        Self::PublicOffice,
        Self::SocialWelfareCouncil,
        Self::ConsumerCoop,
        Self::MedicalCoop,
        Self::WorkerCoop,
        Self::CoopFederation,
        Self::Npo,
        Self::SocialWelfareCorporation,
        Self::GeneralIncorporatedAssociation,
        Self::PublicInterestCorporation,
        Self::LegalSupportCenter,
        Self::VoluntaryGroup,
        Self::NeighbourhoodAssociation,
        Self::Company,
        Self::WelfareCommissionersCouncil,
        Self::Platform,
        Self::Other,
    ];

    /// The Japanese label shown to workers.
    pub fn label(self) -> &'static str {
        match self {
            Self::LocalGovernment => "自治体",
            Self::Department => "部",
            Self::Division => "課",
            Self::Section => "係",
            Self::PublicOffice => "行政機関・施設",
            Self::SocialWelfareCouncil => "社会福祉協議会",
            Self::ConsumerCoop => "生活協同組合",
            Self::MedicalCoop => "医療生協",
            Self::WorkerCoop => "ワーカーズコープ",
            Self::CoopFederation => "生協連合会",
            Self::Npo => "NPO法人",
            Self::SocialWelfareCorporation => "社会福祉法人",
            Self::GeneralIncorporatedAssociation => "一般社団法人",
            Self::PublicInterestCorporation => "公益社団法人・公益財団法人",
            Self::LegalSupportCenter => "法テラス（日本司法支援センター）",
            Self::VoluntaryGroup => "任意団体",
            Self::NeighbourhoodAssociation => "町会・自治会",
            Self::Company => "企業",
            Self::WelfareCommissionersCouncil => "民生委員・児童委員協議会",
            Self::Platform => "連携プラットフォーム",
            Self::Other => "その他",
        }
    }

    /// The stable code used in seed files, the store and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::LocalGovernment => "local_government",
            Self::Department => "department",
            Self::Division => "division",
            Self::Section => "section",
            Self::PublicOffice => "public_office",
            Self::SocialWelfareCouncil => "social_welfare_council",
            Self::ConsumerCoop => "consumer_coop",
            Self::MedicalCoop => "medical_coop",
            Self::WorkerCoop => "worker_coop",
            Self::CoopFederation => "coop_federation",
            Self::Npo => "npo",
            Self::SocialWelfareCorporation => "social_welfare_corporation",
            Self::GeneralIncorporatedAssociation => "general_incorporated_association",
            Self::PublicInterestCorporation => "public_interest_corporation",
            Self::LegalSupportCenter => "legal_support_center",
            Self::VoluntaryGroup => "voluntary_group",
            Self::NeighbourhoodAssociation => "neighbourhood_association",
            Self::Company => "company",
            Self::WelfareCommissionersCouncil => "welfare_commissioners_council",
            Self::Platform => "platform",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Whether this is part of a local government.
    pub fn is_government(self) -> bool {
        matches!(self, Self::LocalGovernment | Self::Department | Self::Division | Self::Section | Self::PublicOffice)
    }
}

/// An organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: Id,
    pub name: String,
    pub kana: Option<String>,
    pub kind: OrganizationKind,
    /// The enclosing organization: 福祉部 for 長寿応援課.
    pub parent: Option<Id>,
    /// The municipality it belongs to or is based in.
    pub municipality: Option<MunicipalityCode>,
    pub service_area: ServiceArea,
    pub description: Option<String>,
    pub contacts: Vec<Contact>,
    pub url: Option<String>,
    /// Organizations this one is a member of (a 連携PF, a まちづくり group).
    pub member_of: Vec<Id>,
    pub provenance: Vec<Provenance>,
    /// HSDS fields Yorisoi has no place for, kept as JSON from an import so that an
    /// export gives them back (see yorisoi-hsds); `None` for records stewards wrote.
    pub hsds: Option<String>,
}
