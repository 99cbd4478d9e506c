//! Disclosure applications on the web: the public form and status page, and the back office —
//! dashboard and lists, registration, the case page with one form per allowed event, letters
//! (printable HTML and .docx), table 3/4, settings, the 复议/诉讼 register and the calendar.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::{Datelike, NaiveDate};
use gongkai_domain::application::{
    ApplicantKind, ApplicantType, Channel, Command, ConsultationKind, Decision, DeliveryKind,
    Disposition, FeeMethod, IdType, LitigationPath, Medium, Procedure, ProceedingKind,
    RequestDelivery, ResultCategory, SubjectKind, Withheld,
};
use gongkai_domain::{AgencyId, DivisionId, UserId};
use gongkai_service::store::ApplicationFilter;
use gongkai_service::{ApplicationForm, ApplicationSettings, ProceedingForm, ServiceError};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::AppState;
use crate::admin::staff_base;
use crate::pages::{field_errors, no_errors, page, ser, service_error};
use crate::public::base;
use crate::session::{self, Session, Staff};

fn choices() -> Value {
    let pairs = |v: Vec<(&'static str, &'static str)>| ser(v);
    context! {
        kinds => pairs(ApplicantKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        org_types => pairs(ApplicantType::ORGANISATIONS.iter().map(|k| (k.id(), k.label())).collect()),
        all_types => pairs(ApplicantType::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        id_types => pairs(IdType::ALL[..5].iter().map(|k| (k.id(), k.label())).collect()),
        media => pairs(Medium::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        deliveries => pairs(RequestDelivery::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        channels => pairs(Channel::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        dispositions => pairs(Disposition::ALL.iter().filter(|d| d.decidable()).map(|d| (d.id(), d.label())).collect()),
        disposition_groups => ser(Disposition::ALL.iter().filter(|d| d.decidable()).map(|d| (d.id(), d.full_label(), d.usual_basis())).collect::<Vec<_>>()),
        consult_kinds => pairs(ConsultationKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        delivery_kinds => pairs(DeliveryKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        fee_methods => pairs(FeeMethod::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        proceeding_kinds => pairs(ProceedingKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        paths => pairs(LitigationPath::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        subjects => pairs(SubjectKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        procedures => pairs(Procedure::ALL.iter().map(|k| (k.id(), k.label())).collect()),
        results => pairs(ResultCategory::ALL.iter().map(|k| (k.id(), k.label())).collect()),
    }
}

fn with_cookie(
    cookie: Option<axum_extra::extract::cookie::Cookie<'static>>,
    resp: Response,
) -> Response {
    match cookie {
        Some(c) => (axum_extra::extract::CookieJar::new().add(c), resp).into_response(),
        None => resp,
    }
}

// ------------------------------------------------------------------ public

#[derive(Deserialize, Default)]
pub(crate) struct ApplyQuery {
    agency: Option<String>,
}

async fn apply_page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    form: &ApplicationForm,
    errors: Value,
    message: Option<String>,
) -> Response {
    let (csrf, cookie) = match session::ensure(state, s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let agencies = state
        .service
        .agencies_accepting_applications()
        .await
        .unwrap_or_default();
    let b = base(state, s, Some(&csrf)).await;
    with_cookie(
        cookie,
        page(
            status,
            "portal/apply.html",
            context! { form => ser(form), errors, message, agencies => ser(agencies), choices => choices(), ..b },
        ),
    )
}

pub(crate) async fn apply_form(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<ApplyQuery>,
) -> Response {
    let form = ApplicationForm {
        agency_id: q.agency.unwrap_or_default(),
        kind: "natural_person".into(),
        id_type: "resident_id".into(),
        ..ApplicationForm::default()
    };
    apply_page(&state, &s, StatusCode::OK, &form, no_errors(), None).await
}

#[derive(Deserialize, Default)]
pub(crate) struct ApplySubmit {
    #[serde(flatten)]
    form: ApplicationForm,
    /// The honeypot: hidden from people, filled in by form robots.
    #[serde(default)]
    website: String,
}

pub(crate) async fn apply_submit(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<ApplySubmit>,
) -> Response {
    if !f.website.trim().is_empty() {
        tracing::info!("application form honeypot filled; submission discarded");
        return crate::pages::error_page(
            StatusCode::BAD_REQUEST,
            "无法提交",
            "提交未被接受。如您是申请人，请刷新页面后重新填写（不要填写隐藏的“网址”栏），或直接与受理机关的政府信息公开工作机构联系。",
        );
    }
    match state.service.submit_application(&f.form, &s.client).await {
        Ok(done) => {
            let b = base(&state, &s, s.csrf()).await;
            page(
                StatusCode::OK,
                "portal/apply_done.html",
                context! { done => ser(&done), ..b },
            )
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            apply_page(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f.form,
                errors,
                None,
            )
            .await
        }
        Err(ServiceError::Refused(m)) => {
            apply_page(
                &state,
                &s,
                StatusCode::TOO_MANY_REQUESTS,
                &f.form,
                no_errors(),
                Some(m),
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct StatusForm {
    #[serde(default)]
    case_no: String,
    #[serde(default)]
    code: String,
}

pub(crate) async fn status_form(State(state): State<AppState>, s: Session) -> Response {
    status_page(
        &state,
        &s,
        StatusCode::OK,
        &StatusForm::default(),
        None,
        None,
    )
    .await
}

async fn status_page(
    state: &AppState,
    s: &Session,
    code: StatusCode,
    f: &StatusForm,
    error: Option<String>,
    status: Option<gongkai_service::PublicStatus>,
) -> Response {
    let (csrf, cookie) = match session::ensure(state, s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let b = base(state, s, Some(&csrf)).await;
    with_cookie(
        cookie,
        page(
            code,
            "portal/apply_status.html",
            context! { case_no => &f.case_no, error, status => ser(status), ..b },
        ),
    )
}

pub(crate) async fn status_submit(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<StatusForm>,
) -> Response {
    match state
        .service
        .application_status(&f.case_no, &f.code, &s.client)
        .await
    {
        Ok(st) => status_page(&state, &s, StatusCode::OK, &f, None, Some(st)).await,
        Err(ServiceError::Refused(m)) => {
            status_page(&state, &s, StatusCode::BAD_REQUEST, &f, Some(m), None).await
        }
        Err(e) => service_error(&e),
    }
}

// ------------------------------------------------------------------ back office

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    agency: Option<String>,
    view: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

fn agency_of(staff: &Staff, q: Option<&str>) -> AgencyId {
    q.and_then(|a| a.trim().parse::<i64>().ok())
        .map_or(staff.user.agency_id, AgencyId)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    let actor = staff.actor();
    let svc = &state.service;
    let dashboard = match svc.application_dashboard(&actor, agency).await {
        Ok(d) => d,
        Err(e) => return service_error(&e),
    };
    let view = q.view.clone().unwrap_or_else(|| "open".into());
    let today = svc.clock().today();
    let mut filter = ApplicationFilter {
        text: q.q.clone(),
        ..ApplicationFilter::default()
    };
    match view.as_str() {
        "closed" => filter.states = vec!["closed".into(), "archived".into()],
        "all" => {}
        _ => {
            filter.states = gongkai_domain::application::State::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| s.id().to_owned())
                .collect();
        }
    }
    let page_no = q.page.unwrap_or(1).max(1);
    let (lines, total) = match svc.applications(&actor, agency, filter, page_no).await {
        Ok(v) => v,
        Err(e) => return service_error(&e),
    };
    let can_register = svc
        .can(&actor, gongkai_domain::Action::ManageProceedings, agency)
        .await;
    let agencies = viewable_agencies(&state, &staff).await;
    let can_register = can_register && svc.may_register(&actor, agency).await;
    let can_settings = svc
        .can(&actor, gongkai_domain::Action::ManageProceedings, agency)
        .await;
    let b = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/applications.html",
        context! {
            d => ser(&dashboard), lines => ser(&lines), total, page_no, view, q => q.q, agency => agency.0,
            can_register, can_settings, agencies => ser(agencies), today => today.to_string(), ..b
        },
    )
}

async fn register_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    status: StatusCode,
    form: &ApplicationForm,
    errors: Value,
) -> Response {
    let b = staff_base(state, s, staff).await;
    page(
        status,
        "admin/application_new.html",
        context! { form => ser(form), errors, choices => choices(), today => state.service.clock().today().to_string(), ..b },
    )
}

pub(crate) async fn register_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
) -> Response {
    if !state
        .service
        .may_register(&staff.actor(), staff.user.agency_id)
        .await
    {
        return service_error(&ServiceError::Forbidden {
            action: gongkai_domain::Action::HandleApplications,
        });
    }
    let today = state.service.clock().today().to_string();
    let form = ApplicationForm {
        kind: "natural_person".into(),
        id_type: "resident_id".into(),
        channel: "in_person".into(),
        form_token: gongkai_service::Service::new_form_token().unwrap_or_default(),
        submitted_on: today.clone(),
        received_on: today,
        ..ApplicationForm::default()
    };
    register_page(&state, &s, &staff, StatusCode::OK, &form, no_errors()).await
}

pub(crate) async fn register_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<ApplicationForm>,
) -> Response {
    match state
        .service
        .register_application(&staff.actor(), staff.user.agency_id, &f)
        .await
    {
        Ok((id, case_no, code)) => {
            // Shown once on this page (never in an address, where it would stay in the history).
            let b = staff_base(&state, &s, &staff).await;
            // (`Cache-Control: no-store` comes from `pages::no_store_private`, as for all of
            // /admin and /apply.)
            page(
                StatusCode::OK,
                "admin/application_registered.html",
                context! { id, case_no, code, ..b },
            )
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            register_page(
                &state,
                &s,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                errors,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct DetailQuery {
    done: Option<String>,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let warnings: Vec<String> = Vec::new();
    detail_page(
        &state,
        &s,
        &staff,
        id,
        StatusCode::OK,
        None,
        warnings,
        q,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    warnings: Vec<String>,
    q: DetailQuery,
    prev: Option<(&str, &ActForm)>,
) -> Response {
    let svc = &state.service;
    let view = match svc.application(&staff.actor(), id).await {
        Ok(v) => v,
        Err(e) => return service_error(&e),
    };
    let handlers: Vec<(i64, String)> = svc
        .application_handlers(view.agency_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id.0, u.display_name))
        .collect();
    let divisions: Vec<(i64, String)> = svc
        .store()
        .divisions(view.agency_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.id.0, d.name))
        .collect();
    let settings = svc
        .application_settings(view.agency_id)
        .await
        .unwrap_or_default();
    let events: Vec<Value> = view
        .events
        .iter()
        .map(|e| context! { at => e.at, label => e.label, actor => &e.actor, role => &e.role, note => &e.note, due_before => &e.due_before, due_after => &e.due_after, calendar_version => e.calendar_version })
        .collect();
    let draft = view.case.decision.as_ref().map_or_else(
        || context! { disposition => "", basis => "", reasons => "", provided => "" },
        |d| context! { disposition => d.disposition.id(), basis => &d.basis, reasons => &d.reasons, provided => &d.provided },
    );
    let draft_withheld = view
        .case
        .decision
        .as_ref()
        .map(|d| {
            d.withheld
                .iter()
                .map(|w| format!("{} | {} | {}", w.what, w.reason, w.basis))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let locked = gongkai_service::locked_years_of_case(
        &view.case,
        view.today,
        &svc.locked_report_years(view.agency_id)
            .await
            .unwrap_or_default(),
    );
    let b = staff_base(state, s, staff).await;
    page(
        status,
        "admin/application.html",
        context! {
            v => ser(&view), events, error, warnings, done => q.done, handlers => ser(handlers),
            divisions => ser(divisions), choices => choices(), today => view.today.to_string(),
            correction_period => settings.rules.correction_default_period_wd,
            extension_max => settings.rules.extension_max_wd,
            accepted => gongkai_service::accepted_extensions(),
            prev_event => prev.map(|p| p.0), prev => ser(prev.map(|p| p.1)), draft_withheld, draft,
            may_register => svc.may_register(&staff.actor(), view.agency_id).await, locked, ..b
        },
    )
}

/// Every field any event form may carry.
#[derive(Deserialize, serde::Serialize, Default, Debug, Clone)]
#[serde(default)]
pub(crate) struct ActForm {
    on: String,
    received_on: String,
    method: String,
    items: String,
    guidance: String,
    period_wd: String,
    extra_wd: String,
    reason: String,
    kind: String,
    party: String,
    index: String,
    opinion: String,
    objected: String,
    wd: String,
    accepted: String,
    until: String,
    units: String,
    receipt_no: String,
    disposition: String,
    basis: String,
    reasons: String,
    provided: String,
    withheld: String,
    proof: String,
}

fn need_date(v: &str, what: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    if v.trim().is_empty() {
        return Ok(today);
    }
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{what}格式应为 YYYY-MM-DD，例如 {today}"))
}

fn opt_date(v: &str, what: &str, today: NaiveDate) -> Result<Option<NaiveDate>, String> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        need_date(v, what, today).map(Some)
    }
}

fn number(v: &str, what: &str) -> Result<u32, String> {
    v.trim()
        .parse::<u32>()
        .map_err(|_| format!("{what}应为正整数"))
}

fn decision(f: &ActForm) -> Result<Decision, String> {
    let disposition = Disposition::parse(&f.disposition)
        .ok_or_else(|| "请选择办理结果（表三中的一项）".to_owned())?;
    let withheld = f
        .withheld
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split(['|', '｜']).map(str::trim).collect();
            Withheld {
                what: parts.first().copied().unwrap_or_default().to_owned(),
                reason: parts.get(1).copied().unwrap_or_default().to_owned(),
                basis: parts.get(2).copied().unwrap_or_default().to_owned(),
            }
        })
        .collect();
    Ok(Decision {
        disposition,
        basis: f.basis.trim().to_owned(),
        reasons: f.reasons.trim().to_owned(),
        provided: f.provided.trim().to_owned(),
        withheld,
        letter_no: None,
        issued_on: None,
        on_spot: false,
        letters: None,
        preliminary_review: None,
    })
}

fn command(event: &str, f: &ActForm, today: NaiveDate) -> Result<Command, String> {
    let on = || need_date(&f.on, "日期", today);
    Ok(match event {
        "confirm_receipt" => Command::ConfirmReceipt {
            on: on()?,
            method: f.method.clone(),
        },
        "answer_on_spot" => Command::AnswerOnSpot {
            decision: decision(f)?,
        },
        "request_correction" => Command::RequestCorrection {
            on: on()?,
            received_on: opt_date(&f.received_on, "申请人收到日期", today)?,
            items: f.items.clone(),
            guidance: f.guidance.clone(),
            period_wd: if f.period_wd.trim().is_empty() {
                None
            } else {
                Some(number(&f.period_wd, "补正期限")?)
            },
        },
        "extend_correction_period" => Command::ExtendCorrection {
            extra_wd: number(&f.extra_wd, "延长的工作日数")?,
            reason: f.reason.clone(),
        },
        "receive_correction" => Command::ReceiveCorrection { on: on()? },
        "correction_lapsed" => Command::CorrectionLapsed,
        "start_consultation" => Command::StartConsultation {
            kind: ConsultationKind::parse(&f.kind)
                .ok_or_else(|| "请选择征求意见对象类型：第三方或其他机关".to_owned())?,
            party: f.party.clone(),
            on: on()?,
        },
        "consultation_received" => Command::ConsultationReceived {
            index: number(&f.index, "征求意见序号")? as usize,
            on: on()?,
        },
        "consultation_answered" => Command::ConsultationAnswered {
            index: number(&f.index, "征求意见序号")? as usize,
            on: on()?,
            opinion: f.opinion.clone(),
            objected: !f.objected.trim().is_empty(),
        },
        "consultation_lapsed" => Command::ConsultationLapsed {
            index: number(&f.index, "征求意见序号")? as usize,
        },
        "approve_extension" => Command::ApproveExtension {
            on: on()?,
            wd: number(&f.wd, "延长的工作日数")?,
            reason: f.reason.clone(),
        },
        "request_explanation" => Command::RequestExplanation { on: on()? },
        "explanation_received" => Command::ExplanationReceived {
            on: on()?,
            accepted: match f.accepted.as_str() {
                "yes" => true,
                "no" => false,
                _ => return Err("请选择申请人说明的理由是否合理".into()),
            },
        },
        "set_delay_period" => Command::SetDelay {
            until: need_date(&f.until, "延迟答复日期", today)?,
            reason: f.reason.clone(),
        },
        "issue_fee_notice" => Command::IssueFeeNotice {
            on: on()?,
            received_on: opt_date(&f.received_on, "申请人收到日期", today)?,
            method: FeeMethod::parse(&f.method)
                .ok_or_else(|| "请选择计费方式：按件计收或按量计收".to_owned())?,
            units: if f.method == "per_page" {
                number(&f.units, "页数")?
            } else {
                0
            },
            amount_yuan: 0,
        },
        "fee_paid" => Command::FeePaid {
            on: on()?,
            receipt_no: f.receipt_no.clone(),
        },
        "fee_lapsed" => Command::FeeLapsed,
        "submit_draft" => Command::SubmitDraft {
            decision: decision(f)?,
        },
        "return_draft" => Command::ReturnDraft {
            opinion: f.opinion.clone(),
        },
        "approve_decision" => Command::ApproveDecision {
            on: today,
            letter_no: String::new(),
        },
        "deliver" => Command::Deliver {
            kind: DeliveryKind::parse(&f.kind).ok_or_else(|| "请选择送达方式".to_owned())?,
            on: on()?,
            proof: f.proof.clone(),
        },
        "withdraw" => Command::Withdraw {
            on: on()?,
            reason: f.reason.clone(),
        },
        "archive" => Command::Archive,
        _ => return Err("未知的办理事项".into()),
    })
}

pub(crate) async fn act(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path((id, event)): Path<(i64, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    let today = state.service.clock().today();
    let q = DetailQuery::default();
    let cmd = match command(&event, &f, today) {
        Ok(c) => c,
        Err(m) => {
            return detail_page(
                &state,
                &s,
                &staff,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(m),
                vec![],
                q,
                Some((&event, &f)),
            )
            .await;
        }
    };
    match state
        .service
        .act_on_application(&staff.actor(), id, cmd)
        .await
    {
        Ok(w) if w.is_empty() => {
            Redirect::to(&format!("/admin/applications/{id}?done={event}")).into_response()
        }
        Ok(w) => {
            let q = DetailQuery { done: Some(event) };
            detail_page(&state, &s, &staff, id, StatusCode::OK, None, w, q, None).await
        }
        Err(ServiceError::Refused(m)) => {
            detail_page(
                &state,
                &s,
                &staff,
                id,
                StatusCode::CONFLICT,
                Some(m),
                vec![],
                q,
                Some((&event, &f)),
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AssignForm {
    handler_id: String,
    division_id: String,
}

pub(crate) async fn assign(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Response {
    let handler = f.handler_id.trim().parse::<i64>().ok().map(UserId);
    let division = f.division_id.trim().parse::<i64>().ok().map(DivisionId);
    let result = state
        .service
        .assign_application(&staff.actor(), id, handler, division)
        .await;
    after_case_action(&state, &s, &staff, id, result, "assign").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TypeForm {
    applicant_type: String,
    reason: String,
}

pub(crate) async fn change_type(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<TypeForm>,
) -> Response {
    let result = state
        .service
        .change_applicant_type(&staff.actor(), id, &f.applicant_type, &f.reason)
        .await;
    after_case_action(&state, &s, &staff, id, result, "type").await
}

pub(crate) async fn upload(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(_) => break,
            }
        }
    }
    let Some((name, bytes)) = file else {
        return detail_page(
            &state,
            &s,
            &staff,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("请选择要上传的文件".into()),
            vec![],
            DetailQuery::default(),
            None,
        )
        .await;
    };
    let result = state
        .service
        .attach_application_file(&staff.actor(), id, &name, &bytes)
        .await
        .map(drop);
    after_case_action(&state, &s, &staff, id, result, "attach").await
}

/// After a case action outside the event forms (assign, type correction, upload): back to the
/// case page with `done`, or the case page with the reason it was refused.
async fn after_case_action(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    id: i64,
    result: Result<(), ServiceError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/admin/applications/{id}?done={done}")).into_response(),
        Err(e @ (ServiceError::Refused(_) | ServiceError::Invalid(_))) => {
            let m = match &e {
                ServiceError::Invalid(v) => v
                    .iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
                e => e.to_string(),
            };
            detail_page(
                state,
                s,
                staff,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(m),
                vec![],
                DetailQuery::default(),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn download(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state.service.application_file(&staff.actor(), id).await {
        Ok((f, bytes)) => private_download(&f.content_type, &f.name, bytes),
        Err(e) => service_error(&e),
    }
}

/// A file download that no browser or proxy keeps, with its Chinese name.
fn private_download(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    crate::pages::file_response(content_type, name, bytes, false)
}

pub(crate) async fn letter(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path((id, kind)): Path<(i64, String)>,
) -> Response {
    let l = match state
        .service
        .application_letter(&staff.actor(), id, &kind)
        .await
    {
        Ok(l) => l,
        Err(e) => return service_error(&e),
    };
    let b = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/application_letter.html",
        context! { l => ser(&l), id, kind, date => l.date.format("%Y年%-m月%-d日").to_string(), ..b },
    )
}

pub(crate) async fn letter_docx(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, kind)): Path<(i64, String)>,
) -> Response {
    let l = match state
        .service
        .application_letter(&staff.actor(), id, &kind)
        .await
    {
        Ok(l) => l,
        Err(e) => return service_error(&e),
    };
    match gongkai_service::letter_docx(&l) {
        Ok(bytes) => private_download(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &format!("{}-{id}.docx", l.title),
            bytes,
        ),
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct ReportQuery {
    agency: Option<String>,
    year: Option<String>,
}

pub(crate) async fn report(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    let today = state.service.clock().today();
    let requested = q.year.as_deref().map(str::trim).filter(|y| !y.is_empty());
    let parsed = requested.and_then(|y| y.parse::<i32>().ok());
    let (year, notice) = match (requested, parsed) {
        (None, _) => (today.year(), None),
        (Some(_), Some(y)) if (2019..=today.year()).contains(&y) => (y, None),
        (Some(y), _) => (
            today.year(),
            Some(format!(
                "没有“{y}”年度的统计：可选 2019 至 {} 年（2019 年以前适用旧条例，不在本平台统计范围）",
                today.year()
            )),
        ),
    };
    // 2019 trial format for report years 2019–2020, 2021 format from 2021 (国办公开办函〔2021〕30号).
    let f2019 = year < 2021;
    let actor = staff.actor();
    let t3 = match state
        .service
        .application_table3(&actor, agency, year, f2019)
        .await
    {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let t4 = match state.service.proceedings_table4(&actor, agency, year).await {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let cols: Vec<&str> = ApplicantType::ALL.iter().map(|t| t.label()).collect();
    let b = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/application_report.html",
        context! {
            t3 => ser(&t3), t4 => ser(&t4), year, f2019, cols, agency => agency.0, notice,
            agencies => ser(viewable_agencies(&state, &staff).await),
            years => (2019..=today.year()).rev().collect::<Vec<_>>(), ..b
        },
    )
}

pub(crate) async fn settings_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<DetailQuery>,
) -> Response {
    let agency = staff.user.agency_id;
    match state
        .service
        .application_settings_for(&staff.actor(), agency)
        .await
    {
        Ok(st) => {
            settings_page(
                &state,
                &s,
                &staff,
                StatusCode::OK,
                &st,
                no_errors(),
                q.done.as_deref(),
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

async fn settings_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    status: StatusCode,
    st: &ApplicationSettings,
    errors: Value,
    done: Option<&str>,
) -> Response {
    let b = staff_base(state, s, staff).await;
    page(
        status,
        "admin/application_settings.html",
        context! { st => ser(st), errors, done, choices => choices(), mail => state.service.mail_configured(), ..b },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SettingsForm {
    accepts_applications: String,
    reply_wd: String,
    extension_max_wd: String,
    extension_max_count: String,
    correction_notice_wd: String,
    correction_default_period_wd: String,
    third_party_wd: String,
    pause_for_fee: String,
    pause_for_explanation: String,
    count_trigger_day: String,
    fees_enabled: String,
    close_on_delivery: String,
    online_auto_confirm: String,
    reminder_offsets_wd: String,
    review_body: String,
    court: String,
    contact: String,
    address: String,
    letter_prefix: String,
    reminder_email: String,
    publish_hint_threshold: String,
    payment: String,
    preliminary: Vec<String>,
}

pub(crate) async fn settings_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<SettingsForm>,
) -> Response {
    let agency = staff.user.agency_id;
    let mut st = match state.service.application_settings(agency).await {
        Ok(st) => st,
        Err(e) => return service_error(&e),
    };
    let n = |v: &str| v.trim().parse::<u32>().unwrap_or(0);
    let on = |v: &str| !v.trim().is_empty();
    st.accepts_applications = on(&f.accepts_applications);
    st.rules.reply_wd = n(&f.reply_wd);
    st.rules.extension_max_wd = n(&f.extension_max_wd);
    st.rules.extension_max_count = n(&f.extension_max_count);
    st.rules.correction_notice_wd = n(&f.correction_notice_wd);
    st.rules.correction_default_period_wd = n(&f.correction_default_period_wd);
    st.rules.third_party_wd = n(&f.third_party_wd);
    st.rules.pause_for_fee = on(&f.pause_for_fee);
    st.rules.pause_for_explanation = on(&f.pause_for_explanation);
    st.rules.count_trigger_day = on(&f.count_trigger_day);
    st.rules.fees_enabled = on(&f.fees_enabled);
    st.rules.close_on_delivery = on(&f.close_on_delivery);
    st.rules.online_auto_confirm = on(&f.online_auto_confirm);
    st.rules.reminder_offsets_wd = f
        .reminder_offsets_wd
        .split([',', '，', ' ', '、'])
        .filter(|x| !x.trim().is_empty())
        .map(n)
        .collect();
    st.letters.review_body = f.review_body.trim().to_owned();
    st.letters.court = f.court.trim().to_owned();
    st.letters.contact = f.contact.trim().to_owned();
    st.letters.address = f.address.trim().to_owned();
    st.letter_prefix = f.letter_prefix.trim().to_owned();
    st.reminder_email = f.reminder_email.trim().to_owned();
    st.letters.payment = f.payment.trim().to_owned();
    st.publish_hint_threshold = n(&f.publish_hint_threshold);
    st.preliminary = f.preliminary.clone();
    match state
        .service
        .save_application_settings(&staff.actor(), agency, &st)
        .await
    {
        Ok(()) => Redirect::to("/admin/applications/settings?done=saved").into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            settings_page(
                &state,
                &s,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                &st,
                errors,
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn proceedings(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let agency = agency_of(&staff, q.agency.as_deref());
    proceedings_page(
        &state,
        &s,
        &staff,
        agency,
        StatusCode::OK,
        None,
        &ProceedingForm::default(),
        no_errors(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn proceedings_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    status: StatusCode,
    editing: Option<i64>,
    form: &ProceedingForm,
    errors: Value,
) -> Response {
    let list = match state.service.proceedings(&staff.actor(), agency).await {
        Ok(l) => l,
        Err(e) => return service_error(&e),
    };
    let can_edit = state
        .service
        .can(
            &staff.actor(),
            gongkai_domain::Action::ManageProceedings,
            agency,
        )
        .await;
    let agencies = viewable_agencies(state, staff).await;
    let b = staff_base(state, s, staff).await;
    page(
        status,
        "admin/proceedings.html",
        context! {
            list => ser(&list), can_edit, editing, form => ser(form), errors, choices => choices(),
            agencies => ser(agencies), agency => agency.0, ..b
        },
    )
}

pub(crate) async fn proceeding_create(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<ProceedingForm>,
) -> Response {
    proceeding_save(state, s, staff, None, f).await
}

pub(crate) async fn proceeding_update(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<ProceedingForm>,
) -> Response {
    proceeding_save(state, s, staff, Some(id), f).await
}

async fn proceeding_save(
    state: AppState,
    s: Session,
    staff: Staff,
    id: Option<i64>,
    f: ProceedingForm,
) -> Response {
    let agency = staff.user.agency_id;
    match state
        .service
        .save_proceeding(&staff.actor(), agency, id, &f)
        .await
    {
        Ok(_) => Redirect::to("/admin/proceedings?done=saved").into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            proceedings_page(
                &state,
                &s,
                &staff,
                agency,
                StatusCode::UNPROCESSABLE_ENTITY,
                id,
                &f,
                errors,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn dossier(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state.service.application_dossier(&staff.actor(), id).await {
        Ok((name, bytes)) => private_download("application/zip", &name, bytes),
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn proceeding_redirect() -> Response {
    Redirect::to("/admin/proceedings").into_response()
}

/// The agencies whose applications `staff` may read (for the agency selector).
async fn viewable_agencies(state: &AppState, staff: &Staff) -> Vec<(i64, String)> {
    let ids = state
        .service
        .agencies_for(&staff.actor(), gongkai_domain::Action::ViewApplications)
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
