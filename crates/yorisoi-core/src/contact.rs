//! How to reach a place: contacts (phone, mail, web) and locations (addresses).

use crate::ids::{Id, MunicipalityCode};
use crate::schedule::Schedule;

/// One way to reach a resource or organization.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Contact {
    /// Whom to ask for or what the line is (「担当：平岡・谷野」).
    pub name: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// When this line answers, if it differs from the resource's schedule.
    pub hours: Option<Schedule>,
    pub note: Option<String>,
    /// A direct line or name meant for professionals only, hidden from the public.
    pub staff_only: bool,
}

/// A place where a resource meets or an organization sits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    /// The venue (「東尾久本町通りふれあい館」, 「木場公園」).
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<MunicipalityCode>,
    pub area: Option<Id>,
    pub online: bool,
    pub note: Option<String>,
}
