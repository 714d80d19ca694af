//! A support resource (支援資源): the thing a worker refers a person to.

use crate::contact::{Contact, Location};
use crate::ids::{Id, MunicipalityCode};
use crate::place::ServiceArea;
use crate::provenance::Provenance;
use crate::schedule::Schedule;

/// Whether a resource can be referred to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Active,
    /// Suspended for a while (休止中).
    Paused,
    /// Announced, not started.
    Planned,
    /// No longer runs; kept so old referrals and reports still resolve.
    Ended,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Active, Status::Paused, Status::Planned, Status::Ended];

    pub fn code(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Planned => "planned",
            Status::Ended => "ended",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "実施中",
            Status::Paused => "休止中",
            Status::Planned => "準備中",
            Status::Ended => "終了",
        }
    }
}

/// Who a resource is for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Audience {
    /// In words (「どなたでも」, 「区内在住の65歳以上の方」).
    pub description: Option<String>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    /// The person must live in one of these municipalities (or below them).
    pub residence: Vec<MunicipalityCode>,
    /// Other conditions in words (児童扶養手当受給者, 組合員).
    pub conditions: Vec<String>,
    /// Circumstances that rule a person out (生活保護受給者を除く).
    #[cfg_attr(feature = "serde", serde(default))]
    pub excludes: Vec<Exclusion>,
    /// Whether a family member may consult for the person (`Some(false)`: the person only).
    #[cfg_attr(feature = "serde", serde(default))]
    pub family_may_consult: Option<bool>,
    /// Whether a professional (a care manager, a 民生委員, another window) may consult
    /// for the person (`Some(false)`: the person or family only).
    #[cfg_attr(feature = "serde", serde(default))]
    pub professionals_may_consult: Option<bool>,
    /// The gender a place is for, when it is for one (女性相談, 男性の居場所).
    #[cfg_attr(feature = "serde", serde(default))]
    pub gender: Option<Gender>,
}

/// Who is asking a place for help: the person, their family, or a professional on
/// their behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Asker {
    #[default]
    Person,
    Family,
    Professional,
}

impl Asker {
    /// Why a place may not take this asker, in the words shown to the worker; `None`
    /// when it takes them or does not say.
    pub fn refused_by(self, place: MayConsult) -> Option<&'static str> {
        match self {
            Asker::Person => None,
            Asker::Family => (place.family == Some(false)).then_some("本人からの相談のみ"),
            Asker::Professional => (place.professionals == Some(false)).then_some("関係機関からの相談は受けていない"),
        }
    }

    /// What a place says it welcomes from this asker, when it says so.
    pub fn welcomed_by(self, place: MayConsult) -> Option<&'static str> {
        match self {
            Asker::Person => None,
            Asker::Family => (place.family == Some(true)).then_some("家族からの相談も可"),
            Asker::Professional => (place.professionals == Some(true)).then_some("関係機関からの相談も可"),
        }
    }
}

/// Who besides the person a place takes questions from (`None`: it does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MayConsult {
    pub family: Option<bool>,
    pub professionals: Option<bool>,
}

impl Audience {
    pub fn may_consult(&self) -> MayConsult {
        MayConsult { family: self.family_may_consult, professionals: self.professionals_may_consult }
    }
}

/// A gender a place may be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "lowercase"))]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "female" | "女性" => Some(Gender::Female),
            "male" | "男性" => Some(Gender::Male),
            _ => None,
        }
    }

    /// As a place's audience says it (女性, 男性).
    pub fn label(self) -> &'static str {
        match self {
            Gender::Female => "女性",
            Gender::Male => "男性",
        }
    }
}

/// A circumstance that rules a person out, as the source says it, and the plain words
/// that say a person is in it (read like a need's cues).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Exclusion {
    /// As the source says it (生活保護を受けている方).
    pub label: String,
    /// Words that say a person is in it (生活保護を受けている, 生活保護受給中); the label
    /// itself when empty.
    #[cfg_attr(feature = "serde", serde(default))]
    pub cues: Vec<String>,
}

impl Audience {
    /// Whether a person of `age` fits the age range (an unstated bound fits anyone).
    pub fn fits_age(&self, age: u8) -> bool {
        self.age_min.is_none_or(|min| age >= min) && self.age_max.is_none_or(|max| age <= max)
    }
}

/// What it costs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cost {
    /// `Some(true)` when free for everyone, `Some(false)` when there is a fee.
    pub free: Option<bool>,
    pub description: Option<String>,
}

/// How to use it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Application {
    /// How to apply or what to do first (「電話で予約」).
    pub how: Option<String>,
    /// What to bring (保険証, 印鑑).
    pub bring: Vec<String>,
    pub booking_required: Option<bool>,
}

/// A support resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: Id,
    pub name: String,
    pub kana: Option<String>,
    /// A code of the kind taxonomy.
    pub kind: Id,
    /// What this kind is called here, when the resource's own name does not say it.
    pub local_kind_name: Option<String>,
    pub description: Option<String>,
    /// Codes of the need taxonomy this resource addresses.
    pub needs: Vec<Id>,
    pub audience: Audience,
    pub service_area: ServiceArea,
    pub contacts: Vec<Contact>,
    pub locations: Vec<Location>,
    pub schedule: Schedule,
    pub cost: Cost,
    /// Languages served, as BCP 47 tags (ja, en, vi).
    pub languages: Vec<String>,
    /// Accessibility in words (車いす可, 手話通訳).
    pub accessibility: Vec<String>,
    pub application: Application,
    pub status: Status,
    /// Organizations that run it.
    pub operators: Vec<Id>,
    /// Whether a person can bring any worry here, whatever its kind says.
    pub entry_window: Option<bool>,
    /// A note for professionals only (hidden from the public).
    pub staff_note: Option<String>,
    pub provenance: Vec<Provenance>,
    /// HSDS fields Yorisoi has no place for, kept as JSON from an import so that an
    /// export gives them back (see yorisoi-hsds); `None` for records stewards wrote.
    pub hsds: Option<String>,
}

impl Resource {
    /// An active resource with nothing known but its id, name and kind; callers fill in
    /// what their source says.
    pub fn new(id: Id, name: impl Into<String>, kind: Id) -> Self {
        Self {
            id,
            name: name.into(),
            kana: None,
            kind,
            local_kind_name: None,
            description: None,
            needs: Vec::new(),
            audience: Audience::default(),
            service_area: ServiceArea::default(),
            contacts: Vec::new(),
            locations: Vec::new(),
            schedule: Schedule::default(),
            cost: Cost::default(),
            languages: Vec::new(),
            accessibility: Vec::new(),
            application: Application::default(),
            status: Status::Active,
            operators: Vec::new(),
            entry_window: None,
            staff_note: None,
            provenance: Vec::new(),
            hsds: None,
        }
    }
}
