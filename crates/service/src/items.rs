//! Proactive disclosure: information items (信息) from draft to publication behind the
//! confidentiality review (先审查、后公开), with the personal-data scan, 索引号 and the Art. 26
//! publication deadline.

use chrono::{Datelike, NaiveDate};
use gongkai_domain::column::ColumnKind;
use gongkai_domain::index_no::{IndexNo, check_prefix};
use gongkai_domain::pii::{PiiFinding, Severity, apply_masks, scan};
use gongkai_domain::review::{Chain, Event, Status};
use gongkai_domain::{Action, AgencyId, ColumnId, LawItem, Role, beijing, topic};
use gongkai_store::{Item, ItemContent, ItemEvent, ItemFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{Actor, FieldError, Result, Service, ServiceError};

/// The item form as entered (strings, validated into [`ItemContent`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub column_id: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub publisher: String,
    pub doc_number: String,
    pub generated_on: String,
    pub topic: String,
    pub genre: String,
    pub keywords: String,
    pub attribute: String,
    pub attribute_reason: String,
    pub law_item: String,
    pub validity: String,
    pub effective_on: String,
    pub repealed_on: String,
    pub expired_on: String,
    pub interprets_id: String,
    /// `regulation` (规章), `normative` (行政规范性文件) or empty.
    pub doc_class: String,
}

impl ItemForm {
    /// The form of an existing item.
    pub fn of(c: &ItemContent) -> Self {
        Self {
            column_id: c.column_id.to_string(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            body: c.body.clone(),
            publisher: c.publisher.clone(),
            doc_number: c.doc_number.clone(),
            generated_on: c.generated_on.clone(),
            topic: c.topic.clone(),
            genre: c.genre.clone(),
            keywords: c.keywords.clone(),
            attribute: c.attribute.clone(),
            attribute_reason: c.attribute_reason.clone(),
            law_item: c.law_item.clone().unwrap_or_default(),
            validity: c.validity.clone().unwrap_or_default(),
            effective_on: c.effective_on.clone().unwrap_or_default(),
            repealed_on: c.repealed_on.clone().unwrap_or_default(),
            expired_on: c.expired_on.clone().unwrap_or_default(),
            interprets_id: c.interprets_id.map(|i| i.to_string()).unwrap_or_default(),
            doc_class: c.doc_class.clone().unwrap_or_default(),
        }
    }
}

/// A scan finding with the field it is in.
#[derive(Clone, Debug, Serialize)]
pub struct FieldFinding {
    pub field: &'static str,
    pub label: String,
    pub excerpt: String,
    pub finding: PiiFinding,
}

/// What the public sees of a published item (stored as `public_json` at publication).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicItem {
    pub id: i64,
    pub index_no: String,
    pub agency_id: i64,
    pub column_id: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub publisher: String,
    pub doc_number: String,
    pub generated_on: String,
    pub topic: String,
    pub genre: String,
    pub keywords: String,
    pub law_item: Option<String>,
    pub validity: Option<String>,
    pub effective_on: Option<String>,
    pub repealed_on: Option<String>,
    pub expired_on: Option<String>,
    pub interprets_id: Option<i64>,
    /// 规章 / 行政规范性文件 (absent in renditions published before the field existed).
    #[serde(default)]
    pub doc_class: Option<String>,
    pub published_at: i64,
    /// Earlier publications of this item: `(published_at, note)` (change history, 变更).
    #[serde(default)]
    pub history: Vec<(i64, String)>,
    /// The attachments published with this rendition.
    #[serde(default)]
    pub attachments: Vec<gongkai_store::Attachment>,
}

fn date(s: &str, field: &'static str, label: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(_) => {
            errs.push(FieldError {
                field,
                message: format!("{label}应写作 YYYY-MM-DD，例如 2026-03-02"),
            });
            None
        }
    }
}

