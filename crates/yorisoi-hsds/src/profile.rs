//! Yorisoi's profile of HSDS 3.0: the names of the taxonomies and attribute link types
//! that carry what HSDS has no field for (need codes, kinds and their local names,
//! referral edges, provenance). docs/HSDS.md describes each.

/// The profile's name and version as a URI (HSDS `profile` in the API's root
/// document); docs/HSDS.md in the project describes it.
pub const PROFILE: &str = "urn:yorisoi:hsds-profile:ja:1";

/// The taxonomies Yorisoi exports, as (steward's name, name, description).
pub const NEEDS: (&str, &str, &str) =
    ("yorisoi-needs", "Yorisoi 困りごと", "困りごと (needs) a support resource addresses, with their hierarchy");
pub const KINDS: (&str, &str, &str) =
    ("yorisoi-kinds", "Yorisoi 支援資源の種類", "Kinds of support resource (相談窓口, 地域包括支援センター, …)");
pub const REFERRAL_KINDS: (&str, &str, &str) = (
    "yorisoi-referral-kinds",
    "Yorisoi つなぎの種類",
    "How one place refers people to another: refers_to, escalates_to, consults, partners_with, member_of, \
     shares_information_with",
);

/// Attribute link types: what an attribute says about the service it links.
pub const LINK_NEED: &str = "need";
pub const LINK_KIND: &str = "kind";
/// The kind's name in the service's municipality (長寿サポートセンター); the value.
pub const LINK_LOCAL_KIND_NAME: &str = "local_kind_name";
/// A referral from this service to another: the term is the referral's kind, the value
/// the other service's or organization's HSDS id.
pub const LINK_REFERRAL: &str = "referral";
/// The steward's id of the record (the value), so an import can keep it.
pub const LINK_STEWARD_ID: &str = "yorisoi_id";
