//! The command line as a steward uses it: check, load, export, and their output.

use crate::support::{TestDb, copy_dir, runtime, seed_dir, stderr, stdout, yorisoi};

#[test]
fn check_passes_on_the_seed_directory_and_counts_records() {
    let output = yorisoi(&["check", seed_dir().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.starts_with("ok: 7 files, 8 sources, 19 municipalities"), "{out}");
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

    // Removing records must be said: without the flag the load is refused, and writes nothing.
    let refused = yorisoi(&["load", path, "--db", &db.url]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("would remove 14 records"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--allow-removals"), "{}", stderr(&refused));
    assert!(stdout(&refused).contains("nagoya-kita-sewayaki"), "the plan lists the ids: {}", stdout(&refused));
    let unchanged = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert!(unchanged.resources.iter().any(|r| r.id.as_str() == "nagoya-kita-sewayaki"));
    assert!(unchanged.resources.iter().any(|r| r.name == "猿江公園の昔遊びの集まり"), "not even the rename");
    // A dry run shows the same plan and writes nothing either.
    let dry = yorisoi(&["load", path, "--db", &db.url, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("nothing was written"), "{}", stdout(&dry));
    let still = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert_eq!(still, unchanged);

    let output = yorisoi(&["load", path, "--db", &db.url, "--allow-removals"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let row = |key: &str| -> Vec<String> {
        out.lines().find(|l| l.starts_with(&format!("{key} "))).unwrap().split_whitespace().map(str::to_owned).collect()
    };
    // nagoya-kita.yaml held 2 organizations, 9 resources and 3 referrals.
    assert_eq!(row("resources")[1..4], ["0", "1", "9"]);
    assert_eq!(row("organizations")[1..4], ["0", "0", "2"]);
    assert_eq!(row("referrals")[1..4], ["0", "0", "3"]);

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

#[test]
fn graph_commands_answer_from_the_store() {
    let db = TestDb::new();
    assert!(yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", &db.url]).status.success());
    let paths = yorisoi(&["paths", "--from", "koto-fukushi-ka", "--need", "防災", "--max-hops", "2", "--db", &db.url]);
    assert!(paths.status.success(), "{}", stderr(&paths));
    let out = stdout(&paths);
    assert!(out.starts_with(" 1. 避難行動要支援者の申請（同意書）（1ステップ）"), "{out}");
    let none = yorisoi(&["paths", "--from", "nagoya-kita-sewayaki", "--need", "孤独・孤立", "--db", &db.url]);
    assert!(stdout(&none).contains("4ステップ以内に「孤独・孤立」に対応する場所は見つかりません"), "{}", stdout(&none));

    let audit = yorisoi(&["audit", "--today", "2026-11-22", "--json", "--db", &db.url]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    let report: serde_json::Value = serde_json::from_str(&stdout(&audit)).unwrap();
    let codes: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"BROKEN_FLOW") && codes.contains(&"DEAD_END"), "{codes:?}");

    let data = tempfile::tempdir().unwrap();
    let refer = yorisoi(&[
        "refer",
        "親が80代で、50代の息子がずっと家にいる",
        "--municipality",
        "江東区",
        "--from",
        "koto-choju-oen-window",
        "--json",
        "--db",
        &db.url,
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(refer.status.success(), "{}", stderr(&refer));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&refer)).unwrap();
    assert!(answer["suggestions"][0]["path"]["hops"].as_array().is_some_and(|h| !h.is_empty()));

    let unknown = yorisoi(&["paths", "--from", "nowhere", "--need", "food", "--db", &db.url]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("unknown organization or resource `nowhere`"));
}

#[test]
fn search_prints_places_with_reasons_and_json_with_facets() {
    let db = TestDb::new();
    assert!(yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", &db.url]).status.success());
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let text = yorisoi(&["search", "ふーどばんく 八王子", "--db", &db.url, "--data-dir", data_dir]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(stdout(&text).contains(" 1. フードバンク八王子"), "{}", stdout(&text));
    let json = yorisoi(&[
        "search",
        "食べるものに困っている",
        "--municipality",
        "東久留米市",
        "--json",
        "--db",
        &db.url,
        "--data-dir",
        data_dir,
    ]);
    let answer: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(answer["hits"][0]["id"], "higashikurume-pantry-hiyoko");
    let labels: Vec<&str> =
        answer["understoodNeeds"].as_array().unwrap().iter().map(|n| n["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"食の支援"), "{labels:?}");
    assert!(!answer["facets"]["kinds"].as_array().unwrap().is_empty());
    let ambiguous = yorisoi(&["search", "相談", "--municipality", "どこか区", "--db", &db.url, "--data-dir", data_dir]);
    assert_eq!(ambiguous.status.code(), Some(1));
    assert!(stderr(&ambiguous).contains("unknown municipality `どこか区`"), "{}", stderr(&ambiguous));

    // Open at any moment: a pantry publishes no hours, so it is not offered as open.
    let search_at = |at: &str| {
        yorisoi(&["search", "ふーどばんく 八王子", "--at", at, "--json", "--db", &db.url, "--data-dir", data_dir])
    };
    let at = search_at("2026-12-12T14:30");
    assert!(at.status.success(), "{}", stderr(&at));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&at)).unwrap();
    assert_eq!(answer["hits"], serde_json::json!([]), "{answer}");
    let bad = search_at("tomorrow");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("write it as 2026-12-12T14:30"), "{}", stderr(&bad));
}

/// A directory whose only file holds no records would empty the store: refused.
#[test]
fn a_load_that_would_empty_the_store_is_refused() {
    let db = TestDb::new();
    assert!(yorisoi(&["load", seed_dir().to_str().unwrap(), "--db", &db.url]).status.success());
    let before = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("koto.yaml"), "# yaml-language-server: $schema=yorisoi-seed.schema.json\n")
        .unwrap();
    let output = yorisoi(&["load", empty.path().to_str().unwrap(), "--db", &db.url]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stderr(&output).contains("would remove"), "{}", stderr(&output));
    let after = runtime().block_on(async { db.open().await.read_directory().await.unwrap() });
    assert_eq!(after, before);
}

/// Files saved with CR LF (Windows) or a lone CR (old Mac editors) read exactly as LF.
#[test]
fn every_line_break_convention_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), dir.path());
    let koto = dir.path().join("koto.yaml");
    let lf = std::fs::read_to_string(&koto).unwrap();
    let expected = stdout(&yorisoi(&["check", dir.path().to_str().unwrap()]));
    for newline in ["\r\n", "\r"] {
        std::fs::write(&koto, lf.replace('\n', newline)).unwrap();
        let output = yorisoi(&["check", dir.path().to_str().unwrap()]);
        assert!(output.status.success(), "{newline:?}: {}", stderr(&output));
        assert_eq!(stdout(&output), expected, "{newline:?}");
    }
    // A mistake is still reported at its own line.
    let broken = lf.replacen("kind: community-support-center", "kind: community-support-centre", 1);
    let line = broken.lines().position(|l| l.contains("community-support-centre")).unwrap() + 1;
    std::fs::write(&koto, broken.replace('\n', "\r")).unwrap();
    let output = yorisoi(&["check", dir.path().to_str().unwrap()]);
    assert!(stderr(&output).contains(&format!("koto.yaml:{line}:")), "line {line}: {}", stderr(&output));
}

/// `EXTRA.YAML` is a seed file like `extra.yaml`; a symbolic link (here a loop back
/// to the directory) is reported once and not followed.
#[test]
fn upper_case_extensions_are_read_and_links_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), dir.path());
    let path = dir.path().to_str().unwrap();
    let expected = stdout(&yorisoi(&["check", path]));
    std::fs::rename(dir.path().join("nagoya-kita.yaml"), dir.path().join("NAGOYA-KITA.YAML")).unwrap();
    let output = yorisoi(&["check", path]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), expected);

    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let output = yorisoi(&["check", path]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().filter(|l| l.contains("symbolic link")).count(), 1, "{err}");
    assert!(err.contains("/loop:1:1: symbolic link, not followed"), "{err}");
}

