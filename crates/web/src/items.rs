//! Back office of proactive disclosure: item lists, the item form, the review sheet (审核单) with
//! scan findings and sign-offs, publication and withdrawal.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::{NaiveDateTime, TimeZone};
use gongkai_domain::review::Status;
use gongkai_domain::{Action, AgencyId, ColumnId, ColumnKind, LawItem};
use gongkai_service::store::Item;
use gongkai_service::{ItemForm, ServiceError, column_tree};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::admin::staff_base;
use crate::pages::{field_errors, no_errors, page, ser, service_error};
use crate::session::{Session, Staff};

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    status: Option<String>,
    column: Option<String>,
    page: Option<i64>,
    agency: Option<String>,
    done: Option<String>,
}

/// Choices shared by the form: columns (that take items), topics, genres, Art. 20 items.
/// `kept_topic`: the edited item's 主题分类, offered even when the taxonomy has since dropped it.
async fn form_choices(state: &AppState, agency: AgencyId, kept_topic: Option<&str>) -> Value {
    let cols = state
        .service
        .store()
        .columns(agency)
        .await
        .unwrap_or_default();
    let tree: Vec<Value> = column_tree(&cols)
        .into_iter()
        .map(|n| {
            let group = matches!(
                n.column.kind,
                ColumnKind::Disclosure | ColumnKind::Statutory
            );
            context! { id => n.column.id.0, name => n.column.name, depth => n.depth, group }
        })
        .collect();
    let level = state
        .service
        .store()
        .agency(agency)
        .await
        .ok()
        .flatten()
        .and_then(|a| a.level)
        .and_then(|l| gongkai_domain::AgencyLevel::parse(&l));
    let law: Vec<(&str, String)> = LawItem::for_level(level)
        .iter()
        .map(|l| (l.id(), format!("{}{}", l.number(), l.text())))
        .collect();
    let mut topics = state
        .service
        .topic_taxonomy()
        .await
        .unwrap_or_default()
        .all();
    if let Some(t) = kept_topic.filter(|t| !t.is_empty() && !topics.iter().any(|x| x == t)) {
        topics.push(t.to_owned());
    }
    context! {
        columns => tree,
        topics => ser(topics),
        genres => ser(gongkai_domain::topic::GENRES),
        law_items => ser(law),
    }
}

fn status_label(s: Status) -> &'static str {
    s.label()
}

fn row(i: &Item, columns: &BTreeMap<i64, String>) -> Value {
    context! {
        id => i.id, title => &i.content.title, status => i.review.status.id(), status_label => status_label(i.review.status),
        column => columns.get(&i.content.column_id), updated_at => i.updated_at, publish_due => &i.publish_due,
        index_no => &i.index_no, published_at => i.published_at,
    }
}

async fn column_names(state: &AppState, agency: AgencyId) -> BTreeMap<i64, String> {
    state
        .service
        .store()
        .columns(agency)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect()
}

pub(crate) async fn list(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let agency = q
        .agency
        .as_deref()
        .and_then(|a| a.parse().ok())
        .map_or(staff.user.agency_id, AgencyId);
    let status = q.status.as_deref().and_then(Status::parse);
    let column = q
        .column
        .as_deref()
        .and_then(|c| c.parse().ok())
        .map(ColumnId);
    let page_no = q.page.unwrap_or(1).max(1);
    let (items, total) = match state
        .service
        .items(&staff.actor(), agency, status, column, page_no)
        .await
    {
        Ok(v) => v,
        Err(e) => return service_error(&e),
    };
    let names = column_names(&state, agency).await;
    let rows: Vec<Value> = items.iter().map(|i| row(i, &names)).collect();
    let can_draft = state
        .service
        .can(&staff.actor(), Action::DraftItems, agency)
        .await;
    let pages = (total + 19) / 20;
    let statuses: Vec<(&str, &str)> = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Published,
        Status::Withdrawn,
    ]
    .iter()
    .map(|s| (s.id(), s.label()))
    .collect();
    let agency_row = state.service.store().agency(agency).await.ok().flatten();
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/items.html",
        context! {
            rows, total, page_no, pages, can_draft, statuses => ser(statuses), status => q.status, column => q.column,
            columns => ser(names.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>()),
            agency => ser(agency_row), done => q.done, ..base
        },
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct NewQuery {
    column: Option<String>,
}

