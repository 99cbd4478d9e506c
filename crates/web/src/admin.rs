//! The back office (工作台): account, users, agencies and divisions, audit log.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use gongkai_domain::{Action, AgencyId, DivisionId, UserId};
use gongkai_service::store::{AgencyKind, Division};
use gongkai_service::{AuditQuery, NewUser, ServiceError, UserUpdate};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::pages::{action_label, field_errors, no_errors, page, ser, service_error};
use crate::public::base;
use crate::session::{self, Session, Staff};

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    done: Option<String>,
}

/// What the navigation and the dashboard may offer this person.
async fn abilities(state: &AppState, staff: &Staff) -> Value {
    let svc = &state.service;
    let any = |action| async move {
        !svc.agencies_for(&staff.actor(), action)
            .await
            .unwrap_or_default()
            .is_empty()
    };
    context! {
        view_users => any(Action::ViewUsers).await,
        manage_users => any(Action::ManageUsers).await,
        manage_agencies => any(Action::ManageAgencies).await,
        view_audit => any(Action::ViewAudit).await,
        view_applications => any(Action::ViewApplications).await,
        view_annual_reports => any(Action::ViewAnnualReports).await,
    }
}

pub(crate) async fn staff_base(state: &AppState, s: &Session, staff: &Staff) -> Value {
    let b = base(state, s, Some(&staff.csrf)).await;
    let can = abilities(state, staff).await;
    let agency = state
        .service
        .store()
        .agency(staff.user.agency_id)
        .await
        .ok()
        .flatten();
    context! { can, my_agency => Serde(agency), ..b }
}

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<Done>,
) -> Response {
    let base = staff_base(&state, &s, &staff).await;
    let division = match staff.user.division_id {
        Some(d) => state.service.store().division(d).await.ok().flatten(),
        None => None,
    };
    let counts = if state
        .service
        .can(&staff.actor(), Action::ViewUsers, staff.user.agency_id)
        .await
    {
        let users = state
            .service
            .users(&staff.actor(), None)
            .await
            .map_or(0, |u| u.len());
        let agencies = state
            .service
            .agencies_for(&staff.actor(), Action::ViewUsers)
            .await
            .map_or(0, |a| a.len());
        Some(context! { users, agencies })
    } else {
        None
    };
    page(
        StatusCode::OK,
        "admin/dashboard.html",
        context! { done => q.done, division => Serde(division), counts, ..base },
    )
}

// ---- own password ------------------------------------------------------------------------

pub(crate) async fn password_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<Done>,
) -> Response {
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/password.html",
        context! { done => q.done, errors => no_errors(), ..base },
    )
}

#[derive(Deserialize)]
pub(crate) struct PasswordInput {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub(crate) async fn password_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<PasswordInput>,
) -> Response {
    match state
        .service
        .change_password(&staff.user, &f.current, &f.password, &f.confirm)
        .await
    {
        Ok(user) => {
            // Every session of the account ended with the change; continue in a new one.
            match state.service.start_session(Some(&user)).await {
                Ok((token, _)) => (
                    CookieJar::new().add(session::cookie(&state, token)),
                    Redirect::to("/admin/password?done=changed"),
                )
                    .into_response(),
                Err(e) => service_error(&e),
            }
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let base = staff_base(&state, &s, &staff).await;
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/password.html",
                context! {
                    done => None::<String>, errors => field_errors(&e), ..base
                },
            )
        }
        Err(e) => service_error(&e),
    }
}

// ---- users ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct UsersQuery {
    agency: Option<String>,
    done: Option<String>,
}

fn parse_id(s: Option<&str>) -> Option<i64> {
    s.and_then(|v| v.trim().parse::<i64>().ok())
}

/// `(id, name, depth)` of agencies the actor may act on with `action`, in tree order.
async fn agency_choices(
    state: &AppState,
    staff: &Staff,
    action: Action,
) -> Result<Vec<Value>, ServiceError> {
    let ids = state.service.agencies_for(&staff.actor(), action).await?;
    let tree = state.service.agency_tree().await?;
    Ok(tree
        .into_iter()
        .filter(|n| ids.contains(&n.agency.id))
        .map(|n| context! { id => n.agency.id.0, name => n.agency.name, depth => n.depth })
        .collect())
}

