//! gongkai-search — the Chinese full-text index of published items.
//!
//! tantivy with jieba word segmentation in search mode (overlapping sub-words: 人民政府 is
//! indexed as 人民, 民政, 政府 and 人民政府), BM25 ranking with the title weighted above the
//! summary and the body — documents with a whole word of the query before those with only its
//! parts — matches counted up to [`COUNT_CAP`], filters (column, 主题分类, 发布机构, date range),
//! highlighted snippets, sorting by relevance or date. The index is a cache derived from the
//! database: each instance keeps its own
//! in its data directory and can rebuild it at any time (`gongkai reindex`). What must not be
//! here: SQL, permissions (only published items are ever given to the index).

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery, Weight};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{
    DocId, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, SegmentReader,
    TERMINATED, TantivyDocument, Term, doc,
};

/// Bumped when the schema changes; an index of another version is rebuilt.
pub const SCHEMA_VERSION: &str = "gongkai-search-1";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("搜索索引错误：{0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("搜索索引目录错误：{0}")]
    Dir(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// What is indexed of one published item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchDoc {
    pub id: u64,
    pub agency_id: u64,
    pub column_id: u64,
    pub title: String,
    pub summary: String,
    /// Plain text of the body (HTML removed).
    pub body: String,
    /// 主题分类 `一级\二级`.
    pub topic: String,
    pub publisher: String,
    /// Unix ms.
    pub published_at: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
}

/// A search request.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub text: String,
    pub column: Option<u64>,
    /// Exact `一级\二级`, or a `一级` matching all its sub-topics.
    pub topic: Option<String>,
    pub publisher: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// One result, with HTML-escaped highlighted title and snippet (`<b>` marks the matches).
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub id: u64,
    pub title_html: String,
    pub snippet_html: String,
    pub published_at: i64,
    pub publisher: String,
    pub topic: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Results {
    /// The number of matches, counted up to [`COUNT_CAP`].
    pub total: usize,
    /// There are more than [`COUNT_CAP`] matches (`total` is then the cap).
    pub more: bool,
    pub hits: Vec<Hit>,
}

/// Matches are counted up to this many; beyond it a page says “找到超过 10000 条信息”. Counting every
/// match of a common word among a million items costs more than the rest of the search, and
/// nobody pages that far (pages stop at 500 × 10).
pub const COUNT_CAP: usize = 10_000;

/// Counts matching documents, stopping at a cap shared by all segments (tantivy collects the
/// segments of a search one after another).
struct CappedCount(std::sync::atomic::AtomicUsize);

impl CappedCount {
    fn new(cap: usize) -> Self {
        Self(std::sync::atomic::AtomicUsize::new(cap))
    }
}

struct SegmentCount(usize);

impl SegmentCollector for SegmentCount {
    type Fruit = usize;

    fn collect(&mut self, _doc: DocId, _score: Score) {
        self.0 += 1;
    }

    fn harvest(self) -> usize {
        self.0
    }
}

impl Collector for CappedCount {
    type Fruit = usize;
    type Child = SegmentCount;

    fn for_segment(&self, _: u32, _: &SegmentReader) -> tantivy::Result<SegmentCount> {
        Ok(SegmentCount(0))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, counts: Vec<usize>) -> tantivy::Result<usize> {
        Ok(counts.into_iter().sum())
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        _: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        let budget = self.0.load(Relaxed);
        if budget == 0 {
            return Ok(0);
        }
        let mut docs = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut n = 0;
        let mut doc = docs.doc();
        while doc != TERMINATED && n < budget {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                n += 1;
            }
            doc = docs.advance();
        }
        self.0.fetch_sub(n, Relaxed);
        Ok(n)
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    agency: Field,
    column: Field,
    title: Field,
    summary: Field,
    body: Field,
    topic: Field,
    topic_top: Field,
    publisher: Field,
    published_at: Field,
}

/// The index: writer and reader over one directory (or memory, in tests).
pub struct SearchIndex {
    /// Where `SYNCED_AT` is kept (`None` in memory).
    dir: Option<std::path::PathBuf>,
    synced_at: Mutex<i64>,
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer("jieba")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored { o.set_stored() } else { o }
    };
    let f = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        agency: b.add_u64_field("agency", INDEXED | FAST),
        column: b.add_u64_field("column", INDEXED | FAST),
        title: b.add_text_field("title", text(true)),
        summary: b.add_text_field("summary", text(true)),
        body: b.add_text_field("body", text(true)),
        topic: b.add_text_field("topic", STRING | STORED),
        topic_top: b.add_text_field("topic_top", STRING),
        publisher: b.add_text_field("publisher", STRING | STORED),
        published_at: b.add_i64_field("published_at", INDEXED | STORED | FAST),
    };
    (b.build(), f)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(LowerCaser)
        .build()
}

