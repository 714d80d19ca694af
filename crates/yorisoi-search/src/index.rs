//! The search index: its schema, building and syncing it from a directory (on disk
//! or in RAM), and answering searches.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use yorisoi_core::{Directory, Id, MunicipalityCode, Resource, Status};

use crate::SearchError;
use crate::analysis::{self, BIGRAM, MORPH, READING, Tok};
use crate::collect::{Collected, Predicate, RankCollector, Ranked};
use crate::document::{Context, DocInfo, FacetTables, digest};
use crate::request::{Facets, Hit, SearchRequest, SearchResults, Snippet};
use crate::vocabulary::{Understanding, Vocabulary};

/// Bumped whenever the schema or an analyzer changes, so stale indexes are rebuilt.
const INDEX_FORMAT: &str = "yorisoi-index-4";
const TAG_FILE: &str = "yorisoi-index.tag";

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    ord: Field,
    digest: Field,
    name: Field,
    name_bigram: Field,
    body: Field,
    body_bigram: Field,
    reading: Field,
    need: Field,
    kind: Field,
    within: Field,
    whole: Field,
    area: Field,
    status: Field,
    age_min: Field,
    age_max: Field,
    free: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        ord: b.add_u64_field("ord", FAST),
        digest: b.add_u64_field("digest", FAST | INDEXED),
        name: b.add_text_field("name", text(MORPH, true)),
        name_bigram: b.add_text_field("name_bigram", text(BIGRAM, false)),
        body: b.add_text_field("body", text(MORPH, true)),
        body_bigram: b.add_text_field("body_bigram", text(BIGRAM, false)),
        reading: b.add_text_field("reading", text(READING, false)),
        need: b.add_text_field("need", STRING),
        kind: b.add_text_field("kind", STRING),
        within: b.add_text_field("within", STRING),
        whole: b.add_text_field("whole", STRING),
        area: b.add_text_field("area", STRING),
        status: b.add_text_field("status", STRING),
        age_min: b.add_u64_field("age_min", FAST | INDEXED),
        age_max: b.add_u64_field("age_max", FAST | INDEXED),
        free: b.add_text_field("free", STRING),
    };
    (b.build(), fields)
}

/// Where the index of this build's analyzers lives under a server's data folder:
/// `index-<digest>`, one folder per format, so a new format is built beside the old.
pub fn index_dir(data_dir: &Path) -> std::path::PathBuf {
    let tag = index_tag();
    let digest = tag.rsplit('-').next().unwrap_or(&tag);
    data_dir.join(format!("index-{digest}"))
}