async fn agency_names(state: &AppState) -> BTreeMap<i64, String> {
    state
        .service
        .store()
        .agencies()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.id.0, a.name))
        .collect()
}

pub(crate) async fn users(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<UsersQuery>,
) -> Response {
    let agency = parse_id(q.agency.as_deref()).map(AgencyId);
    let list = match state.service.users(&staff.actor(), agency).await {
        Ok(l) => l,
        Err(e) => return service_error(&e),
    };
    let choices = agency_choices(&state, &staff, Action::ViewUsers)
        .await
        .unwrap_or_default();
    let names = agency_names(&state).await;
    let mut divisions: BTreeMap<i64, String> = BTreeMap::new();
    for a in names.keys() {
        for d in state
            .service
            .store()
            .divisions(AgencyId(*a))
            .await
            .unwrap_or_default()
        {
            divisions.insert(d.id.0, d.name);
        }
    }
    let rows: Vec<Value> = list
        .iter()
        .map(|u| {
            context! {
                user => Serde(u),
                agency => names.get(&u.agency_id.0),
                division => u.division_id.and_then(|d| divisions.get(&d.0)),
            }
        })
        .collect();
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/users.html",
        context! {
            rows, choices, selected => agency.map(|a| a.0), done => q.done, ..base
        },
    )
}

/// Divisions of the agencies in `choices`, grouped for `<optgroup>`.
async fn division_groups(state: &AppState, choices: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for c in choices {
        let Ok(id) = c.get_attr("id").and_then(i64::try_from) else {
            continue;
        };
        let divs: Vec<Division> = state
            .service
            .store()
            .divisions(AgencyId(id))
            .await
            .unwrap_or_default();
        if !divs.is_empty() {
            out.push(context! { agency => c.get_attr("name").unwrap_or_default(), divisions => Serde(divs) });
        }
    }
    out
}

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct UserInput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    division_id: String,
    #[serde(default)]
    roles: Vec<String>,
}

pub(crate) async fn user_new_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
) -> Response {
    let choices = match agency_choices(&state, &staff, Action::ManageUsers).await {
        Ok(c) if !c.is_empty() => c,
        Ok(_) => {
            return service_error(&ServiceError::Forbidden {
                action: Action::ManageUsers,
            });
        }
        Err(e) => return service_error(&e),
    };
    let groups = division_groups(&state, &choices).await;
    let base = staff_base(&state, &s, &staff).await;
    let form = UserInput {
        agency_id: staff.user.agency_id.0.to_string(),
        ..UserInput::default()
    };
    page(
        StatusCode::OK,
        "admin/user_new.html",
        context! {
            choices, groups, form => Serde(form), errors => no_errors(), ..base
        },
    )
}

pub(crate) async fn user_new_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<UserInput>,
) -> Response {
    let input = NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        agency_id: parse_id(Some(&f.agency_id)).unwrap_or(0),
        division_id: parse_id(Some(&f.division_id)),
        roles: f.roles.clone(),
    };
    match state.service.create_user(&staff.actor(), &input).await {
        Ok((user, token)) => {
            let link = link(&state, &s, &format!("/account/password/{token}"));
            let base = staff_base(&state, &s, &staff).await;
            page(
                StatusCode::CREATED,
                "admin/user_link.html",
                context! {
                    account => Serde(user), link, created => true, ..base
                },
            )
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let choices = agency_choices(&state, &staff, Action::ManageUsers)
                .await
                .unwrap_or_default();
            let groups = division_groups(&state, &choices).await;
            let mut errors = field_errors(&e);
            if let ServiceError::Conflict(_) = e {
                errors.insert("username", e.to_string());
            }
            let base = staff_base(&state, &s, &staff).await;
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/user_new.html",
                context! {
                    choices, groups, form => Serde(f), errors => Serde(errors), ..base
                },
            )
        }
        Err(e) => service_error(&e),
    }
}

