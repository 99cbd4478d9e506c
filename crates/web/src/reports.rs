//! The annual report pages: compile, drill down, enter figures, edit the narrative, submit,
//! restate, import a published report, download (back office); published downloads (public).

use std::fmt::Write as _;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::Query as MultiQuery;
use chrono::Datelike;
use gongkai_domain::{Action, AgencyId};
use gongkai_service::{Narrative, ServiceError};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::admin::staff_base;
use crate::pages::{page, ser, service_error};
use crate::session::{Session, Staff};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct YearQuery {
    agency: Option<String>,
    year: Option<String>,
    pointer: Option<String>,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FiguresForm {
    agency: String,
    year: String,
    #[serde(default)]
    cell: Vec<String>,
    #[serde(default)]
    value: Vec<String>,
    #[serde(default)]
    unit: Vec<String>,
    #[serde(default)]
    source: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NarrativeForm {
    agency: String,
    year: String,
    overview: String,
    problems: String,
    other_matters: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct YearForm {
    agency: String,
    year: String,
    #[serde(default)]
    reason: String,
}

fn agency_of(staff: &Staff, q: Option<&str>) -> AgencyId {
    q.and_then(|a| a.trim().parse::<i64>().ok())
        .map_or(staff.user.agency_id, AgencyId)
}

/// The report year asked for, or the last finished year (the one due by 31 January).
fn year_of(q: Option<&str>, today_year: i32) -> Result<i32, String> {
    match q.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(today_year - 1),
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (2019..=today_year).contains(&y) => Ok(y),
            _ => Err(format!(
                "没有“{y}”年度的报告：可选 2019 至 {today_year} 年（2019 年以前适用旧条例）"
            )),
        },
    }
}

async fn report_agencies(state: &AppState, staff: &Staff) -> Vec<(i64, String)> {
    let ids = state
        .service
        .agencies_for(&staff.actor(), Action::ViewAnnualReports)
        .await
        .unwrap_or_default();
    let mut out = Vec::new();
    for id in ids {
        if let Ok(Some(a)) = state.service.store().agency(id).await {
            out.push((a.id.0, a.name));
        }
    }
    out
}

/// What the page shows after a refused or invalid form: the message and the entered text.
#[derive(Default)]
struct Entered {
    notice: Option<String>,
    errors: Vec<(String, String)>,
    narrative: Option<Narrative>,
    figures: Option<FiguresForm>,
    done: Option<String>,
}

async fn report_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    year: i32,
    status: StatusCode,
    entered: Entered,
) -> Response {
    let done = entered.done.clone();
    let actor = staff.actor();
    let svc = &state.service;
    let c = match svc.compile_annual_report(&actor, agency, year).await {
        Ok(c) => c,
        Err(e) => return service_error(&e),
    };
    let may_prepare = svc.can(&actor, Action::PrepareAnnualReports, agency).await;
    let may_supervise = svc
        .can(&actor, Action::SuperviseAnnualReports, agency)
        .await;
    let link = format!(
        "/admin/annual-reports/cell?agency={}&year={year}&pointer=",
        agency.0
    );
    let opts = gongkai_report::render::RenderOptions {
        draft: true,
        ..Default::default()
    };
    let preview = gongkai_report::render::html_fragment(&c.report, opts, Some(&link));
    let mut figures = c.figures.clone();
    if let Some(f) = &entered.figures {
        for (i, cell) in f.cell.iter().enumerate() {
            if let Some(fig) = figures.iter_mut().find(|x| &x.cell == cell) {
                fig.value = f.value.get(i).cloned().unwrap_or_default();
                fig.unit = f.unit.get(i).cloned().unwrap_or_default();
                fig.source = f.source.get(i).cloned().unwrap_or_default();
            }
        }
    }
    let narrative = entered.narrative.unwrap_or_else(|| c.narrative.clone());
    let counts = |sev: gongkai_report::Severity| {
        c.report
            .findings
            .iter()
            .filter(|f| f.severity == sev)
            .count()
    };
    let editable = c.current.as_ref().is_none_or(|v| {
        matches!(
            v.status,
            gongkai_service::ReportStatus::Draft | gongkai_service::ReportStatus::Returned
        )
    }) && !c.locked();
    let today = svc.clock().today();
    let deadline = gongkai_report::validate::statutory_deadline(
        c.report
            .agency
            .kind
            .unwrap_or(gongkai_report::AgencyKind::Department),
        year,
    );
    let b = staff_base(state, s, staff).await;
    page(
        status,
        "admin/annual_report.html",
        context! {
            year, agency => agency.0,
            agencies => ser(report_agencies(state, staff).await),
            years => (2019..=today.year()).rev().collect::<Vec<_>>(),
            format_name => if c.report.format == gongkai_report::Format::V2019 { "2019 年试行格式（国办公开办函〔2019〕60号）" } else { "2021 年格式（国办公开办函〔2021〕30号）" },
            title => c.report.title.clone(),
            preview, figures => ser(&figures), narrative => ser(&narrative),
            versions => ser(&c.versions), current => ser(&c.current), published => ser(&c.published),
            changes => ser(&c.changes_since_published), baseline => c.baseline.clone(),
            errors_n => counts(gongkai_report::Severity::Error),
            warnings_n => counts(gongkai_report::Severity::Warning),
            infos_n => counts(gongkai_report::Severity::Info),
            fees_yuan => c.fees_yuan, fee_cases => c.fee_cases,
            returned_opinion => c.returned_opinion.clone(),
            locked => c.locked(), editable, may_prepare, may_supervise,
            deadline => deadline.map(|d| d.format("%Y年%-m月%-d日").to_string()),
            notice => entered.notice, form_errors => ser(&entered.errors), done,
            ..b
        },
    )
}

