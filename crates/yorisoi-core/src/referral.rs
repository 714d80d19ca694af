//! Referral edges (つなぎ) between resources and organizations.

use crate::ids::{Id, MunicipalityCode};
use crate::provenance::Provenance;

/// What kind of link a referral is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReferralKind {
    /// Sends people on (紹介する).
    RefersTo,
    /// Hands a case to a specialist (専門機関へつなぐ).
    EscalatesTo,
    /// Asks for advice without handing the case over (相談する).
    Consults,
    /// Works together (連携).
    PartnersWith,
    /// Is a member of a platform or network.
    MemberOf,
    /// Passes information about people (名簿・個人情報の提供).
    SharesInformationWith,
}

impl ReferralKind {
    /// Whether a worker can hand a person along it (passing a list of names does not).
    pub fn carries_people(self) -> bool {
        self != Self::SharesInformationWith
    }

    pub const ALL: [ReferralKind; 6] = [
        Self::RefersTo,
        Self::EscalatesTo,
        Self::Consults,
        Self::PartnersWith,
        Self::MemberOf,
        Self::SharesInformationWith,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::RefersTo => "refers_to",
            Self::EscalatesTo => "escalates_to",
            Self::Consults => "consults",
            Self::PartnersWith => "partners_with",
            Self::MemberOf => "member_of",
            Self::SharesInformationWith => "shares_information_with",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::RefersTo => "紹介",
            Self::EscalatesTo => "専門機関へつなぐ",
            Self::Consults => "相談",
            Self::PartnersWith => "連携",
            Self::MemberOf => "参加",
            Self::SharesInformationWith => "情報共有",
        }
    }

    /// Whether a person travels along this edge (as opposed to information or membership).
    pub fn moves_people(self) -> bool {
        matches!(self, Self::RefersTo | Self::EscalatesTo)
    }
}

/// Whether an edge works in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReferralState {
    Working,
    /// Known to break (the disaster-data flow in 002).
    NotWorking,
}

impl ReferralState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::NotWorking => "not_working",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Working, Self::NotWorking].into_iter().find(|state| state.code() == code)
    }
}

/// What a person must meet for the referral to apply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReferralConditions {
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub residence: Vec<MunicipalityCode>,
    /// Documents the person must bring or the sender must pass on.
    pub documents: Vec<String>,
    pub text: Option<String>,
}

/// A directed, typed, need-scoped edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: Id,
    /// A resource or organization id.
    pub from: Id,
    pub to: Id,
    pub kind: ReferralKind,
    /// The needs it applies to; empty means any need.
    pub needs: Vec<Id>,
    pub conditions: ReferralConditions,
    pub state: ReferralState,
    pub note: Option<String>,
    pub provenance: Vec<Provenance>,
}