/// An absolute link for a one-time token: the configured public address, else the request host.
fn link(state: &AppState, _s: &Session, path: &str) -> String {
    match &state.config.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

#[allow(clippy::too_many_arguments)] // one page, re-shown with or without a failed form
async fn user_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    id: UserId,
    status: StatusCode,
    form: Option<Value>,
    errors: Value,
    done: Option<String>,
) -> Response {
    let user = match state.service.user(&staff.actor(), id).await {
        Ok(u) => u,
        Err(e) => return service_error(&e),
    };
    let can_manage = state
        .service
        .can(&staff.actor(), Action::ManageUsers, user.agency_id)
        .await;
    let divisions = state
        .service
        .store()
        .divisions(user.agency_id)
        .await
        .unwrap_or_default();
    let agency = state
        .service
        .store()
        .agency(user.agency_id)
        .await
        .ok()
        .flatten();
    let form = form.unwrap_or_else(|| {
        context! {
            display_name => &user.display_name,
            division_id => user.division_id.map(|d| d.0.to_string()).unwrap_or_default(),
            roles => user.roles.iter().map(|r| r.id()).collect::<Vec<_>>(),
        }
    });
    let recent = state
        .service
        .audit_events(
            &staff.actor(),
            &AuditQuery {
                agency: Some(user.agency_id),
                actor: Some(user.username.clone()),
                ..AuditQuery::default()
            },
            10,
        )
        .await
        .unwrap_or_default();
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/user_edit.html",
        context! {
            account => Serde(user), agency => Serde(agency), divisions => Serde(divisions), can_manage, form, errors, done, recent => Serde(recent), ..base
        },
    )
}

pub(crate) async fn user_edit_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    user_page(
        &state,
        &s,
        &staff,
        UserId(id),
        StatusCode::OK,
        None,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn user_edit_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<UserInput>,
) -> Response {
    let upd = UserUpdate {
        display_name: f.display_name.clone(),
        division_id: parse_id(Some(&f.division_id)),
        roles: f.roles.clone(),
    };
    match state
        .service
        .update_user(&staff.actor(), UserId(id), &upd)
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/users/{id}?done=saved")).into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            user_page(
                &state,
                &s,
                &staff,
                UserId(id),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(ser(&f)),
                errors,
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn user_disable(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state
        .service
        .set_user_disabled(&staff.actor(), UserId(id), true)
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/users/{id}?done=disabled")).into_response(),
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn user_enable(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state
        .service
        .set_user_disabled(&staff.actor(), UserId(id), false)
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/users/{id}?done=enabled")).into_response(),
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn user_reset(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match state
        .service
        .reset_password(&staff.actor(), UserId(id))
        .await
    {
        Ok(token) => {
            let user = state.service.store().user(UserId(id)).await.ok().flatten();
            let link = link(&state, &s, &format!("/account/password/{token}"));
            let base = staff_base(&state, &s, &staff).await;
            page(
                StatusCode::OK,
                "admin/user_link.html",
                context! { account => Serde(user), link, created => false, ..base },
            )
        }
        Err(e) => service_error(&e),
    }
}

// ---- agencies and divisions --------------------------------------------------------------

fn kinds() -> Vec<(&'static str, &'static str)> {
    AgencyKind::ALL
        .iter()
        .map(|k| (k.id(), k.label()))
        .collect()
}

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct AgencyInput {
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    level: String,
}

async fn agencies_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    status: StatusCode,
    form: Value,
    errors: Value,
    done: Option<String>,
) -> Response {
    let visible = match state
        .service
        .agencies_for(&staff.actor(), Action::ViewBackOffice)
        .await
    {
        Ok(v) => v,
        Err(e) => return service_error(&e),
    };
    let tree: Vec<_> = state
        .service
        .agency_tree()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|n| visible.contains(&n.agency.id))
        .collect();
    let parents = agency_choices(state, staff, Action::ManageAgencies)
        .await
        .unwrap_or_default();
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/agencies.html",
        context! {
            tree => Serde(tree), parents, kinds => Serde(kinds()), form, errors, done, ..base
        },
    )
}