/// Body text: HTML is sanitised (a safe subset: paragraphs, headings, lists, tables, links,
/// emphasis); plain text becomes paragraphs at blank lines.
pub fn sanitize_body(s: &str) -> String {
    let s = s.trim();
    if s.contains('<') && s.contains('>') {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("noopener noreferrer"));
        b.clean(s).to_string()
    } else {
        s.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| format!("<p>{}</p>", ammonia::clean_text(p).replace("&#10;", "<br>")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A few characters around a finding, with the finding in its masked form.
fn excerpt(text: &str, f: &PiiFinding) -> String {
    let from = text[..f.start]
        .char_indices()
        .rev()
        .nth(8)
        .map_or(0, |(i, _)| i);
    let to = text[f.end..]
        .char_indices()
        .nth(8)
        .map_or(text.len(), |(i, _)| f.end + i);
    format!(
        "{}【{}】{}",
        &text[from..f.start],
        f.masked
            .clone()
            .unwrap_or_else(|| text[f.start..f.end].to_owned()),
        &text[f.end..to]
    )
}

/// What a review approves: the content and the hash of every attachment (publishing.md §9.5).
pub(crate) fn fingerprint(c: &ItemContent, attachments: &[String]) -> String {
    let v = serde_json::to_string(&(c, attachments)).unwrap_or_default();
    gongkai_domain::hex(&Sha256::digest(v.as_bytes()))
}

impl Service {
    async fn item_or_404(&self, id: i64) -> Result<Item> {
        self.store
            .item(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该信息".into()))
    }

    /// The item's next review state under its agency's chain, or the refusal in words.
    pub(crate) async fn transition(
        &self,
        item: &Item,
        event: &Event,
    ) -> Result<gongkai_domain::review::ReviewState> {
        let chain = self.review_chain(item.agency_id).await?;
        item.review
            .apply(&chain, event)
            .map_err(|e| ServiceError::Refused(e.to_string()))
    }

    /// Validates a form into content for `agency`.
    /// `kept_topic`: the item's current 主题分类, accepted even when the taxonomy has since
    /// dropped it (an edit does not force a reclassification).
    pub(crate) async fn validate_item(
        &self,
        agency: AgencyId,
        f: &ItemForm,
        kept_topic: Option<&str>,
    ) -> Result<ItemContent> {
        let mut errs: Vec<FieldError> = Vec::new();
        let columns = self.store.columns(agency).await?;
        let level = self
            .store
            .agency(agency)
            .await?
            .and_then(|a| a.level)
            .and_then(|l| gongkai_domain::AgencyLevel::parse(&l));
        let column = f
            .column_id
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| columns.iter().find(|c| c.id.0 == id));
        let column = match column {
            Some(c) if matches!(c.kind, ColumnKind::Disclosure | ColumnKind::Statutory) => {
                errs.push(FieldError {
                    field: "column_id",
                    message: format!("“{}”是栏目分组，请选择其下的具体栏目", c.name),
                });
                None
            }
            Some(c) => Some(c),
            None => {
                errs.push(FieldError {
                    field: "column_id",
                    message: "请选择本机关的栏目".into(),
                });
                None
            }
        };
        let title = f.title.trim();
        let tn = title.chars().count();
        if tn == 0 || tn > 200 {
            errs.push(FieldError {
                field: "title",
                message: "请填写名称（标题），最多 200 个字符".into(),
            });
        }
        let body = sanitize_body(&f.body);
        let body_chars = ammonia::Builder::empty()
            .clean(&body)
            .to_string()
            .chars()
            .count();
        let summary = f.summary.trim();
        let limit = if body_chars < 5000 { 300 } else { 500 };
        if summary.is_empty() {
            errs.push(FieldError {
                field: "summary",
                message: "请填写内容概述（政府信息公开目录的必备项）".into(),
            });
        } else if summary.chars().count() > limit {
            errs.push(FieldError { field: "summary", message: format!("内容概述最多 {limit} 个字符（正文不足 5000 字时 300 字，否则 500 字），现为 {} 个", summary.chars().count()) });
        }
        if body.trim().is_empty() {
            errs.push(FieldError {
                field: "body",
                message: "请填写正文".into(),
            });
        }
        let publisher = f.publisher.trim();
        if publisher.is_empty() || publisher.chars().count() > 64 {
            errs.push(FieldError {
                field: "publisher",
                message: "请填写发布机构（最多 64 个字符）".into(),
            });
        }
        let generated_on = date(&f.generated_on, "generated_on", "成文日期", &mut errs);
        if generated_on.is_none() && f.generated_on.trim().is_empty() {
            errs.push(FieldError {
                field: "generated_on",
                message: "请填写成文日期（生成日期）".into(),
            });
        }
        let today = self.clock.today();
        if let Some(g) = &generated_on
            && NaiveDate::parse_from_str(g, "%Y-%m-%d").is_ok_and(|d| d > today)
        {
            errs.push(FieldError {
                field: "generated_on",
                message: "成文日期不能晚于今天".into(),
            });
        }
        let topic = f.topic.trim().to_owned();
        if !(self.topic_taxonomy().await?.contains(&topic) || kept_topic == Some(topic.as_str())) {
            errs.push(FieldError {
                field: "topic",
                message: "请选择主题分类".into(),
            });
        }
        let genre = f.genre.trim().to_owned();
        if !genre.is_empty() && !topic::GENRES.contains(&genre.as_str()) {
            errs.push(FieldError {
                field: "genre",
                message: "请从列表中选择体裁".into(),
            });
        }
        let attribute = f.attribute.trim().to_owned();
        if !matches!(attribute.as_str(), "active" | "on_request" | "withheld") {
            errs.push(FieldError {
                field: "attribute",
                message: "请选择公开属性".into(),
            });
        }
        let attribute_reason = f.attribute_reason.trim().to_owned();
        if matches!(attribute.as_str(), "on_request" | "withheld") && attribute_reason.is_empty() {
            errs.push(FieldError {
                field: "attribute_reason",
                message:
                    "依申请公开或不予公开须写明理由和依据（如条例第十四条、第十五条、第十六条）"
                        .into(),
            });
        }
        let law_item = match f.law_item.trim() {
            "" => column.and_then(|c| c.law_item).map(|l| l.id().to_owned()),
            s => match LawItem::parse(s).filter(|l| LawItem::for_level(level).contains(l)) {
                Some(l) => Some(l.id().to_owned()),
                None => {
                    errs.push(FieldError {
                        field: "law_item",
                        message: "法定主动公开事项无效".into(),
                    });
                    None
                }
            },
        };
        let validity = match f.validity.trim() {
            "" => None,
            v @ ("valid" | "repealed" | "expired") => Some(v.to_owned()),
            _ => {
                errs.push(FieldError {
                    field: "validity",
                    message: "有效性应为有效、废止或失效".into(),
                });
                None
            }
        };
        let effective_on = date(&f.effective_on, "effective_on", "实施日期", &mut errs);
        let repealed_on = date(&f.repealed_on, "repealed_on", "废止日期", &mut errs);
        let expired_on = date(&f.expired_on, "expired_on", "失效日期", &mut errs);
        if validity.as_deref() == Some("repealed") && repealed_on.is_none() {
            errs.push(FieldError {
                field: "repealed_on",
                message: "有效性为“废止”时须填写废止日期".into(),
            });
        }
        if validity.as_deref() == Some("expired") && expired_on.is_none() {
            errs.push(FieldError {
                field: "expired_on",
                message: "有效性为“失效”时须填写失效日期".into(),
            });
        }
        let doc_class = match f.doc_class.trim() {
            "" => None,
            v @ ("regulation" | "normative") => Some(v.to_owned()),
            _ => {
                errs.push(FieldError {
                    field: "doc_class",
                    message: "文件类别应为规章、行政规范性文件或不选".into(),
                });
                None
            }
        };
        if doc_class.is_some() && validity.is_none() {
            errs.push(FieldError {
                field: "validity",
                message: "规章和行政规范性文件须标明有效性（有效、废止或失效）".into(),
            });
        }
        let interprets_id = match f.interprets_id.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) => match self.store.item(id).await? {
                    Some(p) if p.review.status == Status::Published || p.review.was_published => {
                        Some(id)
                    }
                    _ => {
                        errs.push(FieldError {
                            field: "interprets_id",
                            message: format!("编号 {id} 不是已发布的信息"),
                        });
                        None
                    }
                },
                Err(_) => {
                    errs.push(FieldError {
                        field: "interprets_id",
                        message: "被解读文件应填写信息编号（数字）".into(),
                    });
                    None
                }
            },
        };
        if column.is_some_and(|c| c.kind == ColumnKind::Interpretation)
            && interprets_id.is_none()
            && f.interprets_id.trim().is_empty()
        {
            errs.push(FieldError {
                field: "interprets_id",
                message: "政策解读须关联被解读的政策文件（填写其信息编号）".into(),
            });
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        Ok(ItemContent {
            column_id: column.map_or(0, |c| c.id.0),
            title: title.to_owned(),
            summary: summary.to_owned(),
            body,
            publisher: publisher.to_owned(),
            doc_number: f.doc_number.trim().to_owned(),
            generated_on: generated_on.unwrap_or_default(),
            topic,
            genre,
            keywords: f.keywords.trim().to_owned(),
            attribute,
            attribute_reason,
            law_item,
            validity,
            effective_on,
            repealed_on,
            expired_on,
            interprets_id,
            doc_class,
        })
    }

    /// Art. 26: 20 working days after the 成文日期 (day 1 = next working day).
    async fn publish_due(&self, generated_on: &str) -> Result<String> {
        let cal = self.calendar().await?;
        let d = NaiveDate::parse_from_str(generated_on, "%Y-%m-%d")
            .map_err(|_| ServiceError::field("generated_on", "成文日期无效"))?;
        Ok(cal
            .add_working_days(d, 20, false)
            .map(|x| x.format("%Y-%m-%d").to_string())
            .unwrap_or_default())
    }

    /// The agency's sensitive-word list (setting `pii.sensitive_words.<agency>`, one per line).
    async fn sensitive_words(&self, agency: AgencyId) -> Result<Vec<String>> {
        Ok(self
            .store
            .setting(&format!("pii.sensitive_words.{agency}"))
            .await?
            .map(|s| {
                s.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Scans title, summary and body.
    pub async fn scan_item(&self, item: &Item) -> Result<Vec<FieldFinding>> {
        let words = self.sensitive_words(item.agency_id).await?;
        let mut out = Vec::new();
        for (field, label, text) in [
            ("title", "名称", &item.content.title),
            ("summary", "内容概述", &item.content.summary),
            ("body", "正文", &item.content.body),
        ] {
            for f in scan(text, &words) {
                out.push(FieldFinding {
                    field,
                    label: label.to_owned(),
                    excerpt: excerpt(text, &f),
                    finding: f,
                });
            }
        }
        for a in self.store.attachments(item.id).await? {
            let Some(text) = self.attachment_text(&a).await? else {
                continue;
            };
            for f in scan(&text, &words) {
                out.push(FieldFinding {
                    field: "attachment",
                    label: format!("附件《{}》", a.name),
                    excerpt: excerpt(&text, &f),
                    finding: f,
                });
            }
        }
        Ok(out)
    }

    /// Creates a draft in `agency` (the drafter's own).
    pub async fn create_item(&self, actor: &Actor, agency: AgencyId, f: &ItemForm) -> Result<Item> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::DraftItems, agency).await?;
        let content = self.validate_item(agency, f, None).await?;
        let due = self.publish_due(&content.generated_on).await?;
        let (drafter, division) = match actor {
            Actor::User(u) => (u.id, u.division_id),
            Actor::System => return Err(ServiceError::Refused("信息须由经办人起草".into())),
        };
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_item(agency, division, drafter, &content, &due, now)
            .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "item.create",
            ("item", id.to_string()),
            json!({ "title": content.title, "column": content.column_id, "publish_due": due }),
        )
        .await?;
        tx.commit().await?;
        self.item_or_404(id).await
    }

    /// One item (back office).
    pub async fn item(&self, actor: &Actor, id: i64) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::ViewBackOffice, item.agency_id)
            .await?;
        Ok(item)
    }

    pub async fn item_events(&self, actor: &Actor, id: i64) -> Result<Vec<ItemEvent>> {
        self.item(actor, id).await?;
        Ok(self.store.item_events(id).await?)
    }

    /// Items of an agency (back office), newest first.
    pub async fn items(
        &self,
        actor: &Actor,
        agency: AgencyId,
        status: Option<Status>,
        column: Option<ColumnId>,
        page: i64,
    ) -> Result<(Vec<Item>, i64)> {
        self.authorize(actor, Action::ViewBackOffice, agency)
            .await?;
        let f = ItemFilter {
            agency: Some(agency),
            column,
            status,
            public: false,
        };
        Ok(self.store.items(&f, (page.max(1) - 1) * 20, 20).await?)
    }

    /// Edits an item. A change to what was submitted or approved sends it back to the drafter;
    /// a published item keeps its public rendition until the change is approved and published.
    pub async fn update_item(&self, actor: &Actor, id: i64, f: &ItemForm) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::DraftItems, item.agency_id)
            .await?;
        if item.review.status == Status::InReview
            && !Self::may_review_now(actor, &item, &self.review_chain(item.agency_id).await?)
        {
            return Err(ServiceError::Refused(
                "信息正在审核中，请等待审核结果或请审核人退回后再修改".into(),
            ));
        }
        self.refuse_if_annual_report(id).await?;
        let content = self
            .validate_item(item.agency_id, f, Some(&item.content.topic))
            .await?;
        self.save_content(actor, &item, content, "item.update", "edit_reset", "")
            .await
    }

    pub(crate) async fn save_content(
        &self,
        actor: &Actor,
        item: &Item,
        content: ItemContent,
        action: &str,
        reset_kind: &str,
        note: &str,
    ) -> Result<Item> {
        let due = self.publish_due(&content.generated_on).await?;
        let fp = fingerprint(&content, &self.attachment_hashes(item.id).await?);
        let next = self
            .transition(
                item,
                &Event::Edit {
                    fingerprint: fp.clone(),
                },
            )
            .await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.update_item_content(item.id, &content, &due, now).await?;
        if next != item.review {
            tx.set_item_review(item.id, &next, None, now).await?;
        }
        if next != item.review || reset_kind == "mask" {
            let text = match (reset_kind, next != item.review) {
                ("mask", true) => {
                    "已按规定格式屏蔽个人信息；内容已修改，原审核意见作废，须重新送审"
                }
                ("mask", false) => "已按规定格式屏蔽个人信息",
                _ => "内容已修改，原审核意见作废，须重新送审",
            };
            tx.insert_item_event(
                item.id,
                next.round,
                None,
                reset_kind,
                None,
                (actor.id(), &actor.label()),
                text,
                Some(&fp),
                now,
            )
            .await?;
        }
        self.audit(&mut tx, actor, Some(item.agency_id), action, ("item", item.id.to_string()),
            json!({ "title": content.title, "status": [item.review.status.id(), next.status.id()], "note": note })).await?;
        tx.commit().await?;
        self.item_or_404(item.id).await
    }

    /// Applies the masks of every maskable scan finding (one click); the item goes back to draft
    /// if it was in review.
    pub async fn mask_item(&self, actor: &Actor, id: i64) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::DraftItems, item.agency_id)
            .await?;
        self.refuse_if_annual_report(id).await?;
        let words = self.sensitive_words(item.agency_id).await?;
        let mut c = item.content.clone();
        c.title = apply_masks(&c.title, &scan(&c.title, &words));
        c.summary = apply_masks(&c.summary, &scan(&c.summary, &words));
        // Masks can land inside markup (a sensitive word in an attribute): clean the result again.
        c.body = sanitize_body(&apply_masks(&c.body, &scan(&c.body, &words)));
        if c == item.content {
            return Ok(item);
        }
        self.save_content(
            actor,
            &item,
            c,
            "item.mask",
            "mask",
            "按规定格式屏蔽个人信息",
        )
        .await
    }

    /// Submits the item for review (经办人 step).
    pub async fn submit_item(&self, actor: &Actor, id: i64) -> Result<Item> {
        self.refuse_if_annual_report(id).await?;
        self.submit_item_unchecked(actor, id).await
    }

    /// An item that carries an annual report is changed and submitted only from the report page
    /// (the frozen version and the item must stay one).
    pub(crate) async fn refuse_if_annual_report(&self, id: i64) -> Result<()> {
        if self.store.annual_report_of_item(id).await?.is_some() {
            return Err(ServiceError::Refused(
                "此信息是政府信息公开工作年度报告，请在“年度报告”页面修改并重新送审".into(),
            ));
        }
        Ok(())
    }

    pub(crate) async fn submit_item_unchecked(&self, actor: &Actor, id: i64) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::DraftItems, item.agency_id)
            .await?;
        let fp = fingerprint(&item.content, &self.attachment_hashes(item.id).await?);
        let next = self
            .transition(
                &item,
                &Event::Submit {
                    fingerprint: fp.clone(),
                },
            )
            .await?;
        let findings = self.scan_item(&item).await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.set_item_review(id, &next, None, now).await?;
        let note = if findings.is_empty() {
            "个人信息与密级扫描：未发现".to_owned()
        } else {
            format!(
                "个人信息与密级扫描：发现 {} 处，请审核人处理",
                findings.len()
            )
        };
        tx.insert_item_event(
            id,
            next.round,
            None,
            "submit",
            Some(Role::Drafter.id()),
            (actor.id(), &actor.label()),
            &note,
            Some(&fp),
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            actor,
            Some(item.agency_id),
            "item.submit",
            ("item", id.to_string()),
            json!({ "title": item.content.title, "round": next.round, "findings": findings.len() }),
        )
        .await?;
        tx.commit().await?;
        self.item_or_404(id).await
    }

    /// Whether `actor` holds the role the item waits for (and, for 处室负责人, heads its division).
    fn may_review_now(actor: &Actor, item: &Item, chain: &Chain) -> bool {
        let Actor::User(u) = actor else { return false };
        match item.review.waiting_for(chain) {
            Some(Role::DivisionHead) => {
                u.roles.contains(&Role::DivisionHead)
                    && (item.division_id.is_none() || item.division_id == u.division_id)
            }
            Some(r) => u.roles.contains(&r),
            None => false,
        }
    }

    /// A reviewer's decision on the current step. The final step may approve content with
    /// blocking scan findings only with a written reason (override).
    pub async fn decide_item(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        opinion: &str,
        override_reason: &str,
    ) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::ReviewItems, item.agency_id)
            .await?;
        let Actor::User(u) = actor else {
            return Err(ServiceError::Refused("审核须由审核人本人进行".into()));
        };
        // Four eyes (谁公开、谁审查): nobody signs off what they submitted, or two steps of one round.
        let round = i64::from(item.review.round);
        for e in self
            .store
            .item_events(id)
            .await?
            .iter()
            .filter(|e| e.round == round)
        {
            if e.actor == u.username && e.kind == "submit" {
                return Err(ServiceError::Refused(
                    "送审人不能审核自己送审的信息，请由其他审核人签署".into(),
                ));
            }
            if e.actor == u.username && e.kind == "approve" {
                return Err(ServiceError::Refused(
                    "同一人不能在同一轮审核中签署两个环节".into(),
                ));
            }
        }
        let chain = self.review_chain(item.agency_id).await?;
        let waiting = item.review.waiting_for(&chain);
        if waiting == Some(Role::DivisionHead)
            && item.division_id.is_some()
            && item.division_id != u.division_id
            && u.roles.contains(&Role::DivisionHead)
            && !u.roles.contains(&Role::Leader)
        {
            return Err(ServiceError::Refused(
                "本步须由拟稿处室的处室负责人审核".into(),
            ));
        }
        let opinion = opinion.trim();
        if !approve && opinion.is_empty() {
            return Err(ServiceError::field(
                "opinion",
                "退回时请写明审核意见，供经办人修改",
            ));
        }
        // The current content must be what was submitted.
        if item.review.fingerprint.as_deref()
            != Some(fingerprint(&item.content, &self.attachment_hashes(item.id).await?).as_str())
        {
            return Err(ServiceError::Refused(
                "内容在送审后被修改，须重新送审".into(),
            ));
        }
        let next = item
            .review
            .apply(
                &chain,
                &Event::Decide {
                    approve,
                    roles: u.roles.clone(),
                },
            )
            .map_err(|e| ServiceError::Refused(e.to_string()))?;
        let blocking = self
            .scan_item(&item)
            .await?
            .into_iter()
            .filter(|f| f.finding.severity == Severity::Block)
            .count();
        let mut note = opinion.to_owned();
        if approve && next.status == Status::Approved && blocking > 0 {
            if override_reason.trim().is_empty() {
                return Err(ServiceError::field(
                    "override_reason",
                    format!(
                        "仍有 {blocking} 处个人信息或密级问题未处理：请退回修改、一键屏蔽，或在此写明保留的理由和依据（如惩戒公示、强制性信息披露）"
                    ),
                ));
            }
            note = format!(
                "{opinion}（保留扫描发现 {blocking} 处，理由：{}）",
                override_reason.trim()
            );
        }
        let role = waiting.map(Role::id);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.set_item_review(id, &next, None, now).await?;
        tx.insert_item_event(
            id,
            item.review.round,
            Some(item.review.step),
            if approve { "approve" } else { "reject" },
            role,
            (actor.id(), &actor.label()),
            &note,
            item.review.fingerprint.as_deref(),
            now,
        )
        .await?;
        self.audit(&mut tx, actor, Some(item.agency_id), if approve { "item.approve" } else { "item.reject" }, ("item", id.to_string()),
            json!({ "title": item.content.title, "step": item.review.step, "role": role, "opinion": note })).await?;
        tx.commit().await?;
        self.item_or_404(id).await
    }

    /// Publishes an approved item now, or schedules it (`at_ms` in the future).
    pub async fn publish_item(&self, actor: &Actor, id: i64, at_ms: Option<i64>) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::PublishItems, item.agency_id)
            .await?;
        if item.content.attribute != "active" {
            return Err(ServiceError::Refused("只有公开属性为“主动公开”的信息在门户发布；依申请公开、不予公开的信息只在目录中登记".into()));
        }
        if let Some(at) = at_ms.filter(|t| *t > self.now_ms()) {
            if item.review.status != Status::Approved {
                return Err(ServiceError::Refused(format!(
                    "当前状态为“{}”，审核通过后才能定时发布",
                    item.review.status.label()
                )));
            }
            let now = self.now_ms();
            let mut tx = self.store.begin().await?;
            tx.set_item_review(id, &item.review, Some(at), now).await?;
            tx.insert_item_event(
                id,
                item.review.round,
                None,
                "schedule",
                None,
                (actor.id(), &actor.label()),
                "",
                item.review.fingerprint.as_deref(),
                now,
            )
            .await?;
            self.audit(
                &mut tx,
                actor,
                Some(item.agency_id),
                "item.schedule",
                ("item", id.to_string()),
                json!({ "title": item.content.title, "at": at }),
            )
            .await?;
            tx.commit().await?;
            return self.item_or_404(id).await;
        }
        self.publish_now(actor, &item).await
    }

    async fn publish_now(&self, actor: &Actor, item: &Item) -> Result<Item> {
        // Take the write lock first: writers are serialised (Store::begin), so the item and its
        // attachments read below cannot change before this transaction commits.
        let mut tx = self.store.begin().await?;
        let item = &self.item_or_404(item.id).await?;
        let attachments = self.store.attachments(item.id).await?;
        let hashes: Vec<String> = attachments.iter().map(|a| a.sha256.clone()).collect();
        let fp = fingerprint(&item.content, &hashes);
        let next = self
            .transition(
                item,
                &Event::Publish {
                    fingerprint: fp.clone(),
                },
            )
            .await?;
        let now = self.now_ms();
        let index_no = match &item.index_no {
            Some(n) => n.clone(),
            None => {
                let prefix = self.store.credit_code(item.agency_id).await?;
                let prefix = check_prefix(&prefix).map_err(|_| ServiceError::Refused(
                    "本机关尚未设置统一社会信用代码（索引号前段码）。请系统管理员在“机关与处室”中填写后再发布".into(),
                ))?;
                String::new() + &prefix
            }
        };
        let index_no = if item.index_no.is_some() {
            index_no
        } else {
            let year = chrono::DateTime::from_timestamp_millis(now)
                .map_or(2026, |t| t.with_timezone(&beijing()).year());
            let serial = tx.next_index_serial(&index_no, year).await?;
            IndexNo::new(&index_no, year, serial)
                .map_err(ServiceError::Refused)?
                .to_string()
        };
        let mut history = item
            .public_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<PublicItem>(j).ok())
            .map(|p| {
                let mut h = p.history;
                h.push((
                    p.published_at,
                    if h.is_empty() {
                        "首次发布".to_owned()
                    } else {
                        "变更".to_owned()
                    },
                ));
                h
            })
            .unwrap_or_default();
        history.sort_by_key(|h| h.0);
        let c = &item.content;
        let public = PublicItem {
            id: item.id,
            index_no: index_no.clone(),
            agency_id: item.agency_id.0,
            column_id: c.column_id,
            title: c.title.clone(),
            summary: c.summary.clone(),
            body: c.body.clone(),
            publisher: c.publisher.clone(),
            doc_number: c.doc_number.clone(),
            generated_on: c.generated_on.clone(),
            topic: c.topic.clone(),
            genre: c.genre.clone(),
            keywords: c.keywords.clone(),
            law_item: c.law_item.clone(),
            validity: c.validity.clone(),
            effective_on: c.effective_on.clone(),
            repealed_on: c.repealed_on.clone(),
            expired_on: c.expired_on.clone(),
            interprets_id: c.interprets_id,
            doc_class: c.doc_class.clone(),
            published_at: now,
            history,
            attachments,
        };
        let public_json =
            serde_json::to_string(&public).map_err(|e| ServiceError::Internal(e.to_string()))?;
        tx.set_item_review(item.id, &next, None, now).await?;
        tx.set_item_published(item.id, &index_no, &public_json, now)
            .await?;
        // An annual report travels through review as this item: publishing it publishes the
        // report version and locks its year (issue 7).
        tx.mark_annual_report_published(item.id, now).await?;
        tx.insert_item_event(
            item.id,
            item.review.round,
            None,
            "publish",
            None,
            (actor.id(), &actor.label()),
            &index_no,
            Some(&fp),
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            actor,
            Some(item.agency_id),
            "item.publish",
            ("item", item.id.to_string()),
            json!({ "title": c.title, "index_no": index_no, "change": item.review.was_published }),
        )
        .await?;
        tx.commit().await?;
        self.index_item(item.id).await;
        self.item_or_404(item.id).await
    }

    /// Publishes scheduled items whose time has come (called every minute by `serve`).
    pub async fn publish_scheduled(&self) -> Result<usize> {
        let mut n = 0;
        for id in self.store.items_due_for_publication(self.now_ms()).await? {
            let item = self.item_or_404(id).await?;
            match self.publish_now(&Actor::System, &item).await {
                Ok(_) => n += 1,
                Err(e) => tracing::warn!(item = id, error = %e, "scheduled publication failed"),
            }
        }
        Ok(n)
    }

    /// Withdraws a published item (分管领导, with a reason).
    pub async fn withdraw_item(&self, actor: &Actor, id: i64, reason: &str) -> Result<Item> {
        let item = self.item_or_404(id).await?;
        self.authorize(actor, Action::ReviewItems, item.agency_id)
            .await?;
        let roles = match actor {
            Actor::User(u) => u.roles.clone(),
            Actor::System => vec![Role::Leader],
        };
        if reason.trim().is_empty() {
            return Err(ServiceError::field("reason", "请写明撤回理由"));
        }
        let next = self
            .transition(
                &item,
                &Event::Withdraw {
                    roles,
                    reason: reason.into(),
                },
            )
            .await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.set_item_review(id, &next, None, now).await?;
        tx.set_item_withdrawn(id, reason.trim(), now).await?;
        tx.insert_item_event(
            id,
            item.review.round,
            None,
            "withdraw",
            Some(Role::Leader.id()),
            (actor.id(), &actor.label()),
            reason.trim(),
            None,
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            actor,
            Some(item.agency_id),
            "item.withdraw",
            ("item", id.to_string()),
            json!({ "title": item.content.title, "reason": reason.trim() }),
        )
        .await?;
        tx.commit().await?;
        self.index_item(id).await;
        self.item_or_404(id).await
    }

    /// Items of `agency` waiting for the actor's sign-off.
    pub async fn review_queue(&self, actor: &Actor, agency: AgencyId) -> Result<Vec<Item>> {
        self.authorize(actor, Action::ReviewItems, agency).await?;
        let f = ItemFilter {
            agency: Some(agency),
            status: Some(Status::InReview),
            ..ItemFilter::default()
        };
        let (items, _) = self.store.items(&f, 0, 500).await?;
        let chain = self.review_chain(agency).await?;
        Ok(items
            .into_iter()
            .filter(|i| Self::may_review_now(actor, i, &chain))
            .collect())
    }

    /// Approved items of `agency` waiting for publication.
    pub async fn publish_queue(&self, actor: &Actor, agency: AgencyId) -> Result<Vec<Item>> {
        self.authorize(actor, Action::PublishItems, agency).await?;
        let f = ItemFilter {
            agency: Some(agency),
            status: Some(Status::Approved),
            ..ItemFilter::default()
        };
        Ok(self.store.items(&f, 0, 500).await?.0)
    }

    /// Sets an agency's 统一社会信用代码 (索引号前段码).
    pub async fn set_credit_code(&self, actor: &Actor, agency: AgencyId, code: &str) -> Result<()> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageAgencies, agency)
            .await?;
        let code = check_prefix(code).map_err(|m| ServiceError::field("credit_code", m))?;
        let mut tx = self.store.begin().await?;
        tx.set_credit_code(agency, &code).await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "agency.credit_code",
            ("agency", agency.to_string()),
            json!({ "credit_code": code }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- public ---------------------------------------------------------------------------

    /// A published item as the public sees it (`None` when not published or withdrawn).
    pub async fn public_item(&self, id: i64) -> Result<Option<PublicItem>> {
        let Some(item) = self.store.item(id).await? else {
            return Ok(None);
        };
        // Published — or published and now in review of a change: the old version stays public.
        if item.withdrawn_at.is_some() {
            return Ok(None);
        }
        Ok(item
            .public_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()))
    }

    /// Published items for the open-data API, newest first, `per_page` a page, with the total;
    /// optionally of one agency and one column.
    pub async fn api_items(
        &self,
        agency: Option<AgencyId>,
        column: Option<ColumnId>,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<PublicItem>, i64)> {
        let f = ItemFilter {
            agency,
            column,
            public: true,
            ..ItemFilter::default()
        };
        let per_page = per_page.clamp(1, 100);
        let offset = (page.clamp(1, 1_000_000) - 1) * per_page;
        let (items, total) = self.store.items(&f, offset, per_page).await?;
        Ok((
            items
                .iter()
                .filter_map(|i| {
                    i.public_json
                        .as_deref()
                        .and_then(|j| serde_json::from_str(j).ok())
                })
                .collect(),
            total,
        ))
    }

    /// Published items of a column, newest first, 20 a page, with the total.
    pub async fn public_items(
        &self,
        column: ColumnId,
        page: i64,
    ) -> Result<(Vec<PublicItem>, i64)> {
        self.api_items(None, Some(column), page, 20).await
    }

    /// The newest published items of an agency (or of all agencies).
    pub async fn latest_public(
        &self,
        agency: Option<AgencyId>,
        limit: i64,
    ) -> Result<Vec<PublicItem>> {
        let f = ItemFilter {
            agency,
            public: true,
            ..ItemFilter::default()
        };
        let (items, _) = self.store.items(&f, 0, limit).await?;
        Ok(items
            .iter()
            .filter_map(|i| {
                i.public_json
                    .as_deref()
                    .and_then(|j| serde_json::from_str(j).ok())
            })
            .collect())
    }

    /// Published interpretations of a policy (for the two-way link).
    pub async fn interpretations(&self, policy: i64) -> Result<Vec<PublicItem>> {
        Ok(self
            .store
            .interpretations_of(policy)
            .await?
            .iter()
            .filter_map(|i| {
                i.public_json
                    .as_deref()
                    .and_then(|j| serde_json::from_str(j).ok())
            })
            .collect())
    }
}