#[allow(clippy::too_many_arguments)] // one form, shown new, for editing, or again with errors
async fn form_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    item: Option<&Item>,
    form: &ItemForm,
    status: StatusCode,
    errors: Value,
) -> Response {
    let choices = form_choices(state, agency, item.map(|i| i.content.topic.as_str())).await;
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/item_form.html",
        context! {
            form => ser(form), item => ser(item), choices, errors, ..base
        },
    )
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<NewQuery>,
) -> Response {
    let agency = staff.user.agency_id;
    if let Err(e) = state
        .service
        .authorize(&staff.actor(), Action::DraftItems, agency)
        .await
    {
        return service_error(&e);
    }
    let publisher = state
        .service
        .store()
        .agency(agency)
        .await
        .ok()
        .flatten()
        .map(|a| a.name)
        .unwrap_or_default();
    let today = state.service.clock().today().format("%Y-%m-%d").to_string();
    let form = ItemForm {
        column_id: q.column.unwrap_or_default(),
        publisher,
        generated_on: today,
        attribute: "active".into(),
        topic: "综合政务\\政务公开".into(),
        ..ItemForm::default()
    };
    form_page(
        &state,
        &s,
        &staff,
        agency,
        None,
        &form,
        StatusCode::OK,
        no_errors(),
    )
    .await
}