pub(crate) async fn overview(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<YearQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    let today = state.service.clock().today();
    let (year, notice) = match year_of(q.year.as_deref(), today.year()) {
        Ok(y) => (y, None),
        Err(m) => (today.year() - 1, Some(m)),
    };
    let entered = Entered {
        notice,
        done: q.done.clone(),
        ..Entered::default()
    };
    report_page(&state, &s, &staff, agency, year, StatusCode::OK, entered).await
}

fn form_target(
    staff: &Staff,
    agency: &str,
    year: &str,
    today_year: i32,
) -> Result<(AgencyId, i32), ServiceError> {
    let agency = agency_of(staff, Some(agency));
    year_of(Some(year), today_year)
        .map(|y| (agency, y))
        .map_err(ServiceError::Refused)
}

fn back(agency: AgencyId, year: i32, done: &str) -> Response {
    Redirect::to(&format!(
        "/admin/annual-reports?agency={}&year={year}&done={done}",
        agency.0
    ))
    .into_response()
}

/// A refused or invalid form: the report page again, with the message and what was entered.
async fn refused(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    year: i32,
    e: &ServiceError,
    mut entered: Entered,
) -> Response {
    match e {
        ServiceError::Invalid(v) => {
            entered.errors = v
                .iter()
                .map(|f| (f.field.to_owned(), f.message.clone()))
                .collect();
            entered.notice = Some("提交的内容有误，请按提示修改".into());
        }
        ServiceError::Refused(m) => entered.notice = Some(m.clone()),
        other => return service_error(other),
    }
    report_page(
        state,
        s,
        staff,
        agency,
        year,
        StatusCode::UNPROCESSABLE_ENTITY,
        entered,
    )
    .await
}

