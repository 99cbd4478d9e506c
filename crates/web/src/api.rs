//! The open-data API (`/api/v1/`): published annual reports and their cells, and the portal's
//! published items, as JSON (and CSV); described by the OpenAPI document at `/api/openapi.json`.
//! Read-only, public, no session; everything here is already public on the portal.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai_domain::{AgencyId, ColumnId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportsQuery {
    year: Option<String>,
    agency: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ItemsQuery {
    agency: Option<String>,
    column: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// A JSON error body: `{"error": "…"}` with a Chinese message saying what to change.
fn problem(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    open(
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(v).unwrap_or_default(),
        )
            .into_response(),
    )
}

/// Open data may be read from any origin.
fn open(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn json_ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

fn internal(e: &gongkai_service::ServiceError) -> Response {
    tracing::error!(error = ?e, "api request failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "系统内部错误，请稍后再试",
    )
}

/// Parses an optional whole-number parameter; `Err` names it.
fn number(name: &str, v: Option<&str>) -> Result<Option<i64>, String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("参数 {name} 应为整数，收到“{s}”")),
    }
}

fn report_links(id: i64) -> Value {
    json!({
        "self": format!("/api/v1/reports/{id}"),
        "cells": format!("/api/v1/reports/{id}/cells"),
        "html": format!("/annual-reports/{id}/html"),
        "pdf": format!("/annual-reports/{id}/pdf"),
        "docx": format!("/annual-reports/{id}/docx"),
        "xlsx": format!("/annual-reports/{id}/xlsx"),
    })
}

fn scope(q: &ReportsQuery) -> Result<(Option<i32>, Option<AgencyId>), String> {
    let year = number("year", q.year.as_deref())?.map(|y| i32::try_from(y).unwrap_or(i32::MAX));
    let agency = number("agency", q.agency.as_deref())?.map(AgencyId);
    Ok((year, agency))
}

/// `GET /api/v1/reports`: published reports, optionally of a year and an agency's subtree.
pub(crate) async fn reports(
    State(state): State<AppState>,
    Query(q): Query<ReportsQuery>,
) -> Response {
    let (year, agency) = match scope(&q) {
        Ok(s) => s,
        Err(m) => return problem(StatusCode::BAD_REQUEST, &m),
    };
    match state.service.public_annual_reports(year, agency).await {
        Ok(list) => {
            let data: Vec<Value> = list
                .iter()
                .map(|r| {
                    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
                    v["links"] = report_links(r.id);
                    v
                })
                .collect();
            json_ok(&json!({ "data": data }))
        }
        Err(e) => internal(&e),
    }
}

/// `GET /api/v1/reports/{id}`: the report document (`gongkai.annual-report/1`).
/// A path id; anything else is the JSON 404 of an unknown resource.
fn path_id(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok()
}

fn bad_id(raw: &str) -> Response {
    problem(StatusCode::NOT_FOUND, &format!("编号“{raw}”无效：应为整数"))
}

/// Any other address under `/api/`: a JSON 404.
pub(crate) async fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "没有这个接口；可用的接口见 /api/openapi.json",
    )
}

pub(crate) async fn report(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let Some(id) = path_id(&raw) else {
        return bad_id(&raw);
    };
    match state.service.public_annual_report(id).await {
        Ok(Some((_, r))) => json_ok(&gongkai_report::json::to_value(&r)),
        Ok(None) => problem(StatusCode::NOT_FOUND, "没有这份已发布的年度报告"),
        Err(e) => internal(&e),
    }
}

/// `GET /api/v1/reports/{id}/cells`: every cell with its ids, labels and value.
pub(crate) async fn report_cells(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Response {
    let Some(id) = path_id(&raw) else {
        return bad_id(&raw);
    };
    match state.service.public_annual_report(id).await {
        Ok(Some((_, r))) => {
            let mut cells = Vec::new();
            for t in gongkai_report::TableId::ALL {
                let grid = r.tables.grid(t);
                for (ri, ci, v) in grid.iter() {
                    let pointer = grid.pointer(ri, ci);
                    let def = grid.def();
                    cells.push(json!({
                        "pointer": pointer,
                        "table": t.id(),
                        "row": def.rows[ri].id,
                        "column": def.rows[ri].cols[ci].id,
                        "label": r.describe_cell(&pointer),
                        "value": v.map(|d| d.normalize().to_string()),
                    }));
                }
            }
            json_ok(
                &json!({ "report": id, "year": r.year, "format": r.format.as_str(), "cells": cells }),
            )
        }
        Ok(None) => problem(StatusCode::NOT_FOUND, "没有这份已发布的年度报告"),
        Err(e) => internal(&e),
    }
}

/// `GET /api/v1/reports.csv`: the cells of the current published reports (research download).
pub(crate) async fn reports_csv(
    State(state): State<AppState>,
    Query(q): Query<ReportsQuery>,
) -> Response {
    let (year, agency) = match scope(&q) {
        Ok(s) => s,
        Err(m) => return problem(StatusCode::BAD_REQUEST, &m),
    };
    match state.service.public_reports_csv(year, agency).await {
        Ok(csv) => open(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"annual-report-cells.csv\"",
                    ),
                ],
                // A byte-order mark so that Excel reads the file as UTF-8.
                format!("\u{feff}{csv}"),
            )
                .into_response(),
        ),
        Err(e) => internal(&e),
    }
}

