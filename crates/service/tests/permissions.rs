//! The permission matrix: every role × every action × every relation between the actor's agency
//! and the target agency, through the real service functions, on every backend. The expected
//! table is written out by hand here, independently of `gongkai_domain::permits`.

use gongkai_domain::{Action, AgencyId, Role};
use gongkai_service::{Actor, AuditQuery, NewUser, Service, ServiceError};
use gongkai_test_support::{TestApp, TestDb};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rel {
    Own,
    Child,
    Sibling,
    Parent,
}

/// The hand-written expectation.
fn expected(role: Role, action: Action, rel: Rel) -> bool {
    use Action as A;
    use Role as R;
    match rel {
        Rel::Sibling | Rel::Parent => false,
        Rel::Own => match action {
            A::ViewBackOffice => true,
            A::ViewUsers | A::ViewAudit => matches!(role, R::Supervisor | R::Admin),
            A::ManageUsers | A::ManageAgencies | A::ManageDivisions => role == R::Admin,
            A::ManageColumns => matches!(role, R::Office | R::Admin),
            A::DraftItems => matches!(role, R::Drafter | R::DivisionHead | R::Leader | R::Office),
            A::ReviewItems => matches!(role, R::DivisionHead | R::Leader | R::Office),
            A::PublishItems => matches!(role, R::Drafter | R::Office),
            A::ViewApplications => matches!(
                role,
                R::Drafter | R::Leader | R::Office | R::OfficeHead | R::Supervisor
            ),
            A::HandleApplications => matches!(role, R::Drafter | R::Office | R::OfficeHead),
            A::ApproveApplications => role == R::OfficeHead,
            A::ManageProceedings => matches!(role, R::Office | R::OfficeHead),
            A::ViewAnnualReports => {
                matches!(role, R::Office | R::OfficeHead | R::Leader | R::Supervisor)
            }
            A::PrepareAnnualReports => matches!(role, R::Office | R::OfficeHead),
            A::SuperviseAnnualReports => role == R::Supervisor,
        },
        Rel::Child => match action {
            A::ViewBackOffice | A::ViewUsers | A::ViewAudit => {
                matches!(role, R::Supervisor | R::Admin)
            }
            A::ManageUsers | A::ManageAgencies | A::ManageDivisions | A::ManageColumns => {
                role == R::Admin
            }
            A::ViewApplications | A::ViewAnnualReports | A::SuperviseAnnualReports => {
                role == R::Supervisor
            }
            A::DraftItems
            | A::ReviewItems
            | A::PublishItems
            | A::HandleApplications
            | A::ApproveApplications
            | A::ManageProceedings
            | A::PrepareAnnualReports => false,
        },
    }
}

/// A valid item form for the first column of `target` that takes items.
async fn probe_item(svc: &Service, target: AgencyId, n: usize) -> gongkai_service::ItemForm {
    let col = svc
        .store()
        .columns(target)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == gongkai_domain::ColumnKind::Guide)
        .unwrap();
    gongkai_service::ItemForm {
        column_id: col.id.to_string(),
        title: format!("探针信息{n}"),
        summary: "摘要".into(),
        body: "正文".into(),
        publisher: "示例".into(),
        generated_on: "2026-03-02".into(),
        topic: "综合政务\\政务公开".into(),
        attribute: "active".into(),
        ..Default::default()
    }
}