/// An index under `data_dir` made by other analyzers (an older or newer Yorisoi, or the
/// folder `index` of versions before 2026-12-03), to serve from while this build's is
/// built; the most recently changed if several.
pub fn stale_index_dir(data_dir: &Path) -> Option<std::path::PathBuf> {
    let current = index_dir(data_dir);
    let mut found: Vec<(std::time::SystemTime, std::path::PathBuf)> = std::fs::read_dir(data_dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p != &current && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("index")))
        .filter(|p| std::fs::read_to_string(p.join(TAG_FILE)).is_ok_and(|t| t != index_tag()))
        .filter_map(|p| Some((std::fs::metadata(p.join(TAG_FILE)).ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

/// Whether `dir` holds an index of this build's analyzers.
pub fn is_current_index(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(TAG_FILE)).is_ok_and(|t| t == index_tag())
}

/// A digest of everything that decides how text is indexed.
pub fn index_tag() -> String {
    let dictionary = crate::dictionary::USER_DICTIONARY_CSV;
    format!("{INDEX_FORMAT}-{:016x}", digest(&[INDEX_FORMAT, crate::dictionary::BUILT_NAME, dictionary]))
}

/// What the index needs besides tantivy: the facts of each document by ord, and the vocabulary.
struct State {
    docs: Arc<Vec<Option<Arc<DocInfo>>>>,
    tables: FacetTables,
    by_id: HashMap<Id, u64>,
    vocabulary: Arc<Vocabulary>,
    directory: Arc<Directory>,
    /// Where each resource is in `directory.resources`, so that an edit finds its
    /// record and its operators without a pass over the directory.
    positions: rustc_hash::FxHashMap<Id, usize>,
}

/// Where each resource is in `directory`.
fn positions(directory: &Directory) -> rustc_hash::FxHashMap<Id, usize> {
    directory.resources.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect()
}

/// How a sync changed the index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub added: usize,
    pub removed: usize,
    pub kept: usize,
}

/// The search index over a directory's resources.
pub struct SearchIndex {
    reader: IndexReader,
    /// None when another process holds the index for writing: this one only reads.
    writer: Mutex<Option<IndexWriter>>,
    /// Where the index lives, for messages.
    place: String,
    fields: Fields,
    state: RwLock<State>,
    /// The last change-log entry the index holds, written with every commit (tantivy's
    /// commit payload), so a restarted server goes on from there.
    applied: Mutex<Option<i64>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

fn tantivy_error(error: tantivy::TantivyError) -> SearchError {
    SearchError::Index(error.to_string())
}

impl SearchIndex {
    /// An index in memory, built from `directory` (for tests and one-off commands).
    pub fn in_ram(directory: &Directory) -> Result<Self, SearchError> {
        crate::dictionary::segmenter()?;
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        let built = Self::wrap(index, fields, "in memory".to_owned())?;
        built.sync(directory)?;
        Ok(built)
    }

    /// The index persisted in `dir`, brought in line with `directory`: a fresh build
    /// when the directory holds none or one made by other analyzers, else only the
    /// documents that changed.
    pub fn open_or_create(dir: &Path, directory: &Directory) -> Result<(Self, SyncReport), SearchError> {
        Self::open_at(dir, directory, None)
    }

    /// [`SearchIndex::open_or_create`] for a directory that holds the change-log entries
    /// up to `applied`, recorded with the index. The index's own record of how far it
    /// had got is kept in [`SearchIndex::applied_change`] until this sync replaces it.
    pub fn open_at(dir: &Path, directory: &Directory, applied: Option<i64>) -> Result<(Self, SyncReport), SearchError> {
        crate::dictionary::segmenter()?;
        let tag = index_tag();
        let tag_path = dir.join(TAG_FILE);
        let current = std::fs::read_to_string(&tag_path).ok();
        let io = |e: std::io::Error| SearchError::Index(format!("{}: {e}", dir.display()));
        let (schema, fields) = schema();
        let opened = if current.as_deref() == Some(tag.as_str()) {
            let folder = crate::disk::CacheDirectory::open(dir).map_err(|e| SearchError::Index(e.to_string()))?;
            match Index::open(folder) {
                Ok(index) => Some(index),
                // A cache: one that cannot be read (a power cut mid-write) is rebuilt.
                Err(error) => {
                    tracing::warn!(dir = %dir.display(), %error, "search index unreadable; rebuilding it");
                    None
                }
            }
        } else {
            if dir.exists() {
                tracing::info!(dir = %dir.display(), "search index made by other analyzers; rebuilding");
            }
            None
        };
        let index = match opened {
            Some(index) => index,
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(io)?;
                }
                std::fs::create_dir_all(dir).map_err(io)?;
                let folder = crate::disk::CacheDirectory::open(dir).map_err(|e| SearchError::Index(e.to_string()))?;
                let index = Index::create(folder, schema, tantivy::IndexSettings::default()).map_err(tantivy_error)?;
                std::fs::write(&tag_path, &tag).map_err(io)?;
                index
            }
        };
        Self::synced(index, fields, dir, directory, applied)
    }

    fn synced(
        index: Index,
        fields: Fields,
        dir: &Path,
        directory: &Directory,
        applied: Option<i64>,
    ) -> Result<(Self, SyncReport), SearchError> {
        let opened = Self::wrap(index, fields, dir.display().to_string())?;
        let held = opened.applied_change();
        let report = opened.sync_at(directory, applied)?;
        tracing::info!(
            dir = %dir.display(), held_up_to = ?held, now_at = ?applied, added = report.added,
            removed = report.removed, kept = report.kept, "search index opened"
        );
        Ok((opened, report))
    }

    /// Opens an index made by other analyzers, as it is, to serve from while a new one
    /// is built beside it ([`index_dir`]): brought in line with `directory` (documents
    /// that changed are analysed the new way). None when its fields are not this
    /// build's: it cannot answer this build's queries, and is not used.
    pub fn open_stale(
        dir: &Path,
        directory: &Directory,
        applied: Option<i64>,
    ) -> Result<Option<(Self, SyncReport)>, SearchError> {
        crate::dictionary::segmenter()?;
        let (schema, fields) = schema();
        let folder = crate::disk::CacheDirectory::open(dir).map_err(|e| SearchError::Index(e.to_string()))?;
        let index = Index::open(folder).map_err(tantivy_error)?;
        if index.schema() != schema {
            return Ok(None);
        }
        Self::synced(index, fields, dir, directory, applied).map(Some)
    }

    /// Whether this process can write the index (another `yorisoi serve` may hold it).
    pub fn is_writable(&self) -> bool {
        self.writer.lock().expect("the index writer lock is never poisoned").is_some()
    }

    fn wrap(index: Index, fields: Fields, place: String) -> Result<Self, SearchError> {
        analysis::register(&index);
        // A reader needs no writer: when a running server holds the index's lock, a
        // command can still search it (it reads the last commit).
        let writer = match index.writer_with_num_threads(1, 64 * 1024 * 1024) {
            Ok(writer) => Some(writer),
            Err(tantivy::TantivyError::LockFailure(..)) => None,
            Err(error) => return Err(tantivy_error(error)),
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_error)?;
        let applied = index.load_metas().map_err(tantivy_error)?.payload.and_then(|p| p.parse::<i64>().ok());
        let empty = Directory::default();
        let state = State {
            docs: Arc::new(Vec::new()),
            tables: FacetTables::default(),
            by_id: HashMap::new(),
            vocabulary: Arc::new(Vocabulary::new(&empty)),
            directory: Arc::new(empty),
            positions: rustc_hash::FxHashMap::default(),
        };
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            place,
            fields,
            state: RwLock::new(state),
            applied: Mutex::new(applied),
        })
    }

    /// The number of the last change-log entry this index holds, as its last commit
    /// recorded; none for a new index or one no follower has committed.
    pub fn applied_change(&self) -> Option<i64> {
        *self.applied.lock().expect("the applied lock is never poisoned")
    }

    /// Commits with the number of the last change held (`applied`, or the one before).
    fn commit(&self, writer: &mut IndexWriter, applied: Option<i64>) -> Result<(), SearchError> {
        let mut held = self.applied.lock().expect("the applied lock is never poisoned");
        if applied.is_some() {
            *held = applied;
        }
        let mut commit = writer.prepare_commit().map_err(tantivy_error)?;
        if let Some(number) = *held {
            commit.set_payload(&number.to_string());
        }
        commit.commit().map_err(tantivy_error)?;
        Ok(())
    }

    /// Makes the index hold exactly `directory`'s resources; only changed documents are
    /// rewritten. Visible to searches when it returns.
    pub fn sync(&self, directory: &Directory) -> Result<SyncReport, SearchError> {
        self.sync_at(directory, None)
    }

    /// [`SearchIndex::sync`], recording that the index now holds the change-log entries
    /// up to `applied`.
    pub fn sync_at(&self, directory: &Directory, applied: Option<i64>) -> Result<SyncReport, SearchError> {
        let vocabulary = Vocabulary::new(directory);
        let context = Context::new(directory, &vocabulary);
        let wanted: Vec<(DocInfo, crate::document::DocText, u64)> = directory
            .resources
            .iter()
            .map(|r| {
                let (info, text) = context.describe(r);
                let digest = text.digest(&info);
                (info, text, digest)
            })
            .collect();
        let mut wanted_by_digest: HashMap<u64, usize> = wanted.iter().enumerate().map(|(i, w)| (w.2, i)).collect();

        // What the index holds now: (ord, digest) of every live document.
        let searcher = self.reader.searcher();
        let mut existing: Vec<(u64, u64)> = Vec::new();
        for segment in searcher.segment_readers() {
            let ords = segment.fast_fields().u64("ord").map_err(tantivy_error)?;
            let digests = segment.fast_fields().u64("digest").map_err(tantivy_error)?;
            for doc in segment.doc_ids_alive() {
                if let (Some(ord), Some(d)) = (ords.first(doc), digests.first(doc)) {
                    existing.push((ord, d));
                }
            }
        }
        let mut guard = self.writer.lock().expect("the index writer lock is never poisoned");
        let held_elsewhere = || SearchError::HeldElsewhere(self.place.clone());
        let mut docs: Vec<Option<Arc<DocInfo>>> = Vec::new();
        let mut report = SyncReport::default();
        let mut next_ord = existing.iter().map(|(o, _)| o + 1).max().unwrap_or(0);
        let mut placed = vec![None; wanted.len()];
        let mut tables = FacetTables::default();
        for (ord, d) in existing {
            match wanted_by_digest.remove(&d) {
                Some(i) => {
                    placed[i] = Some(ord);
                    report.kept += 1;
                }
                None => {
                    guard.as_mut().ok_or_else(held_elsewhere)?.delete_term(Term::from_field_u64(self.fields.digest, d));
                    report.removed += 1;
                }
            }
        }
        for (i, (mut info, text, d)) in wanted.into_iter().enumerate() {
            tables.number(&mut info);
            let ord = match placed[i] {
                Some(ord) => ord,
                None => {
                    let ord = next_ord;
                    next_ord += 1;
                    let writer = guard.as_mut().ok_or_else(held_elsewhere)?;
                    writer.add_document(self.document(&info, &text, d, ord)).map_err(tantivy_error)?;
                    report.added += 1;
                    ord
                }
            };
            let slot = usize::try_from(ord).expect("ords fit in memory");
            if docs.len() <= slot {
                docs.resize(slot + 1, None);
            }
            docs[slot] = Some(Arc::new(info));
        }
        if let Some(writer) = guard.as_mut() {
            self.commit(writer, applied)?;
            // A directory is read far more than written: after a sync, merge into one
            // segment so each query term is looked up once, not once per segment.
            let segments = writer.index().searchable_segment_ids().map_err(tantivy_error)?;
            if segments.len() > 1 {
                writer.merge(&segments).wait().map_err(tantivy_error)?;
            }
        }
        drop(guard);
        self.reader.reload().map_err(tantivy_error)?;
        let by_id = docs.iter().enumerate().filter_map(|(o, d)| d.as_ref().map(|d| (d.id.clone(), o as u64))).collect();
        *self.state.write().expect("the state lock is never poisoned") = State {
            docs: Arc::new(docs),
            tables,
            by_id,
            vocabulary: Arc::new(vocabulary),
            directory: Arc::new(directory.clone()),
            positions: positions(directory),
        };
        Ok(report)
    }

    /// Adds or replaces one resource (after a steward's edit); visible when it returns.
    /// Only this resource's document is rewritten; organizations and taxonomies are
    /// taken as they were at the last `sync` (a change to those calls for a `sync`).
    pub fn upsert(&self, resource: &Resource) -> Result<(), SearchError> {
        self.apply(&[Arc::new(resource.clone())], &[], None)
    }

    /// Removes one resource; visible when it returns.
    pub fn remove(&self, id: &Id) -> Result<(), SearchError> {
        self.apply(&[], std::slice::from_ref(id), None)
    }

    /// Adds or replaces `puts` and removes `removes` in one commit, recording that the
    /// index holds the change-log entries up to `applied` when given; visible when it
    /// returns. Organizations and taxonomies are taken as at the last `sync`.
    pub fn apply(&self, puts: &[Arc<Resource>], removes: &[Id], applied: Option<i64>) -> Result<(), SearchError> {
        let mut state = self.state.write().expect("the state lock is never poisoned");
        let state = &mut *state;
        let mut guard = self.writer.lock().expect("the index writer lock is never poisoned");
        let writer = guard.as_mut().ok_or_else(|| SearchError::HeldElsewhere(self.place.clone()))?;
        let directory = Arc::make_mut(&mut state.directory);
        if !removes.is_empty() {
            let gone: rustc_hash::FxHashSet<&Id> = removes.iter().collect();
            directory.resources.retain(|r| !gone.contains(&r.id));
            state.positions = positions(directory);
        }
        let docs = Arc::make_mut(&mut state.docs);
        for id in removes {
            writer.delete_term(Term::from_field_text(self.fields.id, id.as_str()));
            if let Some(ord) = state.by_id.remove(id) {
                docs[ord as usize] = None;
            }
        }
        for resource in puts {
            match state.positions.get(&resource.id) {
                Some(&i) => directory.resources[i] = Arc::clone(resource),
                None => {
                    state.positions.insert(resource.id.clone(), directory.resources.len());
                    directory.resources.push(Arc::clone(resource));
                }
            }
        }
        let started = std::time::Instant::now();
        let context = Context::for_few(directory, &state.vocabulary, puts, &state.positions);
        for resource in puts {
            let (mut info, text) = context.describe(resource);
            let digest = text.digest(&info);
            state.tables.number(&mut info);
            let ord = docs.len() as u64;
            writer.delete_term(Term::from_field_text(self.fields.id, resource.id.as_str()));
            writer.add_document(self.document(&info, &text, digest, ord)).map_err(tantivy_error)?;
            if let Some(old) = state.by_id.insert(resource.id.clone(), ord) {
                docs[old as usize] = None;
            }
            docs.push(Some(Arc::new(info)));
        }
        let added = started.elapsed();
        self.commit(writer, applied)?;
        let committed = started.elapsed();
        drop(guard);
        self.reader.reload().map_err(tantivy_error)?;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        tracing::debug!(
            puts = puts.len(),
            removes = removes.len(),
            added_ms = ms(added),
            committed_ms = ms(committed - added),
            reloaded_ms = ms(started.elapsed() - committed),
            "index updated"
        );
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.state.read().expect("state lock").by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn document(&self, info: &DocInfo, text: &crate::document::DocText, digest: u64, ord: u64) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, info.id.as_str());
        doc.add_u64(f.ord, ord);
        doc.add_u64(f.digest, digest);
        doc.add_text(f.name, &text.name);
        doc.add_text(f.name_bigram, &text.name);
        doc.add_text(f.body, &text.body);
        doc.add_text(f.body_bigram, &text.body);
        doc.add_text(f.reading, &text.reading);
        for (field, values) in [
            (f.need, &text.needs),
            (f.kind, &text.kinds),
            (f.within, &text.within),
            (f.whole, &text.whole),
            (f.area, &text.areas),
        ] {
            for value in values {
                doc.add_text(field, value);
            }
        }
        doc.add_text(f.status, info.status.code());
        doc.add_u64(f.age_min, info.age_min.map_or(0, u64::from));
        doc.add_u64(f.age_max, info.age_max.map_or(u64::from(u8::MAX), u64::from));
        doc.add_text(f.free, if info.free == Some(true) { "yes" } else { "no" });
        doc
    }

    /// Answers a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let state = self.state.read().expect("state lock");
        let f = self.fields;
        let mut understood = state.vocabulary.understand_in(&request.text, request.municipality);
        if let Some(about) = &request.about {
            understood.needs = state.vocabulary.settled(about, &understood.needs);
        }
        let searcher = self.reader.searcher();
        let text_query = text_query(f, &searcher, &request.text, &understood, &state.vocabulary);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        clauses.push((
            Occur::Must,
            text_query.as_ref().map_or_else(|| Box::new(AllQuery) as Box<dyn Query>, |q| q.box_clone()),
        ));
        let mut filter =
            |query: Box<dyn Query>| clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        if let Some(code) = request.municipality {
            let mut either: Vec<Box<dyn Query>> = vec![term(f.within, &code.to_string())];
            // A resource serving the whole of an enclosing municipality serves this one too.
            for ancestor in state.directory.municipality_and_ancestors(code).into_iter().skip(1) {
                either.push(term(f.whole, &ancestor.to_string()));
            }
            filter(Box::new(BooleanQuery::union(either)));
        }
        if let Some(area) = &request.area {
            filter(term(f.area, area.as_str()));
        }
        for need in &request.needs {
            filter(term(f.need, need.as_str()));
        }
        if !request.kinds.is_empty() {
            filter(Box::new(BooleanQuery::union(request.kinds.iter().map(|k| term(f.kind, k.as_str())).collect())));
        }
        if !request.include_inactive {
            filter(term(f.status, Status::Active.code()));
        }
        if let Some(age) = request.age {
            let age = u64::from(age);
            filter(Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(Term::from_field_u64(f.age_min, age)))));
            filter(Box::new(RangeQuery::new(Bound::Included(Term::from_field_u64(f.age_max, age)), Bound::Unbounded)));
        }
        if request.free_only {
            filter(term(f.free, "yes"));
        }
        let query = BooleanQuery::new(clauses);

        let limit = if request.limit == 0 { 10 } else { request.limit.min(100) };
        let collector = RankCollector {
            docs: Arc::clone(&state.docs),
            predicate: Predicate { open_at: request.open_at, include_unknown_hours: request.include_unknown_hours },
            keep: request.offset + limit,
            facet_sizes: (state.tables.needs.len(), state.tables.kinds.len(), state.tables.municipalities.len()),
        };
        // Opening hours are not terms, and facets need every match: those take one full
        // pass. Otherwise tantivy's pruned top-k and a plain count are much cheaper.
        let collected = if request.open_at.is_some() || request.facets {
            searcher.search(&query, &collector).map_err(tantivy_error)?
        } else {
            let top = TopDocs::with_limit(request.offset + limit).order_by_score();
            let (top, total) = if request.count {
                let (top, total) = searcher.search(&query, &(top, Count)).map_err(tantivy_error)?;
                (top, Some(total))
            } else {
                (searcher.search(&query, &top).map_err(tantivy_error)?, None)
            };
            let mut ranked = Vec::with_capacity(top.len());
            for (score, address) in top {
                let ords =
                    searcher.segment_reader(address.segment_ord).fast_fields().u64("ord").map_err(tantivy_error)?;
                if let Some(ord) = ords.first(address.doc_id) {
                    ranked.push(Ranked { score, ord });
                }
            }
            Collected { top: ranked, total: total.unwrap_or_default(), ..Collected::default() }
        };
        let exhaustive = request.open_at.is_some() || request.facets || request.count;
        let snippets = match &text_query {
            Some(q) if !request.skip_snippets => {
                Some(SnippetGenerator::create(&searcher, q.as_ref(), f.body).map_err(tantivy_error)?)
            }
            _ => None,
        };
        // Read once, and only when a hit has exclusions to check against it.
        let situation = std::cell::OnceCell::new();
        let mut hits = Vec::new();
        for ranked in collected.top.iter().skip(request.offset) {
            let Some(Some(info)) = state.docs.get(ranked.ord as usize) else { continue };
            let snippet = match &snippets {
                Some(generator) => snippet(generator, &info.readable),
                None => Snippet::default(),
            };
            let matched_needs = matched_needs(info, request, &understood, &state.vocabulary);
            let ineligible = ineligible(info, request, &understood, &situation, &state.directory);
            let mut reason = reason(info, request, &understood, &matched_needs, &state.directory);
            for why in &ineligible {
                reason.push_str(&format!(" / 対象外の可能性: {why}"));
            }
            hits.push(Hit {
                id: info.id.clone(),
                name: info.name.clone(),
                score: ranked.score,
                snippet,
                matched_needs,
                reason,
                serves: info.municipalities.clone(),
                last_day: info.schedule.last_day(),
                event: info.schedule.is_event(),
                ineligible,
                may_consult: info.may_consult,
            });
        }
        let total = exhaustive.then_some(collected.total);
        Ok(SearchResults { hits, total, facets: facets(&collected, &state.tables), understood })
    }
}

