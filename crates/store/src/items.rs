//! Information items (信息) of proactive disclosure, their review trail and 索引号 serials.

use std::fmt::Write as _;

use gongkai_domain::review::{ReviewState, Status};
use gongkai_domain::{AgencyId, ColumnId, DivisionId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, opt_i64};

/// The catalogue metadata and content of an item, as edited (publishing.md §4.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemContent {
    pub column_id: i64,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body: String,
    pub publisher: String,
    pub doc_number: String,
    /// 成文日期 `YYYY-MM-DD`.
    pub generated_on: String,
    /// 主题分类 `一级\二级`.
    pub topic: String,
    pub genre: String,
    pub keywords: String,
    /// `active` (主动公开), `on_request` (依申请公开), `withheld` (不予公开).
    pub attribute: String,
    pub attribute_reason: String,
    pub law_item: Option<String>,
    /// `valid`, `repealed`, `expired`.
    pub validity: Option<String>,
    pub effective_on: Option<String>,
    pub repealed_on: Option<String>,
    pub expired_on: Option<String>,
    /// The policy this item interprets (政策解读 → 政策).
    pub interprets_id: Option<i64>,
    /// `regulation` (规章) or `normative` (行政规范性文件): counted in table 2, item （一）, of the
    /// annual report (publishing.md §7.2). Absent for every other document, and then left out of
    /// the serialised form so fingerprints of older items do not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_class: Option<String>,
}

/// An item as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Item {
    pub id: i64,
    pub agency_id: AgencyId,
    pub division_id: Option<DivisionId>,
    pub drafter_id: UserId,
    pub content: ItemContent,
    pub review: ReviewState,
    /// Art. 26 deadline `YYYY-MM-DD`.
    pub publish_due: String,
    pub publish_at: Option<i64>,
    pub index_no: Option<String>,
    pub published_at: Option<i64>,
    /// The published rendition (JSON of [`ItemContent`] plus the 索引号), shown on the portal.
    pub public_json: Option<String>,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What column freshness needs of an item (no content).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemStat {
    pub id: i64,
    pub column_id: i64,
    /// Published at least once (a public rendition exists).
    pub public: bool,
    pub published_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
}

/// One entry of an item's review trail (审核单 lines and what happened around them).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ItemEvent {
    pub round: i64,
    pub step: Option<i64>,
    /// `submit`, `approve`, `reject`, `edit_reset`, `mask`, `publish`, `schedule`, `withdraw`.
    pub kind: String,
    pub role: Option<String>,
    pub actor: String,
    pub opinion: String,
    pub at: i64,
}

pub(crate) const COLS: &str = "SELECT id, agency_id, column_id, division_id, drafter_id, title, summary, body, publisher, \
     doc_number, generated_on, topic, genre, keywords, attribute, attribute_reason, law_item, validity, \
     effective_on, repealed_on, expired_on, interprets_id, doc_class, status, review_step, review_round, fingerprint, \
     was_published, publish_due, publish_at, index_no, published_at, public_json, withdrawn_at, \
     withdraw_reason, created_at, updated_at FROM items";

