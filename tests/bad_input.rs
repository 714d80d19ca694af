//! The malformed-seed corpus under tests/bad-seed/cases: each file, checked together
//! with the valid base directory, must give exactly the located messages below, and a
//! `load` of it must fail and leave the store as it was.

use std::path::Path;

use crate::support::{TestDb, copy_dir, repo, runtime, stderr, yorisoi};

/// Every case and the diagnostics it must produce, as `file:line:col: message`.
/// Each location was counted by hand against the case file.
const CASES: &[(&str, &[&str])] = &[
    (
        "age-range-reversed",
        &["age-range-reversed.yaml:6:16: age_min 65 is greater than age_max 18; swap them or fix one"],
    ),
    (
        "bad-check-digit",
        &[
            "bad-check-digit.yaml:2:13: municipality code `131084` has check digit 4, expected 3; check the code against 総務省's list",
        ],
    ),
    (
        "bad-id",
        &[
            "bad-id.yaml:2:9: id `Food Pantry` may use only lowercase a-z, 0-9, `-` and `_`, and must start with a letter or digit",
        ],
    ),
    (
        "bad-kana",
        &["bad-kana.yaml:4:11: kana `桃園ふーどぱんとりー` contains `桃`; write the reading in hiragana or katakana"],
    ),
    (
        "swapped-coordinates",
        &[
            "swapped-coordinates.yaml:7:19: latitude 139.825 and longitude 35.675 look swapped (Japan lies at latitude 20–46, longitude 122–154); swap them",
            "swapped-coordinates.yaml:10:19: a latitude needs its longitude; give both or neither",
        ],
    ),
    (
        "bad-phone",
        &[
            "bad-phone.yaml:6:16: phone `０３－６６９７－６１３５` is not a phone number; write half-width digits and hyphens (03-6697-6135)",
        ],
    ),
    // The base defines resource `ward-window`; the case reuses the id for an organization.
    (
        "duplicate-id-across-files",
        &[
            "base.yaml:22:9: duplicate organization or resource id `ward-window`; every id must be unique (also at {dir}/duplicate-id-across-files.yaml:2:9)",
        ],
    ),
    (
        "duplicate-id-same-file",
        &[
            "duplicate-id-same-file.yaml:6:9: duplicate organization or resource id `pantry`; every id must be unique (also at {dir}/duplicate-id-same-file.yaml:2:9)",
        ],
    ),
    ("duplicate-key", &["duplicate-key.yaml:5:5: key `name` appears twice in this mapping; keep one"]),
    ("empty-name", &["empty-name.yaml:3:11: name is empty; write the name as the source document gives it"]),
    ("impossible-date", &["impossible-date.yaml:5:43: impossible date `2026-02-30`; write YYYY-MM-DD (2026-03-08)"]),
    (
        "impossible-time",
        &["impossible-time.yaml:7:58: impossible time `25:00`; write HH:MM from 00:00 to 23:59 (17:00)"],
    ),
    ("missing-field", &["missing-field.yaml:2:5: missing field `kind`; add it to this record"]),
    ("nested-list-for-text", &["nested-list-for-text.yaml:3:11: expected a text value"]),
    (
        "no-provenance",
        &["no-provenance.yaml:5:17: no source given; name the document this record comes from under `provenance:`"],
    ),
    (
        "organization-cycle",
        &[
            "organization-cycle.yaml:5:13: organization parents form a cycle: dept → division → dept; one of them needs another parent",
        ],
    ),
    ("self-referral", &["self-referral.yaml:4:9: referral from `ward-window` to itself; point `to` at another place"]),
    ("shift-jis", &["shift-jis.yaml:3:11: file is not valid UTF-8 (byte 0x83); save it as UTF-8, not Shift_JIS"]),
    (
        "syntax-unclosed-list",
        &[
            "syntax-unclosed-list.yaml:6:15: unexpected `:`; a `[` or `{` above may be unclosed, or a text containing `: ` needs quotes",
        ],
    ),
    ("tab-indent", &["tab-indent.yaml:3:1: tab used for indentation; indent with spaces"]),
    (
        "unknown-area",
        &["unknown-area.yaml:5:29: unknown area `kitasuna`; define it under `areas:` or fix the reference"],
    ),
    (
        "unknown-field",
        &[
            "unknown-field.yaml:3:5: unknown field `nmae`, expected one of id, name, kana, kind, local_kind_name, description, needs, audience, service_area, contacts, locations, schedule, cost, languages, accessibility, application, status, operators, entry_window, staff_note, provenance, hsds",
        ],
    ),
    (
        "unknown-kind",
        &["unknown-kind.yaml:4:11: unknown kind `food-pantry`; define it under `kinds:` or fix the reference"],
    ),
    (
        "unknown-municipality",
        &[
            "unknown-municipality.yaml:5:19: unknown municipality `131130`; add it under `municipalities:` or fix the code",
        ],
    ),
    ("unknown-need", &["unknown-need.yaml:5:19: unknown need `hunger`; define it under `needs:` or fix the reference"]),
    (
        "unknown-operator",
        &[
            "unknown-operator.yaml:5:23: unknown organization `koto-shakyo`; define it under `organizations:` or fix the reference",
        ],
    ),
    (
        "unknown-referral-target",
        &[
            "unknown-referral-target.yaml:4:9: unknown organization or resource `pantry`; define it or fix the reference",
        ],
    ),
    (
        "unknown-source",
        &["unknown-source.yaml:5:28: unknown source `doc-002`; define it under `sources:` or fix the reference"],
    ),
    (
        "unknown-variant",
        &[
            "unknown-variant.yaml:4:11: unknown variant `npo_corporation`, expected one of local_government, department, division, section, public_office, social_welfare_council, consumer_coop, medical_coop, worker_coop, coop_federation, npo, social_welfare_corporation, general_incorporated_association, public_interest_corporation, legal_support_center, voluntary_group, neighbourhood_association, company, welfare_commissioners_council, platform, other",
        ],
    ),
    ("utf-16", &["utf-16.yaml:1:1: file is UTF-16; save it as UTF-8"]),
    (
        "week-out-of-range",
        &["week-out-of-range.yaml:7:33: week 6 does not exist; a week of the month is 1 to 5 or `last`"],
    ),
    ("wrong-type-list", &["wrong-type-list.yaml:5:12: expected a list (`- item` lines or `[a, b]`)"]),
    ("wrong-type-number", &["wrong-type-number.yaml:6:16: expected an age in whole years, 0 to 120"]),
    // Accepted before: links a browser would run, addresses a mailer cannot use,
    // dates ahead of today, the same edge twice, text no one can see or read.
    (
        "javascript-url",
        &[
            "javascript-url.yaml:5:10: `javascript:alert(document.cookie)` is not a web address; write it in full, starting with https:// or http://",
        ],
    ),
    (
        "email-without-at",
        &["email-without-at.yaml:6:16: `soudan.example.jp` is not an email address; write it as name@example.jp"],
    ),
    (
        "verified-in-the-future",
        &[
            "verified-in-the-future.yaml:5:43: verified 2999-01-01 is in the future (today is {today}); write the day you checked the source",
        ],
    ),
    (
        "duplicate-referral-edge",
        &[
            "duplicate-referral-edge.yaml:9:9: the same escalates_to from `ward-window` to `ward` is already recorded as `window-to-ward`; keep one record (add needs or conditions to it) (also at {dir}/duplicate-referral-edge.yaml:4:9)",
        ],
    ),
    (
        "invisible-name",
        &[
            "invisible-name.yaml:3:11: text is only invisible characters (starting with U+200B); write the text or leave the field out",
        ],
    ),
    (
        "name-too-long",
        &["name-too-long.yaml:3:11: text is 201 characters long; at most 200 are allowed here, shorten it"],
    ),
    (
        "control-character",
        &[
            "control-character.yaml:3:11: text holds the control character U+001B at character 9; remove it (this field is one line)",
        ],
    ),
    (
        "yes-as-boolean",
        &[
            "yes-as-boolean.yaml:5:19: expected true or false (YAML 1.1's yes/no/on/off are not booleans here; editors read them as text)",
        ],
    ),
    (
        "unknown-tag",
        &[
            "unknown-tag.yaml:3:37: unsupported tag `!!python/object:os.system`; seed files use no `!` tags, remove it (a tag could hide what a value is)",
        ],
    ),
    (
        "unquoted-number-as-text",
        &[
            "unquoted-number-as-text.yaml:2:9: `12345` reads as a number or true/false, but this field is text; put it in quotes (\"12345\")",
        ],
    ),
    (
        "prefecture-48",
        &[
            "prefecture-48.yaml:2:13: `480002` starts with prefecture number 48, which does not exist (01 北海道 to 47 沖縄県); copy the code from 総務省's list",
        ],
    ),
    (
        "ward-in-another-prefecture",
        &[
            "ward-in-another-prefecture.yaml:2:55: 横浜市 (141003) is in prefecture 14 but its parent `130001` is in prefecture 13; file it under its own city or prefecture",
        ],
    ),
    (
        "area-of-another-municipality",
        &[
            "area-of-another-municipality.yaml:7:57: area `minamisuna` belongs to municipality 131083, not to 131016; use an area of the same municipality",
        ],
    ),
    // Messages that said the wrong thing or pointed at the wrong place.
    (
        "two-documents",
        &[
            "two-documents.yaml:6:1: a second YAML document starts here (`---`); keep one document per file: remove the `---` line or put the rest in a file of its own",
        ],
    ),
    (
        "unknown-closure",
        &[
            "unknown-closure.yaml:6:16: not a closure; write `national_holidays` (祝日), `year_end` (年末年始 12/29–1/3) or a period `{ from: 2026-12-29, to: 2027-01-03 }`",
        ],
    ),
    (
        "label-as-need",
        &[
            "label-as-need.yaml:5:13: `孤独・孤立` is not a need code; did you mean `isolation` (its label)?",
            "label-as-need.yaml:5:20: `食べ物` is not a need code and no need has it as label or synonym; write a code from seed/taxonomy.yaml (lowercase a-z, 0-9, `-`)",
        ],
    ),
    (
        "invisible-character-in-id",
        &[
            "invisible-character-in-id.yaml:2:9: id `panU+200Btry` may use only lowercase a-z, 0-9, `-` and `_`, and must start with a letter or digit",
        ],
    ),
    ("age-over-range", &["age-over-range.yaml:5:26: expected an age in whole years, 0 to 120"]),
    (
        "deep-nesting",
        &[
            "deep-nesting.yaml:7:274: values nest deeper than 32 levels; a seed record needs only a few, so look for `[` or `{` that are repeated or never closed",
        ],
    ),
    // Aliases cannot build a bomb in this schema: a list where text goes is refused first.
    ("alias-bomb", &["alias-bomb.yaml:6:20: expected a text value"]),
    ("zero-times-a-month", &["zero-times-a-month.yaml:8:20: times must be at least 1"]),
    (
        "full-width-indent",
        &[
            "full-width-indent.yaml:4:1: full-width space (U+3000) in the indentation; indent with half-width spaces (turn the IME off)",
        ],
    ),
    (
        "closes-before-opens",
        &[
            "closes-before-opens.yaml:7:58: closes 09:00 is before opens 17:00; for a session past midnight add `overnight: true`, otherwise fix the times",
        ],
    ),
    (
        "day-of-month-32",
        &[
            "day-of-month-32.yaml:7:34: day 32 of the month does not exist; use 1 to 31",
            "day-of-month-32.yaml:8:15: month 13 does not exist; use 1 to 12",
        ],
    ),
    (
        "full-width-colon",
        &["full-width-colon.yaml:3:9: full-width colon `：` after `name`; write a half-width `:` and a space"],
    ),
    (
        "local-name-without-target",
        &[
            "local-name-without-target.yaml:2:5: say what the local name is for: `kind:` (a kind code) or `need:` (a need code)",
            "local-name-without-target.yaml:5:11: unknown need `hikikomori`; use a need code from `needs:` (seed/taxonomy.yaml)",
        ],
    ),
    (
        "missing-document",
        &[
            "missing-document.yaml:4:11: no document `leaflet-2025.pdf` in {dir}/documents; put the document there, \
             or give the source's web address under `url:` and leave `file:` out",
            "missing-document.yaml:7:11: `../../etc/passwd` is not a file name under documents/; give the name of a \
             file in that folder (no `..`, no absolute path)",
        ],
    ),
];

