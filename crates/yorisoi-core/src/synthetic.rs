//! A deterministic synthetic directory of national size, for benchmarks: prefectures
//! and municipalities with valid 全国地方公共団体コード, organizations, resources spread
//! over them with the real taxonomies, and referral edges. Same seed, same directory.

use chrono::{NaiveDate, NaiveTime, Weekday};

use crate::*;

/// Situations in plain words, as workers type them, that the benchmarks search for.
pub const SITUATIONS: [&str; 8] = [
    "親が80代で、50代の息子がずっと家にいる",
    "食べるものに困っている",
    "ひとり親で子育てがつらい",
    "買い物に行けない高齢者",
    "近所でちょっとした困りごとを話せる人",
    "認知症の人への接し方を学びたい",
    "災害のときに助けが必要な高齢者",
    "ふーどばんく",
];

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The size of a synthetic directory.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub municipalities: usize,
    pub resources: usize,
    pub organizations: usize,
    /// Referral edges between resources (besides operated-by and part-of).
    pub referrals: usize,
}

const PLACES: [&str; 24] = [
    "中央",
    "本町",
    "東",
    "西",
    "南",
    "北",
    "緑",
    "桜",
    "旭",
    "若葉",
    "青葉",
    "栄",
    "新町",
    "大島",
    "砂町",
    "亀戸",
    "深川",
    "白鳥",
    "山田",
    "大和",
    "川口",
    "駅前",
    "日の出",
    "若松",
];
const PHRASES: [&str; 8] = [
    "どなたでも気軽にお越しください",
    "専門の相談員がお話を伺います",
    "地域の皆さんが集まる場です",
    "予約は不要です",
    "電話で事前にお申し込みください",
    "ボランティアが運営しています",
    "毎回テーマを変えて開催しています",
    "ご家族からの相談も受け付けます",
];

fn code(prefecture: u32, city: u32) -> MunicipalityCode {
    let five = prefecture * 1000 + city;
    let digits: Vec<u32> = format!("{five:05}").bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits.iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    let check = (11 - sum % 11) % 10;
    MunicipalityCode::parse(&format!("{five:05}{check}")).expect("a computed code is valid")
}

fn id(text: String) -> Id {
    Id::parse(&text).expect("synthetic ids are valid")
}

