//! Attachments in an S3-compatible bucket (the configuration for several instances), against a
//! real S3-compatible server that `scripts/test` starts (`GONGKAI_TEST_S3`), on SQLite and
//! PostgreSQL.

use std::sync::Arc;

use axum::http::StatusCode;
use gongkai_domain::FixedClock;
use gongkai_service::{FileStore, Service, ServiceConfig};
use gongkai_test_support::{TestApp, TestDb, test_s3, test_start};

/// A key prefix of its own for each run (the test bucket outlives runs on a reused machine).
fn unique(label: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().file_name().unwrap().to_string_lossy();
    format!("t/{label}-{}-{name}", std::process::id())
}

#[tokio::test]
async fn attachments_live_in_a_bucket_that_every_instance_reads() {
    for db in TestDb::all("attachments_in_a_bucket").await {
        let label = db.label;
        let Some(cfg) = test_s3("attachments_in_a_bucket", &unique(label)) else {
            return;
        };
        let files = FileStore::s3(&cfg).unwrap();
        files.check().await.unwrap();
        assert!(files.description().contains(&cfg.bucket), "{files:?}");
        let app = TestApp::with_files(db, Some(files)).await;
        let me = app.publisher().await;
        let col = app
            .service
            .create_column(&me, app.agencies.ems, None, "通知公告", "notice", None)
            .await
            .unwrap();
        let form = TestApp::item_form(col.id, "名单公示", "见附件。");
        let item = app
            .service
            .create_item(&me, app.agencies.ems, &form)
            .await
            .unwrap();
        // The scan reads the attachment back from the bucket.
        let leaked = app
            .service
            .add_attachment(&me, item.id, "名单.txt", "张三 13812345678".as_bytes())
            .await
            .unwrap();
        let scan = app.service.scan_item(&item).await.unwrap();
        assert!(
            scan.iter()
                .any(|f| f.field == "attachment"
                    && f.finding.masked.as_deref() == Some("138****5678")),
            "{label}: {scan:?}"
        );
        app.service.remove_attachment(&me, leaked.id).await.unwrap();
        let text = "张某 已脱敏".as_bytes();
        let a = app
            .service
            .add_attachment(&me, item.id, "名单.txt", text)
            .await
            .unwrap();
        // The same content again is one object (content-addressed), and both rows read it.
        let b = app
            .service
            .add_attachment(&me, item.id, "名单副本.txt", text)
            .await
            .unwrap();
        assert_eq!(a.sha256, b.sha256);
        app.review_and_publish(&me, item.id).await;
        for id in [a.id, b.id] {
            let dl = app.client().get(&format!("/attachments/{id}")).await;
            dl.expect(StatusCode::OK);
            assert_eq!(dl.body, "张某 已脱敏", "{label}");
        }

        // A second instance: same database, same bucket, nothing shared in memory.
        let other = Service::new(
            app.db.store.clone(),
            Arc::new(FixedClock::new(test_start())),
            ServiceConfig {
                files: Some(FileStore::s3(&cfg).unwrap()),
                ..ServiceConfig::default()
            },
        );
        let (got, bytes) = other.public_attachment(a.id).await.unwrap().unwrap();
        assert_eq!((got.name.as_str(), bytes.as_slice()), ("名单.txt", text));
        // An instance on its own folder does not have the file: the bucket is where it lives.
        let dir = tempfile::tempdir().unwrap();
        let alone = Service::new(
            app.db.store.clone(),
            Arc::new(FixedClock::new(test_start())),
            ServiceConfig {
                files: Some(FileStore::local(dir.path()).unwrap()),
                ..ServiceConfig::default()
            },
        );
        assert!(alone.public_attachment(a.id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_wrong_bucket_is_reported_at_start() {
    let Some(mut cfg) = test_s3("a_wrong_bucket", "t") else {
        return;
    };
    cfg.bucket = "gongkai-no-such-bucket".into();
    let err = FileStore::s3(&cfg).unwrap().check().await.unwrap_err();
    assert!(
        err.contains("附件存储不可用") && err.contains("gongkai-no-such-bucket"),
        "{err}"
    );
    // Nothing listens on port 9 (discard): the address and the cause are reported, after a
    // bounded wait.
    cfg.endpoint = Some("http://127.0.0.1:9".into());
    let err = FileStore::s3(&cfg).unwrap().check().await.unwrap_err();
    assert!(
        err.contains("127.0.0.1:9") && err.to_lowercase().contains("connect"),
        "{err}"
    );
}

/// HTTPS goes through rustls (ring), and the server's certificate is verified: a server with a
/// self-signed certificate (the second test server, `GONGKAI_TEST_S3_TLS`) is refused.
#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let Ok(url) = std::env::var("GONGKAI_TEST_S3_TLS") else {
        eprintln!("skipped TLS object storage: GONGKAI_TEST_S3_TLS is not set");
        return;
    };
    let mut cfg = test_s3("an_untrusted_certificate", "t").unwrap();
    let (endpoint, bucket) = url.trim_end_matches('/').rsplit_once('/').unwrap();
    assert!(endpoint.starts_with("https://"));
    cfg.endpoint = Some(endpoint.to_owned());
    cfg.bucket = bucket.to_owned();
    let err = FileStore::s3(&cfg).unwrap().check().await.unwrap_err();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
}
