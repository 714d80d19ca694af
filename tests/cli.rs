//! The command line as a steward uses it: check, load, export, and their output.

use crate::support::{TestDb, copy_dir, runtime, seed_dir, stderr, stdout, yorisoi};

#[test]
fn check_passes_on_the_seed_directory_and_counts_records() {
    let output = yorisoi(&["check", seed_dir().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.starts_with("ok: 7 files, 6 sources, 19 municipalities"), "{out}");
}

#[test]
fn check_of_a_missing_directory_says_so() {
    let output = yorisoi(&["check", "/nonexistent/seed"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot read /nonexistent/seed"), "{}", stderr(&output));
}

#[test]
fn load_twice_changes_nothing_the_second_time() {
    let db = TestDb::new();
    let seed = seed_dir();
    let first = yorisoi(&["load", seed.to_str().unwrap(), "--db", &db.url]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    let resources_line = out.lines().find(|l| l.starts_with("resources ")).unwrap();
    assert_eq!(resources_line.split_whitespace().collect::<Vec<_>>(), ["resources", "38", "0", "0", "0"]);
    let second = yorisoi(&["load", seed.to_str().unwrap(), "--db", &db.url]);
    let out = stdout(&second);
    let total = out.lines().find(|l| l.starts_with("total ")).unwrap();
    let fields: Vec<&str> = total.split_whitespace().collect();
    assert_eq!(&fields[1..4], ["0", "0", "0"], "{out}");
}

#[test]
fn edited_files_update_and_removed_records_are_removed() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), dir.path());
    let path = dir.path().to_str().unwrap();
    assert!(yorisoi(&["load", path, "--db", &db.url]).status.success());

    // A steward renames one resource and deletes the file of 名古屋市北区.
    let koto = dir.path().join("koto.yaml");
    let text = std::fs::read_to_string(&koto).unwrap();
    std::fs::write(&koto, text.replace("name: 猿江公園の昔遊びの集まり", "name: 猿江公園の昔あそびの会")).unwrap();
    std::fs::remove_file(dir.path().join("nagoya-kita.yaml")).unwrap();

    let output = yorisoi(&["load", path, "--db", &db.url]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let row = |key: &str| -> Vec<String> {
        out.lines().find(|l| l.starts_with(&format!("{key} "))).unwrap().split_whitespace().map(str::to_owned).collect()
    };
    // nagoya-kita.yaml held 2 organizations, 8 resources and 2 referrals.
    assert_eq!(row("resources")[1..4], ["0", "1", "8"]);
    assert_eq!(row("organizations")[1..4], ["0", "0", "2"]);
    assert_eq!(row("referrals")[1..4], ["0", "0", "2"]);

    let directory = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert!(directory.resources.iter().any(|r| r.name == "猿江公園の昔あそびの会"));
    assert!(!directory.resources.iter().any(|r| r.id.as_str() == "nagoya-kita-sewayaki"));
}

#[test]
fn load_export_load_is_a_fixed_point() {
    let db = TestDb::new();
    assert!(yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", &db.url]).status.success());
    let exported = tempfile::tempdir().unwrap();
    let first = exported.path().join("first");
    let output = yorisoi(&["export", first.to_str().unwrap(), "--db", &db.url]);
    assert!(output.status.success(), "{}", stderr(&output));

    // Loading the export changes nothing, and exporting again writes the same bytes.
    let again = yorisoi(&["load", first.to_str().unwrap(), "--db", &db.url]);
    assert!(again.status.success(), "{}", stderr(&again));
    let total = stdout(&again).lines().find(|l| l.starts_with("total ")).unwrap().to_owned();
    assert_eq!(total.split_whitespace().collect::<Vec<_>>()[1..4], ["0", "0", "0"]);
    let second = exported.path().join("second");
    assert!(yorisoi(&["export", second.to_str().unwrap(), "--db", &db.url]).status.success());
    for name in
        ["sources.yaml", "places.yaml", "taxonomy.yaml", "organizations.yaml", "resources.yaml", "referrals.yaml"]
    {
        let a = std::fs::read_to_string(first.join(name)).unwrap();
        let b = std::fs::read_to_string(second.join(name)).unwrap();
        assert_eq!(a, b, "{name}");
        assert!(a.starts_with("# yaml-language-server: $schema=yorisoi-seed.schema.json"), "{name}");
    }
    // The exported directory is itself a valid seed directory.
    assert!(yorisoi(&["check", first.to_str().unwrap()]).status.success());
}

#[test]
fn export_refuses_a_directory_that_already_holds_seed_files() {
    let db = TestDb::new();
    assert!(yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", &db.url]).status.success());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.yaml"), "sources: []\n").unwrap();
    let output = yorisoi(&["export", dir.path().to_str().unwrap(), "--db", &db.url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("already holds seed files"), "{}", stderr(&output));
    assert!(dir.path().join("mine.yaml").exists());
    let forced = yorisoi(&["export", dir.path().to_str().unwrap(), "--db", &db.url, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(!dir.path().join("mine.yaml").exists());
}

#[test]
fn a_bad_database_url_is_explained() {
    let output = yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", "mysql://localhost/x"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("use sqlite://FILE?mode=rwc or postgres://USER@HOST/DB"), "{}", stderr(&output));
}
