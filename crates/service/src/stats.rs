//! Figures of proactive disclosure for a year (for the annual report's 一、总体情况) and the
//! freshness of columns (inspection rules: 动态要闻类 2 weeks, 通知公告/政策文件类 6 months, empty
//! columns).

use std::collections::BTreeMap;

use chrono::{Datelike, Months, TimeZone};
use gongkai_domain::column::Freshness;
use gongkai_domain::{Action, AgencyId, ColumnKind, LawItem, beijing};
use gongkai_store::Item;
use serde::Serialize;

use crate::items::PublicItem;
use crate::{Actor, Result, Service};

/// The first publication time of an item (its change history keeps the earlier ones).
pub(crate) fn first_published(i: &Item) -> Option<i64> {
    let p: PublicItem = serde_json::from_str(i.public_json.as_deref()?).ok()?;
    Some(p.history.first().map_or(p.published_at, |h| h.0))
}

/// Figures of one year.
#[derive(Clone, Debug, Default, Serialize)]
pub struct YearFigures {
    pub year: i32,
    /// Items first published in the year.
    pub published: usize,
    /// `(column name, count)` in column order.
    pub per_column: Vec<(String, usize)>,
    /// `(item number + text, count)` for the Art. 20 items that have any.
    pub per_law_item: Vec<(String, usize)>,
    /// Counts for months 1–12.
    pub per_month: Vec<usize>,
    /// 政策解读 first published in the year.
    pub interpretations: usize,
    /// Published items changed and republished (变更) in the year.
    pub changes: usize,
    /// Items withdrawn in the year.
    pub withdrawals: usize,
}

/// One column's freshness.
#[derive(Clone, Debug, Serialize)]
pub struct ColumnFreshness {
    pub id: i64,
    pub name: String,
    pub last_published: Option<i64>,
    /// The rule in words, e.g. "2 周".
    pub rule: String,
    /// `fresh`, `stale`, `empty` or `no_rule`.
    pub state: &'static str,
}

impl Service {
    /// The year's figures of an agency's proactive disclosure.
    pub async fn year_figures(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
    ) -> Result<YearFigures> {
        self.authorize(actor, Action::ViewBackOffice, agency)
            .await?;
        let columns = self.store.columns(agency).await?;
        let bound = |y: i32| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .and_then(gongkai_domain::beijing_midnight_ms)
                .unwrap_or(0)
        };
        // Counted in the database (an agency may have hundreds of thousands of items).
        let (groups, changes, withdrawals) = self
            .store
            .item_year_groups(agency, bound(year), bound(year + 1))
            .await?;
        let mut fig = YearFigures {
            year,
            per_month: vec![0; 12],
            changes: usize::try_from(changes).unwrap_or(0),
            withdrawals: usize::try_from(withdrawals).unwrap_or(0),
            ..YearFigures::default()
        };
        let mut per_column: BTreeMap<i64, usize> = BTreeMap::new();
        let mut per_law: BTreeMap<LawItem, usize> = BTreeMap::new();
        for (column_id, law_item, day, n) in &groups {
            let n = usize::try_from(*n).unwrap_or(0);
            fig.published += n;
            *per_column.entry(*column_id).or_default() += n;
            if let Some(l) = law_item.as_deref().and_then(LawItem::parse) {
                *per_law.entry(l).or_default() += n;
            }
            // `day` counts Beijing days from 1970-01-01 (day 719,163 of the common era).
            if let Some(d) = i32::try_from(*day)
                .ok()
                .and_then(|d| chrono::NaiveDate::from_num_days_from_ce_opt(719_163 + d))
            {
                fig.per_month[d.month0() as usize] += n;
            }
            if columns
                .iter()
                .any(|c| c.id.0 == *column_id && c.kind == ColumnKind::Interpretation)
            {
                fig.interpretations += n;
            }
        }
        let tree = crate::columns::column_tree(&columns);
        fig.per_column = tree
            .iter()
            .filter_map(|n| {
                per_column
                    .get(&n.column.id.0)
                    .map(|c| (n.column.name.clone(), *c))
            })
            .collect();
        fig.per_law_item = per_law
            .into_iter()
            .map(|(l, c)| (format!("{}{}", l.number(), l.text()), c))
            .collect();
        Ok(fig)
    }

    /// Every column of an agency that takes items, with its freshness under the inspection rule.
    pub async fn column_freshness(
        &self,
        actor: &Actor,
        agency: AgencyId,
    ) -> Result<Vec<ColumnFreshness>> {
        self.authorize(actor, Action::ViewBackOffice, agency)
            .await?;
        let columns = self.store.columns(agency).await?;
        let items = self.store.item_stats(agency).await?;
        let now = self.clock.now();
        let mut out = Vec::new();
        for n in crate::columns::column_tree(&columns) {
            let c = n.column;
            if matches!(c.kind, ColumnKind::Disclosure | ColumnKind::Statutory) {
                continue;
            }
            let has_children = columns.iter().any(|x| x.parent_id == Some(c.id));
            let last = items
                .iter()
                .filter(|i| i.column_id == c.id.0 && i.public && i.withdrawn_at.is_none())
                .filter_map(|i| i.published_at)
                .max();
            let (limit, rule) = match (c.stale_days, c.kind.freshness()) {
                (Some(d), _) => (Some(now - chrono::Duration::days(d)), format!("{d} 天")),
                (None, Freshness::Weeks(w)) => (
                    Some(now - chrono::Duration::weeks(i64::from(w))),
                    format!("{w} 周"),
                ),
                (None, Freshness::Months(m)) => {
                    (now.checked_sub_months(Months::new(m)), format!("{m} 个月"))
                }
                (None, Freshness::None) => (None, "—".to_owned()),
            };
            let state = match (last, limit) {
                (None, _) if has_children => continue,
                (None, _) => "empty",
                (Some(_), None) => "no_rule",
                (Some(l), Some(lim)) if l < lim.timestamp_millis() => "stale",
                _ => "fresh",
            };
            out.push(ColumnFreshness {
                id: c.id.0,
                name: c.name,
                last_published: last,
                rule,
                state,
            });
        }
        Ok(out)
    }

    /// The current year in Beijing time.
    pub fn current_year(&self) -> i32 {
        beijing()
            .from_utc_datetime(&self.clock.now().naive_utc())
            .year()
    }
}
