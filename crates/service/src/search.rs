//! Keeping this instance's search index in step with the database, and searching it.
//!
//! The index holds published items only. Publication and withdrawal update it at once on the
//! instance that did them; every instance also polls for items changed since its last sync
//! (`sync_search`, every 30 s in `serve`), so several instances converge without shared state.
//! `reindex` rebuilds it from the database.

use chrono::NaiveDate;
use gongkai_search::{Results, SearchDoc, SearchQuery, Sort};
use gongkai_store::Item;
use serde::{Deserialize, Serialize};

use crate::items::PublicItem;
use crate::{Result, Service, ServiceError};

/// The public search form as entered.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    pub q: String,
    pub column: String,
    pub topic: String,
    pub publisher: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub page: String,
}

fn plain_text(html: &str) -> String {
    let text = ammonia::Builder::empty().clean(html).to_string();
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn doc_of(p: &PublicItem) -> SearchDoc {
    SearchDoc {
        id: p.id.unsigned_abs(),
        agency_id: p.agency_id.unsigned_abs(),
        column_id: p.column_id.unsigned_abs(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        body: plain_text(&p.body),
        topic: p.topic.clone(),
        publisher: p.publisher.clone(),
        published_at: p.published_at,
    }
}

fn public_of(i: &Item) -> Option<PublicItem> {
    // Public while published, also during the review of a change; not once withdrawn.
    if i.withdrawn_at.is_some() {
        return None;
    }
    i.public_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
}

fn search_err(e: &gongkai_search::SearchError) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

impl Service {
    /// Rebuilds the index from every published item (in pages); returns how many were indexed.
    pub async fn reindex(&self) -> Result<usize> {
        let Some(index) = &self.search else {
            return Ok(0);
        };
        let now = self.now_ms();
        index.rebuild(&[]).map_err(|e| search_err(&e))?;
        let mut after = 0;
        let mut n = 0;
        loop {
            let page = self.store.items_after(after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let docs: Vec<SearchDoc> = page
                .iter()
                .filter_map(public_of)
                .map(|p| doc_of(&p))
                .collect();
            n += docs.len();
            index.apply(&docs, &[]).map_err(|e| search_err(&e))?;
        }
        index.compact().map_err(|e| search_err(&e))?;
        index.set_synced_at(now).map_err(|e| search_err(&e))?;
        Ok(n)
    }

    /// Applies changes made since the last sync (by any instance); returns how many items were
    /// looked at. The sync point is kept with the index, so a restart continues from it.
    pub async fn sync_search(&self) -> Result<usize> {
        let Some(index) = &self.search else {
            return Ok(0);
        };
        let since = index.synced_at();
        let now = self.now_ms();
        // A small overlap: rows committed with an earlier timestamp just after the last poll.
        let items = self
            .store
            .items_changed_since((since - 5_000).max(0))
            .await?;
        let mut up = Vec::new();
        let mut rm = Vec::new();
        for i in &items {
            match public_of(i) {
                Some(p) => up.push(doc_of(&p)),
                None => rm.push(i.id.unsigned_abs()),
            }
        }
        if !items.is_empty() {
            index.apply(&up, &rm).map_err(|e| search_err(&e))?;
            self.bump_generation();
        }
        index.set_synced_at(now).map_err(|e| search_err(&e))?;
        Ok(items.len())
    }

    /// Updates the index for one item after a change on this instance (errors are logged; the
    /// periodic sync and `gongkai reindex` repair the index).
    pub(crate) async fn index_item(&self, id: i64) {
        let Some(index) = &self.search else { return };
        let r = match self.store.item(id).await {
            Ok(Some(i)) => match public_of(&i) {
                Some(p) => index.apply(&[doc_of(&p)], &[]),
                None => index.apply(&[], &[id.unsigned_abs()]),
            },
            _ => return,
        };
        if let Err(e) = r {
            tracing::warn!(item = id, error = %e, "search index update failed");
        }
        self.bump_generation();
    }

    /// Searches published items. Dates are Beijing dates `YYYY-MM-DD`, the end date inclusive.
    pub fn search(&self, f: &SearchForm) -> Result<Results> {
        let Some(index) = &self.search else {
            return Err(ServiceError::Refused("本实例未启用全文检索".into()));
        };
        let day = |s: &str, field: &'static str| -> Result<Option<i64>> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| ServiceError::field(field, format!("日期“{s}”应写作 YYYY-MM-DD")))?;
            gongkai_domain::beijing_midnight_ms(d)
                .map(Some)
                .ok_or_else(|| ServiceError::field(field, "日期无效"))
        };
        let from_ms = day(&f.from, "from")?;
        let to_ms = day(&f.to, "to")?.map(|t| t + 86_400_000);
        let page = f.page.trim().parse::<usize>().unwrap_or(1).clamp(1, 500);
        let q = SearchQuery {
            text: f.q.chars().take(100).collect(),
            column: f.column.trim().parse().ok(),
            topic: Some(f.topic.trim().to_owned()).filter(|t| !t.is_empty()),
            publisher: Some(f.publisher.trim().to_owned()).filter(|t| !t.is_empty()),
            from_ms,
            to_ms,
            sort: if f.sort == "date" {
                Sort::Newest
            } else {
                Sort::Relevance
            },
            offset: (page - 1) * 10,
            limit: 10,
        };
        index.search(&q).map_err(|e| search_err(&e))
    }

    /// The publishers of published items (for the search filter), from the index.
    pub async fn publishers(&self) -> Result<Vec<String>> {
        match &self.search {
            Some(index) => index.publishers().map_err(|e| search_err(&e)),
            None => Ok(self.store.public_publishers().await?),
        }
    }
}

/// An in-memory index (tests and tools).
pub fn search_index_in_memory() -> Result<gongkai_search::SearchIndex> {
    gongkai_search::SearchIndex::in_memory().map_err(|e| search_err(&e))
}