pub(crate) async fn save_figures(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<FiguresForm>,
) -> Response {
    let today = state.service.clock().today();
    let (agency, year) = match form_target(&staff, &f.agency, &f.year, today.year()) {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let entries: Vec<(String, String, String, String)> = f
        .cell
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.clone(),
                f.value.get(i).cloned().unwrap_or_default(),
                f.unit.get(i).cloned().unwrap_or_default(),
                f.source.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    match state
        .service
        .save_report_figures(&staff.actor(), agency, year, &entries)
        .await
    {
        Ok(_) => back(agency, year, "figures"),
        Err(e) => {
            let entered = Entered {
                figures: Some(f),
                ..Entered::default()
            };
            refused(&state, &s, &staff, agency, year, &e, entered).await
        }
    }
}

pub(crate) async fn save_narrative(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<NarrativeForm>,
) -> Response {
    let today = state.service.clock().today();
    let (agency, year) = match form_target(&staff, &f.agency, &f.year, today.year()) {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let n = Narrative {
        overview: f.overview,
        problems: f.problems,
        other_matters: f.other_matters,
    };
    match state
        .service
        .save_annual_report_narrative(&staff.actor(), agency, year, &n)
        .await
    {
        Ok(()) => back(agency, year, "narrative"),
        Err(e) => {
            let entered = Entered {
                narrative: Some(n),
                ..Entered::default()
            };
            refused(&state, &s, &staff, agency, year, &e, entered).await
        }
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<YearForm>,
) -> Response {
    let today = state.service.clock().today();
    let (agency, year) = match form_target(&staff, &f.agency, &f.year, today.year()) {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    match state
        .service
        .submit_annual_report(&staff.actor(), agency, year)
        .await
    {
        Ok(_) => back(agency, year, "submitted"),
        Err(e) => refused(&state, &s, &staff, agency, year, &e, Entered::default()).await,
    }
}

pub(crate) async fn restate(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<YearForm>,
) -> Response {
    let today = state.service.clock().today();
    let (agency, year) = match form_target(&staff, &f.agency, &f.year, today.year()) {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    match state
        .service
        .start_restatement(&staff.actor(), agency, year, &f.reason)
        .await
    {
        Ok(_) => back(agency, year, "restated"),
        Err(e) => refused(&state, &s, &staff, agency, year, &e, Entered::default()).await,
    }
}

pub(crate) async fn import(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    mut mp: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let (mut agency, mut year, mut back_year) = (String::new(), String::new(), String::new());
    let (mut published, mut supervisor, mut pasted) = (String::new(), String::new(), String::new());
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => break,
                }
            }
            Some("agency") => agency = field.text().await.unwrap_or_default(),
            Some("year") => year = field.text().await.unwrap_or_default(),
            Some("back_year") => back_year = field.text().await.unwrap_or_default(),
            Some("published_on") => published = field.text().await.unwrap_or_default(),
            Some("supervisor") => supervisor = field.text().await.unwrap_or_default(),
            Some("text") => pasted = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let today = state.service.clock().today();
    let (agency, page_year) = match form_target(&staff, &agency, &back_year, today.year()) {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    // The year is a fallback for files that do not print it: the file's own year wins.
    let year = match year.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                let e = ServiceError::Refused(format!("报告年度“{y}”应为四位数字，或留空"));
                return refused(
                    &state,
                    &s,
                    &staff,
                    agency,
                    page_year,
                    &e,
                    Entered::default(),
                )
                .await;
            }
        },
    };
    let published_on = match published.trim() {
        "" => None,
        p => match chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let e = ServiceError::Refused(format!(
                    "网站发布日期“{p}”无效，请按 2026-01-20 的格式填写或留空"
                ));
                return refused(
                    &state,
                    &s,
                    &staff,
                    agency,
                    page_year,
                    &e,
                    Entered::default(),
                )
                .await;
            }
        },
    };
    // From the supervision page: back there.
    let back_to = supervisor.trim().parse::<i64>().ok().map(|sup| {
        format!("/admin/annual-reports/supervision?agency={sup}&year={page_year}&done=imported")
    });
    // A file, or the text of the published web page pasted into the form.
    let file = file.filter(|f| !f.1.is_empty()).or_else(|| {
        (!pasted.trim().is_empty()).then(|| ("粘贴的网页内容".to_owned(), pasted.into_bytes()))
    });
    let Some((name, bytes)) = file else {
        let e = ServiceError::Refused(
            "请选择要导入的报告文件（网页、文本、Word 或带文字层的 PDF），或粘贴报告网页的内容"
                .into(),
        );
        return refused(
            &state,
            &s,
            &staff,
            agency,
            page_year,
            &e,
            Entered::default(),
        )
        .await;
    };
    match state
        .service
        .import_annual_report(&staff.actor(), agency, year, published_on, &name, &bytes)
        .await
    {
        Ok((_, r)) => match back_to {
            Some(url) => Redirect::to(&url).into_response(),
            None => back(agency, page_year, &format!("imported-{}", r.year)),
        },
        Err(ServiceError::Invalid(v)) => {
            let m = v
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("；");
            let e = ServiceError::Refused(format!("导入失败：{m}"));
            refused(
                &state,
                &s,
                &staff,
                agency,
                page_year,
                &e,
                Entered::default(),
            )
            .await
        }
        Err(e) => {
            refused(
                &state,
                &s,
                &staff,
                agency,
                page_year,
                &e,
                Entered::default(),
            )
            .await
        }
    }
}