/// The longest fragment the snippet of a hit shows.
const SNIPPET_CHARS: usize = 120;

/// A hit's snippet, from what a worker reads about the place (its description and who
/// it is for), never from the vocabulary indexed with it; the opening of that text
/// when the query's words are not in it.
fn snippet(generator: &SnippetGenerator, readable: &str) -> Snippet {
    let found = generator.snippet(readable);
    if !found.highlighted().is_empty() {
        return Snippet {
            fragment: found.fragment().to_owned(),
            highlights: found.highlighted().iter().map(|r| (r.start, r.end)).collect(),
        };
    }
    Snippet { fragment: readable.chars().take(SNIPPET_CHARS).collect(), highlights: Vec::new() }
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

/// Whether a word is so common that matching it says almost nothing (BM25 gives it a
/// weight near zero) while walking its postings costs the most. A small directory
/// never drops a word: the cut starts at 1,000 documents.
struct CommonTerms<'a> {
    searcher: &'a tantivy::Searcher,
    limit: u64,
}

impl CommonTerms<'_> {
    fn new(searcher: &tantivy::Searcher) -> CommonTerms<'_> {
        CommonTerms { searcher, limit: (searcher.num_docs() / 5).max(1_000) }
    }

    fn is_common(&self, term: &Term) -> bool {
        self.searcher.doc_freq(term).is_ok_and(|df| df > self.limit)
    }
}

