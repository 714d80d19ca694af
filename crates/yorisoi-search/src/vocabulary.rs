//! What a query means beyond its words: the needs, kinds and places it names, from
//! the taxonomy files (labels, synonyms, situation cues, local names). Needs are read
//! as situations (`situation`: dictionary forms, denial, ages, word classes); kinds and
//! places by their names. Nothing here knows particular queries; it only matches the
//! directory's own vocabulary.

use std::collections::HashMap;

use yorisoi_core::{Directory, Id, MunicipalityCode, chain_to_root};

use crate::normalize::{normalize, to_katakana};
use crate::situation::{Cue, Lexicon, read_situation};

/// A need the query was understood to be about, and the words that said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedNeed {
    pub code: Id,
    pub label: String,
    pub matched: String,
}

/// What a query was understood to mean.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Understanding {
    pub needs: Vec<DetectedNeed>,
    pub kinds: Vec<Id>,
    pub places: Vec<MunicipalityCode>,
}

#[derive(Debug)]
struct Entry<T> {
    target: T,
    /// Normalized phrases that signal the target, longest first, each with its
    /// katakana form (so ひきこもり in a query meets ヒキコモリ and back).
    needles: Vec<(String, String)>,
}

/// The directory's vocabulary, normalized once.
#[derive(Debug)]
pub struct Vocabulary {
    /// Each need with its label, synonyms and cues read as cues.
    needs: Vec<((Id, String), Vec<Cue>)>,
    /// A municipality's own words for a need (its position in `needs`): cues there
    /// and below it, and wherever the municipality is not known.
    local_cues: Vec<(usize, MunicipalityCode, Cue)>,
    /// Each municipality with those enclosing it.
    municipality_up: HashMap<MunicipalityCode, Vec<MunicipalityCode>>,
    kinds: Vec<Entry<Id>>,
    places: Vec<Entry<MunicipalityCode>>,
    need_ancestors: HashMap<Id, Vec<Id>>,
    kind_ancestors: HashMap<Id, Vec<Id>>,
}

fn needles<'a>(phrases: impl IntoIterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut out: Vec<String> = Vec::new();
    for phrase in phrases {
        let text = normalize(phrase).text;
        // One character says too little on its own (子, 家).
        if text.chars().count() >= 2 && !out.contains(&text) {
            out.push(text);
        }
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    out.into_iter().map(|n| (to_katakana(&n), n)).map(|(k, n)| (n, k)).collect()
}

/// A place name without its 区/市/町/村, as people often write it (葛飾, 八王子).
fn short_place_name(name: &str) -> Option<&str> {
    let short = name.strip_suffix(['区', '市', '町', '村', '都', '県'])?;
    (short.chars().count() >= 2).then_some(short)
}

impl Vocabulary {
    pub fn new(directory: &Directory) -> Self {
        let need_parents: HashMap<Id, Option<Id>> =
            directory.needs.iter().map(|n| (n.code.clone(), n.parent.clone())).collect();
        let kind_parents: HashMap<Id, Option<Id>> =
            directory.kinds.iter().map(|k| (k.code.clone(), k.parent.clone())).collect();
        let needs = directory
            .needs
            .iter()
            .map(|n| {
                // Synonyms are for search: some are broad (仕事, 子ども) and would read
                // every mention as a need. Cues are what says a need in a situation.
                let cues = std::iter::once(&n.label)
                    .chain(&n.cues)
                    .filter_map(|phrase| Cue::new(phrase, Lexicon::shipped()))
                    .collect();
                ((n.code.clone(), n.label.clone()), cues)
            })
            .collect();
        let kinds = directory
            .kinds
            .iter()
            .map(|k| {
                let phrases = std::iter::once(k.label.as_str())
                    .chain(k.synonyms.iter().map(String::as_str))
                    .chain(k.local_names.iter().map(|l| l.name.as_str()));
                Entry { target: k.code.clone(), needles: needles(phrases) }
            })
            .collect();
        let places = directory
            .municipalities
            .iter()
            .map(|m| {
                let mut phrases = vec![m.name.as_str()];
                phrases.extend(short_place_name(&m.name));
                Entry { target: m.code, needles: needles(phrases) }
            })
            .collect();
        let local_cues = directory
            .needs
            .iter()
            .enumerate()
            .flat_map(|(index, n)| n.local_names.iter().map(move |l| (index, l)))
            .filter_map(|(index, l)| Some((index, l.municipality, Cue::new(&l.name, Lexicon::shipped())?)))
            .collect();
        let municipality_parents: HashMap<MunicipalityCode, Option<MunicipalityCode>> =
            directory.municipalities.iter().map(|m| (m.code, m.parent)).collect();
        let municipality_up =
            municipality_parents.keys().map(|m| (*m, chain_to_root(&municipality_parents, m))).collect();
        Self {
            local_cues,
            municipality_up,
            need_ancestors: need_parents.keys().map(|c| (c.clone(), chain_to_root(&need_parents, c))).collect(),
            kind_ancestors: kind_parents.keys().map(|c| (c.clone(), chain_to_root(&kind_parents, c))).collect(),
            needs,
            kinds,
            places,
        }
    }

