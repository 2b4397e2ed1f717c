//! `Engine`: an open index that answers searches, documents, similar documents and exports.
//! It follows the index directory by itself: a new commit (incremental ingest) or a new
//! generation (full rebuild) by another process is picked up on the next request. A search
//! runs the strict query of its `Plan`, and the relaxed one when that fills less than a page.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use std::collections::BTreeMap;

use tantivy::collector::{Count, FruitHandle, MultiCollector, MultiFruit, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, IndexReader, Order, ReloadPolicy, Searcher, Term};

use crate::index::documents::{DocLoader, DocumentFiles};
use crate::index::schema::SCHEMA_VERSION;
use crate::index::{
    Fields, FileStamp, IndexDir, LastIngest, Manifest, open_index_for_search, tokenizer,
};
use crate::model::CaseDoc;
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

use super::filters::{self, Filter};
use super::hits::HitBuilder;
use super::pivot::{self, Axis, Pivot, PivotCollector};
use super::plan::{Plan, display_score};
use super::precedents::{self, Precedents};
use super::synonyms::SynonymFile;
use super::types::{DEFAULT_PER_PAGE, Facets, Hit, SearchRequest, SearchResponse, SortOrder};
use super::{facets, query, similar};

/// The generation being served and what was seen of it.
struct Served {
    name: String,
    meta_stamp: Mutex<Option<FileStamp>>,
    reader: IndexReader,
    fields: Fields,
    /// The generation's document files, each mapped once (see `documents`).
    documents: DocumentFiles,
}

/// An open, searchable index. Share it as `Arc<Engine>`.
pub struct Engine {
    dir: IndexDir,
    served: RwLock<Arc<Served>>,
    /// The stamp of `CURRENT` when its name was last read.
    pointer_seen: Mutex<Option<FileStamp>>,
    /// Synonyms expanded at query time (embedded, and the corpus's file once `with_corpus`).
    synonyms: SynonymFile,
}

/// The documents of one search, in its order, on the searcher snapshot it ran on: they stay
/// readable however the index changes meanwhile (`Engine::matching`).
pub struct Matching {
    served: Arc<Served>,
    searcher: Searcher,
    addrs: Vec<DocAddress>,
}

impl Matching {
    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    /// `f` of the documents from position `start` on, in order, one loaded at a time, while
    /// `f` answers true. Returns the position after the last document given to `f`.
    pub fn for_each_from(
        &self,
        start: usize,
        mut f: impl FnMut(CaseDoc) -> Result<bool>,
    ) -> Result<usize> {
        let mut loader = DocLoader::new(&self.searcher, &self.served.documents);
        let mut at = start;
        while let Some(&addr) = self.addrs.get(at) {
            at += 1;
            if !f(loader.load(addr)?)? {
                break;
            }
        }
        Ok(at)
    }
}

impl Engine {
    /// Opens the index under `index_dir` (the directory `ingest` writes).
    pub fn open(index_dir: &Path) -> Result<Engine> {
        let dir = IndexDir::new(index_dir);
        let pointer = dir.current_stamp();
        let served = open_served(&dir)?;
        tokenizer::warm_up();
        Ok(Engine {
            dir,
            served: RwLock::new(Arc::new(served)),
            pointer_seen: Mutex::new(pointer),
            synonyms: SynonymFile::embedded(),
        })
    }

    /// This engine with the user's synonyms of `corpus_root` (`zhili-synonyms.toml`) added to
    /// the embedded ones, re-read whenever the file changes.
    pub fn with_corpus(mut self, corpus_root: &Path) -> Engine {
        self.synonyms = SynonymFile::for_corpus(corpus_root);
        self
    }

