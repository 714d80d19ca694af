//! The seed directory through the production path: every file checks, and the facts
//! the other features rely on are there as the documents state them.

use yorisoi_core::{Directory, ReferralKind, ReferralState, Status};

use crate::support::seed_dir;

fn seed() -> Directory {
    yorisoi_seed::read_dir(&seed_dir()).expect("seed/ checks clean").directory
}

#[test]
fn the_need_taxonomy_has_every_label_the_relevance_set_names() {
    let directory = seed();
    let labels: Vec<&str> = directory.needs.iter().map(|n| n.label.as_str()).collect();
    for label in [
        "孤独・孤立",
        "生活困窮",
        "食の支援",
        "ひきこもり",
        "8050問題",
        "ひとり親",
        "ワンオペ育児",
        "子育て",
        "介護",
        "認知症",
        "障がい",
        "就労・働きづらさ",
        "住まい・空き家",
        "防災・避難行動要支援",
        "健康",
        "買い物支援",
        "ごみ出し・片付け",
        "人生の終末期",
        "外国人",
        "権利擁護",
    ] {
        assert!(labels.contains(&label), "missing need {label}");
    }
    let hikikomori = directory.needs.iter().find(|n| n.label == "ひきこもり").unwrap();
    assert!(hikikomori.synonyms.contains(&"引きこもり".to_owned()));
    assert!(hikikomori.synonyms.contains(&"引き籠もり".to_owned()));
}

#[test]
fn the_community_support_center_kind_carries_its_local_names() {
    let directory = seed();
    let kind = directory.kinds.iter().find(|k| k.label == "地域包括支援センター").unwrap();
    let names: Vec<(String, &str)> =
        kind.local_names.iter().map(|l| (l.municipality.to_string(), l.name.as_str())).collect();
    assert_eq!(names, [("131083".to_owned(), "長寿サポートセンター"), ("231002".to_owned(), "いきいき支援センター")]);
    // 名古屋市北区 is below 名古屋市, so the local name applies there.
    let kita = yorisoi_core::MunicipalityCode::parse("231037").unwrap();
    assert!(directory.municipality_and_ancestors(kita).iter().any(|c| c.to_string() == "231002"));
}

#[test]
fn the_koto_department_tree_is_a_tree() {
    let directory = seed();
    let chain = |id: &str| {
        let mut names = Vec::new();
        let mut current = directory.organizations.iter().find(|o| o.id.as_str() == id);
        while let Some(org) = current {
            names.push(org.name.as_str());
            current = org.parent.as_ref().and_then(|p| directory.organizations.iter().find(|o| &o.id == p));
        }
        names
    };
    assert_eq!(
        chain("koto-chiiki-sasaeai"),
        ["江東区 福祉部 長寿応援課 地域支え合い係", "江東区 福祉部 長寿応援課", "江東区 福祉部", "江東区"]
    );
}

#[test]
fn the_referral_correction_and_the_broken_data_flow_are_recorded() {
    let directory = seed();
    let edge = |from: &str, to: &str| {
        directory.referrals.iter().find(|r| r.from.as_str() == from && r.to.as_str() == to).unwrap()
    };
    let corrected = edge("koto-kodomo-katei-shien", "koto-yoiku-shien");
    assert_eq!(corrected.kind, ReferralKind::RefersTo);
    let first_hop = edge("koto-fukushi-ka", "koto-bosai");
    assert_eq!((first_hop.kind, first_hop.state), (ReferralKind::SharesInformationWith, ReferralState::Working));
    let broken = edge("koto-bosai", "koto-saigai-kyoryokutai");
    assert_eq!((broken.kind, broken.state), (ReferralKind::SharesInformationWith, ReferralState::NotWorking));
}

#[test]
fn every_record_names_a_source_document() {
    let directory = seed();
    let provenances = directory
        .organizations
        .iter()
        .map(|o| (&o.id, &o.provenance))
        .chain(directory.resources.iter().map(|r| (&r.id, &r.provenance)))
        .chain(directory.referrals.iter().map(|r| (&r.id, &r.provenance)));
    for (id, provenance) in provenances {
        assert!(!provenance.is_empty(), "{id} has no source");
        for p in provenance {
            let source = directory.sources.iter().find(|s| s.id == p.source).unwrap();
            assert!(source.file.is_some(), "{id} cites {} which is not a seed document", source.id);
        }
    }
}