pub(crate) async fn cell(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<YearQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    let today = state.service.clock().today();
    let year = match year_of(q.year.as_deref(), today.year()) {
        Ok(y) => y,
        Err(m) => return service_error(&ServiceError::Refused(m)),
    };
    let pointer = q.pointer.clone().unwrap_or_default();
    let actor = staff.actor();
    let sources = match state
        .service
        .annual_report_cell(&actor, agency, year, &pointer)
        .await
    {
        Ok(c) => c,
        Err(e) => return service_error(&e),
    };
    let may_open_cases = state
        .service
        .can(&actor, Action::ViewApplications, agency)
        .await;
    let b = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/annual_report_cell.html",
        context! { c => ser(&sources), year, agency => agency.0, may_open_cases, ..b },
    )
}

async fn download(
    state: &AppState,
    report: gongkai_report::Report,
    ext: &str,
    private: bool,
) -> Response {
    let name = format!(
        "{}.{ext}",
        report
            .title
            .clone()
            .unwrap_or_else(|| format!("{}年度报告", report.year))
    );
    // Typesetting a PDF takes a while: off the async threads.
    let (svc, e) = (state.service.clone(), ext.to_owned());
    let rendered =
        match tokio::task::spawn_blocking(move || svc.render_annual_report(&report, &e)).await {
            Ok(x) => x,
            Err(e) => Err(ServiceError::Internal(e.to_string())),
        };
    match rendered {
        Ok((bytes, mime)) => {
            let mut resp = crate::pages::file_response(mime, &name, bytes, ext == "html");
            if private {
                resp.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-store"),
                );
            }
            // The standalone page styles itself inline and runs no script.
            resp.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                ),
            );
            resp
        }
        Err(e) => service_error(&e),
    }
}

/// The year's report as the data give it now (a draft download for checking).
pub(crate) async fn current_download(
    State(state): State<AppState>,
    staff: Staff,
    Path(ext): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    let today = state.service.clock().today();
    let year = match year_of(q.year.as_deref(), today.year()) {
        Ok(y) => y,
        Err(m) => return service_error(&ServiceError::Refused(m)),
    };
    match state
        .service
        .compile_annual_report(&staff.actor(), agency, year)
        .await
    {
        Ok(mut c) => {
            let note = "【草稿】本文件按平台当前数据生成，尚未定稿发布，仅供核对。";
            c.report.sections.preamble = Some(match c.report.sections.preamble.take() {
                Some(p) => format!("{note}\n{p}"),
                None => note.to_owned(),
            });
            download(&state, c.report, &ext, true).await
        }
        Err(e) => service_error(&e),
    }
}

/// A stored version (frozen at submission, or imported).
pub(crate) async fn version_download(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, ext)): Path<(i64, String)>,
) -> Response {
    match state
        .service
        .annual_report_version(&staff.actor(), id)
        .await
    {
        Ok((_, r)) => download(&state, r, &ext, true).await,
        Err(e) => service_error(&e),
    }
}