    /// The generation to answer from, after picking up any newer commit or generation. Two
    /// `stat`s when nothing changed: reading `CURRENT` on every search was about 6% of
    /// a search (perf).
    fn current(&self) -> Result<Arc<Served>> {
        let served = self.served.read().expect("engine lock poisoned").clone();
        let pointer = self.dir.current_stamp();
        let seen = *self.pointer_seen.lock().expect("engine lock poisoned");
        if pointer.is_none() || pointer != seen {
            let name = self.dir.current_name()?;
            if name.is_some() && name.as_deref() != Some(served.name.as_str()) {
                let fresh = Arc::new(open_served(&self.dir)?);
                tracing::info!(
                    target: "zhili::index",
                    "switched from index generation {} to {}",
                    served.name,
                    fresh.name
                );
                *self.served.write().expect("engine lock poisoned") = fresh.clone();
                *self.pointer_seen.lock().expect("engine lock poisoned") = pointer;
                return Ok(fresh);
            }
            *self.pointer_seen.lock().expect("engine lock poisoned") = pointer;
        }
        let stamp = meta_stamp(&self.dir.root().join(&served.name));
        let mut seen = served.meta_stamp.lock().expect("engine lock poisoned");
        if stamp != *seen {
            served.reader.reload()?;
            *seen = stamp;
        }
        drop(seen);
        Ok(served)
    }

