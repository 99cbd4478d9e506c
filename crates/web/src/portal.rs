//! The public portal: home, agency pages, column lists, item pages with the catalogue metadata,
//! Atom feeds, the sitemap, and the large-text mode (长者模式).

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gongkai_domain::{AgencyId, ColumnId, ColumnKind, LawItem};
use gongkai_service::{PublicItem, column_tree};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::pages::{page, ser, service_error};
use crate::public::base;
use crate::session::Session;

/// The large-text, high-contrast mode cookie (a display preference, not a session).
pub const CARE_COOKIE: &str = "gk_care";

pub(crate) fn not_found(what: &str) -> Response {
    crate::pages::error_page(
        StatusCode::NOT_FOUND,
        "未找到",
        &format!("{what}不存在、尚未发布或已撤回。"),
    )
}

pub(crate) async fn home(State(state): State<AppState>, s: Session) -> Response {
    let needs_setup = state.service.needs_setup().await.unwrap_or(false);
    let tree = match state.service.agency_tree().await {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let latest = state
        .service
        .latest_public(None, 10)
        .await
        .unwrap_or_default();
    let base = base(&state, &s, None).await;
    page(
        StatusCode::OK,
        "home.html",
        context! { needs_setup, agencies => ser(tree), latest => ser(latest), ..base },
    )
}

/// The standard 政府信息公开 column of an agency.
async fn disclosure_column(state: &AppState, agency: AgencyId) -> Option<i64> {
    state
        .service
        .store()
        .columns(agency)
        .await
        .ok()?
        .into_iter()
        .find(|c| c.kind == ColumnKind::Disclosure)
        .map(|c| c.id.0)
}

pub(crate) async fn agency(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Response {
    let Some(agency) = state
        .service
        .store()
        .agency(AgencyId(id))
        .await
        .ok()
        .flatten()
    else {
        return not_found("该机关");
    };
    let cols = state
        .service
        .store()
        .columns(agency.id)
        .await
        .unwrap_or_default();
    let top: Vec<_> = column_tree(&cols)
        .into_iter()
        .filter(|n| n.depth == 0)
        .collect();
    let latest = state
        .service
        .latest_public(Some(agency.id), 10)
        .await
        .unwrap_or_default();
    let disclosure = disclosure_column(&state, agency.id).await;
    let base = base(&state, &s, None).await;
    page(
        StatusCode::OK,
        "portal/agency.html",
        context! {
            agency => ser(agency), columns => ser(top), latest => ser(latest), disclosure, ..base
        },
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct PageQuery {
    page: Option<i64>,
}

/// The column and its ancestors, root first.
async fn trail(state: &AppState, id: ColumnId) -> Vec<gongkai_service::store::Column> {
    let mut out = Vec::new();
    let mut cur = state.service.store().column(id).await.ok().flatten();
    while let Some(c) = cur {
        let parent = c.parent_id;
        out.push(c);
        if out.len() > 16 {
            break;
        }
        cur = match parent {
            Some(p) => state.service.store().column(p).await.ok().flatten(),
            None => None,
        };
    }
    out.reverse();
    out
}

pub(crate) async fn column(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    let Some(col) = state
        .service
        .store()
        .column(ColumnId(id))
        .await
        .ok()
        .flatten()
    else {
        return not_found("该栏目");
    };
    let agency = state
        .service
        .store()
        .agency(col.agency_id)
        .await
        .ok()
        .flatten();
    let page_no = q.page.unwrap_or(1).max(1);
    let (items, total) = state
        .service
        .public_items(col.id, page_no)
        .await
        .unwrap_or_default();
    let all = state
        .service
        .store()
        .columns(col.agency_id)
        .await
        .unwrap_or_default();
    let mut children: Vec<_> = all
        .iter()
        .filter(|c| c.parent_id == Some(col.id))
        .cloned()
        .collect();
    children.sort_by_key(|c| (c.position, c.id));
    let crumbs = trail(&state, col.id).await;
    let pages = (total + 19) / 20;
    let law = col
        .law_item
        .map(|l: LawItem| format!("{}{}", l.number(), l.text()));
    let guide = if col.kind == ColumnKind::Guide {
        state.service.guide(col.agency_id).await.ok().flatten()
    } else {
        None
    };
    let base = base(&state, &s, None).await;
    page(
        StatusCode::OK,
        "portal/column.html",
        context! {
            column => ser(&col), agency => ser(agency), items => ser(items), total, page_no, pages,
            children => ser(children), crumbs => ser(crumbs), law, column_type => col.kind.label(),
        guide => ser(guide), ..base
        },
    )
}

pub(crate) async fn item(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Response {
    let Some(item) = state.service.public_item(id).await.ok().flatten() else {
        return not_found("该信息");
    };
    let crumbs = trail(&state, ColumnId(item.column_id)).await;
    let agency = state
        .service
        .store()
        .agency(AgencyId(item.agency_id))
        .await
        .ok()
        .flatten();
    let interpretations = state
        .service
        .interpretations(item.id)
        .await
        .unwrap_or_default();
    let policy = match item.interprets_id {
        Some(p) => state.service.public_item(p).await.ok().flatten(),
        None => None,
    };
    let law = item
        .law_item
        .as_deref()
        .and_then(LawItem::parse)
        .map(|l| format!("{}{}", l.number(), l.text()));
    let column_name = crumbs.last().map(|c| c.name.clone()).unwrap_or_default();
    let reports = state
        .service
        .annual_reports_of_item(item.id)
        .await
        .unwrap_or_default();
    let restatements = state
        .service
        .restatements_of_item(item.id)
        .await
        .unwrap_or_default();
    let base = base(&state, &s, None).await;
    page(
        StatusCode::OK,
        "portal/item.html",
        context! {
            item => ser(&item), crumbs => ser(crumbs), agency => ser(agency), interpretations => ser(interpretations),
            policy => ser(policy), law, column_name, reports => ser(reports), restatements => ser(restatements), ..base
        },
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The site's address for feeds and the sitemap, XML-escaped (without a configured public URL the
/// request's `Host` is used, which the client controls).
fn base_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    let raw = match &state.config.public_url {
        Some(u) => u.trim_end_matches('/').to_owned(),
        None => format!(
            "http://{}",
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost")
        ),
    };
    xml_escape(&raw)
}

/// Atom feed of a column's newest 20 items.
pub(crate) async fn feed(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let Some(col) = state
        .service
        .store()
        .column(ColumnId(id))
        .await
        .ok()
        .flatten()
    else {
        return not_found("该栏目");
    };
    let (items, _): (Vec<PublicItem>, i64) = state
        .service
        .public_items(col.id, 1)
        .await
        .unwrap_or_default();
    let site = base_url(&state, &headers);
    let updated = items.first().map_or(col.updated_at, |i| i.published_at);
    let entries: Vec<_> = items
        .iter()
        .map(|i| {
            context! {
                title => xml_escape(&i.title), url => format!("{site}/items/{}", i.id), updated => rfc3339(i.published_at),
                summary => xml_escape(&i.summary), author => xml_escape(&i.publisher),
            }
        })
        .collect();
    let body = crate::pages::render_raw(
        "portal/feed.xml",
        context! {
            title => xml_escape(&col.name), url => format!("{site}/columns/{id}"), self_url => format!("{site}/columns/{id}/feed.xml"),
            updated => rfc3339(updated), entries,
        },
    );
    match body {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed template");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// sitemap.xml: home, agencies, columns and published items.
pub(crate) async fn sitemap(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let site = base_url(&state, &headers);
    let mut urls = vec![format!("{site}/")];
    for a in state.service.store().agencies().await.unwrap_or_default() {
        urls.push(format!("{site}/agencies/{}", a.id));
        for c in state
            .service
            .store()
            .columns(a.id)
            .await
            .unwrap_or_default()
        {
            urls.push(format!("{site}/columns/{}", c.id));
        }
    }
    for id in state
        .service
        .store()
        .public_item_ids(50_000)
        .await
        .unwrap_or_default()
    {
        urls.push(format!("{site}/items/{id}"));
    }
    match crate::pages::render_raw("portal/sitemap.xml", context! { urls }) {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct CareQuery {
    back: Option<String>,
}

/// Turns the large-text mode on or off (a cookie) and goes back to the page.
pub(crate) async fn care(
    State(state): State<AppState>,
    Path(mode): Path<String>,
    Query(q): Query<CareQuery>,
) -> Response {
    let back = q
        .back
        .filter(|b| crate::public::is_local_path(b))
        .unwrap_or_else(|| "/".to_owned());
    let mut c = Cookie::build((CARE_COOKIE, "1"))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .permanent()
        .build();
    if mode != "on" {
        c.make_removal();
    }
    (CookieJar::new().add(c), Redirect::to(&back)).into_response()
}

/// The choices of the search form: every agency's columns (not the statutory ones), the
/// 主题分类 and the 发布机构 of the index.
async fn search_choices(state: &AppState) -> crate::cache::SearchChoices {
    let mut columns = Vec::new();
    for a in state.service.store().agencies().await.unwrap_or_default() {
        for n in column_tree(
            &state
                .service
                .store()
                .columns(a.id)
                .await
                .unwrap_or_default(),
        ) {
            if !matches!(
                n.column.kind,
                ColumnKind::Disclosure | ColumnKind::Statutory
            ) {
                columns.push((
                    n.column.id.0.to_string(),
                    format!("{} › {}", a.name, n.column.name),
                ));
            }
        }
    }
    crate::cache::SearchChoices {
        columns,
        topics: state
            .service
            .topic_taxonomy()
            .await
            .unwrap_or_default()
            .all()
            .into_iter()
            .map(|t| {
                let label = t.replace('\\', " › ");
                (t, label)
            })
            .collect(),
        publishers: state.service.publishers().await.unwrap_or_default(),
    }
}

/// Full-text search of published items (检索).
pub(crate) async fn search(
    State(state): State<AppState>,
    s: Session,
    Query(f): Query<gongkai_service::SearchForm>,
) -> Response {
    let searched = !(f.q.trim().is_empty()
        && f.column.is_empty()
        && f.topic.is_empty()
        && f.publisher.is_empty()
        && f.from.is_empty()
        && f.to.is_empty());
    let (results, error) = if searched {
        match state.service.search(&f) {
            Ok(r) => (Some(r), None),
            Err(gongkai_service::ServiceError::Invalid(v)) => {
                (None, v.first().map(|x| x.message.clone()))
            }
            Err(e) => return service_error(&e),
        }
    } else {
        (None, None)
    };
    let page_no = f.page.trim().parse::<usize>().unwrap_or(1).max(1);
    // Pages stop at 500 (the service clamps `page` likewise).
    let pages = results
        .as_ref()
        .map_or(0, |r| r.total.div_ceil(10).min(500));
    let choices = state
        .cache
        .search_choices
        .get_or(state.service.generation(), search_choices(&state))
        .await;
    // The query string without the page, for pagination links.
    let mut keep: Vec<(&str, &str)> = Vec::new();
    for (k, v) in [
        ("q", &f.q),
        ("column", &f.column),
        ("topic", &f.topic),
        ("publisher", &f.publisher),
        ("from", &f.from),
        ("to", &f.to),
        ("sort", &f.sort),
    ] {
        if !v.trim().is_empty() {
            keep.push((k, v.as_str()));
        }
    }
    let query = serde_urlencoded::to_string(&keep).unwrap_or_default();
    let base = base(&state, &s, None).await;
    page(
        StatusCode::OK,
        "portal/search.html",
        context! {
            form => ser(&f), results => ser(results), error, searched, page_no, pages, query,
            columns => ser(&choices.columns), topics => ser(&choices.topics),
            publishers => ser(&choices.publishers), ..base
        },
    )
}

/// A published attachment.
pub(crate) async fn attachment(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    match state.service.public_attachment(id).await {
        Ok(Some((a, bytes))) => crate::items::file_response(&a, bytes),
        Ok(None) => not_found("该附件"),
        Err(e) => service_error(&e),
    }
}