fn base_dir() -> std::path::PathBuf {
    repo().join("tests/bad-seed/base")
}

/// A directory holding the base files and the named case file.
fn case_dir(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&base_dir(), dir.path());
    let file = format!("{case}.yaml");
    std::fs::copy(repo().join("tests/bad-seed/cases").join(&file), dir.path().join(&file)).unwrap();
    dir
}

/// The diagnostics of checking `dir`, with the directory prefix taken off each line's start.
fn diagnostics(dir: &Path) -> Vec<String> {
    match yorisoi_seed::read_dir(dir) {
        Ok(_) => vec![],
        Err(yorisoi_seed::SeedError::Invalid { diagnostics, note }) => {
            let prefix = format!("{}/", dir.display());
            let mut lines: Vec<String> =
                diagnostics.iter().map(|d| d.to_string().trim_start_matches(&prefix).to_owned()).collect();
            lines.extend(note);
            lines
        }
        Err(other) => panic!("unexpected error: {other}"),
    }
}

fn check(case: &str, expected: &[&str]) {
    let dir = case_dir(case);
    let today = yorisoi_core::japan_time(chrono::Utc::now()).date().to_string();
    let expected: Vec<String> = expected
        .iter()
        .map(|line| line.replace("{dir}", &dir.path().display().to_string()).replace("{today}", &today))
        .collect();
    assert_eq!(diagnostics(dir.path()), expected, "case {case}");
}