fn item_json(i: &gongkai_service::PublicItem, with_body: bool) -> Value {
    let mut v = json!({
        "id": i.id,
        "index_no": i.index_no,
        "agency_id": i.agency_id,
        "column_id": i.column_id,
        "title": i.title,
        "summary": i.summary,
        "publisher": i.publisher,
        "doc_number": i.doc_number,
        "generated_on": i.generated_on,
        "published_at": chrono::DateTime::from_timestamp_millis(i.published_at)
            .map(|t| t.with_timezone(&gongkai_domain::beijing()).to_rfc3339()),
        "topic": i.topic,
        "genre": i.genre,
        "keywords": i.keywords,
        "law_item": i.law_item,
        "validity": i.validity,
        "doc_class": i.doc_class,
        "effective_on": i.effective_on,
        "repealed_on": i.repealed_on,
        "expired_on": i.expired_on,
        "interprets_id": i.interprets_id,
        "url": format!("/items/{}", i.id),
        "attachments": i.attachments.iter().map(|a| json!({
            "name": a.name, "size": a.size, "sha256": a.sha256,
            "url": format!("/attachments/{}", a.id),
        })).collect::<Vec<_>>(),
    });
    if with_body {
        v["body_html"] = json!(i.body);
    }
    v
}

/// `GET /api/v1/items`: published items (catalogue metadata), newest first.
pub(crate) async fn items(State(state): State<AppState>, Query(q): Query<ItemsQuery>) -> Response {
    let parsed = (|| {
        Ok::<_, String>((
            number("agency", q.agency.as_deref())?.map(AgencyId),
            number("column", q.column.as_deref())?.map(ColumnId),
            number("page", q.page.as_deref())?.unwrap_or(1),
            number("per_page", q.per_page.as_deref())?.unwrap_or(20),
        ))
    })();
    let (agency, column, page, per_page) = match parsed {
        Ok(p) => p,
        Err(m) => return problem(StatusCode::BAD_REQUEST, &m),
    };
    if !(1..=100).contains(&per_page) {
        return problem(StatusCode::BAD_REQUEST, "参数 per_page 应在 1 到 100 之间");
    }
    if !(1..=1_000_000).contains(&page) {
        return problem(StatusCode::BAD_REQUEST, "参数 page 应在 1 到 1000000 之间");
    }
    match state
        .service
        .api_items(agency, column, page, per_page)
        .await
    {
        Ok((list, total)) => json_ok(&json!({
            "data": list.iter().map(|i| item_json(i, false)).collect::<Vec<_>>(),
            "page": page,
            "per_page": per_page,
            "total": total,
        })),
        Err(e) => internal(&e),
    }
}

/// `GET /api/v1/items/{id}`: one published item with its body.
pub(crate) async fn item(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let Some(id) = path_id(&raw) else {
        return bad_id(&raw);
    };
    match state.service.public_item(id).await {
        Ok(Some(i)) => json_ok(&item_json(&i, true)),
        Ok(None) => problem(StatusCode::NOT_FOUND, "该信息不存在、尚未发布或已撤回"),
        Err(e) => internal(&e),
    }
}

/// `GET /api/openapi.json`.
pub(crate) async fn openapi() -> Response {
    json_ok(&openapi_document())
}

fn param(name: &str, description: &str, location: &str, required: bool) -> Value {
    json!({
        "name": name, "in": location, "required": required, "description": description,
        "schema": { "type": "integer" },
    })
}

