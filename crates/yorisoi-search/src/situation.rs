//! Reading a situation as workers write it: words in their dictionary form, cut into
//! clauses, with what denies them (「介護は必要ない」), ages in any form (80代, 八十代,
//! 84歳, 80過ぎ) and the word classes of `lexicon.txt`; and the taxonomy's cues,
//! read the same way and matched against that (`Cue::find`). Nothing here knows a
//! particular situation: all vocabulary is in `lexicon.txt` and `seed/taxonomy.yaml`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::dictionary::segmenter;
use crate::normalize::{Normalized, normalize, to_katakana};

/// The lexicon shipped with Yorisoi (see the file's header for its format).
pub const LEXICON: &str = include_str!("lexicon.txt");

/// Words that deny, words that carry nothing, classes of words, and age bands.
#[derive(Debug, Default)]
pub struct Lexicon {
    negations: HashSet<String>,
    light: HashSet<String>,
    minor: HashSet<String>,
    nominal: HashSet<String>,
    carriers: HashSet<String>,
    able: HashSet<String>,
    /// Word → the classes it belongs to, transitively.
    classes: HashMap<String, Vec<String>>,
    bands: Vec<(u32, u32, String)>,
}

impl Lexicon {
    /// Reads the lexicon format; lines it cannot read are reported, not skipped.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut lexicon = Lexicon::default();
        let mut members: Vec<(String, Vec<String>)> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, words)) = line.split_once(':') else {
                return Err(format!("lexicon line {}: expected `class: word, word`", number + 1));
            };
            let words: Vec<String> =
                words.split([',', '、']).map(str::trim).filter(|w| !w.is_empty()).map(String::from).collect();
            let name = name.trim();
            if let Some(range) = name.strip_prefix("年齢") {
                let band = range.trim().split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
                let (Some((from, to)), [class]) = (band, words.as_slice()) else {
                    return Err(format!("lexicon line {}: expected `年齢 40-64: class`", number + 1));
                };
                lexicon.bands.push((from, to, class.clone()));
                continue;
            }
            match name {
                "否定" => lexicon.negations.extend(words),
                "軽い" => lexicon.light.extend(words),
                "副" => lexicon.minor.extend(words),
                "名" => lexicon.nominal.extend(words),
                "打消" => lexicon.carriers.extend(words),
                "可能" => lexicon.able.extend(words),
                _ => members.push((name.to_owned(), words)),
            }
        }
        // A class named inside another passes its members on (子 inside 家族).
        for (class, words) in &members {
            let mut stack: Vec<&String> = words.iter().collect();
            let mut seen = HashSet::new();
            while let Some(word) = stack.pop() {
                if !seen.insert(word.clone()) {
                    continue;
                }
                lexicon.classes.entry(word.clone()).or_default().push(class.clone());
                if let Some((_, inner)) = members.iter().find(|(name, _)| name == word) {
                    stack.extend(inner);
                }
            }
        }
        Ok(lexicon)
    }

    /// The lexicon shipped with Yorisoi.
    pub fn shipped() -> &'static Lexicon {
        static SHIPPED: OnceLock<Lexicon> = OnceLock::new();
        SHIPPED.get_or_init(|| Lexicon::parse(LEXICON).expect("the shipped lexicon.txt reads"))
    }

    /// Whether `word` names a class or an age band (a cue may name one).
    fn is_class(&self, word: &str) -> bool {
        self.classes.values().flatten().any(|c| c == word) || self.bands.iter().any(|(_, _, c)| c == word)
    }

    fn band(&self, age: u32) -> Option<&str> {
        self.bands.iter().find(|(from, to, _)| (*from..=*to).contains(&age)).map(|(_, _, c)| c.as_str())
    }
}