#[test]
fn every_case_in_the_corpus_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("tests/bad-seed/cases"))
        .unwrap()
        .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|(name, _)| (*name).to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    assert!(CASES.len() >= 25);
}

#[test]
fn each_case_reports_its_exact_location_and_message() {
    for (case, expected) in CASES {
        check(case, expected);
    }
}

#[test]
fn the_base_alone_is_valid() {
    assert_eq!(diagnostics(&base_dir()), Vec::<String>::new());
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&base_dir(), dir.path());
    let text = std::fs::read_to_string(dir.path().join("base.yaml")).unwrap();
    std::fs::write(dir.path().join("base.yaml"), format!("\u{feff}{text}")).unwrap();
    assert_eq!(diagnostics(dir.path()), Vec::<String>::new());
}

#[test]
fn a_file_over_the_size_budget_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&base_dir(), dir.path());
    let comment = "# padding\n".repeat(yorisoi_seed::MAX_FILE_BYTES / 10 + 1);
    std::fs::write(dir.path().join("huge.yaml"), comment).unwrap();
    assert_eq!(
        diagnostics(dir.path()),
        vec![format!(
            "huge.yaml:1:1: file is {} bytes, over the budget of 1048576 bytes (1 MiB); split it into several files",
            (yorisoi_seed::MAX_FILE_BYTES / 10 + 1) * 10
        )]
    );
}

