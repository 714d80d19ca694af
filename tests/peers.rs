//! The peers benchmark (`cargo bench --bench peers`) kept compiling and correct on a
//! tiny directory: its judged queries, its scores, and every engine answering them —
//! Yorisoi in process and over HTTP, SQLite FTS5, and (under DATABASE_URL) pg_trgm and
//! PostgreSQL full text. Speed is the benchmark's business; this checks what it counts.

#[allow(dead_code)]
#[path = "../benches/peers/engines.rs"]
mod engines;

use std::collections::HashSet;
use std::sync::Arc;

use engines::Class;
use yorisoi_core::synthetic::{Size, directory};

use crate::support::seed_dir;

#[test]
fn readings_widths_and_scores_are_made_as_the_benchmark_says() {
    assert_eq!(engines::to_hiragana("フードパントリー"), "ふーどぱんとりー");
    assert_eq!(engines::to_half_width("フードパントリー"), "ﾌｰﾄﾞﾊﾟﾝﾄﾘｰ");
    assert_eq!(engines::nfkc(&engines::to_half_width("フードパントリー")), "フードパントリー");
    assert_eq!(engines::full_width_digits("8050問題"), "８０５０問題");
    let relevant: HashSet<String> = ["a", "b"].map(String::from).into();
    assert_eq!(engines::score(&["a".into(), "b".into()], &relevant), (1.0, 1.0));
    let (recall, ndcg) = engines::score(&["x".into(), "a".into()], &relevant);
    assert_eq!(recall, 0.5);
    let expected = (1.0 / 3f64.log2()) / (1.0 + 1.0 / 3f64.log2());
    assert!((ndcg - expected).abs() < 1e-9, "{ndcg}");
    assert_eq!(engines::score(&[], &relevant), (0.0, 0.0));
}

#[test]
fn every_engine_answers_the_judged_queries_of_a_tiny_directory() {
    let taxonomy = yorisoi_seed::read_dir(&seed_dir()).unwrap().directory;
    // Large enough that the commonest words (相談, in a third of the places) pass the
    // index's cut for common words (a fifth of the documents, from 1,000 on).
    let size = Size { municipalities: 200, resources: 6_000, organizations: 0, referrals: 0 };
    let dir = Arc::new(directory(&taxonomy, size, 42));
    let queries = engines::queries(&dir, 5);
    for class in Class::ALL {
        let n = queries.iter().filter(|q| q.class == class).count();
        assert!(n > 0, "no {class:?} query could be judged");
    }
    for query in &queries {
        // Judged places are in the query's municipality.
        for id in &query.relevant {
            let r = dir.resources.iter().find(|r| r.id.as_str() == id).unwrap();
            assert_eq!(r.service_area.municipalities[0], query.municipality);
        }
    }
    let index = yorisoi_search::SearchIndex::in_ram(&dir).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut fts = engines::Fts5::build(&dir, &work.path().join("fts.db"));
    let mut yorisoi = engines::YorisoiIndex(&index);
    let mut results =
        vec![("yorisoi", engines::run(&mut yorisoi, &queries)), ("fts5", engines::run(&mut fts, &queries))];
    if let Ok(url) = std::env::var("DATABASE_URL").map(|u| u.split('?').next().unwrap().to_owned())
        && url.starts_with("postgres")
    {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let schema = format!("peers_test_{}", std::process::id());
        let pool = engines::postgres_load(&runtime, &url, &schema, &dir);
        engines::postgres_index(&runtime, &pool, false);
        let mut trgm = engines::Postgres { runtime, pool, full_text: false };
        results.push(("pg_trgm", engines::run(&mut trgm, &queries)));
        trgm.runtime.block_on(async {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&trgm.pool)
                .await
                .unwrap();
        });
    }
    let recall = |engine: &str, class: Class| {
        let (_, out) = results.iter().find(|(e, _)| *e == engine).unwrap();
        out.iter().find(|(c, _)| *c == class).map_or(0.0, |(_, r)| r.recall)
    };
    for (engine, out) in &results {
        for (class, result) in out {
            println!("{engine:<8} {class:?}: recall@10 {:.3}, nDCG@10 {:.3}", result.recall, result.ndcg);
        }
    }
    // Plain words both find (and half-width ones, once the peer's query is NFKC'd as
    // the benchmark does for fairness); only Yorisoi reads a hiragana reading, a
    // spelling variant, a local name or a situation — what the benchmark reports at
    // scale.
    assert!(recall("fts5", Class::Word) > 0.9, "FTS5 finds a word it holds");
    // A word most places say (相談) is still searched when it is all the query has.
    assert!(recall("yorisoi", Class::TwoChar) >= 0.95, "{}", recall("yorisoi", Class::TwoChar));
    for class in [Class::Reading, Class::Variant, Class::LocalName, Class::Situation] {
        assert!(recall("yorisoi", class) > recall("fts5", class), "{class:?}");
    }
}