    /// Searches with facets and snippets, as the API answers.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        self.search_with(request, Extras::default())
    }

    /// Searches, computing facets and snippets only when `extras` asks (benchmarks compare).
    pub fn search_with(&self, request: &SearchRequest, extras: Extras) -> Result<SearchResponse> {
        let started = Instant::now();
        let served = self.current()?;
        let searcher = served.reader.searcher();
        let fields = &served.fields;
        let plan = Plan::new(&query::parse(request.q())?, &*self.synonyms.get()?)?;
        let mut text = plan.strict(fields);
        let page = (
            (request.page() - 1) * request.per_page(),
            request.per_page(),
        );
        let mut found = self.ranked(&searcher, &served, text.as_deref(), request, extras, page)?;
        let mut relaxed = Vec::new();
        let complete = found.total as u64;
        if found.total < request.per_page() {
            let count = |q: &dyn tantivy::query::Query| -> Result<usize> {
                Ok(searcher.search(&*filters::combine(Some(q), fields, request, None), &Count)?)
            };
            if let Some(r) =
                plan.relax(&searcher, fields, request.per_page(), found.total, count)?
            {
                found = self.ranked(&searcher, &served, Some(&*r.query), request, extras, page)?;
                text = Some(r.query);
                relaxed = r.dropped;
            }
        }
        let facets = match found.counted {
            Some(counted) => count_facets(&searcher, text.as_deref(), fields, request, counted)?,
            None => Facets::default(),
        };
        let builder = HitBuilder::new(
            &plan.highlight_terms(),
            &plan.highlight_expressions(),
            extras.snippets,
        )
        .preferring(request.measures());
        let mut loader = DocLoader::new(&searcher, &served.documents);
        let mut traditional = Traditional::default();
        let hits = found
            .hits
            .into_iter()
            .map(|(score, addr)| {
                let traditional = traditional.of(&searcher, addr)?;
                loader.load_with(addr, |stored| {
                    builder.hit(stored, display_score(score), traditional)
                })
            })
            .collect::<Result<Vec<Hit>>>()?;
        Ok(SearchResponse {
            query: request.q().to_string(),
            total: found.total as u64,
            page: request.page(),
            per_page: request.per_page(),
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            relaxed,
            complete,
            facets,
        })
    }

    /// The hits `offset..offset + limit` of `text` (with the request's filters) in the
    /// request's order, the total, and the facets counted in the same pass.
    fn ranked(
        &self,
        searcher: &Searcher,
        served: &Served,
        text: Option<&dyn tantivy::query::Query>,
        request: &SearchRequest,
        extras: Extras,
        (offset, limit): (usize, usize),
    ) -> Result<Ranked> {
        let main = filters::combine(text, &served.fields, request, None);
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
        // Facets whose own filter is not set count over the main query: collect them in the
        // same pass.
        let mut along = MultiCollector::new();
        let handles = FacetHandles::add(&mut along, request, extras.facets);
        let newest_by = match request.sort() {
            SortOrder::Relevance => None,
            SortOrder::Year => Some(crate::index::schema::YEAR),
            SortOrder::Added => Some(crate::index::schema::ADDED),
        };
        let (hits, total, mut fruits) = match newest_by {
            None => searcher.search(&*main, &(top.order_by_score(), Count, along))?,
            Some(field) => {
                let newest = top.order_by_fast_field::<i64>(field, Order::Desc);
                let (docs, total, fruits) = searcher.search(&*main, &(newest, Count, along))?;
                let docs = docs.into_iter().map(|(_, addr)| (0.0, addr)).collect();
                (docs, total, fruits)
            }
        };
        Ok(Ranked {
            hits,
            total,
            counted: extras.facets.then(|| handles.extract(&mut fruits)),
        })
    }

    /// One document by id (`Error::NotFound` for an unknown id).
    pub fn doc(&self, id: &str) -> Result<CaseDoc> {
        let served = self.current()?;
        let searcher = served.reader.searcher();
        let addr = find_id(&searcher, &served.fields, id)?
            .ok_or_else(|| Error::not_found(format!("no document has the id {id:?}")))?;
        DocLoader::new(&searcher, &served.documents).load(addr)
    }

    /// Documents most like `id`, itself and near-duplicates excluded.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Vec<Hit>> {
        let doc = self.doc(id)?;
        let served = self.current()?;
        let searcher = served.reader.searcher();
        let fields = &served.fields;
        let Some(like) = similar::query_like(&doc, &searcher, fields)? else {
            return Ok(Vec::new());
        };
        let query = filters::canonical_only(like, fields);
        let top = TopDocs::with_limit(limit + 1).order_by_score();
        let builder = HitBuilder::new(&[], &[], true);
        let mut hits = Vec::new();
        let mut loader = DocLoader::new(&searcher, &served.documents);
        for (score, addr) in searcher.search(&*query, &top)? {
            let hit = loader.load_with(addr, |other| {
                let (other_id, other_of) = (&other.doc.id, other.doc.duplicate_of.as_deref());
                let same = *other_id == doc.id || other_of == Some(doc.id.as_str());
                (!same).then(|| builder.hit(other, score, true))
            })?;
            hits.extend(hit);
        }
        hits.truncate(limit);
        Ok(hits)
    }

    /// The documents a search of `request` lists (page ignored; every canonical document
    /// when there is neither query nor filter), at most `limit`, in the search's order (the
    /// request's sort; relevance by default), fixed on one searcher snapshot: what
    /// `zhili export` and `/api/export` write, one document at a time.
    pub fn matching(&self, request: &SearchRequest, limit: usize) -> Result<Matching> {
        let served = self.current()?;
        let searcher = served.reader.searcher();
        let (text, _) = self.result_query(&searcher, &served.fields, request)?;
        let main = filters::combine(text.as_deref(), &served.fields, request, None);
        let window = searcher.search(&*main, &Count)?.min(limit);
        let addrs = if window == 0 {
            Vec::new()
        } else {
            let bare = Extras {
                facets: false,
                snippets: false,
            };
            let found = self.ranked(
                &searcher,
                &served,
                text.as_deref(),
                request,
                bare,
                (0, window),
            )?;
            found.hits.into_iter().map(|(_, addr)| addr).collect()
        };
        Ok(Matching {
            served,
            searcher,
            addrs,
        })
    }

    /// Matching documents counted by two axes (`GET /api/pivot`), over the results a search
    /// of `request` lists (relaxed as it would be; page ignored).
    pub fn pivot(&self, request: &SearchRequest, rows: Axis, cols: Axis) -> Result<Pivot> {
        let collector = PivotCollector::new(rows, cols, request.region())?;
        let served = self.current()?;
        let searcher = served.reader.searcher();
        let (text, relaxed) = self.result_query(&searcher, &served.fields, request)?;
        let main = filters::combine(text.as_deref(), &served.fields, request, None);
        let counts = searcher.search(&*main, &collector)?;
        Ok(pivot::table(counts, rows, cols, request.q(), relaxed))
    }

    /// The best matching documents grouped by place (`GET /api/precedents`). The words of
    /// the query are relaxed only as the first page of a search would be.
    pub fn precedents(&self, request: &SearchRequest) -> Result<Precedents> {
        let top = request.paged(1, precedents::MAX_DOCS);
        let extras = Extras {
            facets: false,
            snippets: true,
        };
        let mut response = self.search_with(&top, extras)?;
        if response.complete >= DEFAULT_PER_PAGE as u64 && !response.relaxed.is_empty() {
            response.hits.truncate(response.complete as usize);
            response.total = response.complete;
            response.relaxed.clear();
        }
        Ok(precedents::group(response))
    }

    /// The query whose matches a search of `request` lists: the strict one, or the relaxed
    /// one when that finds fewer than a page; and the words it relaxed.
    fn result_query(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        request: &SearchRequest,
    ) -> Result<ResultQuery> {
        let plan = Plan::new(&query::parse(request.q())?, &*self.synonyms.get()?)?;
        let strict = plan.strict(fields);
        let count = |q: Option<&dyn Query>| -> Result<usize> {
            Ok(searcher.search(&*filters::combine(q, fields, request, None), &Count)?)
        };
        let found = count(strict.as_deref())?;
        if found < request.per_page()
            && let Some(r) = plan.relax(searcher, fields, request.per_page(), found, |q| {
                count(Some(q))
            })?
        {
            return Ok((Some(r.query), r.dropped));
        }
        Ok((strict, Vec::new()))
    }

    /// The generation being served (`gen-000002`), after picking up a newer one.
    pub fn generation(&self) -> Option<String> {
        self.current().ok().map(|served| served.name.clone())
    }

    /// What the last ingest run recorded in the index directory.
    pub fn last_ingest(&self) -> Option<LastIngest> {
        self.dir.last_ingest()
    }

    /// Number of searchable (canonical) documents.
    pub fn document_count(&self) -> u64 {
        let Ok(served) = self.current() else {
            return 0;
        };
        let searcher = served.reader.searcher();
        let query = filters::canonical_only(Box::new(tantivy::query::AllQuery), &served.fields);
        searcher.search(&*query, &Count).map_or(0, |n| n as u64)
    }

    /// Searchable documents per measure id, for every measure of the taxonomy.
    pub fn measure_counts(&self) -> Result<Vec<(String, u64)>> {
        let response = self.search(&SearchRequest::new(""))?;
        Ok(Taxonomy::get()
            .measures
            .iter()
            .map(|m| {
                let count = response.facets.measure.iter().find(|c| c.value == m.id);
                (m.id.clone(), count.map_or(0, |c| c.count))
            })
            .collect())
    }
}