/// The writer's own merge policy, put back after [`SearchIndex::compact`].
#[derive(Debug)]
struct ArcPolicy(std::sync::Arc<dyn tantivy::indexer::MergePolicy>);

impl tantivy::indexer::MergePolicy for ArcPolicy {
    fn compute_merge_candidates(
        &self,
        segments: &[tantivy::SegmentMeta],
    ) -> Vec<tantivy::indexer::MergeCandidate> {
        self.0.compute_merge_candidates(segments)
    }
}

/// The distinct words of `text` with a letter or digit, in order.
fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut s = analyzer.token_stream(text);
    let mut out: Vec<String> = Vec::new();
    while s.advance() {
        let t = s.token().text.trim().to_owned();
        if t.chars().any(char::is_alphanumeric) && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// `text` (if any) with the required filter clauses; everything when both are absent.
fn with_filters(
    text: Option<BooleanQuery>,
    mut filters: Vec<(Occur, Box<dyn Query>)>,
) -> Box<dyn Query> {
    match (text, filters.is_empty()) {
        (Some(t), true) => Box::new(t),
        (None, true) => Box::new(tantivy::query::AllQuery),
        (t, false) => {
            if let Some(t) = t {
                filters.push((Occur::Must, Box::new(t)));
            }
            Box::new(BooleanQuery::new(filters))
        }
    }
}

impl SearchIndex {
    fn from_index(index: Index, f: Fields, dir: Option<&Path>) -> Result<Self> {
        index.tokenizers().register("jieba", analyzer());
        let writer = index.writer(30_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let synced_at = dir
            .and_then(|d| std::fs::read_to_string(d.join("SYNCED_AT")).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        Ok(Self {
            dir: dir.map(Path::to_path_buf),
            synced_at: Mutex::new(synced_at),
            index,
            reader,
            writer: Mutex::new(writer),
            f,
        })
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<Self> {
        let (schema, f) = schema();
        Self::from_index(Index::create_in_ram(schema), f, None)
    }

    /// Opens the index in `dir`, creating it — or re-creating it when it was built with another
    /// schema version. Returns whether it is new (and so needs a rebuild from the database).
    pub fn open(dir: &Path) -> Result<(Self, bool)> {
        let (schema, f) = schema();
        let marker = dir.join("SCHEMA_VERSION");
        let current = std::fs::read_to_string(&marker).is_ok_and(|v| v.trim() == SCHEMA_VERSION);
        if !current && dir.exists() {
            std::fs::remove_dir_all(dir)
                .map_err(|e| SearchError::Dir(format!("{}: {e}", dir.display())))?;
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Dir(format!("{}: {e}", dir.display())))?;
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Dir(e.to_string()))?;
        let index = Index::open_or_create(mmap, schema)?;
        std::fs::write(&marker, SCHEMA_VERSION).map_err(|e| SearchError::Dir(e.to_string()))?;
        Ok((Self::from_index(index, f, Some(dir))?, !current))
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds or replaces documents and removes ids, then commits.
    pub fn apply(&self, upserts: &[SearchDoc], removals: &[u64]) -> Result<()> {
        let f = self.f;
        let mut w = self.writer();
        for id in removals.iter().copied().chain(upserts.iter().map(|d| d.id)) {
            w.delete_term(Term::from_field_u64(f.id, id));
        }
        for d in upserts {
            let top = d.topic.split('\\').next().unwrap_or_default().to_owned();
            w.add_document(doc!(
                f.id => d.id,
                f.agency => d.agency_id,
                f.column => d.column_id,
                f.title => d.title.clone(),
                f.summary => d.summary.clone(),
                f.body => d.body.clone(),
                f.topic => d.topic.clone(),
                f.topic_top => top,
                f.publisher => d.publisher.clone(),
                f.published_at => d.published_at,
            ))?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the whole index with `docs`.
    pub fn rebuild(&self, docs: &[SearchDoc]) -> Result<()> {
        {
            let mut w = self.writer();
            w.delete_all_documents()?;
            w.commit()?;
        }
        self.apply(docs, &[])
    }

    /// Merges the index into one segment, after a rebuild. Ranking skips the documents that
    /// cannot reach the page per segment, so one large segment prunes far better than dozens
    /// of small ones (and a search opens fewer files).
    ///
    /// Merges the writer started in the background (after the rebuild's commits) may end while
    /// this runs and make it fail: it then tries again with the segments of that moment, and
    /// gives up after a few tries with a warning — the index is complete either way.
    pub fn compact(&self) -> Result<()> {
        let w = self.writer();
        let policy = w.get_merge_policy();
        w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut w = w;
        for attempt in 1..=5 {
            let ids = self.index.searchable_segment_ids()?;
            if ids.len() <= 1 {
                break;
            }
            match w.merge(&ids).wait() {
                Ok(_) => break,
                Err(e) if attempt < 5 => {
                    tracing::info!(error = %e, attempt, "search index merge retried");
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
                Err(e) => tracing::warn!(error = %e, "search index left in several segments"),
            }
        }
        w.set_merge_policy(Box::new(ArcPolicy(policy)));
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// The database time (ms) up to which this index reflects every change.
    pub fn synced_at(&self) -> i64 {
        *self
            .synced_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records the sync point (kept in the index directory, so a restart continues from it).
    pub fn set_synced_at(&self, ms: i64) -> Result<()> {
        *self
            .synced_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = ms;
        if let Some(d) = &self.dir {
            std::fs::write(d.join("SYNCED_AT"), ms.to_string())
                .map_err(|e| SearchError::Dir(e.to_string()))?;
        }
        Ok(())
    }

    /// The distinct 发布机构 of indexed documents (read from the term dictionary).
    pub fn publishers(&self) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let mut out: Vec<String> = Vec::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.f.publisher)?;
            let mut stream = inv
                .terms()
                .stream()
                .map_err(|e| SearchError::Dir(e.to_string()))?;
            while stream.advance() {
                if let Ok(t) = std::str::from_utf8(stream.key()) {
                    let t = t.to_owned();
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Number of documents.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The search-mode tokens of a query, without punctuation and spaces.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        words(&mut analyzer(), text)
    }

    /// Documents with any of `terms` in the title, summary or body (weighted 3 : 1.5 : 1), as a
    /// flat union of term queries.
    fn any_of(&self, terms: &[String]) -> BooleanQuery {
        let f = self.f;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in terms {
            for (field, boost) in [(f.title, 3.0), (f.summary, 1.5), (f.body, 1.0)] {
                let tq = TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(tq), boost)),
                ));
            }
        }
        BooleanQuery::new(should)
    }

    /// The filters of a query (column, 主题分类, 发布机构, date range), as required clauses.
    fn filters(&self, q: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.f;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(c) = q.column {
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.column, c),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(t) = q.topic.as_deref().filter(|t| !t.is_empty()) {
            let field = if t.contains('\\') {
                f.topic
            } else {
                f.topic_top
            };
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(p) = q.publisher.as_deref().filter(|p| !p.is_empty()) {
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.publisher, p),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if q.from_ms.is_some() || q.to_ms.is_some() {
            let lo = q.from_ms.map_or(Bound::Unbounded, |v| {
                Bound::Included(Term::from_field_i64(f.published_at, v))
            });
            let hi = q.to_ms.map_or(Bound::Unbounded, |v| {
                Bound::Excluded(Term::from_field_i64(f.published_at, v))
            });
            must.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        must
    }

    /// Runs a query. An empty text with filters lists the filtered documents newest first.
    pub fn search(&self, q: &SearchQuery) -> Result<Results> {
        self.search_counting_to(q, COUNT_CAP)
    }

    fn search_counting_to(&self, q: &SearchQuery, cap: usize) -> Result<Results> {
        let f = self.f;
        // Whole words, and the parts search mode adds inside them (人民政府 → 人民, 民政, 政府): a
        // token that lies within a longer token of the query is a part. The longest token is
        // always a whole word, so `words` is empty only when the query has no token.
        let tokens = self.tokens(&q.text);
        let (parts, words): (Vec<String>, Vec<String>) = tokens
            .iter()
            .cloned()
            .partition(|t| tokens.iter().any(|u| u != t && u.contains(t.as_str())));
        let filters = self.filters(q);
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 100);
        let (offset, end) = (q.offset, q.offset + limit);
        let by_date = |query: &dyn Query| -> Result<Vec<tantivy::DocAddress>> {
            let top = searcher.search(
                query,
                &TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_fast_field::<i64>("published_at", Order::Desc),
            )?;
            Ok(top.into_iter().map(|(_, a)| a).collect())
        };
        let by_score = |query: &dyn Query, skip: usize, take: usize| {
            let top = searcher.search(
                query,
                &TopDocs::with_limit(take).and_offset(skip).order_by_score(),
            )?;
            Ok::<_, SearchError>(top.into_iter().map(|(_, a)| a).collect::<Vec<_>>())
        };
        let (counted, addrs, query): (usize, Vec<tantivy::DocAddress>, Box<dyn Query>) =
            if words.is_empty() {
                let query = with_filters(None, filters);
                let n = searcher.search(&*query, &CappedCount::new(cap + 1))?;
                (n, by_date(&*query)?, query)
            } else if q.sort == Sort::Newest {
                let query = with_filters(Some(self.any_of(&tokens)), filters);
                let n = searcher.search(&*query, &CappedCount::new(cap + 1))?;
                (n, by_date(&*query)?, query)
            } else {
                // By relevance, in two tiers: documents with a whole word first, ranked among
                // themselves; then those with only its parts (人民 and 政府 apart). Each tier
                // alone is a flat union of term queries, which tantivy ranks with Block-WAND.
                let first = with_filters(
                    Some(self.any_of(&words)),
                    filters.iter().map(|(o, q)| (*o, q.box_clone())).collect(),
                );
                let n1 = searcher.search(&*first, &CappedCount::new(cap + 1))?;
                let mut addrs = if offset < n1 {
                    by_score(&*first, offset, limit)?
                } else {
                    Vec::new()
                };
                let mut n2 = 0;
                if !parts.is_empty() && n1 <= cap {
                    let mut rest: Vec<(Occur, Box<dyn Query>)> = vec![
                        (Occur::Must, Box::new(self.any_of(&parts))),
                        (Occur::MustNot, Box::new(self.any_of(&words))),
                    ];
                    rest.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
                    let second = BooleanQuery::new(rest);
                    n2 = searcher.search(&second, &CappedCount::new(cap + 1 - n1))?;
                    if end > n1 {
                        let skip = offset.saturating_sub(n1);
                        addrs.extend(by_score(&second, skip, end - n1.max(offset))?);
                    }
                }
                (n1 + n2, addrs, Box::new(self.any_of(&tokens)))
            };
        let mut body_gen = SnippetGenerator::create(&searcher, &*query, f.body)?;
        body_gen.set_max_num_chars(160);
        let title_gen = SnippetGenerator::create(&searcher, &*query, f.title)?;
        let mut hits = Vec::with_capacity(addrs.len());
        for a in addrs {
            let d: TantivyDocument = searcher.doc(a)?;
            let text = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let title_snip = title_gen.snippet_from_doc(&d);
            let title_html = if title_snip.highlighted().is_empty() {
                escape(&text(f.title))
            } else {
                title_snip.to_html()
            };
            let body_snip = body_gen.snippet_from_doc(&d);
            let snippet_html = if body_snip.highlighted().is_empty() {
                escape(&text(f.summary))
            } else {
                body_snip.to_html()
            };
            hits.push(Hit {
                id: d
                    .get_first(f.id)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default(),
                title_html,
                snippet_html,
                published_at: d
                    .get_first(f.published_at)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                publisher: text(f.publisher),
                topic: text(f.topic),
            });
        }
        Ok(Results {
            total: counted.min(cap),
            more: counted > cap,
            hits,
        })
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u64, title: &str, body: &str, topic: &str, at: i64) -> SearchDoc {
        SearchDoc {
            id,
            agency_id: 1,
            column_id: if id.is_multiple_of(2) { 10 } else { 11 },
            title: title.into(),
            summary: String::new(),
            body: body.into(),
            topic: topic.into(),
            publisher: "示例市应急管理局".into(),
            published_at: at,
        }
    }

    fn index() -> SearchIndex {
        let i = SearchIndex::in_memory().unwrap();
        i.apply(
            &[
                doc(
                    1,
                    "关于加强安全生产工作的通知",
                    "各单位要落实安全生产责任制，开展安全生产大检查。",
                    "市场监管、安全生产监管\\安全生产监管",
                    100,
                ),
                doc(
                    2,
                    "食品安全抽检结果公告",
                    "本次抽检的食品均符合安全标准。企业生产记录完整。",
                    "市场监管、安全生产监管\\食品药品监管",
                    200,
                ),
                doc(
                    3,
                    "防汛应急预案",
                    "为做好防汛工作，制定本预案。",
                    "综合政务\\应急管理",
                    300,
                ),
            ],
            &[],
        )
        .unwrap();
        i
    }

    #[test]
    fn counts_stop_at_the_cap_and_say_so() {
        let i = SearchIndex::in_memory().unwrap();
        // Three commits, so three segments: the cap holds across segments.
        for batch in 0..3u64 {
            let docs: Vec<SearchDoc> = (0..4)
                .map(|k| {
                    let id = batch * 4 + k + 1;
                    let title = format!("安全生产检查通报（第{id}期）");
                    doc(id, &title, "防汛", "综合政务\\应急管理", id as i64)
                })
                .collect();
            i.apply(&docs, &[]).unwrap();
        }
        // A deleted document is not counted.
        i.apply(&[], &[12]).unwrap();
        let q = |text: &str| SearchQuery {
            text: text.into(),
            limit: 10,
            ..SearchQuery::default()
        };
        let all = i.search(&q("安全生产")).unwrap();
        assert_eq!((all.total, all.more, all.hits.len()), (11, false, 10));
        let capped = i.search_counting_to(&q("安全生产"), 5).unwrap();
        assert_eq!((capped.total, capped.more), (5, true));
        assert_eq!(
            capped.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            all.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            "the page does not depend on the count"
        );
        let exact = i.search_counting_to(&q("安全生产"), 11).unwrap();
        assert_eq!((exact.total, exact.more), (11, false));
        let under = i.search_counting_to(&q("安全生产"), 12).unwrap();
        assert_eq!((under.total, under.more), (11, false));
        let filtered = i
            .search_counting_to(
                &SearchQuery {
                    column: Some(10),
                    ..q("安全生产")
                },
                100,
            )
            .unwrap();
        assert_eq!((filtered.total, filtered.more), (5, false), "even ids 2…10");
        // Compacting merges the segments and changes no result.
        assert!(i.index.searchable_segment_ids().unwrap().len() > 1);
        i.compact().unwrap();
        assert_eq!(i.index.searchable_segment_ids().unwrap().len(), 1);
        let after = i.search(&q("安全生产")).unwrap();
        assert_eq!((after.total, after.more), (11, false));
        let mut before: Vec<u64> = all.hits.iter().map(|h| h.id).collect();
        let mut now: Vec<u64> = after.hits.iter().map(|h| h.id).collect();
        before.sort_unstable();
        now.sort_unstable();
        assert_eq!(before, now);
    }

    #[test]
    fn whole_words_come_first_and_pages_cross_into_the_parts() {
        let i = SearchIndex::in_memory().unwrap();
        let mut docs = Vec::new();
        // jieba's search mode cuts 人民政府 into 人民, 民政, 政府 and 人民政府.
        for id in 1..=3u64 {
            docs.push(doc(
                id,
                "公告",
                "市人民政府发布。",
                "综合政务\\应急管理",
                id as i64,
            ));
        }
        for id in 4..=6u64 {
            // Only the parts, in the title and twice: BM25 puts them above the body-only whole
            // word of 1–3, yet they must come after every whole-word match.
            docs.push(doc(
                id,
                "人民与政府",
                "人民和政府。",
                "综合政务\\应急管理",
                id as i64,
            ));
        }
        docs.push(doc(7, "防汛通知", "防汛。", "综合政务\\应急管理", 7));
        i.apply(&docs, &[]).unwrap();
        let page = |offset: usize| {
            i.search(&SearchQuery {
                text: "人民政府".into(),
                offset,
                limit: 2,
                ..SearchQuery::default()
            })
            .unwrap()
        };
        let mut seen = Vec::new();
        for offset in [0, 2, 4, 6] {
            let r = page(offset);
            assert_eq!((r.total, r.more), (6, false));
            seen.extend(r.hits.iter().map(|h| h.id));
        }
        let mut whole = seen[..3].to_vec();
        whole.sort_unstable();
        assert_eq!(whole, vec![1, 2, 3], "{seen:?}");
        seen.sort_unstable();
        assert_eq!(seen, vec![1, 2, 3, 4, 5, 6], "each once, never 7");
        // The count's cap falls in the second tier, or before it.
        let capped = |cap: usize| {
            let r = i
                .search_counting_to(
                    &SearchQuery {
                        text: "人民政府".into(),
                        limit: 10,
                        ..SearchQuery::default()
                    },
                    cap,
                )
                .unwrap();
            (r.total, r.more, r.hits.len())
        };
        assert_eq!(capped(4), (4, true, 6));
        assert_eq!(capped(2), (2, true, 3), "tier 2 is not read past the cap");
        assert_eq!(capped(6), (6, false, 6));
        // Filters apply to both tiers.
        let odd = i
            .search(&SearchQuery {
                text: "人民政府".into(),
                column: Some(11),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        let first: Vec<u64> = odd.hits.iter().take(2).map(|h| h.id).collect();
        assert!(first.iter().all(|id| [1, 3].contains(id)), "{first:?}");
        assert_eq!(odd.total, 3, "1, 3 and 5");
    }

    #[test]
    fn a_word_ranks_above_its_parts_scattered() {
        let i = index();
        let r = i
            .search(&SearchQuery {
                text: "安全生产".into(),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(r.hits.first().map(|h| h.id), Some(1), "{r:?}");
        assert!(
            r.hits.iter().any(|h| h.id == 2),
            "documents with 安全 and 生产 apart still match, lower"
        );
        assert!(!r.hits.iter().any(|h| h.id == 3));
        assert!(
            r.hits[0].title_html.contains("<b>"),
            "{}",
            r.hits[0].title_html
        );
        assert!(
            r.hits[0].snippet_html.contains("<b>安全生产</b>")
                || r.hits[0].snippet_html.contains("<b>安全</b>"),
            "{}",
            r.hits[0].snippet_html
        );
    }

    #[test]
    fn filters_sorting_and_updates() {
        let i = index();
        let by_topic = i
            .search(&SearchQuery {
                text: "安全".into(),
                topic: Some("市场监管、安全生产监管".into()),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(by_topic.total, 2);
        let exact = i
            .search(&SearchQuery {
                text: "安全".into(),
                topic: Some("市场监管、安全生产监管\\食品药品监管".into()),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(exact.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(i.publishers().unwrap(), vec!["示例市应急管理局".to_owned()]);
        let column = i
            .search(&SearchQuery {
                column: Some(10),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(
            column.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![2]
        );
        let dated = i
            .search(&SearchQuery {
                from_ms: Some(150),
                to_ms: Some(301),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(
            dated.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![3, 2],
            "newest first without text"
        );
        let newest = i
            .search(&SearchQuery {
                text: "安全".into(),
                sort: Sort::Newest,
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(
            newest.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![2, 1]
        );
        // Replace and remove.
        i.apply(
            &[doc(1, "关于防汛的通知", "防汛", "综合政务\\应急管理", 400)],
            &[2],
        )
        .unwrap();
        assert_eq!(i.len(), 2);
        assert_eq!(
            i.search(&SearchQuery {
                text: "安全生产".into(),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap()
            .total,
            0
        );
        i.rebuild(&[]).unwrap();
        assert!(i.is_empty());
        // Markup in documents is escaped in results.
        i.apply(&[doc(5, "<script>安全</script>", "安全", "其他", 1)], &[])
            .unwrap();
        let r = i
            .search(&SearchQuery {
                text: "安全".into(),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap();
        assert!(
            !r.hits[0].title_html.contains("<script>"),
            "{}",
            r.hits[0].title_html
        );
    }

    #[test]
    fn an_index_on_disk_is_recreated_on_schema_change() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("idx");
        let (i, new) = SearchIndex::open(&p).unwrap();
        assert!(new);
        i.apply(&[doc(1, "标题", "正文", "其他", 1)], &[]).unwrap();
        drop(i);
        let (i, new) = SearchIndex::open(&p).unwrap();
        assert!(!new);
        assert_eq!(i.len(), 1);
        drop(i);
        std::fs::write(p.join("SCHEMA_VERSION"), "old").unwrap();
        let (i, new) = SearchIndex::open(&p).unwrap();
        assert!(new && i.is_empty());
    }
}
