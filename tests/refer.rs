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
    std::sync::Arc::make_mut(directory.resources.iter_mut().find(|r| r.id.as_str() == name).unwrap())
}

fn refer(directory: &Directory, situation: &str, today: &str) -> ReferResults {
    let index = SearchIndex::in_ram(directory).unwrap();
    let graph = ReferralGraph::new(directory);
    let request = ReferRequest {
        situation: situation.into(),
        municipality: Some(code(KOTO)),
        today: Some(NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap()),
        limit: 20,
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
    directory.resources.push(family_group.into());

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
    directory.resources.push(tokyo_wide.into());

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
    directory.resources.push(namesake.into());
    let results = refer(&directory, "一人暮らしの母、最近もの忘れがひどくて同じことを何度も聞く", "2026-12-02");
    assert!(results.understood.needs.iter().any(|n| n.code.as_str() == "dementia"));
    assert!(position(&results, "test-fixture-namesake").is_some(), "the namesake is found by its words");
    let addresses: Vec<bool> = results.suggestions.iter().map(|s| !s.hit.matched_needs.is_empty()).collect();
    assert!(addresses[0], "{:?}", ranked(&results));
    // No place that only shares words comes before one that addresses the need.
    let first_words_only = addresses.iter().position(|a| !a).unwrap_or(addresses.len());
    assert!(addresses[first_words_only..].iter().all(|a| !a), "{:?}", ranked(&results));
}

/// A window that excludes people on 生活保護 comes after the others for a person the
/// situation says is on it, with the reason and the words; a situation denying it
/// leaves the window where it was. Residence and who may consult work the same way.
/// The exclusions come from a steward's seed file, as they would in the field.
#[test]
fn eligibility_is_applied_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&seed_dir(), dir.path());
    // Test records only: a copy of the ward's window that excludes people on 生活保護
    // (its id sorts first, so only the rule can put it after the ward's window), one
    // for residents of another ward, and one that takes the person only.
    let fixture = |id: &str, audience: &str| {
        format!(
            "  - id: {id}\n    name: 江東区社会福祉協議会（相談・地域福祉）\n    kind: social-welfare-council\n    \
             description: 地域福祉の相談と、支え合い活動・見守り活動の支援。地域にサテライトが新しくでき、足を運びやすくなった\n    \
             needs: [isolation, poverty, \"8050\"]\n    audience: {audience}\n    \
             service_area: {{ municipalities: [\"131083\"] }}\n    \
             provenance: [{{ source: eligibility-test, verified: 2026-11-22 }}]\n"
        )
    };
    let file = format!(
        "sources:\n  - {{ id: eligibility-test, title: 対象条件の試験用記録 }}\nresources:\n{}{}{}",
        fixture(
            "a-test-fixture-excludes-assistance",
            "{ excludes: [{ label: 生活保護を受けている方, cues: [生活保護を受けている, 生活保護受給中] }] }"
        ),
        fixture("a-test-fixture-other-ward", "{ residence: [\"131091\"] }"),
        fixture("a-test-fixture-person-only", "{ family_may_consult: false }"),
    ) + &fixture("a-test-fixture-women", "{ gender: female }")
        + &fixture("a-test-fixture-no-professionals", "{ family_may_consult: true, professionals_may_consult: false }");
    std::fs::write(dir.path().join("eligibility-test.yaml"), file).unwrap();
    let directory = yorisoi_seed::read_dir(dir.path()).unwrap().directory;

    let on_assistance = refer(&directory, "生活保護を受けているが、お金が足りなくて生活が苦しい", "2026-12-02");
    let excluded = position(&on_assistance, "a-test-fixture-excludes-assistance").expect("still listed");
    let ward = position(&on_assistance, "koto-shakyo-window").unwrap();
    assert!(ward < excluded, "{:?}", ranked(&on_assistance));
    let hit = &on_assistance.suggestions[excluded].hit;
    assert_eq!(hit.ineligible, ["生活保護を受けている方は対象外（「生活保護を受け」）"]);
    assert!(hit.reason.contains("対象外の可能性: 生活保護を受けている方は対象外"), "{}", hit.reason);
    // Everyone after the first ineligible place is ineligible too.
    let first = on_assistance.suggestions.iter().position(|s| !s.hit.ineligible.is_empty()).unwrap();
    assert!(on_assistance.suggestions[first..].iter().all(|s| !s.hit.ineligible.is_empty()));

    let not_on_it = refer(&directory, "生活保護は受けていないが、お金が足りなくて生活が苦しい", "2026-12-02");
    let hit = &not_on_it.suggestions[position(&not_on_it, "a-test-fixture-excludes-assistance").unwrap()].hit;
    assert!(hit.ineligible.is_empty(), "{:?}", hit.ineligible);
    let (fixture, ward) = (
        position(&not_on_it, "a-test-fixture-excludes-assistance").unwrap(),
        position(&not_on_it, "koto-shakyo-window"),
    );
    assert!(fixture < ward.unwrap(), "{:?}", ranked(&not_on_it));

    // A 江東区 resident does not live in 品川区.
    let other = &not_on_it.suggestions[position(&not_on_it, "a-test-fixture-other-ward").unwrap()].hit;
    assert_eq!(other.ineligible, ["品川区在住の方が対象"]);

    // A family member asking: the person-only place says so and comes last.
    let index = SearchIndex::in_ram(&directory).unwrap();
    let graph = ReferralGraph::new(&directory);
    let by_family = where_to_refer(
        &index,
        &graph,
        &ReferRequest {
            situation: "母がお金が足りなくて生活が苦しい".into(),
            municipality: Some(code(KOTO)),
            asker: yorisoi_core::Asker::Family,
            gender: Some(yorisoi_core::Gender::Male),
            limit: 20,
            ..Default::default()
        },
    )
    .unwrap();
    let at = position(&by_family, "a-test-fixture-person-only").unwrap();
    assert_eq!(by_family.suggestions[at].hit.ineligible, ["本人からの相談のみ"]);
    // A man asking about a place for women: it says so and comes last too.
    let women = position(&by_family, "a-test-fixture-women").unwrap();
    assert_eq!(by_family.suggestions[women].hit.ineligible, ["女性が対象"]);
    let first = by_family.suggestions.iter().position(|s| !s.hit.ineligible.is_empty()).unwrap();
    assert!(first <= at && by_family.suggestions[first..].iter().all(|s| !s.hit.ineligible.is_empty()));
    // The family is welcome where the place says so, and told.
    let welcome = position(&by_family, "a-test-fixture-no-professionals").unwrap();
    assert!(by_family.suggestions[welcome].hit.ineligible.is_empty());
    assert!(by_family.suggestions[welcome].hit.reason.contains("家族からの相談も可"));

    // A care manager asking for the person: the place that takes only the person or
    // the family says so and comes after every place that may take the call.
    let by_professional = where_to_refer(
        &index,
        &graph,
        &ReferRequest {
            situation: "母がお金が足りなくて生活が苦しい".into(),
            municipality: Some(code(KOTO)),
            asker: yorisoi_core::Asker::Professional,
            limit: 20,
            ..Default::default()
        },
    )
    .unwrap();
    let at = position(&by_professional, "a-test-fixture-no-professionals").unwrap();
    assert_eq!(by_professional.suggestions[at].hit.ineligible, ["関係機関からの相談は受けていない"]);
    let first = by_professional.suggestions.iter().position(|s| !s.hit.ineligible.is_empty()).unwrap();
    assert!(by_professional.suggestions[first..].iter().all(|s| !s.hit.ineligible.is_empty()));
    // The person-only place says nothing of professionals, so nothing is ruled out there.
    let person_only = position(&by_professional, "a-test-fixture-person-only").unwrap();
    assert!(by_professional.suggestions[person_only].hit.ineligible.is_empty());
}
