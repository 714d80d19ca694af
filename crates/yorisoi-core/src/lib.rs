//! Yorisoi's domain: the records of a welfare resource directory, their schedules and
//! taxonomies, and the rules a directory must satisfy. No IO: storage, search, the seed
//! format and the API build on these types.

pub mod change;
pub mod contact;
pub mod directory;
pub mod graph;
pub mod holidays;
pub mod ids;
pub mod organization;
pub mod place;
pub mod provenance;
pub mod referral;
pub mod resource;
pub mod schedule;
#[cfg(feature = "synthetic")]
pub mod synthetic;
pub mod taxonomy;
pub mod text_rules;
pub mod validate;

pub use change::{Action, Change, Edit};
pub use contact::{Contact, Location, Position};
pub use directory::{Directory, LookupError, RecordKind, chain_to_root};
pub use graph::ReferralGraph;
pub use ids::{Id, IdError, MunicipalityCode};
pub use organization::{Organization, OrganizationKind};
pub use place::{Area, AreaKind, Municipality, ServiceArea};
pub use provenance::{Provenance, Source};
pub use referral::{Referral, ReferralConditions, ReferralKind, ReferralState};
pub use resource::{Application, Asker, Audience, Cost, Exclusion, Gender, MayConsult, Resource, Status};
pub use schedule::{Closure, DayShift, Hours, Openness, Rule, Schedule, Season, WeekOfMonth, japan_time};
pub use taxonomy::{Kind, LocalName, Need};
pub use validate::{FieldRef, NodeLookup, Problem, ProblemCode, validate, validate_edit};
