//! HSDS identifiers are UUIDs; Yorisoi's are stewards' ids. Each HSDS id is derived
//! from the table and the steward's id (UUID version 5), so an export names the same
//! record by the same UUID every time and an importer can match records across exports.

use uuid::Uuid;

/// The namespace of Yorisoi's HSDS ids (a fixed random UUID; changing it renames every
/// exported record).
const NAMESPACE: Uuid = Uuid::from_u128(0x6d0c_2f4a_57b1_4f0e_9a53_1b2e_7c44_d8a1);

/// The UUID of the record `key` of HSDS table `table` (`service`, `organization`, …).
pub fn uuid(table: &str, key: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{table}/{key}").as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_record_gets_the_same_uuid_and_tables_do_not_collide() {
        assert_eq!(uuid("service", "koto-shakyo-window"), uuid("service", "koto-shakyo-window"));
        assert_ne!(uuid("service", "koto-shakyo-window"), uuid("organization", "koto-shakyo-window"));
        assert_eq!(uuid("service", "x").len(), 36);
    }
}