#[test]
fn schedules_from_the_documents_answer_open_at() {
    use chrono::NaiveDateTime;
    use yorisoi_core::Openness;
    let directory = seed();
    let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    let connect = directory.organizations.iter().find(|o| o.id.as_str() == "seikatsu-club-connect").unwrap();
    let line = connect.contacts[0].hours.as_ref().unwrap();
    assert_eq!(connect.contacts[0].phone.as_deref(), Some("03-6697-6135"));
    assert_eq!(line.openness_at(at("2025-11-14 18:00")), Openness::Closed); // Friday after 17:00
    assert_eq!(line.openness_at(at("2025-11-15 12:00")), Openness::Closed); // Saturday
    assert_eq!(line.openness_at(at("2025-11-14 10:00")), Openness::Unknown); // opening time not given
    let cafe = directory.resources.iter().find(|r| r.id.as_str() == "arakawa-coop-cafe").unwrap();
    assert_eq!(cafe.schedule.openness_at(at("2026-11-22 14:00")), Openness::Unknown); // 毎月1回, date unknown
    let lecture = directory.resources.iter().find(|r| r.id.as_str() == "act-open-lecture-2025").unwrap();
    assert_eq!(lecture.status, Status::Ended);
    assert_eq!(lecture.schedule.openness_at(at("2026-03-08 15:00")), Openness::Open);
}

/// The counts the foundation issue's closing note reports, by kind and by source.
#[test]
fn seed_counts_by_kind_and_by_source() {
    let directory = seed();
    let mut by_source: std::collections::BTreeMap<String, usize> = Default::default();
    let cited = directory
        .organizations
        .iter()
        .map(|o| &o.provenance)
        .chain(directory.resources.iter().map(|r| &r.provenance))
        .chain(directory.referrals.iter().map(|r| &r.provenance));
    for provenance in cited {
        for p in provenance {
            *by_source.entry(p.source.to_string()).or_default() += 1;
        }
    }
    let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &directory.resources {
        *by_kind.entry(r.kind.to_string()).or_default() += 1;
    }
    println!("resources by kind: {by_kind:?}");
    println!("citations by source: {by_source:?}");
    assert_eq!((directory.organizations.len(), directory.resources.len(), directory.referrals.len()), (76, 38, 21));
    assert_eq!(by_source.len(), 5, "every seed document is cited");
}

/// A steward adds what 江戸川区 calls a 地域包括支援センター (熟年相談室) in a file of
/// their own, citing where it is stated, without touching seed/taxonomy.yaml.
#[test]
fn local_names_can_be_added_in_a_stewards_own_file() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&seed_dir(), dir.path());
    let file = dir.path().join("edogawa.yaml");
    let entry = |kind: &str, municipality: &str| {
        format!(
            "sources:\n  - {{ id: edogawa-note, title: 江戸川区の高齢者相談の案内（試験用） }}\n\
             local_names:\n  - kind: {kind}\n    municipality: \"{municipality}\"\n    name: 熟年相談室\n    \
             kana: じゅくねんそうだんしつ\n    provenance: [{{ source: edogawa-note, verified: 2026-11-22 }}]\n"
        )
    };
    let edogawa = "municipalities:\n  - { code: \"131237\", name: 江戸川区, kana: えどがわく, parent: \"130001\" }\n";
    std::fs::write(&file, format!("{edogawa}{}", entry("community-support-center", "131237"))).unwrap();
    let directory = yorisoi_seed::read_dir(dir.path()).unwrap().directory;
    let kind = directory.kinds.iter().find(|k| k.code.as_str() == "community-support-center").unwrap();
    let local = kind.local_names.iter().find(|l| l.name == "熟年相談室").expect("merged into the kind");
    assert_eq!(local.municipality.to_string(), "131237");
    assert_eq!(local.provenance[0].source.as_str(), "edogawa-note");

    // Written back (export), the name moves into its kind and keeps its source.
    let exported = tempfile::tempdir().unwrap();
    yorisoi_seed::write_dir(&directory, exported.path(), false).unwrap();
    let again = yorisoi_seed::read_dir(exported.path()).unwrap().directory;
    assert_eq!(again.kinds, directory.kinds);

    // Mistakes point at the steward's file: an unknown kind, and an unknown municipality
    // (found after merging, by the validation every record goes through).
    let check = |text: String| {
        std::fs::write(&file, text).unwrap();
        match yorisoi_seed::read_dir(dir.path()) {
            Err(yorisoi_seed::SeedError::Invalid { diagnostics, .. }) => diagnostics
                .iter()
                .map(|d| {
                    format!("{}:{}:{}: {}", d.file.file_name().unwrap().to_string_lossy(), d.line, d.column, d.message)
                })
                .collect::<Vec<_>>(),
            other => panic!("expected problems: {other:?}"),
        }
    };
    assert_eq!(
        check(format!("{edogawa}{}", entry("jukunen-sodanshitsu", "131237"))),
        ["edogawa.yaml:6:11: unknown kind `jukunen-sodanshitsu`; use a kind code from `kinds:` (seed/taxonomy.yaml)"]
    );
    assert_eq!(
        check(entry("community-support-center", "131237")),
        ["edogawa.yaml:5:19: unknown municipality `131237`; add it under `municipalities:` or fix the code"]
    );
}

type ResourceMistake = Box<dyn Fn(&mut yorisoi_core::Resource)>;
type ReferralMistake = Box<dyn Fn(&mut yorisoi_core::Referral, &Directory)>;

