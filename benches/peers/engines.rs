//! The comparison of `cargo bench --bench peers`, kept apart from its report so a
//! test runs it on a tiny directory: judged queries derived from a synthetic
//! directory, one class per way people type (two-character words, longer words,
//! hiragana readings of katakana names, half-width kana, spelling variants, local
//! names, situations in plain words; each within a municipality), and the engines a
//! ward's contractor would otherwise use — SQLite FTS5 (trigram, with LIKE for
//! terms under three characters), PostgreSQL pg_trgm and PostgreSQL full text —
//! next to Yorisoi in process and through GraphQL over HTTP. Peers get the same NFKC
//! normalization of text and queries.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use unicode_normalization::UnicodeNormalization;
use yorisoi_core::{Directory, MunicipalityCode, Resource};
use yorisoi_search::{SearchIndex, SearchRequest};

/// How a query is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    TwoChar,
    Word,
    Reading,
    Width,
    Variant,
    LocalName,
    Situation,
}

impl Class {
    pub const ALL: [Class; 7] =
        [Class::TwoChar, Class::Word, Class::Reading, Class::Width, Class::Variant, Class::LocalName, Class::Situation];

    pub fn label(self) -> &'static str {
        match self {
            Class::TwoChar => "2-character words (相談, 介護)",
            Class::Word => "3+ character words (フードパントリー)",
            Class::Reading => "hiragana readings (ふーどぱんとりー)",
            Class::Width => "half-width kana (ﾌｰﾄﾞﾊﾟﾝﾄﾘｰ), ８０５０",
            Class::Variant => "spelling variants (引きこもり, 引篭もり)",
            Class::LocalName => "local names (熟年相談室 for 地域包括)",
            Class::Situation => "situations in plain words",
        }
    }
}

/// A query with the places that answer it (all within its municipality).
#[derive(Debug, Clone)]
pub struct Query {
    pub class: Class,
    pub text: String,
    pub municipality: MunicipalityCode,
    pub relevant: HashSet<String>,
}

/// What peers index of a place: its name, kind and description, in NFKC.
pub fn peer_text(directory: &Directory, r: &Resource) -> String {
    let kind = directory.kinds.iter().find(|k| k.code == r.kind).map_or("", |k| k.label.as_str());
    nfkc(&format!("{} {} {}", r.name, kind, r.description.as_deref().unwrap_or("")))
}

pub fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

pub fn to_hiragana(text: &str) -> String {
    text.chars()
        .map(|c| if ('ァ'..='ヶ').contains(&c) { char::from_u32(c as u32 - 0x60).unwrap_or(c) } else { c })
        .collect()
}

/// Katakana in half-width forms (voiced marks as separate characters), as older
/// systems and some typists write them.
pub fn to_half_width(text: &str) -> String {
    const FULL: &str = "ァアィイゥウェエォオカキクケコサシスセソタチッツテトナニヌネノハヒフヘホマミムメモャヤュユョヨラリルレロワヲンー";
    const HALF: &str = "ｧｱｨｲｩｳｪｴｫｵｶｷｸｹｺｻｼｽｾｿﾀﾁｯﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓｬﾔｭﾕｮﾖﾗﾘﾙﾚﾛﾜｦﾝｰ";
    let plain = |c: char| FULL.chars().position(|f| f == c).and_then(|i| HALF.chars().nth(i));
    let mut out = String::new();
    for c in text.chars() {
        // A voiced kana is its plain kana and a mark: ガ = ｶﾞ, パ = ﾊﾟ.
        let decomposed: Vec<char> = c.to_string().nfd().collect();
        match decomposed.as_slice() {
            [base, '\u{3099}'] => out.extend(plain(*base).into_iter().chain(['ﾞ'])),
            [base, '\u{309A}'] => out.extend(plain(*base).into_iter().chain(['ﾟ'])),
            _ => out.push(plain(c).unwrap_or(c)),
        }
    }
    out
}

pub fn full_width_digits(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap_or(c) } else { c })
        .collect()
}

/// Situations in plain words and the need each is about.
const SITUATIONS: [(&str, &str); 6] = [
    ("親が80代で、50代の息子がずっと家にいる", "8050"),
    ("食べるものに困っている", "food"),
    ("ひとり親で子育てがつらい", "single-parent"),
    ("買い物に行けない高齢者", "shopping"),
    ("認知症の人への接し方を学びたい", "dementia"),
    ("災害のときに助けが必要な高齢者", "disaster"),
];

const TWO_CHARACTER: [&str; 6] = ["相談", "介護", "健康", "地域", "家族", "仕事"];