fn scored_terms(common: &CommonTerms, field: Field, tokens: &[Tok], boost: f32) -> Vec<Box<dyn Query>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for token in tokens {
        if seen.contains(&token.text.as_str()) {
            continue;
        }
        seen.push(&token.text);
        let term = Term::from_field_text(field, &token.text);
        if common.is_common(&term) {
            continue;
        }
        let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
        out.push(Box::new(BoostQuery::new(Box::new(query), boost)));
    }
    out
}

/// The scoring part of a search: words in names and descriptions, their readings and
/// bigrams, and the needs, kinds and places the text was understood to name.
fn text_query(
    f: Fields,
    searcher: &tantivy::Searcher,
    text: &str,
    understood: &Understanding,
    vocabulary: &Vocabulary,
) -> Option<Box<dyn Query>> {
    if text.trim().is_empty() {
        return None;
    }
    let mut common = CommonTerms::new(searcher);
    let morph = analysis::morph_tokens(text);
    let bigrams = analysis::bigram_tokens(text);
    // Readings let words typed in hiragana find kanji and katakana (ほうかつ → 包括);
    // the rest of the query already meets the text through words and bigrams.
    let readings = analysis::reading_tokens(&hiragana_runs(text));
    let words = |common: &CommonTerms| {
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        out.extend(scored_terms(common, f.name, &morph, 3.0));
        out.extend(scored_terms(common, f.name_bigram, &bigrams, 1.5));
        out.extend(scored_terms(common, f.body, &morph, 1.0));
        out.extend(scored_terms(common, f.body_bigram, &bigrams, 0.5));
        out.extend(scored_terms(common, f.reading, &readings, 0.5));
        out
    };
    // When every word of the query is common in the descriptions (相談 alone, where
    // a third of the places say it), those words are all it asks: they are searched
    // after all, or a place that says 相談 only in its description is never found.
    let body_words_kept = !scored_terms(&common, f.body, &morph, 1.0).is_empty()
        || !scored_terms(&common, f.body_bigram, &bigrams, 0.5).is_empty();
    if !body_words_kept {
        common.limit = u64::MAX;
    }
    let mut should = words(&common);
    // A need understood finds its own windows first, then those for its broader needs
    // (8050問題 → ひきこもり → 孤独・孤立), each step up worth half as much; a window
    // tagged with both counts once, at its best (documents carry their needs' ancestors).
    for need in &understood.needs {
        let mut boost = 4.0;
        let mut chain: Vec<Box<dyn Query>> = Vec::new();
        for code in vocabulary.need_with_ancestors(&need.code) {
            chain.push(Box::new(BoostQuery::new(term(f.need, code.as_str()), boost)));
            boost /= 2.0;
        }
        should.push(Box::new(DisjunctionMaxQuery::new(chain)));
    }
    for kind in &understood.kinds {
        should.push(Box::new(BoostQuery::new(term(f.kind, kind.as_str()), 4.0)));
    }
    for place in &understood.places {
        should.push(Box::new(BoostQuery::new(term(f.within, &place.to_string()), 2.0)));
    }
    (!should.is_empty()).then(|| Box::new(BooleanQuery::union(should)) as Box<dyn Query>)
}

