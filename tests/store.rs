//! The store through the library: the same behaviour on SQLite and PostgreSQL.

use crate::support::{TestDb, runtime, seed_dir};

#[test]
fn a_directory_round_trips_through_the_store() {
    let directory = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    let db = TestDb::new();
    runtime().block_on(async {
        let store = db.open().await;
        let report = store.replace_directory(&directory).await.unwrap();
        assert_eq!(report.total().created, 8 + 19 + 3 + 20 + 28 + 76 + 38 + 21);
        let back = store.read_directory().await.unwrap();
        // The store orders by id; compare as sets.
        let mut expected = directory.clone();
        expected.resources.sort_by(|a, b| a.id.cmp(&b.id));
        expected.organizations.sort_by(|a, b| a.id.cmp(&b.id));
        expected.referrals.sort_by(|a, b| a.id.cmp(&b.id));
        expected.needs.sort_by(|a, b| a.code.cmp(&b.code));
        expected.kinds.sort_by(|a, b| a.code.cmp(&b.code));
        expected.sources.sort_by(|a, b| a.id.cmp(&b.id));
        expected.areas.sort_by(|a, b| a.id.cmp(&b.id));
        expected.municipalities.sort_by_key(|a| a.code);
        assert_eq!(back, expected);
    });
}

#[test]
fn link_rows_follow_their_resources() {
    let mut directory = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    let db = TestDb::new();
    runtime().block_on(async {
        let store = db.open().await;
        store.replace_directory(&directory).await.unwrap();
        let links: usize = directory
            .resources
            .iter()
            .map(|r| r.needs.len() + r.service_area.municipalities.len() + r.operators.len())
            .sum();
        assert_eq!(store.link_count().await.unwrap(), links);
        let removed = directory.resources.pop().unwrap();
        let removed_links = removed.needs.len() + removed.service_area.municipalities.len() + removed.operators.len();
        store.replace_directory(&directory).await.unwrap();
        assert_eq!(store.link_count().await.unwrap(), links - removed_links);
    });
}