pub(crate) async fn agencies(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<Done>,
) -> Response {
    let form = context! { parent_id => staff.user.agency_id.0.to_string(), kind => "department" };
    agencies_page(
        &state,
        &s,
        &staff,
        StatusCode::OK,
        form,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn agency_create(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<AgencyInput>,
) -> Response {
    let parent = parse_id(Some(&f.parent_id)).map(AgencyId);
    let Some(parent) = parent else {
        let errors = ser(BTreeMap::from([("parent_id", "请选择上级机关")]));
        return agencies_page(
            &state,
            &s,
            &staff,
            StatusCode::UNPROCESSABLE_ENTITY,
            ser(&f),
            errors,
            None,
        )
        .await;
    };
    match state
        .service
        .create_agency(&staff.actor(), Some(parent), &f.name, &f.kind)
        .await
    {
        Ok(a) => Redirect::to(&format!("/admin/agencies/{}?done=created", a.id)).into_response(),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut errors = field_errors(&e);
            if let ServiceError::Conflict(_) = e {
                errors.insert("name", e.to_string());
            }
            agencies_page(
                &state,
                &s,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(&f),
                ser(errors),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

async fn agency_view(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    id: AgencyId,
    status: StatusCode,
    errors: Value,
    done: Option<String>,
) -> Response {
    let agency = match state.service.agency(&staff.actor(), id).await {
        Ok(a) => a,
        Err(e) => return service_error(&e),
    };
    let divisions = state
        .service
        .divisions(&staff.actor(), id)
        .await
        .unwrap_or_default();
    let parent = match agency.parent_id {
        Some(p) => state.service.store().agency(p).await.ok().flatten(),
        None => None,
    };
    let children: Vec<_> = state
        .service
        .store()
        .agencies()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.parent_id == Some(id))
        .collect();
    let manage = state
        .service
        .can(&staff.actor(), Action::ManageAgencies, id)
        .await;
    let credit_code = state
        .service
        .store()
        .credit_code(id)
        .await
        .unwrap_or_default();
    let manage_divisions = state
        .service
        .can(&staff.actor(), Action::ManageDivisions, id)
        .await;
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/agency.html",
        context! {
            agency => Serde(agency), parent => Serde(parent), children => Serde(children), divisions => Serde(divisions), manage, manage_divisions, credit_code, kinds => Serde(kinds()), errors, done,
            site_code => state.service.site_id_code().await.ok().flatten().unwrap_or_default(), ..base
        },
    )
}

pub(crate) async fn agency_page(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    agency_view(
        &state,
        &s,
        &staff,
        AgencyId(id),
        StatusCode::OK,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn agency_update(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<AgencyInput>,
) -> Response {
    match state
        .service
        .update_agency(&staff.actor(), AgencyId(id), &f.name, &f.kind, &f.level)
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/agencies/{id}?done=saved")).into_response(),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut errors = field_errors(&e);
            if let ServiceError::Conflict(_) = e {
                errors.insert("name", e.to_string());
            }
            agency_view(
                &state,
                &s,
                &staff,
                AgencyId(id),
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(errors),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize)]
pub(crate) struct NameInput {
    #[serde(default)]
    name: String,
}

pub(crate) async fn division_create(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<NameInput>,
) -> Response {
    match state
        .service
        .create_division(&staff.actor(), AgencyId(id), &f.name)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/admin/agencies/{id}?done=division_created")).into_response()
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let msg = match &e {
                ServiceError::Invalid(v) => {
                    v.first().map(|f| f.message.clone()).unwrap_or_default()
                }
                e => e.to_string(),
            };
            let errors = ser(BTreeMap::from([("division", msg)]));
            agency_view(
                &state,
                &s,
                &staff,
                AgencyId(id),
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn division_rename(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<NameInput>,
) -> Response {
    match state
        .service
        .rename_division(&staff.actor(), DivisionId(id), &f.name)
        .await
    {
        Ok(d) => Redirect::to(&format!(
            "/admin/agencies/{}?done=division_saved",
            d.agency_id
        ))
        .into_response(),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let agency = state
                .service
                .store()
                .division(DivisionId(id))
                .await
                .ok()
                .flatten()
                .map(|d| d.agency_id);
            let msg = match &e {
                ServiceError::Invalid(v) => {
                    v.first().map(|f| f.message.clone()).unwrap_or_default()
                }
                e => e.to_string(),
            };
            let errors = ser(BTreeMap::from([(format!("division_{id}"), msg)]));
            match agency {
                Some(a) => {
                    agency_view(
                        &state,
                        &s,
                        &staff,
                        a,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        errors,
                        None,
                    )
                    .await
                }
                None => service_error(&e),
            }
        }
        Err(e) => service_error(&e),
    }
}

// ---- audit ---------------------------------------------------------------------------------

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct AuditInput {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: String,
}

/// Midnight Beijing time of a `YYYY-MM-DD` date, in ms.
fn day_start_ms(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("日期“{s}”应写作 YYYY-MM-DD，例如 2026-01-31"))?;
    gongkai_domain::beijing_midnight_ms(d)
        .map(Some)
        .ok_or_else(|| format!("日期“{s}”无效"))
}

const AUDIT_PAGE: i64 = 50;

pub(crate) async fn audit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(f): Query<AuditInput>,
) -> Response {
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let from = day_start_ms(&f.from).unwrap_or_else(|e| {
        errors.insert("from", e);
        None
    });
    let to = day_start_ms(&f.to).unwrap_or_else(|e| {
        errors.insert("to", e);
        None
    });
    let q = AuditQuery {
        agency: parse_id(Some(&f.agency)).map(AgencyId),
        actor: Some(f.actor.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()),
        action: Some(f.action.trim().to_owned()).filter(|s| !s.is_empty()),
        from_ms: from,
        // "to" is inclusive: events before the next midnight.
        to_ms: to.map(|t| t + 86_400_000),
        before_seq: parse_id(Some(&f.before)),
    };
    let events = match state
        .service
        .audit_events(&staff.actor(), &q, AUDIT_PAGE)
        .await
    {
        Ok(e) => e,
        Err(e) => return service_error(&e),
    };
    let names = agency_names(&state).await;
    let next_before = (events.len() as i64 == AUDIT_PAGE)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            context! {
                event => Serde(e),
                agency => e.agency_id.and_then(|a| names.get(&a)),
                label => action_label(&e.action),
            }
        })
        .collect();
    let mut next_query = None;
    if let Some(b) = next_before {
        let mut p = vec![("before", b.to_string())];
        for (k, v) in [
            ("agency", &f.agency),
            ("actor", &f.actor),
            ("action", &f.action),
            ("from", &f.from),
            ("to", &f.to),
        ] {
            if !v.trim().is_empty() {
                p.push((k, v.trim().to_owned()));
            }
        }
        next_query = serde_urlencoded::to_string(p).ok();
    }
    let choices = agency_choices(&state, &staff, Action::ViewAudit)
        .await
        .unwrap_or_default();
    let actions: Vec<(&str, String)> = [
        "auth.",
        "auth.login",
        "auth.login_failed",
        "user.",
        "user.create",
        "user.update",
        "user.disable",
        "user.enable",
        "user.password_reset",
        "agency.",
        "division.",
    ]
    .into_iter()
    .map(|a| {
        (
            a,
            if a.ends_with('.') {
                format!("{}（全部）", group_label(a))
            } else {
                action_label(a)
            },
        )
    })
    .collect();
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/audit.html",
        context! {
            rows, choices, actions => Serde(actions), form => Serde(f), errors => Serde(errors), next_query, ..base
        },
    )
}

fn group_label(prefix: &str) -> &'static str {
    match prefix {
        "auth." => "登录与退出",
        "user." => "用户",
        "agency." => "机关",
        "division." => "处室",
        _ => "其他",
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct VerifyQuery {
    anchor: Option<String>,
}

pub(crate) async fn audit_verify(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<VerifyQuery>,
) -> Response {
    let anchor_text = q.anchor.unwrap_or_default();
    let anchor = if anchor_text.trim().is_empty() {
        Ok(None)
    } else {
        gongkai_domain::audit::parse_anchor(&anchor_text).map(Some)
    };
    let (report, anchor_error) = match anchor {
        Ok(a) => match state.service.verify_audit(&staff.actor(), a).await {
            Ok(r) => (Some(r), None),
            Err(e) => return service_error(&e),
        },
        Err(msg) => (None, Some(msg)),
    };
    let message = report.as_ref().and_then(|r| {
        r.first_break
            .as_ref()
            .map(gongkai_domain::ChainBreak::message)
    });
    let base = staff_base(&state, &s, &staff).await;
    page(
        StatusCode::OK,
        "admin/audit_verify.html",
        context! {
            report => Serde(report), message, anchor => anchor_text, anchor_error, ..base
        },
    )
}

// ---- columns ------------------------------------------------------------------------------

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct ColumnInput {
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    stale_days: String,
}

fn column_kinds() -> Vec<(&'static str, &'static str)> {
    gongkai_domain::ColumnKind::CHOOSABLE
        .iter()
        .map(|k| (k.id(), k.label()))
        .collect()
}

/// Parses the optional freshness override; `Err` carries the field message.
fn parse_stale(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| format!("更新期限应为天数（整数），现为“{s}”"))
}

#[allow(clippy::too_many_arguments)] // one page, re-shown with or without a failed form
async fn columns_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    status: StatusCode,
    form: Value,
    errors: Value,
    done: Option<String>,
) -> Response {
    let agency_row = match state.service.agency(&staff.actor(), agency).await {
        Ok(a) => a,
        Err(e) => return service_error(&e),
    };
    let tree = match state.service.columns(&staff.actor(), agency).await {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let manage = state
        .service
        .can(&staff.actor(), Action::ManageColumns, agency)
        .await;
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/columns.html",
        context! {
            agency => ser(agency_row), tree => ser(tree), manage, kinds => ser(column_kinds()),
            form, errors, done, ..base
        },
    )
}