/// A directory of `size`, using the needs, kinds and sources of `taxonomy`.
pub fn directory(taxonomy: &Directory, size: Size, seed: u64) -> Directory {
    let mut rng = Rng::new(seed);
    let verified = NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date");
    let source = taxonomy.sources.first().map_or_else(|| id("synthetic".into()), |s| s.id.clone());
    let provenance = vec![Provenance { source: source.clone(), locator: Some("synthetic".into()), verified }];
    let mut dir = Directory {
        sources: taxonomy.sources.clone(),
        needs: taxonomy.needs.clone(),
        kinds: taxonomy.kinds.clone(),
        ..Directory::default()
    };
    if dir.sources.is_empty() {
        dir.sources.push(Source {
            id: source,
            title: "synthetic".into(),
            publisher: None,
            published: None,
            file: None,
            url: None,
            licence: None,
            hsds: None,
        });
    }
    for p in 1..=47u32 {
        dir.municipalities.push(Municipality {
            code: code(p, 0),
            name: format!("県{p}"),
            kana: None,
            parent: None,
            provenance: vec![],
        });
    }
    for m in 0..size.municipalities {
        let prefecture = (m % 47) as u32 + 1;
        let city = 100 + (m / 47) as u32;
        let name = format!("{}{}{}", PLACES[m % PLACES.len()], m, if m % 3 == 0 { "区" } else { "市" });
        dir.municipalities.push(Municipality {
            code: code(prefecture, city),
            name,
            kana: None,
            parent: Some(code(prefecture, 0)),
            provenance: vec![],
        });
    }
    let local: Vec<MunicipalityCode> = dir.municipalities[47..].iter().map(|m| m.code).collect();
    // Wards call some kinds by names of their own (長寿サポートセンター for 地域包括支援
    // センター): every fifth municipality takes one of the names the taxonomy knows for
    // the kind, or 熟年相談室 as 江戸川区 does.
    for kind in dir.kinds.iter_mut().filter(|k| !k.local_names.is_empty()) {
        let mut names: Vec<(String, Option<String>)> =
            kind.local_names.iter().map(|l| (l.name.clone(), l.kana.clone())).collect();
        if kind.code.as_str() == "community-support-center" {
            names.push(("熟年相談室".into(), Some("じゅくねんそうだんしつ".into())));
        }
        for (i, municipality) in local.iter().enumerate().filter(|(i, _)| i % 5 == 0) {
            let (name, kana) = names[(i / 5) % names.len()].clone();
            kind.local_names.push(LocalName { municipality: *municipality, name, kana, provenance: vec![] });
        }
    }
    for o in 0..size.organizations {
        let municipality = local[o % local.len()];
        dir.organizations.push(Organization {
            id: id(format!("org-{o}")),
            name: format!("{}社会福祉協議会{o}", dir.municipalities[47 + o % local.len()].name),
            kana: None,
            kind: if o % 2 == 0 { OrganizationKind::SocialWelfareCouncil } else { OrganizationKind::Npo },
            parent: None,
            municipality: Some(municipality),
            service_area: ServiceArea { municipalities: vec![municipality], areas: vec![] },
            description: None,
            contacts: vec![],
            url: None,
            member_of: vec![],
            provenance: provenance.clone(),
            hsds: None,
        });
    }
    let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat];
    for r in 0..size.resources {
        let m = rng.below(local.len());
        let kind = rng.pick(&taxonomy.kinds).clone();
        let mut needs: Vec<Id> = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let need = rng.pick(&taxonomy.needs).code.clone();
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        let place = PLACES[rng.below(PLACES.len())];
        let labels: Vec<&str> = needs
            .iter()
            .filter_map(|n| taxonomy.needs.iter().find(|x| &x.code == n))
            .map(|n| n.label.as_str())
            .collect();
        let description = format!(
            "{}の{}。{}。{}",
            dir.municipalities[47 + m].name,
            labels.join("・"),
            rng.pick(&PHRASES),
            rng.pick(&PHRASES)
        );
        let schedule = if rng.below(2) == 0 {
            let first = rng.below(3);
            Schedule {
                rules: vec![Rule::Weekly {
                    days: days[first..first + 3].to_vec(),
                    hours: Hours::new(NaiveTime::from_hms_opt(9, 0, 0), NaiveTime::from_hms_opt(17, 0, 0)),
                }],
                closed: vec![Closure::NationalHolidays, Closure::YearEnd],
                note: None,
                ..Default::default()
            }
        } else {
            Schedule {
                rules: vec![Rule::TimesPerMonth { times: 1, hours: Hours::default() }],
                closed: vec![],
                note: None,
                ..Default::default()
            }
        };
        let age_min = (rng.below(4) == 0).then(|| 60 + 5 * rng.below(2) as u8);
        dir.resources.push(
            Resource {
                description: Some(description),
                needs,
                audience: Audience { age_min, ..Audience::default() },
                service_area: ServiceArea { municipalities: vec![local[m]], areas: vec![] },
                schedule,
                cost: Cost { free: Some(rng.below(3) != 0), description: None },
                status: if rng.below(20) == 0 { Status::Ended } else { Status::Active },
                operators: if size.organizations > 0 {
                    vec![id(format!("org-{}", rng.below(size.organizations)))]
                } else {
                    vec![]
                },
                provenance: provenance.clone(),
                ..Resource::new(id(format!("res-{r}")), format!("{place}{}{}", kind.label, r), kind.code.clone())
            }
            .into(),
        );
    }
    let kinds = [ReferralKind::RefersTo, ReferralKind::EscalatesTo, ReferralKind::PartnersWith, ReferralKind::Consults];
    // A steward records one edge of a kind between two places once (validation says so).
    let mut edges = std::collections::HashSet::new();
    for e in 0..size.referrals {
        let from = rng.below(size.resources);
        // Mostly local edges (same neighbourhood of ids), some long ones.
        let to =
            if rng.below(5) == 0 { rng.below(size.resources) } else { (from + 1 + rng.below(50)) % size.resources };
        if from == to {
            continue;
        }
        let kind = *rng.pick(&kinds);
        if !edges.insert((from, to, kind.code())) {
            continue;
        }
        let need = dir.resources[to].needs.first().cloned();
        dir.referrals.push(
            Referral {
                id: id(format!("ref-{e}")),
                from: id(format!("res-{from}")),
                to: id(format!("res-{to}")),
                kind,
                needs: need.into_iter().collect(),
                conditions: ReferralConditions::default(),
                state: ReferralState::Working,
                note: None,
                provenance: provenance.clone(),
            }
            .into(),
        );
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_synthetic_directory_is_valid_and_deterministic() {
        let taxonomy = Directory {
            needs: vec![Need {
                code: Id::parse("isolation").unwrap(),
                label: "孤独・孤立".into(),
                kana: None,
                parent: None,
                synonyms: vec![],
                cues: vec![],
                description: None,
                local_names: vec![],
                provenance: vec![],
            }],
            kinds: vec![Kind {
                code: Id::parse("salon").unwrap(),
                label: "サロン".into(),
                kana: None,
                parent: None,
                synonyms: vec![],
                local_names: vec![],
                entry_window: false,
                description: None,
                provenance: vec![],
            }],
            ..Directory::default()
        };
        let size = Size { municipalities: 100, resources: 500, organizations: 50, referrals: 1000 };
        let a = directory(&taxonomy, size, 7);
        assert_eq!(a, directory(&taxonomy, size, 7));
        assert_eq!(crate::validate(&a, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), vec![]);
        assert_eq!(a.resources.len(), 500);
    }
}