pub(crate) fn item(r: &AnyRow) -> Result<Item> {
    let status: String = r.try_get("status")?;
    Ok(Item {
        id: r.try_get("id")?,
        agency_id: AgencyId(r.try_get("agency_id")?),
        division_id: opt_i64(r, "division_id")?.map(DivisionId),
        drafter_id: UserId(r.try_get("drafter_id")?),
        content: ItemContent {
            column_id: r.try_get("column_id")?,
            title: r.try_get("title")?,
            summary: r.try_get("summary")?,
            body: r.try_get("body")?,
            publisher: r.try_get("publisher")?,
            doc_number: r.try_get("doc_number")?,
            generated_on: r.try_get("generated_on")?,
            topic: r.try_get("topic")?,
            genre: r.try_get("genre")?,
            keywords: r.try_get("keywords")?,
            attribute: r.try_get("attribute")?,
            attribute_reason: r.try_get("attribute_reason")?,
            law_item: r.try_get("law_item")?,
            validity: r.try_get("validity")?,
            effective_on: r.try_get("effective_on")?,
            repealed_on: r.try_get("repealed_on")?,
            expired_on: r.try_get("expired_on")?,
            interprets_id: opt_i64(r, "interprets_id")?,
            doc_class: r.try_get("doc_class")?,
        },
        review: ReviewState {
            status: Status::parse(&status)
                .ok_or_else(|| StoreError::Other(format!("bad status {status}")))?,
            step: usize::try_from(r.try_get::<i64, _>("review_step")?).unwrap_or(0),
            round: u32::try_from(r.try_get::<i64, _>("review_round")?).unwrap_or(0),
            fingerprint: r.try_get("fingerprint")?,
            was_published: r.try_get::<i64, _>("was_published")? != 0,
        },
        publish_due: r.try_get("publish_due")?,
        publish_at: opt_i64(r, "publish_at")?,
        index_no: r.try_get("index_no")?,
        published_at: opt_i64(r, "published_at")?,
        public_json: r.try_get("public_json")?,
        withdrawn_at: opt_i64(r, "withdrawn_at")?,
        withdraw_reason: r.try_get("withdraw_reason")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Filters of item lists.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    pub agency: Option<AgencyId>,
    pub column: Option<ColumnId>,
    pub status: Option<Status>,
    /// Only items whose published rendition is public (status published).
    pub public: bool,
}

impl Store {
    pub async fn item(&self, id: i64) -> Result<Option<Item>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(item).transpose()
    }

    /// Every 主题分类 in use, with its number of items (withdrawn ones included).
    pub async fn topic_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT topic, COUNT(*) AS n FROM items GROUP BY topic ORDER BY topic")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("topic")?, r.try_get("n")?)))
            .collect()
    }

    /// Items first published in `[from_ms, to_ms)`, counted per column, Art. 20/21 item and
    /// Beijing day (days since 1970-01-01), plus the year's `(changes, withdrawals)`: the year's
    /// figures without reading any item row into memory.
    pub async fn item_year_groups(
        &self,
        agency: AgencyId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(Vec<(i64, Option<String>, i64, i64)>, i64, i64)> {
        const FIRST: &str = "LEFT JOIN (SELECT e.item_id, MIN(e.at) AS first FROM item_events e \
             JOIN items j ON j.id = e.item_id WHERE j.agency_id = $1 AND e.kind = 'publish' \
             GROUP BY e.item_id) f ON f.item_id = i.id";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT i.column_id, i.law_item, (COALESCE(f.first, i.published_at) + 28800000) / 86400000 AS day, \
             COUNT(*) AS n FROM items i {FIRST} WHERE i.agency_id = $1 \
             AND COALESCE(f.first, i.published_at) >= $2 AND COALESCE(f.first, i.published_at) < $3 \
             GROUP BY i.column_id, i.law_item, (COALESCE(f.first, i.published_at) + 28800000) / 86400000"
        )))
        .bind(agency.0)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        let groups = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("column_id")?,
                    r.try_get("law_item")?,
                    r.try_get("day")?,
                    r.try_get("n")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN i.published_at >= $2 AND i.published_at < $3 \
             AND i.published_at <> COALESCE(f.first, i.published_at) THEN 1 ELSE 0 END), 0) AS BIGINT) AS changes, \
             CAST(COALESCE(SUM(CASE WHEN i.withdrawn_at >= $2 AND i.withdrawn_at < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             AS withdrawals FROM items i {FIRST} WHERE i.agency_id = $1"
        )))
        .bind(agency.0)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok((groups, row.try_get("changes")?, row.try_get("withdrawals")?))
    }

    /// Every item of an agency, without content (covered by `items_stats`), for column freshness.
    pub async fn item_stats(&self, agency: AgencyId) -> Result<Vec<ItemStat>> {
        let rows = sqlx::query(
            "SELECT id, column_id, published_at, withdrawn_at, was_published AS public FROM items \
             WHERE agency_id = $1",
        )
        .bind(agency.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ItemStat {
                    id: r.try_get("id")?,
                    column_id: r.try_get("column_id")?,
                    public: r.try_get::<i64, _>("public")? != 0,
                    published_at: opt_i64(r, "published_at")?,
                    withdrawn_at: opt_i64(r, "withdrawn_at")?,
                })
            })
            .collect()
    }

    /// Items by filter, newest first (by publication, then by change), with a total count.
    pub async fn items(&self, f: &ItemFilter, offset: i64, limit: i64) -> Result<(Vec<Item>, i64)> {
        let mut cond = String::from(" WHERE 1 = 1");
        let mut ints: Vec<i64> = Vec::new();
        let mut text: Option<String> = None;
        if let Some(a) = f.agency {
            ints.push(a.0);
            let _ = write!(cond, " AND agency_id = ${}", ints.len());
        }
        if let Some(c) = f.column {
            ints.push(c.0);
            let _ = write!(cond, " AND column_id = ${}", ints.len());
        }
        if f.public {
            // Published, or a published item whose change is in review (its old version stays).
            cond.push_str(" AND public_json IS NOT NULL AND withdrawn_at IS NULL");
        }
        if let Some(s) = f.status {
            text = Some(s.id().to_owned());
            let _ = write!(cond, " AND status = ${}", ints.len() + 1);
        }
        let count_sql = format!("SELECT COUNT(*) AS n FROM items{cond}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for v in &ints {
            q = q.bind(*v);
        }
        if let Some(t) = &text {
            q = q.bind(t.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
        let n = ints.len() + usize::from(text.is_some());
        let sql = format!(
            "{COLS}{cond} ORDER BY COALESCE(published_at, updated_at) DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &ints {
            q = q.bind(*v);
        }
        if let Some(t) = text {
            q = q.bind(t);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        Ok((rows.iter().map(item).collect::<Result<Vec<_>>>()?, total))
    }

    /// Up to `limit` items with an id above `after_id`, by id (to walk every item in pages).
    pub async fn items_after(&self, after_id: i64, limit: i64) -> Result<Vec<Item>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE id > $1 ORDER BY id LIMIT $2"
        )))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item).collect()
    }

    /// Items changed at or after `since_ms` (for keeping search indexes in sync), oldest first.
    pub async fn items_changed_since(&self, since_ms: i64) -> Result<Vec<Item>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE updated_at >= $1 ORDER BY updated_at, id"
        )))
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item).collect()
    }

    /// Ids of the public items, newest first (sitemap).
    pub async fn public_item_ids(&self, limit: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM items WHERE public_json IS NOT NULL AND withdrawn_at IS NULL ORDER BY published_at DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("id")?))
            .collect()
    }

    /// The publishers of public items (search filter).
    pub async fn public_publishers(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT publisher FROM items WHERE public_json IS NOT NULL AND withdrawn_at IS NULL ORDER BY publisher")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("publisher")?))
            .collect()
    }

    /// How many items a column holds (any status).
    pub async fn items_in_column(&self, column: i64) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM items WHERE column_id = $1")
            .bind(column)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Approved items whose scheduled time has come.
    pub async fn items_due_for_publication(&self, now_ms: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM items WHERE status = 'approved' AND publish_at IS NOT NULL AND publish_at <= $1 ORDER BY publish_at")
            .bind(now_ms)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("id")?))
            .collect()
    }

    pub async fn item_events(&self, item_id: i64) -> Result<Vec<ItemEvent>> {
        let rows = sqlx::query("SELECT round, step, kind, role, actor, opinion, at FROM item_events WHERE item_id = $1 ORDER BY id")
            .bind(item_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ItemEvent {
                    round: r.try_get("round")?,
                    step: opt_i64(r, "step")?,
                    kind: r.try_get("kind")?,
                    role: r.try_get("role")?,
                    actor: r.try_get("actor")?,
                    opinion: r.try_get("opinion")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Published policies an interpretation can link to, and interpretations of a policy.
    pub async fn interpretations_of(&self, policy_id: i64) -> Result<Vec<Item>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE interprets_id = $1 AND status = 'published' ORDER BY published_at"
        )))
        .bind(policy_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item).collect()
    }

    pub async fn credit_code(&self, agency: AgencyId) -> Result<String> {
        let row = sqlx::query("SELECT credit_code FROM agencies WHERE id = $1")
            .bind(agency.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<String, _>("credit_code"))
            .transpose()?
            .unwrap_or_default())
    }
}

