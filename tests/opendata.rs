//! The municipal open-data CSVs (自治体標準オープンデータセット) through `yorisoi import
//! --format municipal-csv`: both column sets, cp932 and UTF-8 with BOM, half-width kana
//! headers, codes and phones that lost a digit, free text in time columns, swapped
//! coordinates; kinds and needs from the steward's table; each row cites its file,
//! line and licence; bad rows named by line, the rest imported only when asked.

use std::path::{Path, PathBuf};

use yorisoi_core::{Directory, Resource, Rule};

use crate::support::{TestDb, copy_dir, repo, seed_dir, stderr, stdout, yorisoi};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/opendata").join(name)
}

/// A copy of the project's seed directory to import into.
fn seed_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&seed_dir(), dir.path());
    dir
}

fn import(seed: &Path, file: &str, extra: &[&str]) -> std::process::Output {
    let src = fixture(file);
    let mut args = vec!["import", "--format", "municipal-csv", src.to_str().unwrap(), "--seed", seed.to_str().unwrap()];
    args.extend(extra);
    yorisoi(&args)
}

fn directory(seed: &Path) -> Directory {
    yorisoi_seed::read_dir(seed).unwrap().directory
}

fn resource<'a>(directory: &'a Directory, name: &str) -> &'a Resource {
    directory.resources.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("{name} was imported"))
}