/// The runs of two or more hiragana (with ー) in `text`, space-separated.
fn hiragana_runs(text: &str) -> String {
    let normalized = crate::normalize::normalize(text).text;
    let mut runs: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in normalized.chars() {
        if matches!(c, 'ぁ'..='ゖ' | 'ー') {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    runs.push(current);
    runs.retain(|run| run.chars().count() >= 2);
    runs.join(" ")
}

fn matched_needs(
    info: &DocInfo,
    request: &SearchRequest,
    understood: &Understanding,
    vocabulary: &Vocabulary,
) -> Vec<Id> {
    let asked: Vec<&Id> = request.needs.iter().chain(understood.needs.iter().map(|n| &n.code)).collect();
    // The resource's needs that are the one asked or narrower (8050 for ひきこもり); a
    // place with none of those is named for a broader one it serves (ひきこもり for 8050).
    let direct: Vec<Id> = info
        .needs
        .iter()
        .filter(|need| vocabulary.need_with_ancestors(need).iter().any(|n| asked.contains(&n)))
        .cloned()
        .collect();
    if !direct.is_empty() {
        return direct;
    }
    let broader: Vec<Id> = asked.iter().flat_map(|a| vocabulary.need_with_ancestors(a)).collect();
    info.needs.iter().filter(|need| broader.contains(need)).cloned().collect()
}

/// Why the person may not be eligible, in words: the residence the place requires, or
/// a circumstance it excludes that the situation says (with the words that said so).
fn ineligible(
    info: &DocInfo,
    request: &SearchRequest,
    understood: &Understanding,
    situation: &std::cell::OnceCell<crate::situation::Reading>,
    directory: &Directory,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if let (Some(person), Some(place)) = (request.gender, info.gender)
        && person != place
    {
        reasons.push(format!("{}が対象", place.label()));
    }
    if let Some(home) = request.municipality
        && !info.residence.is_empty()
        && !directory.municipality_and_ancestors(home).iter().any(|m| info.residence.contains(m))
    {
        let names: Vec<&str> =
            info.residence.iter().filter_map(|m| directory.municipality(*m)).map(|m| m.name.as_str()).collect();
        reasons.push(format!("{}在住の方が対象", names.join("・")));
    }
    if !info.excludes.is_empty() {
        let lexicon = crate::situation::Lexicon::shipped();
        let reading = situation.get_or_init(|| crate::situation::read_situation(&request.text, lexicon));
        let known: Vec<&str> = understood.needs.iter().map(|n| n.code.as_str()).collect();
        for (label, cues) in &info.excludes {
            if let Some(words) = cues.iter().find_map(|cue| cue.find(reading, &known, lexicon)) {
                reasons.push(format!("{label}は対象外（「{words}」）"));
            }
        }
    }
    reasons
}

fn reason(
    info: &DocInfo,
    request: &SearchRequest,
    understood: &Understanding,
    matched_needs: &[Id],
    directory: &Directory,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    let label = |code: &Id| {
        directory.needs.iter().find(|n| &n.code == code).map_or_else(|| code.to_string(), |n| n.label.clone())
    };
    if !matched_needs.is_empty() {
        parts.push(format!("困りごと: {}", matched_needs.iter().map(label).collect::<Vec<_>>().join("・")));
    }
    let kind = match &info.local_kind_name {
        Some(local) if local != &info.kind_label => format!("{}（{local}）", info.kind_label),
        _ => info.kind_label.clone(),
    };
    if understood.kinds.contains(&info.kind) || request.kinds.contains(&info.kind) {
        parts.push(format!("種類: {kind}"));
    }
    let places: Vec<MunicipalityCode> =
        request.municipality.into_iter().chain(understood.places.iter().copied()).collect();
    if let Some(place) = places.first().and_then(|c| directory.municipality(*c)) {
        parts.push(format!("地域: {}", place.name));
    }
    if let Some(age) = request.age {
        parts.push(format!("{age}歳も対象"));
    }
    if let Some(at) = request.open_at {
        let openness = info.schedule.openness_at(at);
        parts.push(
            match openness {
                yorisoi_core::Openness::Open => "指定の時間に開いている",
                yorisoi_core::Openness::Unknown => "開所時間は要確認",
                yorisoi_core::Openness::Closed => "指定の時間は閉まっている",
            }
            .to_owned(),
        );
    }
    if parts.is_empty() {
        parts.push(format!("名称・説明が一致（{kind}）"));
    }
    parts.join(" / ")
}

fn facets(collected: &Collected, tables: &FacetTables) -> Facets {
    fn sorted<T: Clone + Ord>(counts: &[usize], values: &[T]) -> Vec<(T, usize)> {
        let mut v: Vec<(T, usize)> =
            counts.iter().zip(values).filter(|(c, _)| **c > 0).map(|(c, value)| (value.clone(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
    Facets {
        needs: sorted(&collected.needs, &tables.needs),
        kinds: sorted(&collected.kinds, &tables.kinds),
        municipalities: sorted(&collected.municipalities, &tables.municipalities),
    }
}