    /// A need code and its ancestors (8050 → ひきこもり → 孤独・孤立).
    pub fn need_with_ancestors(&self, code: &Id) -> Vec<Id> {
        self.need_ancestors.get(code).cloned().unwrap_or_else(|| vec![code.clone()])
    }

    pub fn kind_with_ancestors(&self, code: &Id) -> Vec<Id> {
        self.kind_ancestors.get(code).cloned().unwrap_or_else(|| vec![code.clone()])
    }

    /// The needs a worker settled on (`codes`), each with the words that said so when
    /// the text was understood to be about it, none when the worker added it.
    pub fn settled(&self, codes: &[Id], understood: &[DetectedNeed]) -> Vec<DetectedNeed> {
        codes
            .iter()
            .filter_map(|code| {
                let ((code, label), _) = self.needs.iter().find(|((c, _), _)| c == code)?;
                let matched =
                    understood.iter().find(|n| &n.code == code).map(|n| n.matched.clone()).unwrap_or_default();
                Some(DetectedNeed { code: code.clone(), label: label.clone(), matched })
            })
            .collect()
    }

    /// The needs, kinds and places `query` names, wherever it was asked.
    pub fn understand(&self, query: &str) -> Understanding {
        self.understand_in(query, None)
    }

    /// Whether a word a municipality uses for a need counts where the person is: in
    /// that municipality and below it, and when the place is not known.
    fn local_word_counts(&self, of: MunicipalityCode, asked_in: Option<MunicipalityCode>) -> bool {
        asked_in.is_none_or(|here| self.municipality_up.get(&here).map_or(here == of, |up| up.contains(&of)))
    }

    /// The needs, kinds and places `query` names, asked in `municipality` (whose own
    /// words for needs then count, and no other municipality's).
    pub fn understand_in(&self, query: &str, municipality: Option<MunicipalityCode>) -> Understanding {
        let text = normalize(query).text;
        let katakana = to_katakana(&text);
        let find = |needles: &[(String, String)]| {
            needles
                .iter()
                .find(|(n, k)| text.contains(n.as_str()) || katakana.contains(k.as_str()))
                .map(|(n, _)| n.clone())
        };
        let mut understanding = Understanding::default();
        let situation = read_situation(query, Lexicon::shipped());
        // A cue may ask for another need (`@hikikomori`): after the first pass, only such
        // cues are read again, while that adds a need.
        let mut first_pass = true;
        loop {
            let known: Vec<&str> = understanding.needs.iter().map(|n| n.code.as_str()).collect();
            let found: Vec<DetectedNeed> = self
                .needs
                .iter()
                .enumerate()
                .filter(|(_, ((code, _), _))| !known.contains(&code.as_str()))
                .filter_map(|(index, ((code, label), cues))| {
                    let local = self
                        .local_cues
                        .iter()
                        .filter(|(need, of, _)| *need == index && self.local_word_counts(*of, municipality))
                        .map(|(_, _, cue)| cue);
                    let matched = cues
                        .iter()
                        .chain(local)
                        .filter(|cue| first_pass || cue.asks_for_a_need())
                        .find_map(|cue| cue.find(&situation, &known, Lexicon::shipped()))?;
                    Some(DetectedNeed { code: code.clone(), label: label.clone(), matched })
                })
                .collect();
            if found.is_empty() {
                break;
            }
            understanding.needs.extend(found);
            first_pass = false;
        }
        // A need also named by a more specific one keeps only the specific one's evidence,
        // but both stay: ひきこもり and 8050問題 are both worth boosting.
        understanding.needs.sort_by_key(|n| std::cmp::Reverse(n.matched.chars().count()));
        understanding.kinds =
            self.kinds.iter().filter(|e| find(&e.needles).is_some()).map(|e| e.target.clone()).collect();
        understanding.places = self.places.iter().filter(|e| find(&e.needles).is_some()).map(|e| e.target).collect();
        understanding
    }
}