/// Asking an empty store says it is empty and how to load it, not that every name
/// in the question is unknown.
#[test]
fn questions_to_an_empty_store_say_to_load_it() {
    let db = TestDb::new();
    let data = tempfile::tempdir().unwrap();
    let output = crate::support::search_in("ひきこもり", "江東区", &db.url, data.path());
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("holds no directory yet; load it first: yorisoi load seed"), "{err}");
    assert!(!err.contains("unknown municipality"), "{err}");
}

/// A steward sees what a situation is understood to mean and which words said so, and
/// with --explain how the text was read.
#[test]
fn understand_names_each_need_with_its_words() {
    let seed = seed_dir();
    let seed = seed.to_str().unwrap();
    let output = yorisoi(&["understand", "母80代 息子50代無職 ここ数年閉じこもり", "--seed", seed, "--explain"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("8050問題 (8050): 「母80代＋息子50代」"), "{out}");
    assert!(out.contains("ひきこもり (hikikomori): 「閉じこもり」"), "{out}");
    assert!(out.contains("80代[Content: 80,80代,高齢]"), "{out}");
    let none = stdout(&yorisoi(&["understand", "駅で財布を落としました", "--seed", seed]));
    assert_eq!(none.trim(), "no need understood");
}

/// What a steward may mean is said but does not stop the check: a working referral
/// to a place that has ended (the audit reports it too), and sources whose files
/// could not be looked for because the directory has no documents folder.
#[test]
fn check_warns_of_referrals_to_ended_places_and_unchecked_documents() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), dir.path());
    let file = "resources:\n  - id: test-ended-salon\n    name: 終わったサロン（試験用）\n    kind: salon\n    status: ended\n    \
                provenance: [{ source: koto-isolation-platform, verified: 2026-11-22 }]\nreferrals:\n  - id: test-to-ended\n    \
                from: koto-shakyo-window\n    to: test-ended-salon\n    kind: refers_to\n    \
                provenance: [{ source: koto-isolation-platform, verified: 2026-11-22 }]\n";
    std::fs::write(dir.path().join("ended.yaml"), file).unwrap();
    let output = yorisoi(&["check", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = format!(
        "warning: {}/ended.yaml:10:9: `test-ended-salon` has ended (status: ended): a person sent there finds nobody; \
         refer to another place, or mark this referral `state: not_working` (the audit reports it as REFERS_TO_CLOSED_PLACE)",
        dir.path().display()
    );
    assert_eq!(stderr(&output).trim(), expected);

    // Without the documents folder (an export, say) the files are named but not looked for.
    std::fs::remove_dir_all(dir.path().join("documents")).unwrap();
    let output = yorisoi(&["check", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    let unlooked: Vec<&str> = warnings.lines().filter(|l| l.contains("not looked for")).collect();
    assert_eq!(unlooked.len(), 5, "the five documents: {unlooked:?}");
    let first = format!(
        "warning: {}/sources.yaml:8:11: not looked for: there is no {}/documents folder",
        dir.path().display(),
        dir.path().display()
    );
    assert!(unlooked[0].starts_with(&first), "{}", unlooked[0]);
}