pub(crate) async fn new_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<ItemForm>,
) -> Response {
    let agency = staff.user.agency_id;
    match state.service.create_item(&staff.actor(), agency, &f).await {
        Ok(item) => Redirect::to(&format!("/admin/items/{}?done=created", item.id)).into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            form_page(
                &state,
                &s,
                &staff,
                agency,
                None,
                &f,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(field_errors(&e)),
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let item = match state.service.item(&staff.actor(), id).await {
        Ok(i) => i,
        Err(e) => return service_error(&e),
    };
    if let Err(e) = state
        .service
        .authorize(&staff.actor(), Action::DraftItems, item.agency_id)
        .await
    {
        return service_error(&e);
    }
    form_page(
        &state,
        &s,
        &staff,
        item.agency_id,
        Some(&item),
        &ItemForm::of(&item.content),
        StatusCode::OK,
        no_errors(),
    )
    .await
}

pub(crate) async fn edit_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> Response {
    match state.service.update_item(&staff.actor(), id, &f).await {
        Ok(_) => Redirect::to(&format!("/admin/items/{id}?done=saved")).into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            let item = state.service.item(&staff.actor(), id).await.ok();
            let agency = item.as_ref().map_or(staff.user.agency_id, |i| i.agency_id);
            form_page(
                &state,
                &s,
                &staff,
                agency,
                item.as_ref(),
                &f,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(field_errors(&e)),
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    detail_page(&state, &s, &staff, id, StatusCode::OK, no_errors(), q.done).await
}

async fn detail_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    id: i64,
    status: StatusCode,
    errors: Value,
    done: Option<String>,
) -> Response {
    let item = match state.service.item(&staff.actor(), id).await {
        Ok(i) => i,
        Err(e) => return service_error(&e),
    };
    let actor = staff.actor();
    let svc = &state.service;
    let findings = svc.scan_item(&item).await.unwrap_or_default();
    let events = svc.item_events(&actor, id).await.unwrap_or_default();
    let names = column_names(state, item.agency_id).await;
    let chain = svc.review_chain(item.agency_id).await.unwrap_or_default();
    let waiting = item
        .review
        .waiting_for(&chain)
        .map(gongkai_domain::Role::label);
    let can_draft = svc.can(&actor, Action::DraftItems, item.agency_id).await;
    let can_review = svc
        .review_queue(&actor, item.agency_id)
        .await
        .is_ok_and(|q| q.iter().any(|i| i.id == id));
    let can_publish = svc.can(&actor, Action::PublishItems, item.agency_id).await
        && item.review.status == Status::Approved;
    let can_withdraw = item.review.status == Status::Published
        && staff.user.roles.contains(&gongkai_domain::Role::Leader)
        && svc.can(&actor, Action::ReviewItems, item.agency_id).await;
    let law = item
        .content
        .law_item
        .as_deref()
        .and_then(LawItem::parse)
        .map(|l| format!("{}{}", l.number(), l.text()));
    let attachments = svc.store().attachments(id).await.unwrap_or_default();
    let accepted = gongkai_service::accepted_extensions();
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/item.html",
        context! {
            item => ser(&item), status_label => item.review.status.label(), column => names.get(&item.content.column_id),
            findings => ser(findings), events => ser(events), waiting, can_draft, can_review, can_publish, can_withdraw,
            law, errors, done, attachments => ser(attachments), accepted, ..base
        },
    )
}

async fn action_result(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    id: i64,
    r: Result<Item, ServiceError>,
    done: &str,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/admin/items/{id}?done={done}")).into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            detail_page(
                state,
                s,
                staff,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(field_errors(&e)),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let r = state.service.submit_item(&staff.actor(), id).await;
    action_result(&state, &s, &staff, id, r, "submitted").await
}

pub(crate) async fn mask(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let r = state.service.mask_item(&staff.actor(), id).await;
    action_result(&state, &s, &staff, id, r, "masked").await
}

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct DecideInput {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    override_reason: String,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<DecideInput>,
) -> Response {
    let approve = f.decision == "approve";
    let r = state
        .service
        .decide_item(&staff.actor(), id, approve, &f.opinion, &f.override_reason)
        .await;
    action_result(
        &state,
        &s,
        &staff,
        id,
        r,
        if approve { "approved" } else { "returned" },
    )
    .await
}

#[derive(Deserialize, Default)]
pub(crate) struct PublishInput {
    #[serde(default)]
    at: String,
}

pub(crate) async fn publish(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<PublishInput>,
) -> Response {
    let at = f.at.trim();
    let at_ms = if at.is_empty() {
        None
    } else {
        match NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M"))
        {
            Ok(t) => gongkai_domain::beijing()
                .from_local_datetime(&t)
                .single()
                .map(|t| t.timestamp_millis()),
            Err(_) => {
                let errors = ser(BTreeMap::from([(
                    "at",
                    "定时发布时间应写作 YYYY-MM-DD HH:MM（北京时间）",
                )]));
                return detail_page(
                    &state,
                    &s,
                    &staff,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    None,
                )
                .await;
            }
        }
    };
    let r = state.service.publish_item(&staff.actor(), id, at_ms).await;
    action_result(
        &state,
        &s,
        &staff,
        id,
        r,
        if at_ms.is_some() {
            "scheduled"
        } else {
            "published"
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub(crate) struct WithdrawInput {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn withdraw(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<WithdrawInput>,
) -> Response {
    let r = state
        .service
        .withdraw_item(&staff.actor(), id, &f.reason)
        .await;
    action_result(&state, &s, &staff, id, r, "withdrawn").await
}

/// 待办: what waits for me — review sign-offs, approved items to publish, deadlines at risk.
pub(crate) async fn tasks(State(state): State<AppState>, s: Session, staff: Staff) -> Response {
    let actor = staff.actor();
    let agency = staff.user.agency_id;
    let svc = &state.service;
    let names = column_names(&state, agency).await;
    let reviews: Vec<Value> = svc
        .review_queue(&actor, agency)
        .await
        .unwrap_or_default()
        .iter()
        .map(|i| row(i, &names))
        .collect();
    let publish: Vec<Value> = svc
        .publish_queue(&actor, agency)
        .await
        .unwrap_or_default()
        .iter()
        .map(|i| row(i, &names))
        .collect();
    // Unpublished items whose Art. 26 deadline is within 5 working days or past.
    let cal = svc.calendar().await.unwrap_or_default();
    let today = svc.clock().today();
    let soon = cal.add_working_days(today, 5, false).unwrap_or(today);
    let mut at_risk = Vec::new();
    if svc.can(&actor, Action::DraftItems, agency).await {
        for status in [Status::Draft, Status::InReview, Status::Approved] {
            let (items, _) = svc
                .items(&actor, agency, Some(status), None, 1)
                .await
                .unwrap_or_default();
            for i in items {
                if let Ok(due) = chrono::NaiveDate::parse_from_str(&i.publish_due, "%Y-%m-%d")
                    && due <= soon
                {
                    let mut v = row(&i, &names);
                    v = context! { overdue => due < today, ..v };
                    at_risk.push(v);
                }
            }
        }
    }
    // Applications: drafts to sign (公开办负责人) and the cases assigned to me.
    let to_sign = svc.approval_queue(&actor, agency).await.unwrap_or_default();
    let mine = svc
        .my_applications(&actor, agency)
        .await
        .unwrap_or_default();
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/tasks.html",
        context! { reviews, publish, at_risk, to_sign => ser(to_sign), mine => ser(mine), ..base },
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct CodeInput {
    #[serde(default)]
    credit_code: String,
}

pub(crate) async fn set_credit_code(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<CodeInput>,
) -> Response {
    match state
        .service
        .set_credit_code(&staff.actor(), AgencyId(id), &f.credit_code)
        .await
    {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{id}?done=code_saved")).into_response(),
        Err(ServiceError::Invalid(v)) => {
            let msg = v.first().map(|f| f.message.clone()).unwrap_or_default();
            crate::pages::error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "统一社会信用代码有误",
                &msg,
            )
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct StatsQuery {
    year: Option<String>,
    agency: Option<String>,
}

/// 发布统计: the year's figures for the annual report's 总体情况, and column freshness.
pub(crate) async fn stats(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<StatsQuery>,
) -> Response {
    let agency = q
        .agency
        .as_deref()
        .and_then(|a| a.parse().ok())
        .map_or(staff.user.agency_id, AgencyId);
    let current = state.service.current_year();
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2008..=current).contains(y))
        .unwrap_or(current);
    let figures = match state
        .service
        .year_figures(&staff.actor(), agency, year)
        .await
    {
        Ok(f) => f,
        Err(e) => return service_error(&e),
    };
    let freshness = state
        .service
        .column_freshness(&staff.actor(), agency)
        .await
        .unwrap_or_default();
    let agency_row = state.service.store().agency(agency).await.ok().flatten();
    let years: Vec<i32> = (2019..=current).rev().collect();
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/stats.html",
        context! {
            figures => ser(figures), freshness => ser(freshness), agency => ser(agency_row), years => ser(years), year, ..base
        },
    )
}

/// Upload of one attachment (multipart; the CSRF token is in the query string).
pub(crate) async fn attach(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    mut mp: axum::extract::Multipart,
) -> Response {
    let mut result = Err(ServiceError::field("file", "请选择要上传的文件"));
    loop {
        match mp.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(bytes) => {
                        result = state
                            .service
                            .add_attachment(&staff.actor(), id, &name, &bytes)
                            .await
                            .map(drop);
                    }
                    Err(_) => {
                        result = Err(ServiceError::field(
                            "file",
                            "文件上传不完整或超过大小上限，请重试",
                        ));
                    }
                }
                break;
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                result = Err(ServiceError::field(
                    "file",
                    "文件上传不完整或超过大小上限，请重试",
                ));
                break;
            }
        }
    }
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}?done=attached")).into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            detail_page(
                &state,
                &s,
                &staff,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(field_errors(&e)),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn detach(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let item = state
        .service
        .store()
        .attachment(id)
        .await
        .ok()
        .flatten()
        .map(|a| a.item_id);
    match state.service.remove_attachment(&staff.actor(), id).await {
        Ok(()) => Redirect::to(&format!(
            "/admin/items/{}?done=detached",
            item.unwrap_or_default()
        ))
        .into_response(),
        Err(e) => service_error(&e),
    }
}

/// `Content-Disposition` for a download with a Chinese file name (RFC 6266 / 5987).
pub(crate) fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub(crate) fn file_response(a: &gongkai_service::store::Attachment, bytes: Vec<u8>) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, a.content_type.clone()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                disposition(&a.name),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                "private, max-age=0".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) async fn download(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state.service.attachment_file(&staff.actor(), id).await {
        Ok((a, bytes)) => file_response(&a, bytes),
        Err(e) => service_error(&e),
    }
}