/// A published version, for everyone.
pub(crate) async fn public_download(
    State(state): State<AppState>,
    Path((id, ext)): Path<(i64, String)>,
) -> Response {
    match state.service.public_annual_report(id).await {
        Ok(Some((_, r))) => download(&state, r, &ext, false).await,
        Ok(None) => crate::portal::not_found("该年度报告"),
        Err(e) => service_error(&e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SupervisionQuery {
    agency: Option<String>,
    year: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
    done: Option<String>,
}

async fn supervised(
    state: &AppState,
    staff: &Staff,
    q: &SupervisionQuery,
) -> Result<(AgencyId, i32, gongkai_service::Supervision), ServiceError> {
    let agency = agency_of(staff, q.agency.as_deref());
    let today = state.service.clock().today();
    let year = year_of(q.year.as_deref(), today.year()).map_err(ServiceError::Refused)?;
    let exclude: Vec<AgencyId> = q
        .exclude
        .iter()
        .filter_map(|e| e.trim().parse::<i64>().ok())
        .map(AgencyId)
        .collect();
    state
        .service
        .supervision(&staff.actor(), agency, year, &exclude)
        .await
        .map(|s| (agency, year, s))
}

/// The supervising office's view of its subtree for a year, with the 汇总.
pub(crate) async fn supervision(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    MultiQuery(q): MultiQuery<SupervisionQuery>,
) -> Response {
    let (agency, year, sup) = match supervised(&state, &staff, &q).await {
        Ok(x) => x,
        Err(e) => return service_error(&e),
    };
    let today = state.service.clock().today();
    let (summary, summary_error) = match &sup.summary {
        Ok(r) => {
            let opts = gongkai_report::render::RenderOptions {
                draft: true,
                ..Default::default()
            };
            (
                Some(gongkai_report::render::html_fragment(r, opts, None)),
                None,
            )
        }
        Err(e) => (None, Some(e.clone())),
    };
    let exclude_q = q
        .exclude
        .iter()
        .filter_map(|e| e.trim().parse::<i64>().ok())
        .fold(String::new(), |mut out, e| {
            let _ = write!(out, "&exclude={e}");
            out
        });
    let supervisable = state
        .service
        .agencies_for(&staff.actor(), Action::SuperviseAnnualReports)
        .await
        .unwrap_or_default();
    let mut roots = Vec::new();
    for id in supervisable {
        if let Ok(Some(a)) = state.service.store().agency(id).await {
            roots.push((a.id.0, a.name));
        }
    }
    let b = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/annual_supervision.html",
        context! {
            agency => agency.0, year, rows => ser(&sup.agencies), summary, summary_error,
            exclude_q, roots => ser(roots), done => q.done.clone(),
            years => (2019..=today.year()).rev().collect::<Vec<_>>(),
            ..b
        },
    )
}

/// The 汇总 as a download.
pub(crate) async fn summary_download(
    State(state): State<AppState>,
    staff: Staff,
    Path(ext): Path<String>,
    MultiQuery(q): MultiQuery<SupervisionQuery>,
) -> Response {
    match supervised(&state, &staff, &q).await {
        Ok((_, _, sup)) => match sup.summary {
            Ok(r) => download(&state, r, &ext, true).await,
            Err(m) => service_error(&ServiceError::Refused(m)),
        },
        Err(e) => service_error(&e),
    }
}

/// Every cell of the jurisdiction's reports (CSV).
pub(crate) async fn jurisdiction_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<SupervisionQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    let today = state.service.clock().today();
    let year = match year_of(q.year.as_deref(), today.year()) {
        Ok(y) => y,
        Err(m) => return service_error(&ServiceError::Refused(m)),
    };
    match state
        .service
        .supervision_csv(&staff.actor(), agency, year)
        .await
    {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"annual-reports-{year}.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            // A byte-order mark so that Excel reads the file as UTF-8.
            format!("\u{feff}{csv}"),
        )
            .into_response(),
        Err(e) => service_error(&e),
    }
}
