//! What of a resource goes into the index: the text a worker may type to find it
//! (its name, kind and local kind name, needs and their synonyms, operators, places)
//! and the values filters and facets need.

use std::collections::HashMap;

use yorisoi_core::{Directory, Id, MunicipalityCode, Resource, Schedule, Status};

use crate::situation::{Cue, Lexicon};
use crate::vocabulary::Vocabulary;

/// The filterable, displayable facts of one indexed resource.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub id: Id,
    pub name: String,
    pub kind: Id,
    pub kind_label: String,
    /// The local name of its kind where it serves (長寿サポートセンター).
    pub local_kind_name: Option<String>,
    pub needs: Vec<Id>,
    pub municipalities: Vec<MunicipalityCode>,
    pub operators: Vec<String>,
    pub status: Status,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub free: Option<bool>,
    pub schedule: Schedule,
    /// What a worker reads about it: the description and who it is for (snippets).
    pub readable: String,
    /// Where the person must live (the audience's residence), when it says.
    pub residence: Vec<MunicipalityCode>,
    /// Circumstances that rule a person out: the label and its words, read as cues.
    pub excludes: Vec<(String, Vec<Cue>)>,
    pub may_consult: yorisoi_core::MayConsult,
    pub gender: Option<yorisoi_core::Gender>,
    /// Needs, kind and municipalities as small integers, for counting facets.
    pub facet_needs: Vec<u32>,
    pub facet_kind: u32,
    pub facet_municipalities: Vec<u32>,
}

/// The text and keyword values of one document.
#[derive(Debug, Clone)]
pub struct DocText {
    pub name: String,
    pub body: String,
    pub reading: String,
    pub needs: Vec<String>,
    pub kinds: Vec<String>,
    pub within: Vec<String>,
    pub whole: Vec<String>,
    pub areas: Vec<String>,
}

/// Lookups shared by all documents of a directory.
pub struct Context<'a> {
    pub vocabulary: &'a Vocabulary,
    pub directory: &'a Directory,
    /// Names of who may run a resource: organizations, and resources (a 地域包括支援
    /// センター that runs a café).
    runners: HashMap<&'a str, &'a str>,
}

impl<'a> Context<'a> {
    pub fn new(directory: &'a Directory, vocabulary: &'a Vocabulary) -> Self {
        let organizations = directory.organizations.iter().map(|o| (o.id.as_str(), o.name.as_str()));
        let resources = directory.resources.iter().map(|r| (r.id.as_str(), r.name.as_str()));
        Self { vocabulary, directory, runners: organizations.chain(resources).collect() }
    }

    /// A context for describing only `few` resources (an edit): it looks up only
    /// their operators (resources by `positions`, their places in the directory),
    /// instead of gathering every name in the directory.
    pub fn for_few(
        directory: &'a Directory,
        vocabulary: &'a Vocabulary,
        few: &[std::sync::Arc<Resource>],
        positions: &rustc_hash::FxHashMap<Id, usize>,
    ) -> Self {
        let mut runners = HashMap::new();
        for operator in few.iter().flat_map(|r| &r.operators) {
            // Keyed by the directory's own copy of the id, which lives as long as the context.
            let found = match positions.get(operator) {
                Some(&at) => directory.resources.get(at).map(|r| (r.id.as_str(), r.name.as_str())),
                None => {
                    directory.organizations.iter().find(|o| &o.id == operator).map(|o| (o.id.as_str(), o.name.as_str()))
                }
            };
            if let Some((id, name)) = found {
                runners.insert(id, name);
            }
        }
        Self { vocabulary, directory, runners }
    }