/// Performs `action` on `target` as `actor` through the service; `Ok` if it was allowed.
async fn probe(
    svc: &Service,
    actor: &Actor,
    action: Action,
    target: AgencyId,
    n: usize,
) -> Result<(), ServiceError> {
    match action {
        Action::ViewBackOffice => svc.agency(actor, target).await.map(drop),
        Action::ViewUsers => svc.users(actor, Some(target)).await.map(drop),
        Action::ManageUsers => svc
            .create_user(
                actor,
                &NewUser {
                    username: format!("probe{n}"),
                    display_name: "探针".into(),
                    agency_id: target.0,
                    division_id: None,
                    roles: vec!["drafter".into()],
                },
            )
            .await
            .map(drop),
        Action::ManageAgencies => svc
            .create_agency(actor, Some(target), &format!("探针机关{n}"), "department")
            .await
            .map(drop),
        Action::ManageDivisions => svc
            .create_division(actor, target, &format!("探针处室{n}"))
            .await
            .map(drop),
        Action::ManageColumns => svc
            .create_column(
                actor,
                target,
                None,
                &format!("探针栏目{n}"),
                "general",
                None,
            )
            .await
            .map(drop),
        Action::DraftItems => svc
            .create_item(actor, target, &probe_item(svc, target, n).await)
            .await
            .map(drop),
        Action::ReviewItems => svc.review_queue(actor, target).await.map(drop),
        Action::PublishItems => svc.publish_queue(actor, target).await.map(drop),
        Action::ViewApplications => svc
            .applications(
                actor,
                target,
                gongkai_service::store::ApplicationFilter::default(),
                1,
            )
            .await
            .map(drop),
        Action::HandleApplications => svc.my_applications(actor, target).await.map(drop),
        Action::ApproveApplications => svc.approval_queue(actor, target).await.map(drop),
        Action::ManageProceedings => svc
            .save_proceeding(
                actor,
                target,
                None,
                &gongkai_service::ProceedingForm {
                    kind: "administrative_review".into(),
                    body: "某市人民政府".into(),
                    filed_on: "2026-03-02".into(),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        Action::ViewAnnualReports => svc.annual_reports(actor, target).await.map(drop),
        Action::PrepareAnnualReports => svc
            .save_report_figures(
                actor,
                target,
                2025,
                &[(
                    "/tables/active_disclosure/licensing/decisions".into(),
                    n.to_string(),
                    String::new(),
                    "审批系统".into(),
                )],
            )
            .await
            .map(drop),
        Action::SuperviseAnnualReports => svc.supervision(actor, target, 2025, &[]).await.map(drop),
        Action::ViewAudit => svc
            .audit_events(
                actor,
                &AuditQuery {
                    agency: Some(target),
                    ..AuditQuery::default()
                },
                5,
            )
            .await
            .map(drop),
    }
}

#[tokio::test]
async fn every_role_every_action_every_relation() {
    for db in TestDb::all("permission_matrix").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let a = app.agencies;
        let mut n = 0;
        let mut checked = 0;
        for role in Role::ALL {
            // One account of this role in the city government (parent) and in the EMS bureau.
            let in_city = app
                .service
                .create_user(
                    &Actor::System,
                    &NewUser {
                        username: format!("{}.city", role.id().replace('_', "-")),
                        display_name: "城市".into(),
                        agency_id: a.city.0,
                        division_id: None,
                        roles: vec![role.id().into()],
                    },
                )
                .await
                .unwrap()
                .0;
            let in_ems = app
                .service
                .create_user(
                    &Actor::System,
                    &NewUser {
                        username: format!("{}.ems", role.id().replace('_', "-")),
                        display_name: "应急".into(),
                        agency_id: a.ems.0,
                        division_id: None,
                        roles: vec![role.id().into()],
                    },
                )
                .await
                .unwrap()
                .0;
            for action in Action::ALL {
                for (rel, actor, target) in [
                    (Rel::Own, &in_ems, a.ems),
                    (Rel::Child, &in_city, a.ems),
                    (Rel::Sibling, &in_ems, a.transport),
                    (Rel::Parent, &in_ems, a.city),
                ] {
                    n += 1;
                    let before = app.db.store.count("audit_events").await.unwrap();
                    let got =
                        probe(&app.service, &Actor::User(actor.clone()), action, target, n).await;
                    let after = app.db.store.count("audit_events").await.unwrap();
                    let want = expected(role, action, rel);
                    match (&got, want) {
                        (Ok(()), true) | (Err(ServiceError::Forbidden { .. }), false) => {}
                        _ => panic!(
                            "{label}: {role:?} {action:?} {rel:?}: expected allowed={want}, got {got:?}"
                        ),
                    }
                    let mutating = matches!(
                        action,
                        Action::ManageUsers
                            | Action::ManageAgencies
                            | Action::ManageDivisions
                            | Action::ManageColumns
                            | Action::DraftItems
                            | Action::ManageProceedings
                            | Action::PrepareAnnualReports
                    );
                    let wrote = after - before;
                    assert_eq!(
                        wrote,
                        i64::from(mutating && want),
                        "{label}: {role:?} {action:?} {rel:?}: audit rows written"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, Role::ALL.len() * Action::ALL.len() * 4);
        // The domain table agrees with the hand-written one.
        for role in Role::ALL {
            for action in Action::ALL {
                for (rel, drel) in [
                    (Rel::Own, gongkai_domain::Relation::Own),
                    (Rel::Child, gongkai_domain::Relation::Descendant),
                    (Rel::Sibling, gongkai_domain::Relation::Other),
                ] {
                    assert_eq!(
                        gongkai_domain::permits(&[role], action, drel),
                        expected(role, action, rel)
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn disabled_accounts_can_do_nothing() {
    let app = TestApp::new().await;
    let admin = app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let other = app.user("other", app.agencies.city, &[Role::Admin]).await;
    app.service
        .set_user_disabled(&Actor::User(admin.clone()), other.id, true)
        .await
        .unwrap();
    let other = app.service.store().user(other.id).await.unwrap().unwrap();
    let err = app
        .service
        .create_division(&Actor::User(other), app.agencies.city, "办公室")
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden { .. }));
}