/// A steward's edit is checked on its own record (`validate_edit`, with lookups instead
/// of reading the directory), and must say exactly what the whole-directory check says
/// about that record, for every record of the seed and every kind of mistake.
#[test]
fn checking_one_edit_finds_what_checking_the_whole_directory_finds() {
    use std::collections::HashSet;
    use std::sync::Arc;
    use yorisoi_core::{Edit, Id, MunicipalityCode, RecordKind, validate, validate_edit};

    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let base = seed();
    let resource_mistakes: Vec<(&str, ResourceMistake)> = vec![
        ("none", Box::new(|_| {})),
        ("unknown need", Box::new(move |r| r.needs.push(Id::parse("no-such-need").unwrap()))),
        (
            "repeated need",
            Box::new(|r| r.needs = vec![r.needs.first().cloned().unwrap_or(Id::parse("food").unwrap()); 2]),
        ),
        ("unknown kind", Box::new(|r| r.kind = Id::parse("no-such-kind").unwrap())),
        ("empty name", Box::new(|r| r.name = String::new())),
        ("unknown operator", Box::new(|r| r.operators = vec![Id::parse("nobody").unwrap()])),
        ("runs itself", Box::new(|r| r.operators = vec![r.id.clone()])),
        ("ages upside down", Box::new(|r| (r.audience.age_min, r.audience.age_max) = (Some(70), Some(20)))),
        (
            "unknown municipality",
            Box::new(|r| r.service_area.municipalities.push(MunicipalityCode::parse("011002").unwrap())),
        ),
        (
            "verified in the future",
            Box::new(|r| r.provenance[0].verified = chrono::NaiveDate::from_ymd_opt(2999, 1, 1).unwrap()),
        ),
        ("unknown source", Box::new(|r| r.provenance[0].source = Id::parse("no-such-source").unwrap())),
        ("control character", Box::new(|r| r.description = Some("\u{1b}[2J".into()))),
    ];
    let compare = |dir: &Directory, edit: &Edit, record: RecordKind, at: usize, what: &str| {
        let organizations: HashSet<&Id> = dir.organizations.iter().map(|o| &o.id).collect();
        let resources: HashSet<&Id> = dir.resources.iter().map(|r| &r.id).collect();
        let nodes = |node: &Id, kind: RecordKind| match kind {
            RecordKind::Organization => organizations.contains(node),
            _ => resources.contains(node),
        };
        let mut one: Vec<(String, String)> =
            validate_edit(dir, edit, at, today, &nodes).into_iter().map(|p| (p.at.to_string(), p.message)).collect();
        let mut all: Vec<(String, String)> = validate(dir, today)
            .into_iter()
            .filter(|p| p.at.record == record && p.at.index == at)
            .map(|p| (p.at.to_string(), p.message))
            .collect();
        one.sort();
        all.sort();
        assert_eq!(one, all, "{what} at {}[{at}]", record.key());
        one.len()
    };
    let mut found = 0;
    for at in 0..base.resources.len() {
        for (what, mistake) in &resource_mistakes {
            let mut dir = base.clone();
            let mut resource = yorisoi_core::Resource::clone(&dir.resources[at]);
            mistake(&mut resource);
            dir.resources[at] = Arc::new(resource.clone());
            found += compare(&dir, &Edit::PutResource(resource), RecordKind::Resource, at, what);
        }
    }
    // A new resource whose id an organization already has.
    let mut dir = base.clone();
    let mut twin = yorisoi_core::Resource::clone(&dir.resources[0]);
    twin.id = dir.organizations[0].id.clone();
    dir.resources.push(Arc::new(twin.clone()));
    let at = dir.resources.len() - 1;
    assert!(compare(&dir, &Edit::PutResource(twin), RecordKind::Resource, at, "an organization's id") > 0);

    let referral_mistakes: Vec<(&str, ReferralMistake)> = vec![
        ("none", Box::new(|_, _| {})),
        ("unknown end", Box::new(|e, _| e.to = Id::parse("nowhere").unwrap())),
        ("to itself", Box::new(|e, _| e.to = e.from.clone())),
        ("unknown need", Box::new(|e, _| e.needs = vec![Id::parse("no-such-need").unwrap()])),
        (
            "the edge of an earlier referral",
            Box::new(|e, d| {
                let first = &d.referrals[0];
                (e.from, e.to, e.kind) = (first.from.clone(), first.to.clone(), first.kind);
            }),
        ),
    ];
    for at in 1..base.referrals.len() {
        for (what, mistake) in &referral_mistakes {
            let mut dir = base.clone();
            let mut referral = yorisoi_core::Referral::clone(&dir.referrals[at]);
            mistake(&mut referral, &base);
            dir.referrals[at] = Arc::new(referral.clone());
            found += compare(&dir, &Edit::PutReferral(referral), RecordKind::Referral, at, what);
        }
    }
    // Every mistake above was caught somewhere (none of the comparisons was of nothing).
    assert!(found > base.resources.len() * 10 + base.referrals.len() * 3, "{found} problems found");
}