#[test]
fn bad_rows_are_named_by_line_and_nothing_is_imported_unless_the_steward_asks() {
    let seed = seed_copy();
    let output = import(seed.path(), "kaigo-suisho-cp932.csv", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.contains("kaigo-suisho-cp932.csv:5: 電話番号 `要問合せ` is not a phone number"),
        "the bad row by its line (the header is line 1): {err}"
    );
    assert!(
        err.contains("1 row cannot be imported (above); nothing was imported") && err.contains("--skip-bad-rows"),
        "{err}"
    );
    assert!(!seed.path().join("imported-kaigo-suisho-cp932.yaml").exists());

    let output = import(seed.path(), "kaigo-suisho-cp932.csv", &["--skip-bad-rows"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("(Shift_JIS (cp932)): 4 rows of 介護サービス事業所一覧"), "{}", stdout(&output));
    // 社会福祉法人あおぞら会 runs two of them (with its 法人番号 on one row only): one organization.
    assert!(stdout(&output).contains("imported 3 services, 2 organizations"), "{}", stdout(&output));
    let d = directory(seed.path());
    assert!(!d.resources.iter().any(|r| r.name == "ひまわり居宅介護支援事業所"), "the bad row stays out");

    // The ward publishes again: the import replaces its file, nothing doubles.
    let again = import(seed.path(), "kaigo-suisho-cp932.csv", &["--skip-bad-rows"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(directory(seed.path()).resources.len(), d.resources.len());
}

#[test]
fn care_offices_in_cp932_with_half_width_headers_become_places_with_kinds_needs_and_provenance() {
    let seed = seed_copy();
    let output = import(seed.path(), "kaigo-suisho-cp932.csv", &["--skip-bad-rows", "--name", "koto-kaigo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("kaigo-suisho-cp932.csv:3: 緯度 139.8300 and 経度 35.6680 were swapped"), "{err}");
    assert!(err.contains("kaigo-suisho-cp932.csv:3: 電話番号 `300000201` read as 0300000201"), "{err}");
    let d = directory(seed.path());

    let day = resource(&d, "あおぞらデイサービス東陽");
    // 13108 lost its check digit; it is 江東区 (131083).
    assert_eq!(day.id.as_str(), "od-care-131083-1370899901");
    assert_eq!(day.kind.as_str(), "care-service");
    assert_eq!(day.local_kind_name.as_deref(), Some("通所介護"));
    assert_eq!(day.needs.iter().map(|n| n.as_str()).collect::<Vec<_>>(), ["care"]);
    assert_eq!(day.kana.as_deref(), Some("アオゾラデイサービストウヨウ"), "half-width kana read as full width");
    assert_eq!(day.service_area.municipalities[0].to_string(), "131083");
    assert_eq!(day.contacts[0].phone.as_deref(), Some("03-0000-0101"));
    assert_eq!(day.contacts[0].fax.as_deref(), Some("03-0000-0102"));
    assert_eq!(day.locations[0].address.as_deref(), Some("東京都江東区東陽9丁目99番9号 あおぞらビル1階"));
    let position = day.locations[0].position.unwrap();
    assert_eq!((position.latitude(), position.longitude()), (35.669, 139.817));
    assert!(matches!(&day.schedule.rules[..], [Rule::Weekly { days, .. }] if days.len() == 6), "月～土");
    assert!(day.schedule.note.as_deref().unwrap().contains("年末年始"), "{:?}", day.schedule.note);
    assert!(day.description.as_deref().unwrap().contains("定員 30"));
    // Its operator, a 社会福祉法人 named by its 法人番号.
    let operator = d.organizations.iter().find(|o| o.id == day.operators[0]).unwrap();
    assert_eq!((operator.id.as_str(), operator.name.as_str()), ("od-org-1234567890123", "社会福祉法人あおぞら会"));
    assert_eq!(operator.kind, yorisoi_core::OrganizationKind::SocialWelfareCorporation);

    // Swapped coordinates read the right way round; the lost zero put back.
    let visits = resource(&d, "みなみ訪問介護ステーション");
    let position = visits.locations[0].position.unwrap();
    assert_eq!((position.latitude(), position.longitude()), (35.668, 139.83));
    assert_eq!(visits.contacts[0].phone.as_deref(), Some("0300000201"));

    // The steward's table sends a 地域包括支援センター to that kind.
    assert_eq!(resource(&d, "テスト地域包括支援センター").kind.as_str(), "community-support-center");

    // Each row cites its file and line; the source carries the licence and attribution.
    assert_eq!(day.provenance[0].source.as_str(), "od-koto-kaigo");
    assert_eq!(day.provenance[0].locator.as_deref(), Some("kaigo-suisho-cp932.csv line 2"));
    assert_eq!(visits.provenance[0].locator.as_deref(), Some("kaigo-suisho-cp932.csv line 3"));
    // Out as HSDS: the point and the operator travel, and the document is valid.
    let export = yorisoi_hsds::export(&d, None);
    let service = export.services.iter().find(|s| s["name"] == "あおぞらデイサービス東陽").unwrap();
    let location = &service["service_at_locations"][0]["location"];
    assert_eq!((location["latitude"].as_f64(), location["longitude"].as_f64()), (Some(35.669), Some(139.817)));
    assert_eq!(service["organization"]["name"], "社会福祉法人あおぞら会");
    let problems = crate::hsds::problems(&crate::hsds::schema("compiled/service.json"), service);
    assert!(problems.is_empty(), "{problems:#?}");

    let source = d.sources.iter().find(|s| s.id.as_str() == "od-koto-kaigo").unwrap();
    assert_eq!(source.licence.as_deref(), Some("CC BY 4.0（出典：東京都江東区「介護サービス事業所一覧」）"));
    assert_eq!(source.publisher.as_deref(), Some("東京都江東区"));
}

#[test]
fn childcare_in_the_official_columns_and_facilities_with_words_for_times_import() {
    let seed = seed_copy();
    let output = import(seed.path(), "kosodate-seishiki-bom.csv", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("(UTF-8 (BOM)): 2 rows of 子育て施設一覧"), "{out}");
    assert!(out.contains("columns not read: 名称_英字, 画像"), "Yorisoi has no place for them: {out}");
    let d = directory(seed.path());
    let nursery = resource(&d, "こばと保育園");
    assert_eq!(nursery.id.as_str(), "od-childcare-131083-k-001");
    assert_eq!((nursery.kind.as_str(), nursery.needs[0].as_str()), ("childcare-facility", "childcare"));
    assert_eq!(nursery.contacts[0].phone.as_deref(), Some("03-0000-0401"), "full-width digits read");
    assert_eq!(nursery.audience.description.as_deref(), Some("受入年齢：生後57日~5歳"));
    assert!(nursery.description.as_deref().unwrap().contains("一時預かり：有"));
    let at = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0);
    match &nursery.schedule.rules[..] {
        [Rule::Weekly { days, hours }] => {
            assert_eq!(days.len(), 6);
            assert_eq!((hours.opens, hours.closes), (at(7, 0), at(19, 0)));
        }
        other => panic!("{other:?}"),
    }
    let kindergarten = resource(&d, "江東区立テスト幼稚園");
    assert_eq!(kindergarten.operators.len(), 1);
    let ward = d.organizations.iter().find(|o| o.id == kindergarten.operators[0]).unwrap();
    assert_eq!(ward.name, "江東区");

    let output = import(seed.path(), "koukyou-shisetsu.csv", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("not imported, as no line of"), "{out}");
    assert!(out.contains("テスト図書館 (line 4); テスト公園 (line 5)"), "places the table does not take: {out}");
    let d = directory(seed.path());
    assert!(!d.resources.iter().any(|r| r.name == "テスト図書館"));
    let hall = resource(&d, "テスト福祉会館");
    assert_eq!(hall.kind.as_str(), "welfare-hall");
    // 「日没」 is not a time: the hall opens at 9:00, its closing is left unknown and
    // the words are kept for the worker.
    match &hall.schedule.rules[..] {
        [Rule::Weekly { days, hours }] => {
            assert_eq!(days.len(), 7);
            assert_eq!((hours.opens, hours.closes), (at(9, 0), None));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hall.schedule.note.as_deref(), Some("月~日 9:00〜日没 第3月曜日は休館"));
    assert_eq!(hall.accessibility, ["車いす対応トイレ", "エレベーター"]);
    // 「終日」 and 「要予約」: no rule invented, the words kept, booking required.
    let community = resource(&d, "テスト区民館");
    assert!(community.schedule.rules.is_empty(), "{:?}", community.schedule.rules);
    assert_eq!(community.schedule.note.as_deref(), Some("終日〜 集会室の利用は要予約"));
    assert_eq!(community.application.booking_required, Some(true));
    assert_eq!(community.kind.as_str(), "community-facility");
}

#[test]
fn imported_places_load_into_the_store_and_are_found_by_search() {
    let seed = seed_copy();
    assert!(import(seed.path(), "kosodate-seishiki-bom.csv", &[]).status.success());
    let db = TestDb::new();
    let load = yorisoi(&["load", seed.path().to_str().unwrap(), "--db", &db.url]);
    assert!(load.status.success(), "{}", stderr(&load));
    let data = tempfile::tempdir().unwrap();
    let search = crate::support::search_in("こばとほいくえん", "江東区", &db.url, data.path());
    assert!(search.status.success(), "{}", stderr(&search));
    let out = stdout(&search);
    let first = out.lines().find(|l| l.starts_with(" 1. ")).unwrap_or_default();
    assert!(first.contains("こばと保育園"), "the nursery is found by its reading in hiragana: {out}");
}

#[test]
fn unreadable_files_and_a_wrong_mapping_table_are_refused_with_where() {
    let seed = seed_copy();
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.csv");
    std::fs::write(&binary, [0x82, 0xFF, 0xFF, 0x00]).unwrap();
    let src = binary.to_str().unwrap();
    let output = yorisoi(&["import", "--format", "municipal-csv", src, "--seed", seed.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("neither UTF-8 nor Shift_JIS (cp932)"), "{}", stderr(&output));

    let mapping = dir.path().join("mapping.csv");
    std::fs::write(&mapping, "dataset,match,kind,needs\n公共施設一覧,福祉会館,no-such-kind,\n").unwrap();
    let src = fixture("koukyou-shisetsu.csv");
    let output = yorisoi(&[
        "import",
        "--format",
        "municipal-csv",
        src.to_str().unwrap(),
        "--seed",
        seed.path().to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("mapping.csv:2: kind `no-such-kind` is not a kind code"), "{}", stderr(&output));

    // A municipality the seed does not hold: the row says which code to add.
    let elsewhere = dir.path().join("elsewhere.csv");
    std::fs::write(&elsewhere, "全国地方公共団体コード,ID,名称,住所\n011002,1,テスト区民館,札幌市\n").unwrap();
    let output = yorisoi(&[
        "import",
        "--format",
        "municipal-csv",
        elsewhere.to_str().unwrap(),
        "--seed",
        seed.path().to_str().unwrap(),
    ]);
    assert!(
        stderr(&output).contains("elsewhere.csv:2: 全国地方公共団体コード 011002 is not in the seed's places"),
        "{}",
        stderr(&output)
    );
}