    pub fn describe(&self, r: &Resource) -> (DocInfo, DocText) {
        let dir = self.directory;
        let kind = dir.kinds.iter().find(|k| k.code == r.kind);
        let served: Vec<MunicipalityCode> = r
            .service_area
            .municipalities
            .iter()
            .flat_map(|m| dir.municipality_and_ancestors(*m))
            .chain(r.locations.iter().filter_map(|l| l.municipality).flat_map(|m| dir.municipality_and_ancestors(m)))
            .collect();
        let local_kind_name = r.local_kind_name.clone().or_else(|| {
            kind.and_then(|k| k.local_names.iter().find(|l| served.contains(&l.municipality))).map(|l| l.name.clone())
        });
        let operators: Vec<String> =
            r.operators.iter().filter_map(|o| self.runners.get(o.as_str())).map(|n| (*n).to_owned()).collect();
        let needs: Vec<&yorisoi_core::Need> =
            r.needs.iter().filter_map(|code| dir.needs.iter().find(|n| &n.code == code)).collect();
        let place_names: Vec<&str> = served
            .iter()
            .filter_map(|code| dir.municipality(*code))
            .map(|m| m.name.as_str())
            .chain(r.locations.iter().filter_map(|l| l.name.as_deref()))
            .collect();

        let mut body: Vec<&str> = Vec::new();
        body.extend(r.description.as_deref());
        // The kind's own label and synonyms are matched through the `kind` term when a
        // query names them; only the local name, which differs by place, is text here.
        body.extend(local_kind_name.as_deref());
        for need in &needs {
            body.push(&need.label);
            body.extend(need.synonyms.iter().map(String::as_str));
            // The words the place's own municipality uses for the need.
            body.extend(need.local_names.iter().filter(|l| served.contains(&l.municipality)).map(|l| l.name.as_str()));
        }
        body.extend(operators.iter().map(String::as_str));
        body.extend(place_names.iter().copied());
        body.extend(r.audience.description.as_deref());
        body.extend(r.schedule.note.as_deref());

        let mut reading: Vec<&str> = vec![&r.name];
        reading.extend(r.kana.as_deref());
        reading.extend(kind.map(|k| k.label.as_str()));
        reading.extend(kind.and_then(|k| k.kana.as_deref()));
        reading.extend(local_kind_name.as_deref());
        reading.extend(needs.iter().map(|n| n.label.as_str()));
        reading.extend(place_names.iter().copied());

        let text = DocText {
            name: [Some(r.name.as_str()), r.local_kind_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n"),
            body: body.join("\n"),
            reading: reading.join("\n"),
            needs: dedup(r.needs.iter().flat_map(|n| self.vocabulary.need_with_ancestors(n)).map(|c| c.to_string())),
            kinds: dedup(self.vocabulary.kind_with_ancestors(&r.kind).into_iter().map(|c| c.to_string())),
            within: dedup(served.iter().map(ToString::to_string)),
            whole: dedup(r.service_area.municipalities.iter().map(ToString::to_string)),
            areas: dedup(r.service_area.areas.iter().map(ToString::to_string)),
        };
        let info = DocInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            kind_label: kind.map_or_else(|| r.kind.to_string(), |k| k.label.clone()),
            local_kind_name,
            needs: r.needs.clone(),
            municipalities: r.service_area.municipalities.clone(),
            operators,
            status: r.status,
            age_min: r.audience.age_min,
            age_max: r.audience.age_max,
            free: r.cost.free,
            schedule: r.schedule.clone(),
            readable: r
                .description
                .iter()
                .chain(&r.audience.description)
                .chain(&r.audience.conditions)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            residence: r.audience.residence.clone(),
            excludes: r
                .audience
                .excludes
                .iter()
                .map(|e| {
                    let words = if e.cues.is_empty() { std::slice::from_ref(&e.label) } else { e.cues.as_slice() };
                    let cues = words.iter().filter_map(|w| Cue::new(w, Lexicon::shipped())).collect();
                    (e.label.clone(), cues)
                })
                .collect(),
            may_consult: r.audience.may_consult(),
            gender: r.audience.gender,
            facet_needs: Vec::new(),
            facet_kind: 0,
            facet_municipalities: Vec::new(),
        };
        (info, text)
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Facet values numbered in order of first sight, so a search counts into arrays.
#[derive(Debug, Default)]
pub struct FacetTables {
    pub needs: Vec<Id>,
    pub kinds: Vec<Id>,
    pub municipalities: Vec<MunicipalityCode>,
    need_index: HashMap<Id, u32>,
    kind_index: HashMap<Id, u32>,
    municipality_index: HashMap<MunicipalityCode, u32>,
}

fn intern<T: Clone + Eq + std::hash::Hash>(values: &mut Vec<T>, index: &mut HashMap<T, u32>, value: &T) -> u32 {
    *index.entry(value.clone()).or_insert_with(|| {
        values.push(value.clone());
        u32::try_from(values.len() - 1).expect("fewer than 4 billion facet values")
    })
}

impl FacetTables {
    /// Numbers `info`'s facet values, adding new ones to the tables.
    pub fn number(&mut self, info: &mut DocInfo) {
        info.facet_needs = info.needs.iter().map(|n| intern(&mut self.needs, &mut self.need_index, n)).collect();
        info.facet_kind = intern(&mut self.kinds, &mut self.kind_index, &info.kind);
        info.facet_municipalities = info
            .municipalities
            .iter()
            .map(|m| intern(&mut self.municipalities, &mut self.municipality_index, m))
            .collect();
    }
}

/// FNV-1a: a digest that stays the same across runs and toolchains.
pub fn digest(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl DocText {
    pub fn digest(&self, info: &DocInfo) -> u64 {
        let scalars = format!(
            "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            info.id,
            info.status,
            info.age_min,
            info.age_max,
            info.free,
            info.schedule,
            info.local_kind_name,
            info.operators
        );
        let lists = [&self.needs, &self.kinds, &self.within, &self.whole, &self.areas].map(|l| l.join(","));
        let mut parts: Vec<&str> = vec![&scalars, &self.name, &self.body, &self.reading];
        parts.extend(lists.iter().map(String::as_str));
        digest(&parts)
    }
}