/// The text query a search's results match (`None`: every document), and the words relaxed.
type ResultQuery = (Option<Box<dyn Query>>, Vec<String>);

/// A page of hits (score and address), the total, and the facets counted along.
struct Ranked {
    hits: Vec<(f32, DocAddress)>,
    total: usize,
    counted: Option<Counted>,
}

/// What a search computes beyond the ranked hits.
#[derive(Debug, Clone, Copy)]
pub struct Extras {
    pub facets: bool,
    pub snippets: bool,
}

impl Default for Extras {
    fn default() -> Extras {
        Extras {
            facets: true,
            snippets: true,
        }
    }
}

/// Facet counts collected along with the main query (for facets whose filter is unset).
struct FacetHandles {
    region: Option<FruitHandle<BTreeMap<String, u64>>>,
    measure: Option<FruitHandle<BTreeMap<String, u64>>>,
    year: Option<FruitHandle<BTreeMap<i64, u64>>>,
}

#[derive(Default)]
struct Counted {
    region: Option<BTreeMap<String, u64>>,
    measure: Option<BTreeMap<String, u64>>,
    year: Option<BTreeMap<i64, u64>>,
}

impl FacetHandles {
    fn add(along: &mut MultiCollector, request: &SearchRequest, wanted: bool) -> FacetHandles {
        let root = facets::region_root(request.region());
        let has_year = request.year_from().is_some() || request.year_to().is_some();
        FacetHandles {
            region: (wanted && request.region().is_none())
                .then(|| along.add_collector(facets::region_collector(&root))),
            measure: (wanted && request.measures().is_empty())
                .then(|| along.add_collector(facets::measure_collector())),
            year: (wanted && !has_year).then(|| along.add_collector(facets::YearCollector)),
        }
    }