/// What a word does in a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A word with meaning: nouns, verbs, adjectives.
    Content,
    /// Adverbs and pronouns: matched when a cue names them, passed over when looking
    /// for what a word is denied by (介護は**まだ**必要ない).
    Minor,
    /// する, いる, なる, 必要: never matched, passed over.
    Light,
    /// できる, 行ける: never matched; passed over in a denying cue (買い物に行けない),
    /// but their denial does not deny the word before them (病院に行けない).
    Able,
    /// Particles, auxiliaries, prefixes, symbols inside a clause.
    Function,
    /// ない, ず, ません, なし, 不可.
    Negation,
}

/// One word of a situation, with every form it may be met by.
#[derive(Debug, Clone)]
struct Word {
    keys: Vec<String>,
    role: Role,
    /// A noun (consecutive nouns make one compound: 就労プログラム).
    noun: bool,
    /// The span in the original text.
    from: usize,
    to: usize,
}

/// `keys` without repeats, first occurrence kept.
fn unique(keys: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(keys.len());
    for key in keys {
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// A situation read into clauses.
#[derive(Debug)]
pub struct Reading {
    clauses: Vec<Vec<Word>>,
    /// Each form of a matchable word → where it stands (clause, word): a cue's words are
    /// looked up, not compared with every word of the text.
    at: FxHashMap<String, Vec<(usize, usize)>>,
    /// The text's runs of kana (as katakana, spaces dropped) long enough to hold a cue
    /// met by sound (へやから でてこない); none in a text written in kanji.
    sound: Vec<String>,
    original: String,
}

impl Reading {
    fn text(&self, from: usize, to: usize) -> &str {
        self.original.get(from..to).unwrap_or("")
    }
}

/// Connective particles that end a clause: what follows is said of something else.
const CLAUSE_PARTICLES: [&str; 12] =
    ["が", "けど", "けれど", "けれども", "のに", "ので", "から", "し", "ても", "でも", "ながら", "と"];

/// この, その: they point, and say nothing a cue could mean (同じ does).
const DEMONSTRATIVES: [&str; 8] = ["この", "その", "あの", "どの", "こんな", "そんな", "あんな", "どんな"];

const U_ROW: [(char, char); 9] = [
    ('る', 'り'),
    ('く', 'き'),
    ('す', 'し'),
    ('つ', 'ち'),
    ('ぶ', 'び'),
    ('む', 'み'),
    ('う', 'い'),
    ('ぐ', 'ぎ'),
    ('ぬ', 'に'),
];
const E_TO_U: [(char, char); 9] = [
    ('け', 'く'),
    ('せ', 'す'),
    ('め', 'む'),
    ('れ', 'る'),
    ('え', 'う'),
    ('て', 'つ'),
    ('べ', 'ぶ'),
    ('ね', 'ぬ'),
    ('げ', 'ぐ'),
];

fn replace_last(word: &str, pairs: &[(char, char)], from_first: bool) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    let last = chars.last_mut()?;
    let (a, b) = pairs.iter().find(|(a, b)| if from_first { a == last } else { b == last })?;
    *last = if from_first { *b } else { *a };
    (chars.len() >= 2).then(|| chars.into_iter().collect())
}

/// Forms a word is also met by: a verb's noun (閉じこもる → 閉じこもり) and back, and
/// a potential verb's plain verb (行ける → 行く), so conjugations and derived nouns meet.
fn derived_forms(base: &str, pos: &str, conjugation: &str) -> Vec<String> {
    let mut forms = Vec::new();
    match pos {
        "動詞" => {
            forms.extend(replace_last(base, &U_ROW, true));
            if conjugation.starts_with("一段")
                && let Some(stem) = base.strip_suffix('る')
            {
                if stem.chars().count() >= 2 {
                    forms.push(stem.to_owned());
                }
                // 行ける → 行く, 話せる → 話す: the potential of a godan verb.
                forms.extend(replace_last(stem, &E_TO_U, true));
            }
        }
        // Two kana say too little to guess a verb from (うち is not うつ).
        "名詞" if base.chars().count() >= 3 => forms.extend(replace_last(base, &U_ROW, false)),
        _ => {}
    }
    forms
}

fn kanji_number(text: &str) -> Option<u32> {
    let mut total = 0;
    let mut digit: Option<u32> = None;
    for c in text.chars() {
        let value = "〇一二三四五六七八九".chars().position(|d| d == c).map(|v| v as u32);
        match (c, value) {
            (_, Some(v)) => digit = Some(digit.unwrap_or(0) * 10 + v),
            ('十', _) => {
                total += digit.take().unwrap_or(1) * 10;
            }
            ('百', _) => {
                total += digit.take().unwrap_or(1) * 100;
            }
            _ => return None,
        }
    }
    Some(total + digit.unwrap_or(0))
}

fn number_value(text: &str) -> Option<u32> {
    if text.chars().all(|c| c.is_ascii_digit()) { text.parse().ok() } else { kanji_number(text) }
}

struct Morph {
    surface: String,
    pos: String,
    sub: String,
    sub2: String,
    conjugation: String,
    base: String,
    reading: Option<String>,
    from: usize,
    to: usize,
}

fn morphs(normalized: &Normalized) -> Vec<Morph> {
    let Ok(segmenter) = segmenter() else { return Vec::new() };
    let Ok(tokens) = segmenter.segment(Cow::Borrowed(normalized.text.as_str())) else { return Vec::new() };
    tokens
        .into_iter()
        .map(|mut token| {
            let surface = token.surface.to_string();
            let details = token.details();
            let field = |i: usize| details.get(i).filter(|d| **d != "*").map(|d| (*d).to_owned());
            // The user dictionary's words (ワンオペ, 8050問題) are nouns.
            let pos = field(0).map(|p| if p == "カスタム名詞" { "名詞".to_owned() } else { p });
            Morph {
                pos: pos.unwrap_or_default(),
                sub: field(1).unwrap_or_default(),
                sub2: field(2).unwrap_or_default(),
                conjugation: field(4).unwrap_or_default(),
                base: field(6).unwrap_or_else(|| surface.clone()),
                reading: field(7),
                from: token.byte_start,
                to: token.byte_end,
                surface,
            }
        })
        .collect()
}

/// The reading of a conjugated word's dictionary form: 買え (カエ) → 買える → カエル.
fn base_reading(m: &Morph) -> Option<String> {
    let reading = m.reading.as_deref()?;
    let common = m.surface.chars().zip(m.base.chars()).take_while(|(a, b)| a == b).count();
    let surface_rest: String = to_katakana(&m.surface.chars().skip(common).collect::<String>());
    let base_rest: String = to_katakana(&m.base.chars().skip(common).collect::<String>());
    let stem = reading.strip_suffix(surface_rest.as_str())?;
    Some(format!("{stem}{base_rest}"))
}

fn is_boundary(m: &Morph) -> bool {
    m.surface.trim().is_empty()
        || (m.pos == "記号" && matches!(m.sub.as_str(), "句点" | "読点" | "空白"))
        || m.surface.chars().all(|c| "。、，．！？!?…\n".contains(c))
        || m.pos == "接続詞"
        || (m.pos == "助詞" && m.sub == "接続助詞" && CLAUSE_PARTICLES.contains(&m.surface.as_str()))
}

fn role_of(m: &Morph, lexicon: &Lexicon) -> Role {
    let is = |set: &HashSet<String>| set.contains(&m.base) || set.contains(&m.surface);
    if (m.pos == "助動詞" && matches!(m.base.as_str(), "ない" | "ぬ" | "ん")) || is(&lexicon.negations) {
        return Role::Negation;
    }
    if is(&lexicon.able) {
        return Role::Able;
    }
    if is(&lexicon.light) {
        return Role::Light;
    }
    if is(&lexicon.minor) {
        return Role::Minor;
    }
    if is(&lexicon.nominal) {
        return Role::Content;
    }
    if !m.surface.chars().any(char::is_alphanumeric) {
        return Role::Function;
    }
    match (m.pos.as_str(), m.sub.as_str()) {
        ("動詞", "非自立") => Role::Light,
        ("動詞" | "形容詞", "接尾") | ("形容詞", "非自立") | ("名詞", "非自立") => Role::Function,
        // 籍, 出身 and 人 after a country say something; さん and 3か月's か月 do not.
        ("名詞", "接尾") if matches!(m.sub2.as_str(), "助数詞" | "人名" | "特殊") => Role::Function,
        ("名詞", "代名詞") | ("副詞", _) => Role::Minor,
        ("連体詞", _) if DEMONSTRATIVES.contains(&m.surface.as_str()) => Role::Function,
        ("名詞" | "動詞" | "形容詞" | "連体詞", _) => Role::Content,
        _ if m.pos.starts_with("UNK") || m.pos.is_empty() => Role::Content,
        _ => Role::Function,
    }
}

fn is_age_suffix(m: &Morph) -> bool {
    matches!(m.surface.as_str(), "代" | "歳" | "才") || matches!(m.base.as_str(), "過ぎる" | "過ぎ" | "すぎ" | "すぎる")
}

/// Reads `text` into clauses of words. `with_classes` adds each word's lexicon
/// classes (for the situation, not for a cue: a cue 「母」 must not meet 「父」).
fn read(text: &str, lexicon: &Lexicon, with_classes: bool) -> Reading {
    let normalized = normalize(text);
    let morphs = morphs(&normalized);
    let mut clauses: Vec<Vec<Word>> = vec![Vec::new()];
    let letters: Vec<char> = normalized.text.chars().filter(|c| c.is_alphanumeric()).collect();
    let kana = letters.iter().filter(|c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー')).count();
    let spaced_words = kana * 10 >= letters.len() * 8;
    let mut i = 0;
    while i < morphs.len() {
        let m = &morphs[i];
        // The segmenter drops spaces; in shorthand a space ends a clause (母80代 息子50代),
        // in text written in kana it only parts words (おかねが なくて).
        let after_space = !spaced_words
            && i > 0
            && normalized.text.get(morphs[i - 1].to..m.from).is_some_and(|gap| gap.chars().any(char::is_whitespace));
        if after_space && !clauses.last().is_some_and(Vec::is_empty) {
            clauses.push(Vec::new());
        }
        if is_boundary(m) {
            if !clauses.last().is_some_and(Vec::is_empty) {
                clauses.push(Vec::new());
            }
            i += 1;
            continue;
        }
        let span = |from: &Morph, to: &Morph| {
            let (a, _) = normalized.original_span(from.from, from.to);
            let (_, b) = normalized.original_span(to.from, to.to);
            (a, b)
        };
        // A number, maybe in several tokens (8 0, 八 十), and what it counts.
        if m.sub == "数" {
            let mut j = i;
            let mut digits = String::new();
            while j < morphs.len() && morphs[j].sub == "数" {
                digits.push_str(&morphs[j].surface);
                j += 1;
            }
            let value = number_value(&digits);
            let mut keys = vec![value.map_or(digits.clone(), |v| v.to_string())];
            if let Some(counter) = morphs.get(j).filter(|n| n.sub2 == "助数詞") {
                keys.push(format!("{}{}", keys[0], counter.surface));
            }
            let mut last = j - 1;
            if let (Some(age), Some(suffix)) = (value, morphs.get(j).filter(|s| is_age_suffix(s))) {
                keys.push(format!("{}代", age / 10 * 10));
                keys.extend(lexicon.band(age).map(String::from));
                last = j;
                let _ = suffix;
            }
            let (from, to) = span(m, &morphs[last]);
            // A count (3か月, 一人) is passed over like an adverb; an age is a word, and
            // so is a long number (8050, 7040: names of problems).
            let role = if last == j || digits.chars().count() >= 3 { Role::Content } else { Role::Minor };
            clauses.last_mut().expect("one clause").push(Word { keys: unique(keys), role, noun: true, from, to });
            i = last + 1;
            continue;
        }
        let role = role_of(m, lexicon);
        // A prefix joins the word after it (元妻, お金): a cue says the whole word, the
        // situation offers both the whole and the word alone.
        if m.pos == "接頭詞"
            && let Some(next) = morphs.get(i + 1).filter(|n| matches!(n.pos.as_str(), "名詞" | "動詞"))
        {
            let whole = format!("{}{}", m.surface, next.surface);
            let mut keys = vec![whole.clone(), to_katakana(&whole)];
            if with_classes {
                keys.extend([next.surface.clone(), next.base.clone()]);
                let classes: Vec<String> =
                    keys.iter().filter_map(|k| lexicon.classes.get(k)).flatten().cloned().collect();
                keys.extend(classes);
            }
            let (from, to) = span(m, next);
            clauses.last_mut().expect("one clause").push(Word {
                keys: unique(keys),
                role: role_of(next, lexicon),
                noun: next.pos == "名詞",
                from,
                to,
            });
            i += 2;
            continue;
        }
        let mut keys = vec![m.surface.clone()];
        if m.base != m.surface {
            keys.push(m.base.clone());
        }
        // A counter joins the word before it (何度, 3か月).
        if let Some(counter) = morphs.get(i + 1).filter(|n| n.sub2 == "助数詞") {
            keys.push(format!("{}{}", m.surface, counter.surface));
        }
        keys.extend(derived_forms(&m.base, &m.pos, &m.conjugation));
        // A noun a cue writes in kanji is met by its reading in a situation written in
        // kana (じしん = 地震), never by another kanji word that sounds the same (自身).
        let kana = m.surface.chars().all(|c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー'));
        if m.pos == "名詞" && (kana || !with_classes) {
            keys.extend(m.reading.clone().filter(|r| r.chars().count() >= 3));
        }
        // A cue's verb is met by the same verb in kana (買えない = かえない).
        if !with_classes && matches!(m.pos.as_str(), "動詞" | "形容詞") {
            keys.extend(base_reading(m));
        }
        let katakana = to_katakana(&m.base);
        if !keys.contains(&katakana) {
            keys.push(katakana);
        }
        if with_classes {
            let classes: Vec<String> = keys.iter().filter_map(|k| lexicon.classes.get(k)).flatten().cloned().collect();
            keys.extend(classes);
        }
        let (from, to) = span(m, m);
        clauses.last_mut().expect("one clause").push(Word {
            keys: unique(keys),
            role,
            noun: m.pos == "名詞",
            from,
            to,
        });
        i += 1;
    }
    clauses.retain(|c| !c.is_empty());
    let sound = sound_runs(&normalized.text);
    let mut at: FxHashMap<String, Vec<(usize, usize)>> = FxHashMap::default();
    for (c, clause) in clauses.iter().enumerate() {
        for (i, word) in clause.iter().enumerate().filter(|(_, w)| matches!(w.role, Role::Content | Role::Minor)) {
            for key in &word.keys {
                at.entry(key.clone()).or_default().push((c, i));
            }
        }
    }
    Reading { clauses, at, sound, original: text.to_owned() }
}

/// Reads a situation.
pub fn read_situation(text: &str, lexicon: &Lexicon) -> Reading {
    read(text, lexicon, true)
}

impl Reading {
    /// The reading in words, one clause a line, each word with its role and forms: what
    /// a steward looks at to see why a cue did or did not meet.
    pub fn explain(&self) -> String {
        self.clauses
            .iter()
            .map(|clause| {
                clause
                    .iter()
                    .map(|w| format!("{}[{:?}: {}]", self.text(w.from, w.to), w.role, w.keys.join(",")))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Whether the words after `at` in `clause` deny it. A denying cue (外に出ない) needs a
/// denial reached past only function, light and minor words. A plain cue (介護) is
/// denied when the denial reaches it through words that carry it back (「介護の
/// お世話にはなっていません」, 「お金には困っていない」), not through words whose
/// denial is itself the trouble (「病院に行けない」, 「住むところが見つからない」).
fn denied_after(clause: &[Word], at: usize, strict: bool, lexicon: &Lexicon) -> bool {
    // The rest of a compound is the word itself (就労 in 就労プログラムは希望ナシ).
    let compound = clause[at + 1..].iter().take_while(|w| clause[at].noun && w.noun && w.role == Role::Content).count();
    for word in &clause[at + 1 + compound..] {
        match word.role {
            Role::Negation => return true,
            Role::Function | Role::Minor | Role::Light => {}
            Role::Able if strict => {}
            Role::Content if !strict && word.keys.iter().any(|k| lexicon.carriers.contains(k)) => {}
            Role::Able | Role::Content => return false,
        }
    }
    false
}

/// One part of a cue: words met in one clause, or a need already understood.
#[derive(Debug, Clone)]
enum Part {
    Words {
        words: Vec<Word>,
        /// For a denying cue (外に出ない), the word the denial follows.
        denied_after: Option<usize>,
        /// The cue in katakana, with and without its particles, when long enough to
        /// be met by sound alone.
        sounds: Vec<String>,
        text: String,
    },
    Need(String),
}

/// A cue from the taxonomy: parts joined by `&`, each met somewhere in the situation.
#[derive(Debug, Clone)]
pub struct Cue {
    parts: Vec<Part>,
}

/// Katakana readings shorter than this meet too much by sound alone.
const MIN_SOUND: usize = 5;

impl Cue {
    /// Whether the cue asks for another need (`@code`), so it can change once that
    /// need is understood.
    pub fn asks_for_a_need(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Need(_)))
    }

    /// Reads a cue; `None` when it holds no word to meet.
    pub fn new(cue: &str, lexicon: &Lexicon) -> Option<Cue> {
        let mut parts = Vec::new();
        for part in cue.split(['&', '＆']).map(str::trim).filter(|p| !p.is_empty()) {
            if let Some(code) = part.strip_prefix('@') {
                parts.push(Part::Need(code.trim().to_owned()));
                continue;
            }
            // A class is one word of a cue, however the dictionary would cut its name
            // (配偶者, 幼い子); the rest of the cue is read like a situation.
            let mut all: Vec<Word> = Vec::new();
            for piece in part.split_whitespace() {
                if lexicon.is_class(piece) {
                    all.push(Word { keys: vec![piece.to_owned()], role: Role::Content, noun: true, from: 0, to: 0 });
                } else {
                    all.extend(read(piece, lexicon, false).clauses.into_iter().flatten());
                }
            }
            let mut words = Vec::new();
            let mut denied = None;
            for word in all {
                match word.role {
                    Role::Negation if denied.is_none() && !words.is_empty() => denied = Some(words.len() - 1),
                    Role::Content | Role::Minor => words.push(word),
                    _ => {}
                }
            }
            // Numbers and pronouns alone (1日1食 read as 1, 1) would meet everything.
            if words.iter().all(|w| w.role == Role::Minor) {
                return None;
            }
            let mut sounds: Vec<String> = [readings_of(part, true), readings_of(part, false)]
                .into_iter()
                .flatten()
                .filter(|s| s.chars().count() >= MIN_SOUND)
                .collect();
            sounds.dedup();
            parts.push(Part::Words { words, denied_after: denied, sounds, text: part.to_owned() });
        }
        (!parts.is_empty()).then_some(Cue { parts })
    }

    /// Where the cue is met in `reading`, as the original words that meet it, given
    /// the needs understood so far; `None` when it is not met.
    pub fn find(&self, reading: &Reading, understood: &[&str], lexicon: &Lexicon) -> Option<String> {
        let mut evidence = Vec::new();
        for part in &self.parts {
            match part {
                Part::Need(code) => {
                    if !understood.contains(&code.as_str()) {
                        return None;
                    }
                }
                Part::Words { words, denied_after, sounds, text } => {
                    let found = find_in_reading(reading, words, *denied_after, lexicon);
                    match found {
                        Some((from, to)) => evidence.push(reading.text(from, to).to_owned()),
                        None if sounds.iter().any(|s| reading.sound.iter().any(|run| run.contains(s.as_str()))) => {
                            evidence.push(text.clone());
                        }
                        None => return None,
                    }
                }
            }
        }
        Some(evidence.join("＋"))
    }
}

/// The runs of kana and digits of `text`, as katakana with spaces dropped, that are
/// long enough to hold a cue's sound (a cue's sound is nothing but those characters).
fn sound_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in to_katakana(text).chars().filter(|c| !c.is_whitespace()) {
        if crate::normalize::is_katakana(c) || c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    runs.push(run);
    runs.retain(|r| r.chars().count() >= MIN_SOUND);
    runs
}

/// The cue's sound: its words' readings (katakana), spaces dropped, and particles
/// unless `particles` (shorthand drops them: にほんご すこし).
fn readings_of(text: &str, particles: bool) -> Option<String> {
    let normalized = normalize(text);
    let mut sound = String::new();
    for m in morphs(&normalized) {
        if m.surface.trim().is_empty() || (!particles && m.pos == "助詞") {
            continue;
        }
        let reading = m.reading.unwrap_or_else(|| to_katakana(&m.surface));
        if !reading.chars().all(|c| crate::normalize::is_katakana(c) || c.is_ascii_digit()) {
            return None;
        }
        sound.push_str(&reading);
    }
    Some(sound)
}

/// How far apart the words of one cue may stand, beyond the cue's own length.
const SLACK: usize = 3;

/// The span of the clause's words meeting `words`: in the cue's order with up to
/// `SLACK` other words between, or in any order side by side (shorthand drops
/// particles and reorders: 息子50代 = 50代の息子); with the cue's polarity: a denying
/// cue needs the denial, a plain one must not be denied.
fn find_in_reading(
    reading: &Reading,
    words: &[Word],
    denied: Option<usize>,
    lexicon: &Lexicon,
) -> Option<(usize, usize)> {
    // Where each of the cue's words stands in the text, by its forms.
    let mut places: Vec<Vec<(usize, usize)>> = Vec::with_capacity(words.len());
    for word in words {
        let mut found: Vec<(usize, usize)> =
            word.keys.iter().filter_map(|k| reading.at.get(k)).flatten().copied().collect();
        if found.is_empty() {
            return None;
        }
        found.sort_unstable();
        found.dedup();
        places.push(found);
    }
    let mut clauses: Vec<usize> = places[0].iter().map(|(c, _)| *c).collect();
    clauses.dedup();
    clauses.into_iter().find_map(|c| {
        let positions: Vec<Vec<usize>> =
            places.iter().map(|p| p.iter().filter(|(pc, _)| *pc == c).map(|(_, i)| *i).collect()).collect();
        find_in_clause(&reading.clauses[c], &positions, denied, lexicon)
    })
}

fn find_in_clause(
    clause: &[Word],
    positions: &[Vec<usize>],
    denied: Option<usize>,
    lexicon: &Lexicon,
) -> Option<(usize, usize)> {
    if positions.iter().any(Vec::is_empty) {
        return None;
    }
    for &anchor in &positions[0] {
        let chosen: Vec<usize> = positions
            .iter()
            .map(|options| *options.iter().min_by_key(|&&i| i.abs_diff(anchor)).expect("not empty"))
            .collect();
        let (lo, hi) = (*chosen.iter().min().expect("one word"), *chosen.iter().max().expect("one word"));
        let content = clause[lo..=hi].iter().filter(|w| matches!(w.role, Role::Content | Role::Minor)).count();
        let in_order = chosen.windows(2).all(|pair| pair[0] < pair[1]);
        let close = if in_order { positions.len() + SLACK } else { positions.len() };
        if content > close {
            continue;
        }
        let polarity_holds = match denied {
            Some(k) => denied_after(clause, chosen[k], true, lexicon),
            None => !denied_after(clause, hi, false, lexicon),
        };
        if polarity_holds {
            return Some((clause[lo].from, clause[hi].to));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meets(cue: &str, text: &str) -> Option<String> {
        let lexicon = Lexicon::shipped();
        Cue::new(cue, lexicon).expect("a cue").find(&read_situation(text, lexicon), &[], lexicon)
    }

    #[test]
    fn conjugations_meet_the_dictionary_form() {
        for text in ["部屋から出てこない", "部屋から出られない", "部屋から出なくなった", "部屋から出ず"]
        {
            assert!(meets("部屋から出ない", text).is_some(), "{text}");
        }
        assert!(meets("部屋から出ない", "部屋から出てきた").is_none());
    }

    #[test]
    fn a_plain_cue_is_not_met_where_it_is_denied() {
        assert!(meets("介護", "介護が大変で眠れない").is_some());
        assert!(meets("介護", "介護は必要ないが、話し相手がいない").is_none());
        assert!(meets("介護", "介護のお世話にはなっていません").is_none());
        // A denial in the next clause denies something else.
        assert!(meets("介護", "介護をしているが、疲れはない").is_some());
        // Not being able to reach it is the trouble, not a denial of it.
        assert!(meets("病院", "病院に行けない").is_some());
        assert!(meets("住むところ", "次に住むところも見つからない").is_some());
        assert!(meets("住むところ", "住むところにも困っていません").is_none());
    }

    #[test]
    fn a_denying_cue_needs_its_denial_next_to_it() {
        assert!(meets("お金がない", "お金がなくて").is_some());
        assert!(meets("お金がない", "お金には困っていない").is_none());
        assert!(meets("外出しない", "息子ほぼ外出ﾅｼ").is_some());
        assert!(meets("外出しない", "外出もほとんどしない").is_some());
    }

    #[test]
    fn ages_in_any_form_meet_their_band_and_decade() {
        for text in ["母80代", "母は八十代で", "母８４歳", "お袋がもう80過ぎで"] {
            assert!(meets("親 & 高齢", text).is_some(), "{text}");
            assert!(meets("80代", text).is_some(), "{text}");
        }
        assert!(meets("高齢", "息子50代").is_none());
        assert!(meets("中高年", "息子50代").is_some());
    }

    #[test]
    fn shorthand_and_order_do_not_matter_within_a_clause() {
        assert_eq!(meets("50代の息子", "母80代 息子50代無職").as_deref(), Some("息子50代"));
        assert!(meets("50代の息子", "息子は無職。父は50代").is_none());
        // Out of order, words must stand together: the neighbour's dog is not
        // someone who stays home all the time.
        assert!(meets("ずっと家にいる", "隣の家の犬が夜中ずっと吠えていて").is_none());
        assert!(meets("ずっと家にいる", "息子がずっと一日中家にいる").is_some());
    }

    #[test]
    fn hiragana_meets_by_sound() {
        assert!(meets("部屋から出てこない", "むすこが もう３ねん へやから でてこない").is_some());
    }

    #[test]
    fn the_lexicon_reads_classes_within_classes_and_refuses_what_it_cannot_read() {
        let lexicon = Lexicon::parse("子: 息子\n家族: 子, 夫\n年齢 65-130: 高齢").expect("reads");
        assert!(lexicon.classes["息子"].contains(&"家族".to_owned()));
        assert_eq!(lexicon.band(70), Some("高齢"));
        assert!(Lexicon::parse("no colon here").is_err());
        assert!(Lexicon::parse("年齢 x-1: 高齢").is_err());
    }
}