/// The OpenAPI 3.1 description of `/api/v1/` (kept beside the handlers; a test requests every
/// path it lists).
pub fn openapi_document() -> Value {
    let error = json!({
        "description": "错误（error 字段说明原因）",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } },
    });
    let year = param("year", "报告年度", "query", false);
    let agency = param("agency", "机关编号：该机关及其所属机关", "query", false);
    let id = param("id", "编号", "path", true);
    let item_schema = json!({ "type": "object", "properties": {
                "id": { "type": "integer" }, "index_no": { "type": "string", "description": "索引号" },
                "agency_id": { "type": "integer" }, "column_id": { "type": "integer" },
                "title": { "type": "string" }, "summary": { "type": "string", "description": "内容概述" },
                "publisher": { "type": "string", "description": "发布机构" }, "doc_number": { "type": "string", "description": "文号" },
                "generated_on": { "type": "string", "format": "date", "description": "成文日期" },
                "published_at": { "type": ["string", "null"], "format": "date-time" },
                "topic": { "type": "string", "description": "主题分类" }, "genre": { "type": "string", "description": "体裁" },
                "keywords": { "type": "string" },
                "law_item": { "type": ["string", "null"], "description": "条例第二十条事项（A20_01 …）" },
                "validity": { "type": ["string", "null"], "enum": ["valid", "repealed", "expired", null] },
                "doc_class": { "type": ["string", "null"], "enum": ["regulation", "normative", null], "description": "规章 / 行政规范性文件" },
                "effective_on": { "type": ["string", "null"], "format": "date" },
                "repealed_on": { "type": ["string", "null"], "format": "date" },
                "expired_on": { "type": ["string", "null"], "format": "date" },
                "interprets_id": { "type": ["integer", "null"], "description": "政策解读所解读的信息" },
                "url": { "type": "string" },
                "attachments": { "type": "array", "items": { "type": "object", "properties": {
                    "name": { "type": "string" }, "size": { "type": "integer" }, "sha256": { "type": "string" }, "url": { "type": "string" },
                } } },
                "body_html": { "type": "string", "description": "只在单条信息中提供" },
            } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "gongkai 政府信息公开开放数据接口",
            "version": "1",
            "description": "已发布的政府信息公开工作年度报告（及其每个单元格）和门户网站已发布的信息。只读、公开、无需登录。年度报告文档的结构见 gongkai.annual-report/1（gongkai report schema）。",
        },
        "paths": {
            "/api/v1/reports": { "get": {
                "summary": "已发布的年度报告列表（含已被更正版本替代的原版本）",
                "parameters": [year, agency],
                "responses": {
                    "200": { "description": "列表", "content": { "application/json": { "schema": {
                        "type": "object", "properties": { "data": { "type": "array", "items": { "$ref": "#/components/schemas/ReportSummary" } } } } } } },
                    "400": error,
                },
            } },
            "/api/v1/reports.csv": { "get": {
                "summary": "现行已发布年度报告的全部单元格（CSV，每格一行）",
                "parameters": [year, agency],
                "responses": { "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } }, "400": error },
            } },
            "/api/v1/reports/{id}": { "get": {
                "summary": "一份年度报告（gongkai.annual-report/1 文档）",
                "parameters": [id],
                "responses": { "200": { "description": "报告", "content": { "application/json": { "schema": { "type": "object" } } } }, "404": error },
            } },
            "/api/v1/reports/{id}/cells": { "get": {
                "summary": "一份年度报告的全部单元格",
                "parameters": [id],
                "responses": { "200": { "description": "单元格", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Cells" } } } }, "404": error },
            } },
            "/api/v1/items": { "get": {
                "summary": "已发布的信息（目录元数据），按发布时间倒序",
                "parameters": [
                    param("agency", "机关编号：只含该机关自己发布的信息", "query", false),
                    param("column", "栏目编号", "query", false),
                    param("page", "页码，从 1 开始", "query", false),
                    param("per_page", "每页条数，1–100，默认 20", "query", false),
                ],
                "responses": { "200": { "description": "列表", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ItemPage" } } } }, "400": error },
            } },
            "/api/v1/items/{id}": { "get": {
                "summary": "一条已发布的信息（含正文 HTML）",
                "parameters": [id],
                "responses": { "200": { "description": "信息", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Item" } } } }, "404": error },
            } },
        },
        "components": { "schemas": {
            "Error": { "type": "object", "properties": { "error": { "type": "string" } }, "required": ["error"] },
            "ReportSummary": { "type": "object", "properties": {
                "id": { "type": "integer" }, "agency_id": { "type": "integer" }, "agency": { "type": "string" },
                "year": { "type": "integer" }, "version": { "type": "integer" },
                "format": { "type": "string", "enum": ["2019", "2021"] },
                "published_on": { "type": ["string", "null"], "format": "date" },
                "status": { "type": "string", "enum": ["published", "superseded"] },
                "reason": { "type": "string", "description": "更正原因（更正版本）" },
                "links": { "type": "object" },
            } },
            "Cells": { "type": "object", "properties": {
                "report": { "type": "integer" }, "year": { "type": "integer" }, "format": { "type": "string" },
                "cells": { "type": "array", "items": { "type": "object", "properties": {
                    "pointer": { "type": "string" }, "table": { "type": "string" }, "row": { "type": "string" },
                    "column": { "type": "string" }, "label": { "type": ["string", "null"] },
                    "value": { "type": ["string", "null"], "description": "精确十进制数，以字符串表示" },
                } } },
            } },
            "Item": item_schema,
            "ItemPage": { "type": "object", "properties": {
                "data": { "type": "array", "items": { "$ref": "#/components/schemas/Item" } },
                "page": { "type": "integer" }, "per_page": { "type": "integer" }, "total": { "type": "integer" },
            } },
        } },
    })
}
