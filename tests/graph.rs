//! The referral graph on the seed directory: paths and the steward's audit, with the
//! findings the documents lead us to expect.

use chrono::NaiveDate;
use yorisoi_core::graph::{AuditOptions, EdgeKind, Finding, FindingCode, PathQuery};
use yorisoi_core::{Id, MunicipalityCode, ReferralGraph, ReferralKind};

use crate::support::seed_dir;

fn graph() -> ReferralGraph {
    ReferralGraph::new(&yorisoi_seed::read_dir(&seed_dir()).unwrap().directory)
}

fn id(text: &str) -> Id {
    Id::parse(text).unwrap()
}

fn ids(records: &[Id]) -> Vec<&str> {
    records.iter().map(Id::as_str).collect()
}

fn findings(code: FindingCode) -> Vec<Finding> {
    let options = AuditOptions::new(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    graph().audit(&options).findings.into_iter().filter(|f| f.code == code).collect()
}

/// 002: 福祉課 takes the consent forms, the data goes to 防災課, and from there it should
/// reach 災害協力隊・自治会 but does not.
#[test]
fn the_disaster_data_flow_is_reported_broken_with_its_chain() {
    let broken = findings(FindingCode::BrokenFlow);
    assert_eq!(broken.len(), 1);
    assert_eq!(ids(&broken[0].records()), ["koto-fukushi-ka", "koto-bosai", "koto-saigai-kyoryokutai"]);
    assert_eq!(broken[0].need(), Some(&id("disaster")));
}

/// 002: 子ども家庭支援課 sends child-rearing consultations to 養育支援課, which the
/// directory knows only as a division: no window, no onward referral.
#[test]
fn the_corrected_edge_ends_at_a_division_with_no_window() {
    let dead = findings(FindingCode::DeadEnd);
    let needs: Vec<&str> = dead.iter().map(|f| f.need().unwrap().as_str()).collect();
    // 002 says child-rearing (子ども), not ひとり親 or ワンオペ育児 in particular.
    assert_eq!(needs, ["childcare"]);
    for finding in &dead {
        assert_eq!(ids(&finding.records()), ["koto-yoiku-shien", "koto-kodomo-katei-shien"]);
    }
}

#[test]
fn places_no_entry_window_reaches_are_listed() {
    let lost: Vec<String> = findings(FindingCode::Unreachable).iter().map(|f| f.records()[0].to_string()).collect();
    // No operator and no referral: the play park, the gatherings in the parks, the food
    // bank in 昭島, こすもす (its NPO has no link to a window).
    for expected in ["kiba-park-playpark", "sarue-park-mukashi-asobi", "food-bank-akishima", "pan-cafe-cosmos"] {
        assert!(lost.contains(&expected.to_owned()), "{expected} missing from {lost:?}");
    }
    // 世話やきさん refer to the window, but no window refers back to them.
    assert!(lost.contains(&"nagoya-kita-sewayaki".to_owned()));
    // Reached through 長寿応援課 and its partner, the 助け合い活動連絡会.
    assert!(!lost.contains(&"koto-tasukeai-network".to_owned()));
    assert!(!lost.contains(&"koto-choju-oen-window".to_owned()));
}

#[test]
fn coverage_shows_the_holes_of_each_municipality() {
    let graph = graph();
    let options = AuditOptions::new(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    let audit = graph.audit(&options);
    let koto = MunicipalityCode::parse("131083").unwrap();
    let row = audit.coverage.municipalities.iter().position(|m| *m == koto).unwrap();
    let count =
        |need: &str| audit.coverage.counts[row][audit.coverage.needs.iter().position(|n| n.as_str() == need).unwrap()];
    assert_eq!(count("foreigners"), 0);
    // The two 長寿サポートセンター records, the 社協 window, 長寿応援課 and more.
    assert!(count("isolation") >= 5, "{}", count("isolation"));
    // The two 長寿サポートセンター records; N-impro, for all of 東京都, has ended and
    // 長寿応援課 is for 孤独・孤立 and 見守り (002), not for 介護 or 認知症.
    assert_eq!(count("dementia"), 2);
    let holes = audit
        .findings
        .iter()
        .find(|f| f.code == FindingCode::CoverageHole && f.message().starts_with("江東区 "))
        .unwrap();
    assert!(holes.records().contains(&id("foreigners")) && !holes.records().contains(&id("isolation")));
}

#[test]
fn no_referral_cycle_in_the_seed() {
    assert!(findings(FindingCode::TaraimawashiCycle).is_empty());
}

/// Every record was checked against its document on 2026-11-22, but a record is only
/// as fresh as the document: on that day, what comes only from documents published
/// more than 12 months before is stale, and what 003 (2025年11月号) states is not.
#[test]
fn staleness_counts_from_the_documents_publication_not_the_check() {
    let stale: Vec<String> = findings(FindingCode::Stale).iter().map(|f| f.records()[0].to_string()).collect();
    // 002 was published 2024-03; 004 in 2019.
    for old in ["kiba-park-playpark", "koto-choju-oen-window", "nagoya-kita-sewayaki"] {
        assert!(stale.contains(&old.to_owned()), "{old} missing from {stale:?}");
    }
    // 003, 2025年11月号: within the year.
    assert!(!stale.contains(&"pan-cafe-cosmos".to_owned()), "{stale:?}");
    // A record with a recent document beside an old one is as fresh as the recent one:
    // 生活クラブ生協・東京 is cited from 000 (2025-06) and 003 (2025-11).
    assert!(!stale.contains(&"seikatsu-club-tokyo".to_owned()), "{stale:?}");
    // Two years on, everything is stale.
    let later = AuditOptions::new(NaiveDate::from_ymd_opt(2028, 1, 1).unwrap());
    assert_eq!(graph().stale(&later).len(), 76 + 38 + 21);
}

#[test]
fn hubs_are_the_platform_and_the_ward() {
    let hubs: Vec<String> = findings(FindingCode::Hub).iter().map(|f| f.records()[0].to_string()).collect();
    assert_eq!(hubs[..2], ["koto-isolation-pf".to_owned(), "koto-city".to_owned()]);
}

#[test]
fn paths_from_a_division_reach_its_window_then_its_partners() {
    let graph = graph();
    let mut query = PathQuery::new(id("koto-choju-oen"), id("isolation"));
    query.municipality = Some(MunicipalityCode::parse("131083").unwrap());
    let paths = graph.paths(&query).unwrap();
    let first = &paths[0];
    assert_eq!(first.target.as_str(), "koto-choju-oen-window");
    assert_eq!(first.hops.len(), 1);
    assert_eq!(first.hops[0].kind, EdgeKind::OperatedBy);
    let network = paths.iter().find(|p| p.target.as_str() == "koto-tasukeai-network").unwrap();
    let route: Vec<(&str, EdgeKind)> = network.hops.iter().map(|h| (h.to.as_str(), h.kind)).collect();
    assert_eq!(
        route,
        [
            ("koto-tasukeai-renrakukai", EdgeKind::Referral(ReferralKind::PartnersWith)),
            ("koto-tasukeai-network", EdgeKind::OperatedBy)
        ]
    );
    // Shortest first, and never longer than the limit.
    assert!(paths.windows(2).all(|w| w[0].hops.len() <= w[1].hops.len()));
    assert!(paths.iter().all(|p| p.hops.len() <= 4));
}

/// 004: what 世話やきさん, salons and the neighbourhood windows cannot solve goes to a
/// place to think it through together, which the plan has not opened yet: the edge is
/// there with its condition, and no path offers the planned place to a person.
#[test]
fn a_sewayakis_unsolved_troubles_go_to_a_place_still_planned() {
    let graph = graph();
    let planned = id("nagoya-kita-issho-ni-kangaeru-ba");
    let reached = graph
        .paths_to(&id("nagoya-kita-sewayaki"), Some(&id("isolation")), None, std::slice::from_ref(&planned), 4)
        .unwrap();
    let hop = &reached[&planned].hops[0];
    assert_eq!(hop.kind, EdgeKind::Referral(ReferralKind::EscalatesTo));
    assert_eq!(hop.conditions.text.as_deref(), Some("住民で解決できない困りごと、共通な悩み"));
    assert!(graph.paths(&PathQuery::new(id("nagoya-kita-sewayaki"), id("isolation"))).unwrap().is_empty());
}

#[test]
fn information_edges_carry_no_people_and_unknown_ids_are_errors() {
    let graph = graph();
    let paths = graph.paths(&PathQuery::new(id("koto-fukushi-ka"), id("disaster"))).unwrap();
    assert_eq!(paths[0].target.as_str(), "koto-hinan-yoshien");
    assert!(
        paths.iter().all(|p| p.hops.iter().all(|h| h.kind != EdgeKind::Referral(ReferralKind::SharesInformationWith)))
    );
    assert_eq!(
        graph.paths(&PathQuery::new(id("nowhere"), id("disaster"))).unwrap_err().to_string(),
        "unknown organization or resource `nowhere`"
    );
    assert_eq!(
        graph.paths(&PathQuery::new(id("koto-fukushi-ka"), id("hunger"))).unwrap_err().to_string(),
        "unknown need `hunger`"
    );
}

#[test]
fn where_to_refer_prefers_places_the_workers_window_reaches() {
    let directory = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    let graph = ReferralGraph::new(&directory);
    let index = yorisoi_search::SearchIndex::in_ram(&directory).unwrap();
    let mut request = yorisoi_search::ReferRequest {
        situation: "親が80代で、50代の息子がずっと家にいる".into(),
        municipality: Some(MunicipalityCode::parse("131083").unwrap()),
        age: Some(82),
        limit: 5,
        ..Default::default()
    };
    let alone = yorisoi_search::where_to_refer(&index, &graph, &request).unwrap();
    assert!(alone.suggestions.iter().all(|s| s.path.is_none()));
    request.from = Some(id("koto-choju-oen-window"));
    let from_window = yorisoi_search::where_to_refer(&index, &graph, &request).unwrap();
    let top = &from_window.suggestions[0];
    assert!(top.hit.matched_needs.contains(&id("8050")));
    let path = top.path.as_ref().expect("the top place is reached from the window");
    assert_eq!(path.hops[0].from.as_str(), "koto-choju-oen-window");
    assert!(top.hit.reason.contains("つなぎ: "), "{}", top.hit.reason);
    // Every suggestion with a path names its chain; reached places rank above unreached ones
    // of the same relevance.
    let reached: Vec<bool> = from_window.suggestions.iter().map(|s| s.path.is_some()).collect();
    assert!(reached[0]);
}

/// A place whose schedule is only a list of dates is flagged before the list runs out,
/// and as a warning once it has (workers would see its hours as unknown).
#[test]
fn lists_of_dates_are_flagged_before_they_run_out() {
    let mut directory = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    // The seed's only dated event has ended; make an active one from it.
    let lecture = std::sync::Arc::make_mut(
        directory.resources.iter_mut().find(|r| r.id.as_str() == "act-open-lecture-2025").unwrap(),
    );
    lecture.status = yorisoi_core::Status::Active;
    let graph = ReferralGraph::new(&directory);
    let on = |day: &str| {
        let options = AuditOptions::new(NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap());
        graph
            .audit(&options)
            .findings
            .into_iter()
            .filter(|f| f.code == FindingCode::DatesRunningOut)
            .collect::<Vec<_>>()
    };
    assert!(on("2026-01-01").is_empty(), "more than 30 days ahead");
    let soon = on("2026-02-20");
    assert_eq!(ids(&soon[0].records()), ["act-open-lecture-2025"]);
    assert_eq!(soon[0].severity, yorisoi_core::graph::Severity::Info);
    let past = on("2026-04-01");
    assert_eq!(past[0].severity, yorisoi_core::graph::Severity::Warning);
    assert!(past[0].message().contains("2026-03-08 が最後"), "{}", past[0].message());
}

/// The audit names working referrals whose target has ended or not opened yet: in the
/// seed, the three escalations to 名古屋市北区's planned place to think together.
#[test]
fn referrals_to_places_that_ended_or_have_not_opened_are_flagged() {
    let flagged: Vec<String> =
        findings(FindingCode::RefersToClosedPlace).iter().map(|f| f.records()[0].to_string()).collect();
    assert_eq!(
        flagged,
        ["salon-to-issho-ni-kangaeru-ba", "sasaeai-sodan-to-issho-ni-kangaeru-ba", "sewayaki-to-issho-ni-kangaeru-ba"]
    );
    // A place that ends is flagged for the referrals that still point at it.
    let mut directory = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    let pantry = std::sync::Arc::make_mut(
        directory.resources.iter_mut().find(|r| r.id.as_str() == "higashikurume-pantry-hiyoko").unwrap(),
    );
    pantry.status = yorisoi_core::Status::Ended;
    let into_pantry: Vec<&str> = directory
        .referrals
        .iter()
        .filter(|r| r.to.as_str() == "higashikurume-pantry-hiyoko")
        .map(|r| r.id.as_str())
        .collect();
    let options = AuditOptions::new(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    let ended = ReferralGraph::new(&directory).referrals_to_closed_places(options.municipality);
    let records: Vec<String> = ended.iter().map(|f| f.records()[0].to_string()).collect();
    for id in into_pantry {
        assert!(records.contains(&id.to_owned()), "{id} missing from {records:?}");
    }
    assert!(ended.iter().any(|f| f.message().contains("終了しています")), "{ended:?}");
}