/// The judged queries of a directory, `per_class` of each class where the directory
/// has places to find.
pub fn queries(directory: &Directory, per_class: usize) -> Vec<Query> {
    let texts: Vec<(String, MunicipalityCode, &Resource)> = directory
        .resources
        .iter()
        .filter(|r| r.status == yorisoi_core::Status::Active)
        .filter_map(|r| Some((peer_text(directory, r), *r.service_area.municipalities.first()?, &**r)))
        .collect();
    let containing = |m: MunicipalityCode, word: &str| -> HashSet<String> {
        let word = nfkc(word);
        texts.iter().filter(|(t, tm, _)| *tm == m && t.contains(&word)).map(|(_, _, r)| r.id.to_string()).collect()
    };
    let tagged = |m: MunicipalityCode, test: &dyn Fn(&Resource) -> bool| -> HashSet<String> {
        texts.iter().filter(|(_, tm, r)| *tm == m && test(r)).map(|(_, _, r)| r.id.to_string()).collect()
    };
    // Municipalities to ask in, spread over the directory.
    let step = (texts.len() / (per_class * 4).max(1)).max(1);
    let places: Vec<MunicipalityCode> = texts.iter().step_by(step).map(|(_, m, _)| *m).collect();
    let katakana_kinds: Vec<&str> = directory
        .kinds
        .iter()
        .map(|k| k.label.as_str())
        .filter(|l| l.chars().count() >= 4 && l.chars().all(|c| ('ァ'..='ヶ').contains(&c) || c == 'ー'))
        .collect();
    let mut out = Vec::new();
    let push = |class: Class, text: String, m: MunicipalityCode, relevant: HashSet<String>, out: &mut Vec<Query>| {
        if !relevant.is_empty() && out.iter().filter(|q: &&Query| q.class == class).count() < per_class {
            out.push(Query { class, text, municipality: m, relevant });
        }
    };
    for (i, m) in places.iter().enumerate() {
        let word = TWO_CHARACTER[i % TWO_CHARACTER.len()];
        push(Class::TwoChar, word.to_owned(), *m, containing(*m, word), &mut out);
        if !katakana_kinds.is_empty() {
            let label = katakana_kinds[i % katakana_kinds.len()];
            push(Class::Word, label.to_owned(), *m, containing(*m, label), &mut out);
            push(Class::Reading, to_hiragana(label), *m, containing(*m, label), &mut out);
            let half = if i % 4 == 3 { full_width_digits("8050問題") } else { to_half_width(label) };
            let canonical = if i % 4 == 3 { "8050問題" } else { label };
            push(Class::Width, half, *m, containing(*m, canonical), &mut out);
        }
        let variant = ["引きこもり", "引篭もり", "ヒキコモリ", "引き籠もり"][i % 4];
        push(Class::Variant, variant.to_owned(), *m, containing(*m, "ひきこもり"), &mut out);
        let (situation, need) = SITUATIONS[i % SITUATIONS.len()];
        push(
            Class::Situation,
            situation.to_owned(),
            *m,
            tagged(*m, &|r| r.needs.iter().any(|n| n.as_str() == need)),
            &mut out,
        );
        for kind in directory.kinds.iter() {
            if let Some(local) = kind.local_names.iter().find(|l| l.municipality == *m) {
                let relevant = tagged(*m, &|r| r.kind == kind.code);
                push(Class::LocalName, local.name.clone(), *m, relevant, &mut out);
            }
        }
    }
    out
}

/// Recall@10 (of what could fit in ten) and nDCG@10 with binary relevance.
pub fn score(found: &[String], relevant: &HashSet<String>) -> (f64, f64) {
    let top: Vec<&String> = found.iter().take(10).collect();
    let hits = top.iter().filter(|id| relevant.contains(**id)).count();
    let ideal = relevant.len().min(10);
    let dcg: f64 = top
        .iter()
        .enumerate()
        .filter(|(_, id)| relevant.contains(**id))
        .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    let idcg: f64 = (0..ideal).map(|i| 1.0 / (i as f64 + 2.0).log2()).sum();
    (hits as f64 / ideal as f64, dcg / idcg)
}

/// A search engine under comparison.
pub trait Engine {
    fn name(&self) -> String;
    /// The ids of the ten best places for the query, best first.
    fn search(&mut self, query: &Query) -> Vec<String>;
}

/// Yorisoi's index in process.
pub struct YorisoiIndex<'a>(pub &'a SearchIndex);

impl Engine for YorisoiIndex<'_> {
    fn name(&self) -> String {
        "Yorisoi (in process)".into()
    }

    fn search(&mut self, query: &Query) -> Vec<String> {
        let request = SearchRequest {
            text: query.text.clone(),
            municipality: Some(query.municipality),
            limit: 10,
            skip_snippets: true,
            ..SearchRequest::default()
        };
        self.0.search(&request).unwrap().hits.into_iter().map(|h| h.id.to_string()).collect()
    }
}

