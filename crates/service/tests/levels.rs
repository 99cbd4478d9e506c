//! The level of an agency and its Art. 21 items (publishing.md §1.3), on every backend.

use gongkai_domain::{LawItem, Role};
use gongkai_service::{Actor, ServiceError};
use gongkai_test_support::{TestApp, TestDb};

#[tokio::test]
async fn the_level_adds_the_art21_columns_and_items_follow_them() {
    for db in TestDb::all("agency_levels").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        app.service.ensure_standard_columns().await.unwrap();
        let svc = &app.service;
        let ems = app.agencies.ems;
        let admin = Actor::User(app.user("admin", app.agencies.city, &[Role::Admin]).await);
        let office = app.publisher().await;
        let statutory = |cols: &[gongkai_service::store::Column]| -> Vec<Option<LawItem>> {
            let parent = cols
                .iter()
                .find(|c| c.name == "法定主动公开内容")
                .unwrap()
                .id;
            cols.iter()
                .filter(|c| c.parent_id == Some(parent))
                .map(|c| c.law_item)
                .collect()
        };
        assert_eq!(
            statutory(&svc.store().columns(ems).await.unwrap()).len(),
            15
        );
        // An Art. 21 item is refused while the agency has no level that carries it.
        let cols = svc.store().columns(ems).await.unwrap();
        let col = cols
            .iter()
            .find(|c| c.name == "政府信息公开指南")
            .unwrap()
            .id;
        let mut f = TestApp::item_form(col.0, "关于某路段市政改造的公告", "正文");
        f.law_item = "A21_CITY_01".into();
        let Err(ServiceError::Invalid(errs)) = svc.create_item(&office, ems, &f).await else {
            panic!("{label}: an Art. 21 item without the level");
        };
        assert_eq!(errs[0].field, "law_item", "{label}");
        // A bad level is named.
        assert!(matches!(
            svc.update_agency(&admin, ems, "示例市应急管理局", "department", "galaxy")
                .await,
            Err(ServiceError::Invalid(_))
        ));
        // 设区的市级 department: the seven city items, once, in the article's order.
        let a = svc
            .update_agency(&admin, ems, "示例市应急管理局", "department", "city")
            .await
            .unwrap();
        assert_eq!(a.level.as_deref(), Some("city"));
        svc.update_agency(&admin, ems, "示例市应急管理局", "department", "city")
            .await
            .unwrap();
        let items = statutory(&svc.store().columns(ems).await.unwrap());
        assert_eq!(items.len(), 22, "{label}");
        assert_eq!(
            &items[15..],
            LawItem::ART21_CITY.map(Some).as_slice(),
            "{label}"
        );
        svc.create_item(&office, ems, &f).await.unwrap();
        // Only administrators set the level.
        assert!(matches!(
            svc.update_agency(&office, ems, "示例市应急管理局", "department", "township")
                .await,
            Err(ServiceError::Forbidden { .. })
        ));
        // A township adds its own items; the three it shares with the city list (土地征收,
        // 房屋征收, 社会救助) keep their columns, and the city items stay with their items.
        svc.update_agency(&admin, ems, "示例市应急管理局", "department", "township")
            .await
            .unwrap();
        let items = statutory(&svc.store().columns(ems).await.unwrap());
        let town_new = LawItem::ART21_TOWN
            .iter()
            .filter(|i| items.contains(&Some(**i)))
            .count();
        assert_eq!((items.len(), town_new), (27, 5), "{label}");
        // Every town item may be cited now.
        f.law_item = "A21_TOWN_07".into();
        svc.create_item(&office, ems, &f).await.unwrap();
    }
}