fn bind_content<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    c: &'q ItemContent,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(c.column_id)
        .bind(&c.title)
        .bind(&c.summary)
        .bind(&c.body)
        .bind(&c.publisher)
        .bind(&c.doc_number)
        .bind(&c.generated_on)
        .bind(&c.topic)
        .bind(&c.genre)
        .bind(&c.keywords)
        .bind(&c.attribute)
        .bind(&c.attribute_reason)
        .bind(c.law_item.clone())
        .bind(c.validity.clone())
        .bind(c.effective_on.clone())
        .bind(c.repealed_on.clone())
        .bind(c.expired_on.clone())
        .bind(c.interprets_id)
        .bind(c.doc_class.clone())
}

impl Tx {
    pub async fn insert_item(
        &mut self,
        agency: AgencyId,
        division: Option<DivisionId>,
        drafter: UserId,
        c: &ItemContent,
        publish_due: &str,
        now_ms: i64,
    ) -> Result<i64> {
        let q = sqlx::query(
            "INSERT INTO items (column_id, title, summary, body, publisher, doc_number, generated_on, topic, \
             genre, keywords, attribute, attribute_reason, law_item, validity, effective_on, repealed_on, \
             expired_on, interprets_id, doc_class, agency_id, division_id, drafter_id, status, publish_due, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $21, $22, 'draft', $23, $24, $24) RETURNING id",
        );
        let row = bind_content(q, c)
            .bind(agency.0)
            .bind(division.map(|d| d.0))
            .bind(drafter.0)
            .bind(publish_due)
            .bind(now_ms)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Sets the publication deadline shown in review lists (an annual report's is Art. 49's).
    pub async fn set_item_publish_due(&mut self, id: i64, due: &str) -> Result<()> {
        sqlx::query("UPDATE items SET publish_due = $1 WHERE id = $2")
            .bind(due)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn update_item_content(
        &mut self,
        id: i64,
        c: &ItemContent,
        publish_due: &str,
        now_ms: i64,
    ) -> Result<()> {
        let q = sqlx::query(
            "UPDATE items SET column_id = $1, title = $2, summary = $3, body = $4, publisher = $5, doc_number = $6, \
             generated_on = $7, topic = $8, genre = $9, keywords = $10, attribute = $11, attribute_reason = $12, \
             law_item = $13, validity = $14, effective_on = $15, repealed_on = $16, expired_on = $17, \
             interprets_id = $18, doc_class = $19, publish_due = $20, updated_at = $21 WHERE id = $22",
        );
        bind_content(q, c)
            .bind(publish_due)
            .bind(now_ms)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn set_item_review(
        &mut self,
        id: i64,
        s: &ReviewState,
        publish_at: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE items SET status = $1, review_step = $2, review_round = $3, fingerprint = $4, \
             was_published = $5, publish_at = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(s.status.id())
        .bind(s.step as i64)
        .bind(i64::from(s.round))
        .bind(s.fingerprint.clone())
        .bind(i64::from(s.was_published))
        .bind(publish_at)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records publication: the public rendition, the time, and the 索引号 (kept once assigned).
    pub async fn set_item_published(
        &mut self,
        id: i64,
        index_no: &str,
        public_json: &str,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE items SET index_no = COALESCE(index_no, $1), public_json = $2, published_at = $3, \
             withdrawn_at = NULL, withdraw_reason = '', publish_at = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(index_no)
        .bind(public_json)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn set_item_withdrawn(&mut self, id: i64, reason: &str, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE items SET withdrawn_at = $1, withdraw_reason = $2, updated_at = $1 WHERE id = $3")
            .bind(now_ms)
            .bind(reason)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_item_event(
        &mut self,
        item_id: i64,
        round: u32,
        step: Option<usize>,
        kind: &str,
        role: Option<&str>,
        actor: (Option<i64>, &str),
        opinion: &str,
        fingerprint: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO item_events (item_id, round, step, kind, role, actor_id, actor, opinion, fingerprint, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(item_id)
        .bind(i64::from(round))
        .bind(step.map(|s| s as i64))
        .bind(kind)
        .bind(role)
        .bind(actor.0)
        .bind(actor.1)
        .bind(opinion)
        .bind(fingerprint)
        .bind(now_ms)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The next 索引号 serial of `prefix` in `year` (1, 2, 3, …; never reused).
    pub async fn next_index_serial(&mut self, prefix: &str, year: i32) -> Result<u32> {
        let row = sqlx::query(
            "INSERT INTO index_serials (prefix, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (prefix, year) DO UPDATE SET last = index_serials.last + 1 RETURNING last",
        )
        .bind(prefix)
        .bind(i64::from(year))
        .fetch_one(&mut *self.inner)
        .await?;
        let last: i64 = row.try_get("last")?;
        u32::try_from(last).map_err(|_| StoreError::Other("index serial overflow".into()))
    }

    pub async fn set_credit_code(&mut self, agency: AgencyId, code: &str) -> Result<()> {
        sqlx::query("UPDATE agencies SET credit_code = $1 WHERE id = $2")
            .bind(code)
            .bind(agency.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

/// An attachment of an item (the file is stored by its SHA-256 in the data directory).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub item_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

fn attachment(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: r.try_get("id")?,
        item_id: r.try_get("item_id")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// The current (not removed) attachments of an item, in upload order.
    pub async fn attachments(&self, item_id: i64) -> Result<Vec<Attachment>> {
        let rows = sqlx::query("SELECT id, item_id, name, content_type, size, sha256, created_at FROM attachments WHERE item_id = $1 AND removed_at IS NULL ORDER BY id")
            .bind(item_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(attachment).collect()
    }

    /// One attachment, also when removed from the item (it may still be in a published rendition).
    pub async fn attachment(&self, id: i64) -> Result<Option<Attachment>> {
        let row = sqlx::query("SELECT id, item_id, name, content_type, size, sha256, created_at FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(attachment).transpose()
    }
}

impl Tx {
    pub async fn insert_attachment(&mut self, a: &Attachment) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO attachments (item_id, name, content_type, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(a.item_id)
        .bind(&a.name)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(a.created_at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Removes an attachment from the item (the row stays for published renditions and audit).
    pub async fn remove_attachment(&mut self, id: i64, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE attachments SET removed_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}