/// SQLite FTS5 with the trigram tokenizer; terms under three characters (which a
/// trigram index cannot hold) by LIKE. Queries split on spaces and punctuation; the
/// parts are ORed, ranked by bm25.
pub struct Fts5 {
    pub connection: rusqlite::Connection,
}

impl Fts5 {
    pub fn build(directory: &Directory, path: &std::path::Path) -> Self {
        let mut connection = rusqlite::Connection::open(path).unwrap();
        connection
            .execute_batch(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
                 CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, municipality UNINDEXED, body, tokenize = 'trigram');",
            )
            .unwrap();
        let transaction = connection.transaction().unwrap();
        {
            let mut insert =
                transaction.prepare("INSERT INTO docs (id, municipality, body) VALUES (?1, ?2, ?3)").unwrap();
            for r in &directory.resources {
                let m = r.service_area.municipalities.first().map(ToString::to_string).unwrap_or_default();
                insert.execute((r.id.as_str(), m, peer_text(directory, r))).unwrap();
            }
        }
        transaction.commit().unwrap();
        Fts5 { connection }
    }
}

/// The parts of a query a keyword engine can look for.
fn parts(text: &str) -> Vec<String> {
    nfkc(text)
        .split(|c: char| c.is_whitespace() || "、。・,.!?「」()".contains(c))
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Engine for Fts5 {
    fn name(&self) -> String {
        "SQLite FTS5 trigram".into()
    }

    fn search(&mut self, query: &Query) -> Vec<String> {
        let parts = parts(&query.text);
        let long: Vec<String> = parts
            .iter()
            .filter(|p| p.chars().count() >= 3)
            .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
            .collect();
        let short: Vec<&String> = parts.iter().filter(|p| p.chars().count() < 3).collect();
        let m = query.municipality.to_string();
        let mut out: Vec<String> = Vec::new();
        if !long.is_empty() {
            let mut statement = self
                .connection
                .prepare_cached(
                    "SELECT id FROM docs WHERE docs MATCH ?1 AND municipality = ?2 ORDER BY bm25(docs) LIMIT 10",
                )
                .unwrap();
            let rows = statement.query_map((long.join(" OR "), &m), |row| row.get::<_, String>(0)).unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        for part in short {
            if out.len() >= 10 {
                break;
            }
            let mut statement = self
                .connection
                .prepare_cached("SELECT id FROM docs WHERE municipality = ?1 AND body LIKE ?2 LIMIT 10")
                .unwrap();
            let rows = statement.query_map((&m, format!("%{part}%")), |row| row.get::<_, String>(0)).unwrap();
            for id in rows.map(Result::unwrap) {
                if !out.contains(&id) && out.len() < 10 {
                    out.push(id);
                }
            }
        }
        out
    }
}

/// PostgreSQL, pg_trgm or full text, on its own schema of the machine's server.
pub struct Postgres {
    pub runtime: tokio::runtime::Runtime,
    pub pool: sqlx::PgPool,
    pub full_text: bool,
}

/// Creates the peers' tables in `schema` and loads the directory; returns the pool.
pub fn postgres_load(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    schema: &str,
    directory: &Directory,
) -> sqlx::PgPool {
    runtime.block_on(async {
        let admin = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.unwrap();
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute(&admin).await.unwrap();
        admin.close().await;
        let schema_owned = schema.to_owned();
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .after_connect(move |connection, _| {
                let set = format!("SET search_path = {schema_owned}, public");
                Box::pin(async move {
                    sqlx::Executor::execute(connection, sqlx::AssertSqlSafe(set)).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE docs (id text PRIMARY KEY, municipality text NOT NULL, body text NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        for chunk in directory.resources.chunks(1000) {
            let ids: Vec<String> = chunk.iter().map(|r| r.id.to_string()).collect();
            let municipalities: Vec<String> = chunk
                .iter()
                .map(|r| r.service_area.municipalities.first().map(ToString::to_string).unwrap_or_default())
                .collect();
            let bodies: Vec<String> = chunk.iter().map(|r| peer_text(directory, r)).collect();
            sqlx::query("INSERT INTO docs SELECT * FROM unnest($1::text[], $2::text[], $3::text[])")
                .bind(ids)
                .bind(municipalities)
                .bind(bodies)
                .execute(&pool)
                .await
                .unwrap();
        }
        pool
    })
}

/// Builds the indexes of one peer: pg_trgm's GIN (`gin_trgm_ops`) or a GIN over
/// `to_tsvector('simple', body)` (PostgreSQL has no Japanese parser).
pub fn postgres_index(runtime: &tokio::runtime::Runtime, pool: &sqlx::PgPool, full_text: bool) {
    runtime.block_on(async {
        let statements: &[&str] = if full_text {
            &["CREATE INDEX docs_fts ON docs USING gin (to_tsvector('simple', body))"]
        } else {
            &[
                "CREATE INDEX docs_trgm ON docs USING gin (body gin_trgm_ops)",
                "CREATE INDEX docs_m ON docs (municipality)",
            ]
        };
        for statement in statements {
            sqlx::query(sqlx::AssertSqlSafe(*statement)).execute(pool).await.unwrap();
        }
        sqlx::query("ANALYZE docs").execute(pool).await.unwrap();
    });
}

/// The bytes PostgreSQL holds for the table and its indexes.
pub fn postgres_size(runtime: &tokio::runtime::Runtime, pool: &sqlx::PgPool) -> i64 {
    runtime.block_on(async {
        sqlx::query_scalar::<_, i64>("SELECT pg_total_relation_size('docs')").fetch_one(pool).await.unwrap()
    })
}

impl Engine for Postgres {
    fn name(&self) -> String {
        if self.full_text { "PostgreSQL full text (simple)".into() } else { "PostgreSQL pg_trgm".into() }
    }

    fn search(&mut self, query: &Query) -> Vec<String> {
        let m = query.municipality.to_string();
        let text = nfkc(&query.text);
        let pool = &self.pool;
        self.runtime.block_on(async {
            if self.full_text {
                sqlx::query_scalar::<_, String>(
                    "SELECT id FROM docs WHERE municipality = $2 AND to_tsvector('simple', body) @@ plainto_tsquery('simple', $1)
                     ORDER BY ts_rank(to_tsvector('simple', body), plainto_tsquery('simple', $1)) DESC LIMIT 10",
                )
                .bind(&text)
                .bind(&m)
                .fetch_all(pool)
                .await
                .unwrap()
            } else if text.chars().count() >= 3 {
                // word_similarity finds the query within a longer text (similarity
                // compares whole strings, which a name in a description never is).
                sqlx::query_scalar::<_, String>(
                    "SELECT id FROM docs WHERE municipality = $2 AND $1 <% body
                     ORDER BY word_similarity($1, body) DESC LIMIT 10",
                )
                .bind(&text)
                .bind(&m)
                .fetch_all(pool)
                .await
                .unwrap()
            } else {
                sqlx::query_scalar::<_, String>("SELECT id FROM docs WHERE municipality = $2 AND body LIKE '%' || $1 || '%' LIMIT 10")
                    .bind(&text)
                    .bind(&m)
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
        })
    }
}

/// Yorisoi's GraphQL `search` over HTTP/1.1 on loopback, one kept-alive connection.
pub struct YorisoiHttp {
    pub reader: BufReader<TcpStream>,
    pub addr: String,
}

impl YorisoiHttp {
    pub fn connect(addr: &str) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        YorisoiHttp { reader: BufReader::new(stream), addr: addr.to_owned() }
    }
}

impl Engine for YorisoiHttp {
    fn name(&self) -> String {
        "Yorisoi (GraphQL over HTTP)".into()
    }

    fn search(&mut self, query: &Query) -> Vec<String> {
        let body = serde_json::json!({
            "query": "query($q: String!, $m: String) { search(query: $q, municipality: $m, first: 10) { edges { node { resource { key } } } } }",
            "variables": { "q": query.text, "m": query.municipality.to_string() },
        })
        .to_string();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut answer = vec![0; length];
        self.reader.read_exact(&mut answer).unwrap();
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert!(answer.get("errors").is_none(), "{answer}");
        answer["data"]["search"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["resource"]["key"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// What one engine did on one class.
#[derive(Debug, Clone, Default)]
pub struct ClassResult {
    pub times: Vec<Duration>,
    pub recall: f64,
    pub ndcg: f64,
}

/// Runs every query once on `engine`, timing each; gives per class times and scores.
pub fn run(engine: &mut dyn Engine, queries: &[Query]) -> Vec<(Class, ClassResult)> {
    Class::ALL
        .iter()
        .filter_map(|class| {
            let mine: Vec<&Query> = queries.iter().filter(|q| q.class == *class).collect();
            if mine.is_empty() {
                return None;
            }
            let mut result = ClassResult::default();
            for query in &mine {
                let start = Instant::now();
                let found = engine.search(query);
                result.times.push(start.elapsed());
                let (recall, ndcg) = score(&found, &query.relevant);
                result.recall += recall / mine.len() as f64;
                result.ndcg += ndcg / mine.len() as f64;
            }
            Some((*class, result))
        })
        .collect()
}
