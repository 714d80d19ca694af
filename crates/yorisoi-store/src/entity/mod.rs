//! sea-orm entities: the table shapes. Only this crate sees them; the rest of Yorisoi
//! sees domain types.

pub mod area;
pub mod change;
pub mod kind;
pub mod municipality;
pub mod need;
pub mod organization;
pub mod referral;
pub mod resource;
pub mod resource_link;
pub mod source;