pub(crate) async fn columns(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    let form = ser(ColumnInput {
        kind: "news".into(),
        ..ColumnInput::default()
    });
    columns_page(
        &state,
        &s,
        &staff,
        AgencyId(id),
        StatusCode::OK,
        form,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn column_create(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<ColumnInput>,
) -> Response {
    let agency = AgencyId(id);
    let stale = match parse_stale(&f.stale_days) {
        Ok(v) => v,
        Err(m) => {
            let errors = ser(BTreeMap::from([("stale_days", m)]));
            return columns_page(
                &state,
                &s,
                &staff,
                agency,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(&f),
                errors,
                None,
            )
            .await;
        }
    };
    let parent = parse_id(Some(&f.parent_id)).map(gongkai_domain::ColumnId);
    match state
        .service
        .create_column(&staff.actor(), agency, parent, &f.name, &f.kind, stale)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/admin/agencies/{id}/columns?done=created")).into_response()
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut errors = field_errors(&e);
            if let ServiceError::Conflict(_) = e {
                errors.insert("name", e.to_string());
            }
            columns_page(
                &state,
                &s,
                &staff,
                agency,
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(&f),
                ser(errors),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

async fn column_agency(state: &AppState, id: i64) -> Option<AgencyId> {
    state
        .service
        .store()
        .column(gongkai_domain::ColumnId(id))
        .await
        .ok()
        .flatten()
        .map(|c| c.agency_id)
}

pub(crate) async fn column_update(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<ColumnInput>,
) -> Response {
    let Some(agency) = column_agency(&state, id).await else {
        return service_error(&ServiceError::NotFound("该栏目".into()));
    };
    let result = match parse_stale(&f.stale_days) {
        Ok(stale) => {
            state
                .service
                .update_column(
                    &staff.actor(),
                    gongkai_domain::ColumnId(id),
                    &f.name,
                    &f.kind,
                    stale,
                )
                .await
        }
        Err(m) => Err(ServiceError::field("stale_days", m)),
    };
    match result {
        Ok(_) => {
            Redirect::to(&format!("/admin/agencies/{agency}/columns?done=saved")).into_response()
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let msg = match &e {
                ServiceError::Invalid(v) => {
                    v.first().map(|f| f.message.clone()).unwrap_or_default()
                }
                e => e.to_string(),
            };
            let errors = ser(BTreeMap::from([(format!("column_{id}"), msg)]));
            let form = ser(ColumnInput {
                kind: "news".into(),
                ..ColumnInput::default()
            });
            columns_page(
                &state,
                &s,
                &staff,
                agency,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

async fn column_action(state: &AppState, staff: &Staff, id: i64, action: &str) -> Response {
    let Some(agency) = column_agency(state, id).await else {
        return service_error(&ServiceError::NotFound("该栏目".into()));
    };
    let cid = gongkai_domain::ColumnId(id);
    let r = match action {
        "up" => state
            .service
            .move_column(&staff.actor(), cid, true)
            .await
            .map(drop),
        "down" => state
            .service
            .move_column(&staff.actor(), cid, false)
            .await
            .map(drop),
        _ => state.service.delete_column(&staff.actor(), cid).await,
    };
    match r {
        Ok(()) => {
            let done = if action == "delete" {
                "deleted"
            } else {
                "moved"
            };
            Redirect::to(&format!(
                "/admin/agencies/{agency}/columns?done={done}#c-{id}"
            ))
            .into_response()
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn column_up(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    column_action(&state, &staff, id, "up").await
}

pub(crate) async fn column_down(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    column_action(&state, &staff, id, "down").await
}

pub(crate) async fn column_delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    column_action(&state, &staff, id, "delete").await
}

// ---- 政府信息公开指南 -------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)] // one page, shown with or without a failed form
async fn guide_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    form: Option<gongkai_service::Guide>,
    status: StatusCode,
    errors: Value,
    done: Option<String>,
) -> Response {
    let agency_row = match state.service.agency(&staff.actor(), agency).await {
        Ok(a) => a,
        Err(e) => return service_error(&e),
    };
    let manage = state
        .service
        .can(&staff.actor(), Action::ManageColumns, agency)
        .await;
    let form = match form {
        Some(f) => f,
        None => state
            .service
            .guide(agency)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| gongkai_service::Guide {
                office_name: format!("{}政府信息公开工作机构", agency_row.name),
                ..gongkai_service::Guide::default()
            }),
    };
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/guide.html",
        context! { agency => ser(agency_row), form => ser(form), manage, errors, done, ..base },
    )
}

pub(crate) async fn guide_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    guide_page(
        &state,
        &s,
        &staff,
        AgencyId(id),
        None,
        StatusCode::OK,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn guide_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<gongkai_service::Guide>,
) -> Response {
    match state
        .service
        .save_guide(&staff.actor(), AgencyId(id), &f)
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/agencies/{id}/guide?done=saved")).into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            guide_page(
                &state,
                &s,
                &staff,
                AgencyId(id),
                Some(f),
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(field_errors(&e)),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

// ---- publishing settings -----------------------------------------------------------------

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct SettingsInput {
    #[serde(default)]
    step1: String,
    #[serde(default)]
    step2: String,
    #[serde(default)]
    step3: String,
    #[serde(default)]
    sensitive_words: String,
}

#[allow(clippy::too_many_arguments)] // one page, shown with or without a failed form
async fn settings_page(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    agency: AgencyId,
    form: Option<SettingsInput>,
    status: StatusCode,
    errors: Value,
    done: Option<String>,
) -> Response {
    let agency_row = match state.service.agency(&staff.actor(), agency).await {
        Ok(a) => a,
        Err(e) => return service_error(&e),
    };
    let current = state
        .service
        .publishing_settings(&staff.actor(), agency)
        .await
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| SettingsInput {
        step1: current.chain.first().cloned().unwrap_or_default(),
        step2: current.chain.get(1).cloned().unwrap_or_default(),
        step3: current.chain.get(2).cloned().unwrap_or_default(),
        sensitive_words: current.sensitive_words.clone(),
    });
    let roles: Vec<(&str, &str)> = gongkai_service::CHAIN_ROLES
        .iter()
        .map(|r| (r.id(), r.label()))
        .collect();
    let manage = state
        .service
        .can(&staff.actor(), Action::ManageColumns, agency)
        .await;
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/settings.html",
        context! {
            agency => ser(agency_row), form => ser(form), chain_roles => ser(roles), manage, errors, done, ..base
        },
    )
}

pub(crate) async fn settings_form(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    settings_page(
        &state,
        &s,
        &staff,
        AgencyId(id),
        None,
        StatusCode::OK,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn settings_submit(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<SettingsInput>,
) -> Response {
    let settings = gongkai_service::PublishingSettings {
        chain: vec![f.step1.clone(), f.step2.clone(), f.step3.clone()],
        sensitive_words: f.sensitive_words.clone(),
    };
    match state
        .service
        .save_publishing_settings(&staff.actor(), AgencyId(id), &settings)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/admin/agencies/{id}/settings?done=saved")).into_response()
        }
        Err(e @ ServiceError::Invalid(_)) => {
            settings_page(
                &state,
                &s,
                &staff,
                AgencyId(id),
                Some(f),
                StatusCode::UNPROCESSABLE_ENTITY,
                ser(field_errors(&e)),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct CalendarQuery {
    #[serde(default, deserialize_with = "lenient_year")]
    year: Option<i32>,
    done: Option<String>,
}

/// The working-day calendar: revisions, a year's listed days, and the import form (calendar.md
/// §4.2; only the top-level agency's administrator may import).
pub(crate) async fn calendar_page(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<CalendarQuery>,
) -> Response {
    calendar_view(
        &state,
        &s,
        &staff,
        StatusCode::OK,
        q,
        no_errors(),
        None,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn calendar_view(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    status: StatusCode,
    q: CalendarQuery,
    errors: Value,
    result: Option<gongkai_service::CalendarImport>,
    entered: Option<&CalendarForm>,
) -> Response {
    let svc = &state.service;
    let today = svc.clock().today();
    // Only the top-level agency's administrator imports (the service checks again).
    let can_import = staff.user.roles.contains(&gongkai_domain::Role::Admin)
        && svc
            .store()
            .agency(staff.user.agency_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|a| a.parent_id.is_none());
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&today));
    let cal = match svc.calendar().await {
        Ok(c) => c,
        Err(e) => return service_error(&e),
    };
    let days: Vec<Value> = cal
        .days_in(year)
        .into_iter()
        .map(|(d, k)| context! { date => d.to_string(), kind => k.id(), working => cal.is_working_day(d) })
        .collect();
    let revisions = svc.calendar_revisions().await.unwrap_or_default();
    let b = staff_base(state, s, staff).await;
    page(
        status,
        "admin/calendar.html",
        context! {
            year, covered => cal.covers(year), days, revisions => ser(revisions), errors, result => ser(result),
            done => q.done, can_import, entered => ser(entered), ..b
        },
    )
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub(crate) struct CalendarForm {
    text: String,
    source: String,
    reason: String,
}

pub(crate) async fn calendar_import(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<CalendarForm>,
) -> Response {
    match state
        .service
        .import_calendar(&staff.actor(), &f.text, &f.source, &f.reason)
        .await
    {
        Ok(r) => {
            let q = CalendarQuery {
                year: r.years.first().copied(),
                done: Some("imported".into()),
            };
            calendar_view(
                &state,
                &s,
                &staff,
                StatusCode::OK,
                q,
                no_errors(),
                Some(r),
                None,
            )
            .await
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            calendar_view(
                &state,
                &s,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                CalendarQuery::default(),
                errors,
                None,
                Some(&f),
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

/// A year in an address: anything that is not a year shows the current one.
fn lenient_year<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| s.trim().parse().ok()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SiteCodeForm {
    site_id_code: String,
}

/// Saves the site's 网站标识码 (top-level administrator).
pub(crate) async fn site_id_code(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<SiteCodeForm>,
) -> Response {
    let root = staff.user.agency_id;
    match state
        .service
        .set_site_id_code(&staff.actor(), &f.site_id_code)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/admin/agencies/{root}?done=site_code_saved")).into_response()
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = ser(field_errors(&e));
            agency_view(
                &state,
                &s,
                &staff,
                root,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TopicsForm {
    taxonomy: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct TopicsQuery {
    done: Option<String>,
}

async fn topics_view(
    state: &AppState,
    s: &Session,
    staff: &Staff,
    status: StatusCode,
    entered: Option<&str>,
    errors: Value,
    done: Option<String>,
) -> Response {
    let settings = match state.service.topic_settings(&staff.actor()).await {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    let base = staff_base(state, s, staff).await;
    page(
        status,
        "admin/topics.html",
        context! {
            settings => ser(&settings), text => entered.unwrap_or(&settings.text), errors, done, ..base
        },
    )
}

/// The site's 主题分类 (top-level administrator): edit as text, or go back to the default.
pub(crate) async fn topics(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Query(q): Query<TopicsQuery>,
) -> Response {
    topics_view(
        &state,
        &s,
        &staff,
        StatusCode::OK,
        None,
        no_errors(),
        q.done,
    )
    .await
}

pub(crate) async fn topics_save(
    State(state): State<AppState>,
    s: Session,
    staff: Staff,
    Form(f): Form<TopicsForm>,
) -> Response {
    match state
        .service
        .set_topic_taxonomy(&staff.actor(), Some(&f.taxonomy))
        .await
    {
        Ok(_) => Redirect::to("/admin/topics?done=saved").into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            topics_view(
                &state,
                &s,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&f.taxonomy),
                ser(field_errors(&e)),
                None,
            )
            .await
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn topics_default(State(state): State<AppState>, staff: Staff) -> Response {
    match state.service.set_topic_taxonomy(&staff.actor(), None).await {
        Ok(_) => Redirect::to("/admin/topics?done=default").into_response(),
        Err(e) => service_error(&e),
    }
}
