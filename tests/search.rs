//! Search behaviour a frontline worker relies on, on the seed directory: filters,
//! facets, snippets and reasons, and an index that follows edits at once and survives
//! restarts.

use chrono::{NaiveDateTime, NaiveTime, Weekday};
use yorisoi_core::{Directory, Hours, Id, MunicipalityCode, Rule, Schedule};
use yorisoi_search::{SearchIndex, SearchRequest, SearchResults};

use crate::support::seed_dir;

fn seed() -> Directory {
    yorisoi_seed::read_dir(&seed_dir()).unwrap().directory
}

fn code(text: &str) -> MunicipalityCode {
    MunicipalityCode::parse(text).unwrap()
}

fn id(text: &str) -> Id {
    Id::parse(text).unwrap()
}

fn ids(results: &SearchResults) -> Vec<String> {
    results.hits.iter().map(|h| h.id.to_string()).collect()
}

fn search(index: &SearchIndex, request: SearchRequest) -> SearchResults {
    index.search(&SearchRequest { limit: 100, ..request }).unwrap()
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn municipality_filter_follows_the_municipality_tree() {
    // The seed has no place serving all of 東京都; make one of a copy.
    let mut directory = seed();
    let tokyo_wide =
        std::sync::Arc::make_mut(directory.resources.iter_mut().find(|r| r.id.as_str() == "moshibana-game").unwrap());
    tokyo_wide.service_area.municipalities = vec![code("130001")];
    let index = SearchIndex::in_ram(&directory).unwrap();
    let koto = search(&index, SearchRequest { municipality: Some(code("131083")), ..Default::default() });
    let koto = ids(&koto);
    // Serves all of 東京都, so it serves 江東区.
    assert!(koto.contains(&"moshibana-game".to_owned()));
    assert!(koto.contains(&"kiba-park-playpark".to_owned()));
    assert!(!koto.contains(&"arakawa-coop-cafe".to_owned()));
    // 名古屋市 includes its 北区.
    let nagoya = ids(&search(&index, SearchRequest { municipality: Some(code("231002")), ..Default::default() }));
    assert!(nagoya.contains(&"nagoya-kita-sewayaki".to_owned()));
    assert!(!nagoya.contains(&"kiba-park-playpark".to_owned()));
}

#[test]
fn need_and_kind_filters_include_narrower_codes() {
    let index = SearchIndex::in_ram(&seed()).unwrap();
    // The centres list 8050 (narrower than ひきこもり), not ひきこもり itself.
    let hikikomori = ids(&search(&index, SearchRequest { needs: vec![id("hikikomori")], ..Default::default() }));
    assert!(hikikomori.contains(&"koto-choju-support-centers".to_owned()));
    let windows = ids(&search(&index, SearchRequest { kinds: vec![id("consultation-window")], ..Default::default() }));
    assert!(windows.contains(&"nagoya-kita-ikiiki".to_owned())); // a 地域包括支援センター is a consultation window
    assert!(!windows.contains(&"kiba-park-playpark".to_owned()));
}

#[test]
fn status_age_price_and_opening_filters() {
    let mut directory = seed();
    let set = |directory: &mut Directory, resource: &str, edit: &dyn Fn(&mut yorisoi_core::Resource)| {
        edit(std::sync::Arc::make_mut(directory.resources.iter_mut().find(|r| r.id.as_str() == resource).unwrap()));
    };
    set(&mut directory, "kiba-park-playpark", &|r| r.audience.age_max = Some(15));
    set(&mut directory, "arakawa-coop-cafe", &|r| r.cost.free = Some(true));
    set(&mut directory, "koto-hogo-1-sodan", &|r| {
        r.schedule = Schedule {
            rules: vec![Rule::Weekly {
                days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
                hours: Hours::new(NaiveTime::from_hms_opt(8, 30, 0), NaiveTime::from_hms_opt(17, 15, 0)),
            }],
            closed: vec![yorisoi_core::Closure::NationalHolidays],
            note: None,
            ..Default::default()
        }
    });
    let index = SearchIndex::in_ram(&directory).unwrap();
    let all = |request: SearchRequest| ids(&search(&index, request));

    // The ended lecture only when asked for.
    assert!(!all(SearchRequest::default()).contains(&"act-open-lecture-2025".to_owned()));
    assert!(
        all(SearchRequest { include_inactive: true, ..Default::default() })
            .contains(&"act-open-lecture-2025".to_owned())
    );
    // A 40-year-old does not fit a play park for children up to 15.
    assert!(!all(SearchRequest { age: Some(40), ..Default::default() }).contains(&"kiba-park-playpark".to_owned()));
    assert!(all(SearchRequest { age: Some(8), ..Default::default() }).contains(&"kiba-park-playpark".to_owned()));
    assert_eq!(all(SearchRequest { free_only: true, ..Default::default() }), ["arakawa-coop-cafe"]);
    // Monday 2026-11-16 10:00: the window is open; on 勤労感謝の日 (Monday 11-23) it is not.
    assert_eq!(
        all(SearchRequest { open_at: Some(at("2026-11-16 10:00")), ..Default::default() }),
        ["koto-hogo-1-sodan"]
    );
    assert!(all(SearchRequest { open_at: Some(at("2026-11-23 10:00")), ..Default::default() }).is_empty());
    // Resources whose hours are not published come along when the worker allows it.
    let with_unknown =
        all(SearchRequest { open_at: Some(at("2026-11-23 10:00")), include_unknown_hours: true, ..Default::default() });
    assert!(with_unknown.contains(&"arakawa-coop-cafe".to_owned()));
    assert!(!with_unknown.contains(&"koto-hogo-1-sodan".to_owned()));
}

#[test]
fn facets_count_every_match_not_only_the_page() {
    let index = SearchIndex::in_ram(&seed()).unwrap();
    let results = index
        .search(&SearchRequest { text: "フードバンク".into(), limit: 1, facets: true, ..Default::default() })
        .unwrap();
    assert_eq!(results.hits.len(), 1);
    assert!(results.total >= Some(2));
    let food_banks = results.facets.kinds.iter().find(|(k, _)| k.as_str() == "food-bank").map(|(_, c)| *c);
    assert_eq!(food_banks, Some(2));
    let total_by_kind: usize = results.facets.kinds.iter().map(|(_, c)| c).sum();
    assert_eq!(Some(total_by_kind), results.total);
}

#[test]
fn hits_carry_a_highlighted_snippet_and_a_reason() {
    let index = SearchIndex::in_ram(&seed()).unwrap();
    let results = search(
        &index,
        SearchRequest {
            text: "親が80代で、50代の息子がずっと家にいる".into(),
            municipality: Some(code("131083")),
            ..Default::default()
        },
    );
    let understood: Vec<&str> = results.understood.needs.iter().map(|n| n.label.as_str()).collect();
    assert!(understood.contains(&"8050問題") && understood.contains(&"ひきこもり"), "{understood:?}");
    let centre = results.hits.iter().find(|h| h.id.as_str() == "koto-choju-support-centers").unwrap();
    assert_eq!(centre.matched_needs, [id("8050")]);
    assert!(centre.reason.contains("困りごと: 8050問題"), "{}", centre.reason);
    assert!(centre.reason.contains("地域: 江東区"), "{}", centre.reason);

    let park = search(&index, SearchRequest { text: "プレーパーク".into(), ..Default::default() });
    assert_eq!(park.hits[0].id.as_str(), "kiba-park-playpark");
    assert!(park.hits[0].snippet.marked().contains("【プレーパーク】"), "{}", park.hits[0].snippet.marked());
}

#[test]
fn an_edit_is_searchable_as_soon_as_it_is_applied() {
    let directory = seed();
    let index = SearchIndex::in_ram(&directory).unwrap();
    let mut cafe = yorisoi_core::Resource::clone(
        directory.resources.iter().find(|r| r.id.as_str() == "arakawa-coop-cafe").unwrap(),
    );
    cafe.name = "荒川コープ喫茶室".into();
    index.upsert(&cafe).unwrap();
    let hits = search(&index, SearchRequest { text: "喫茶室".into(), ..Default::default() });
    assert_eq!(hits.hits.first().map(|h| h.id.as_str()), Some("arakawa-coop-cafe"));
    index.remove(&cafe.id).unwrap();
    let gone = search(&index, SearchRequest { text: "喫茶室".into(), ..Default::default() });
    assert!(gone.hits.iter().all(|h| h.id != cafe.id));
    assert_eq!(index.len(), directory.resources.len() - 1);
}

/// An edit finds its record and its operators' names by their place in the index's
/// directory: after a removal shifts every later record, an edit of a later record
/// that names a later record as its operator is found by that operator's name, and
/// a new record is added, not written over another.
#[test]
fn edits_after_a_removal_find_their_records_and_operators() {
    let directory = seed();
    let index = SearchIndex::in_ram(&directory).unwrap();
    let n = directory.resources.len();
    let at = |key: &str| directory.resources.iter().position(|r| r.id.as_str() == key).unwrap();
    let found = |text: &str, key: &str| {
        search(&index, SearchRequest { text: text.into(), limit: 100, ..Default::default() })
            .hits
            .iter()
            .any(|h| h.id.as_str() == key)
    };
    // 東久留米フードパントリーひよこ comes to run フードバンク昭島 (both after the removed one).
    let (operator, edited) = (at("higashikurume-pantry-hiyoko"), at("food-bank-akishima"));
    assert!(operator > 0 && edited > 0);
    index.remove(&directory.resources[0].id).unwrap();
    assert!(!found("ひよこ", "food-bank-akishima"), "not found by the operator's name before the edit");
    let mut record = yorisoi_core::Resource::clone(&directory.resources[edited]);
    record.operators = vec![directory.resources[operator].id.clone()];
    index.upsert(&record).unwrap();
    assert!(found("ひよこ", "food-bank-akishima"), "the operator's name is in the edited record");

    let mut added = record.clone();
    added.id = id("a-new-place-after-a-removal");
    added.name = "新しくできた居場所ひだまり".into();
    index.upsert(&added).unwrap();
    assert_eq!(index.len(), n);
    assert!(found("ひだまり", "a-new-place-after-a-removal"));
    assert!(found("ひよこ", "food-bank-akishima"), "the edited record is still there");
    assert!(found("東久留米フードパントリーひよこ", "higashikurume-pantry-hiyoko"));
}

#[test]
fn a_persisted_index_is_reused_synced_and_rebuilt_when_stale() {
    let mut directory = seed();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let n = directory.resources.len();
    let (_, first) = SearchIndex::open_or_create(&path, &directory).unwrap();
    assert_eq!((first.added, first.kept, first.removed), (n, 0, 0));
    let (_, again) = SearchIndex::open_or_create(&path, &directory).unwrap();
    assert_eq!((again.added, again.kept, again.removed), (0, n, 0));

    std::sync::Arc::make_mut(&mut directory.resources[0]).description = Some("説明を更新".into());
    let (index, edited) = SearchIndex::open_or_create(&path, &directory).unwrap();
    assert_eq!((edited.added, edited.kept, edited.removed), (1, n - 1, 1));
    assert_eq!(index.len(), n);
    drop(index);

    // An index made by other analyzers can be served from while a new one is built
    // beside it (in the folder of this build's format)…
    std::fs::write(path.join("yorisoi-index.tag"), "yorisoi-index-0").unwrap();
    assert!(!yorisoi_search::is_current_index(&path));
    assert_eq!(yorisoi_search::stale_index_dir(dir.path()), Some(path.clone()));
    assert_ne!(yorisoi_search::index_dir(dir.path()), path);
    let (stale, _) = SearchIndex::open_stale(&path, &directory, Some(7)).unwrap().expect("same fields, so served");
    let found = search(&stale, SearchRequest { text: "ふーどばんく".into(), ..Default::default() });
    assert!(found.hits.iter().any(|h| h.id.as_str() == "food-bank-hachioji"));
    assert_eq!(stale.applied_change(), Some(7), "the change-log entry it holds is recorded with it");
    drop(stale);
    let (reopened, _) = SearchIndex::open_stale(&path, &directory, None).unwrap().unwrap();
    assert_eq!(reopened.applied_change(), Some(7), "and read back when it is opened again");
    drop(reopened);

    // …and opened at its own place, it is rebuilt from scratch.
    std::fs::write(path.join("yorisoi-index.tag"), "yorisoi-index-0").unwrap();
    let (index, rebuilt) = SearchIndex::open_or_create(&path, &directory).unwrap();
    assert_eq!((rebuilt.added, rebuilt.kept), (n, 0));
    let found = search(&index, SearchRequest { text: "ふーどばんく".into(), ..Default::default() });
    assert!(found.hits.iter().any(|h| h.id.as_str() == "food-bank-hachioji"));
}

/// Snippets come from what a worker reads about the place (its description and who it
/// is for), never from the vocabulary indexed with it (need labels and synonyms such as
/// 介護保険, which match here through the body).
#[test]
fn snippets_come_from_the_description_not_the_indexed_vocabulary() {
    let directory = seed();
    let index = SearchIndex::in_ram(&directory).unwrap();
    let results = search(
        &index,
        SearchRequest { text: "介護保険".into(), municipality: Some(code("131083")), ..Default::default() },
    );
    assert!(!results.hits.is_empty());
    for hit in &results.hits {
        let record = directory.resources.iter().find(|r| r.id == hit.id).unwrap();
        let readable: Vec<String> = [record.description.clone(), record.audience.description.clone()]
            .into_iter()
            .flatten()
            .chain(record.audience.conditions.clone())
            .collect();
        assert!(readable.join("\n").contains(&hit.snippet.fragment), "{}: {}", hit.name, hit.snippet.fragment);
        assert!(!hit.snippet.fragment.contains("高齢者介護 介護保険"), "{}", hit.snippet.fragment);
    }
}

/// A steward adds their ward's own word for a need in their own file, with its source
/// (a test word here, こもりびと, for ひきこもり in 江東区): it is understood there and
/// where the place is not known, not in another ward, and finds the ward's places.
#[test]
fn a_wards_own_word_for_a_need_is_understood_and_searched_there() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&seed_dir(), dir.path());
    let file = "local_names:\n  - need: hikikomori\n    municipality: \"131083\"\n    name: こもりびと\n    \
                provenance: [{ source: koto-isolation-platform, locator: 試験用の語, verified: 2026-11-22 }]\n";
    std::fs::write(dir.path().join("koto-words.yaml"), file).unwrap();
    let directory = yorisoi_seed::read_dir(dir.path()).unwrap().directory;
    let need = directory.needs.iter().find(|n| n.code.as_str() == "hikikomori").unwrap();
    assert_eq!(need.local_names.len(), 1, "merged into the need");

    let vocabulary = yorisoi_search::Vocabulary::new(&directory);
    let needs = |municipality: Option<&str>| -> Vec<String> {
        let understood = vocabulary.understand_in("息子がこもりびとになって三年", municipality.map(code));
        understood.needs.iter().map(|n| n.code.to_string()).collect()
    };
    assert!(needs(Some("131083")).contains(&"hikikomori".to_owned()), "{:?}", needs(Some("131083")));
    assert!(needs(None).contains(&"hikikomori".to_owned()));
    assert!(!needs(Some("131091")).contains(&"hikikomori".to_owned()), "品川区 does not use 江東区's word");

    // In search, the word finds 江東区's places for ひきこもり (the need's places and the word).
    let index = SearchIndex::in_ram(&directory).unwrap();
    let koto = search(
        &index,
        SearchRequest {
            text: "こもりびと".into(), municipality: Some(code("131083")), ..SearchRequest::default()
        },
    );
    assert!(ids(&koto).contains(&"koto-choju-support-centers".to_owned()), "{:?}", ids(&koto));
    let hit = koto.hits.iter().find(|h| h.id.as_str() == "koto-choju-support-centers").unwrap();
    // Without the steward's file the word finds nothing there.
    let plain = SearchIndex::in_ram(&seed()).unwrap();
    let request =
        SearchRequest {
            text: "こもりびと".into(), municipality: Some(code("131083")), ..SearchRequest::default()
        };
    assert!(!ids(&search(&plain, request)).contains(&"koto-choju-support-centers".to_owned()));
    assert!(
        hit.matched_needs.iter().any(|n| n.as_str() == "8050" || n.as_str() == "hikikomori"),
        "{:?}",
        hit.matched_needs
    );
}