#[test]
fn problems_in_several_files_are_all_reported_in_file_order() {
    let dir = case_dir("unknown-kind");
    std::fs::copy(repo().join("tests/bad-seed/cases/bad-kana.yaml"), dir.path().join("bad-kana.yaml")).unwrap();
    std::fs::copy(repo().join("tests/bad-seed/cases/tab-indent.yaml"), dir.path().join("tab-indent.yaml")).unwrap();
    let dir_name = dir.path().display();
    assert_eq!(
        diagnostics(dir.path()),
        vec![
            "bad-kana.yaml:4:11: kana `桃園ふーどぱんとりー` contains `桃`; write the reading in hiragana or katakana".to_owned(),
            "tab-indent.yaml:3:1: tab used for indentation; indent with spaces".to_owned(),
            // Both case files define a resource `pantry`.
            format!("unknown-kind.yaml:2:9: duplicate organization or resource id `pantry`; every id must be unique (also at {dir_name}/bad-kana.yaml:2:9)"),
            // unknown-kind.yaml's reference is held back: tab-indent.yaml may define the kind.
            "1 reference(s) were not checked because some records could not be read; fix the errors above and check again".to_owned(),
        ]
    );
}

/// Through the real binary: `load` refuses every bad case with exit 1, prints the
/// located problems, and the store keeps exactly what it had.
#[test]
fn load_of_a_bad_case_changes_nothing_in_the_store() {
    let db = TestDb::new();
    let loaded = yorisoi(&["load", base_dir().to_str().unwrap(), "--db", &db.url]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    let rt = runtime();
    let before = rt.block_on(async { db.open().await.read_directory().await.unwrap() });
    assert_eq!(before.resources.len(), 1);
    for (case, expected) in CASES {
        let dir = case_dir(case);
        let output = yorisoi(&["load", dir.path().to_str().unwrap(), "--db", &db.url]);
        assert_eq!(output.status.code(), Some(1), "case {case}");
        let err = stderr(&output);
        let today = yorisoi_core::japan_time(chrono::Utc::now()).date().to_string();
        let first = expected[0].replace("{dir}", &dir.path().display().to_string()).replace("{today}", &today);
        assert!(err.contains(&first), "case {case}: {err}");
        assert!(err.contains("nothing was written"), "case {case}: {err}");
        let after = rt.block_on(async { db.open().await.read_directory().await.unwrap() });
        assert_eq!(after, before, "case {case} changed the store");
    }
}