    fn extract(self, fruits: &mut MultiFruit) -> Counted {
        Counted {
            region: self.region.map(|h| h.extract(fruits)),
            measure: self.measure.map(|h| h.extract(fruits)),
            year: self.year.map(|h| h.extract(fruits)),
        }
    }
}

/// Each facet over the results with every filter but its own: those already `counted` with
/// the main query, the others with a search of their own.
fn count_facets(
    searcher: &Searcher,
    text: Option<&dyn tantivy::query::Query>,
    fields: &Fields,
    request: &SearchRequest,
    counted: Counted,
) -> Result<Facets> {
    let root = facets::region_root(request.region());
    let without = |filter| filters::combine(text, fields, request, Some(filter));
    let region = match counted.region {
        Some(counts) => counts,
        None => {
            let collector = facets::region_collector(&root);
            searcher.search(&*without(Filter::Region), &collector)?
        }
    };
    let measure = match counted.measure {
        Some(counts) => counts,
        None => searcher.search(&*without(Filter::Measure), &facets::measure_collector())?,
    };
    let year = match counted.year {
        Some(counts) => counts,
        None => searcher.search(&*without(Filter::Year), &facets::YearCollector)?,
    };
    let (region, region_unknown) = facets::region_counts(region);
    let (year, year_unknown) = facets::year_counts(year);
    Ok(Facets {
        region,
        region_unknown,
        measure: facets::measure_counts(&measure),
        year,
        year_unknown,
    })
}

fn open_served(dir: &IndexDir) -> Result<Served> {
    let name = dir.current_name()?.ok_or_else(|| {
        Error::not_found(format!(
            "there is no index in {}: run `zhili ingest` first",
            dir.root().display()
        ))
    })?;
    let generation = dir.root().join(&name);
    let meta_stamp = meta_stamp(&generation);
    let index = open_index_for_search(&generation)?;
    let found = Manifest::schema_version_of(index.load_metas()?.payload.as_deref())?;
    if let Some(found) = found.filter(|v| *v != SCHEMA_VERSION) {
        return Err(Error::OutdatedIndex {
            path: dir.root().to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let fields = Fields::resolve(&index.schema())?;
    Ok(Served {
        name,
        meta_stamp: Mutex::new(meta_stamp),
        reader,
        fields,
        documents: DocumentFiles::open(&generation)?,
    })
}

/// Whether the text of a document holds traditional characters (recorded at indexing, so
/// that only those texts are folded for highlighting), the column of each segment opened once.
#[derive(Default)]
struct Traditional(Vec<Option<tantivy::columnar::Column<u64>>>);

impl Traditional {
    fn of(&mut self, searcher: &Searcher, addr: DocAddress) -> Result<bool> {
        let ord = addr.segment_ord as usize;
        if self.0.len() <= ord {
            self.0.resize(ord + 1, None);
        }
        let column = match &mut self.0[ord] {
            Some(column) => column,
            slot => slot.insert(
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64(crate::index::schema::TRADITIONAL)?,
            ),
        };
        Ok(column.first(addr.doc_id) == Some(1))
    }
}

fn meta_stamp(generation: &Path) -> Option<FileStamp> {
    FileStamp::of(&generation.join("meta.json"))
}

fn find_id(searcher: &Searcher, fields: &Fields, id: &str) -> Result<Option<DocAddress>> {
    let query = tantivy::query::TermQuery::new(
        Term::from_field_text(fields.id, id),
        tantivy::schema::IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    Ok(found.first().map(|(_, addr)| *addr))
}
