//! Where to refer, ranked for a worker: the rules a referral must follow, on the seed
//! directory with a test record added where the seed has no case of the rule (each
//! added record is marked as a test fixture and used by this file only).

use chrono::NaiveDate;
use yorisoi_core::{Directory, Id, MunicipalityCode, ReferralGraph, Resource};
use yorisoi_search::{ReferRequest, ReferResults, SearchIndex, where_to_refer};

use crate::support::seed_dir;

const KOTO: &str = "131083";
const TOKYO: &str = "130001";

fn id(text: &str) -> Id {
    Id::parse(text).unwrap()
}

fn code(text: &str) -> MunicipalityCode {
    MunicipalityCode::parse(text).unwrap()
}

fn seed() -> Directory {
    yorisoi_seed::read_dir(&seed_dir()).unwrap().directory
}

fn resource<'a>(directory: &'a mut Directory, name: &str) -> &'a mut Resource {
    directory.resources.iter_mut().find(|r| r.id.as_str() == name).unwrap()
}

fn refer(directory: &Directory, situation: &str, today: &str) -> ReferResults {
    let index = SearchIndex::in_ram(directory).unwrap();
    let graph = ReferralGraph::new(directory);
    let request = ReferRequest {
        situation: situation.into(),
        municipality: Some(code(KOTO)),
        today: Some(NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap()),
        limit: 10,
        ..Default::default()
    };
    where_to_refer(&index, &graph, &request).unwrap()
}

fn ranked(results: &ReferResults) -> Vec<&str> {
    results.suggestions.iter().map(|s| s.hit.id.as_str()).collect()
}

fn position(results: &ReferResults, name: &str) -> Option<usize> {
    ranked(results).iter().position(|r| *r == name)
}

/// A window only for ひきこもり is found for a situation understood as 8050問題 (a
/// narrower need), below the windows for 8050問題 itself, and says which need it serves.
#[test]
fn a_narrower_need_finds_windows_for_its_broader_need_below_exact_ones() {
    let mut directory = seed();
    let mut family_group = Resource::new(id("test-fixture-family-group"), "家族の集い（テスト用）", id("salon"));
    family_group.description = Some("月に一度の集まり".into());
    family_group.needs = vec![id("hikikomori")];
    family_group.service_area.municipalities = vec![code(KOTO)];
    directory.resources.push(family_group);

    let results = refer(&directory, "80代の親と50代の息子のことで", "2026-12-02");
    let understood: Vec<&str> = results.understood.needs.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(understood, ["8050"], "the test needs a text understood as 8050 alone");
    let broader = position(&results, "test-fixture-family-group").expect("the ひきこもり window is suggested");
    let exact = position(&results, "koto-shakyo-window").expect("an 8050 window is suggested");
    assert!(exact < broader, "{:?}", ranked(&results));
    let hit = &results.suggestions[broader].hit;
    assert_eq!(hit.matched_needs, [id("hikikomori")]);
    assert!(hit.reason.contains("困りごと: ひきこもり"), "{}", hit.reason);
}

/// The ward's own window comes before a 東京都-wide service that fits as well: the
/// prefecture's services are reached through the ward.
#[test]
fn the_wards_own_window_comes_before_a_prefecture_wide_one() {
    let mut directory = seed();
    // The same window, serving all of 東京都; its id sorts first, so only the rule puts
    // the ward's window ahead of it.
    let mut tokyo_wide = resource(&mut directory, "koto-shakyo-window").clone();
    tokyo_wide.id = id("a-test-fixture-tokyo-wide");
    tokyo_wide.service_area.municipalities = vec![code(TOKYO)];
    directory.resources.push(tokyo_wide);

    let results = refer(&directory, "お金がなくて生活が苦しい", "2026-12-02");
    let ward = position(&results, "koto-shakyo-window").expect("the ward's window is suggested");
    let tokyo = position(&results, "a-test-fixture-tokyo-wide").expect("the 東京都-wide one is suggested too");
    assert!(ward < tokyo, "{:?}", ranked(&results));
}

/// An event whose last date has passed is never suggested; before then it is, marked
/// as an event and after the ongoing places that fit as well.
#[test]
fn events_over_are_never_suggested() {
    let mut directory = seed();
    // The seed's only dated event (a lecture on 2026-03-08) ended; a steward who forgot
    // to say so leaves it active.
    let lecture = resource(&mut directory, "act-open-lecture-2025");
    lecture.status = yorisoi_core::Status::Active;
    lecture.service_area.municipalities = vec![code(KOTO)];
    let situation = "息子がずっと部屋から出てこない";

    let after = refer(&directory, situation, "2026-12-02");
    assert!(position(&after, "act-open-lecture-2025").is_none(), "{:?}", ranked(&after));
    let before = refer(&directory, situation, "2026-03-01");
    let at = position(&before, "act-open-lecture-2025").expect("suggested before its date");
    assert!(before.suggestions[at].hit.reason.contains("日程の決まった催し"), "{}", before.suggestions[at].hit.reason);
}

/// When a situation is understood, places that address it come before places that
/// only share words with it (一人暮らし in a name).
#[test]
fn a_match_on_words_does_not_outrank_an_understood_need() {
    let mut directory = seed();
    let mut namesake = Resource::new(id("test-fixture-namesake"), "一人暮らしの母の会（テスト用）", id("salon"));
    namesake.description = Some("一人暮らしの母の集まり".into());
    namesake.needs = vec![id("shopping")];
    namesake.service_area.municipalities = vec![code(KOTO)];
    directory.resources.push(namesake);
    let results = refer(&directory, "一人暮らしの母、最近もの忘れがひどくて同じことを何度も聞く", "2026-12-02");
    assert!(results.understood.needs.iter().any(|n| n.code.as_str() == "dementia"));
    assert!(position(&results, "test-fixture-namesake").is_some(), "the namesake is found by its words");
    let addresses: Vec<bool> = results.suggestions.iter().map(|s| !s.hit.matched_needs.is_empty()).collect();
    assert!(addresses[0], "{:?}", ranked(&results));
    // No place that only shares words comes before one that addresses the need.
    let first_words_only = addresses.iter().position(|a| !a).unwrap_or(addresses.len());
    assert!(addresses[first_words_only..].iter().all(|a| !a), "{:?}", ranked(&results));
}
