//! Attachments (附件) of items: type and size limits, content-addressed storage (a folder of the
//! data directory or an S3-compatible bucket, see `files`), the personal-data scan of their
//! text, and downloads (staff; public only for attachments of a published rendition).

use gongkai_domain::review::{Event, Status};
use gongkai_domain::{Action, hex};
use gongkai_store::Attachment;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::items::PublicItem;
use crate::{Actor, Result, Service, ServiceError};

/// Accepted kinds: extension, MIME type, and how the file must begin.
const KINDS: [(&str, &str, &[u8]); 12] = [
    ("pdf", "application/pdf", b"%PDF"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    ("ofd", "application/ofd", b"PK\x03\x04"),
    ("zip", "application/zip", b"PK\x03\x04"),
    ("doc", "application/msword", b"\xD0\xCF\x11\xE0"),
    ("xls", "application/vnd.ms-excel", b"\xD0\xCF\x11\xE0"),
    ("wps", "application/vnd.ms-works", b"\xD0\xCF\x11\xE0"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("png", "image/png", b"\x89PNG"),
    ("txt", "text/plain; charset=utf-8", b""),
];

/// The accepted extensions, for messages and the upload form.
pub fn accepted_extensions() -> String {
    KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join("、")
}

/// A file name without directories or control characters, at most 120 characters.
fn clean_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if base.is_empty() || base.starts_with('.') {
        return Err(ServiceError::field("file", "请选择要上传的文件"));
    }
    Ok(base)
}

impl Service {
    fn files(&self) -> Result<&crate::FileStore> {
        self.config
            .files
            .as_ref()
            .ok_or_else(|| ServiceError::Refused("本实例未配置附件存储".into()))
    }

    /// A stored file's bytes, `None` if it is missing; a storage failure is an error.
    async fn stored(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        self.files()?.get(sha).await.map_err(|e| {
            tracing::error!(error = %e, "attachment read failed");
            ServiceError::Internal(format!("attachment read: {e}"))
        })
    }

    pub(crate) async fn attachment_hashes(&self, item_id: i64) -> Result<Vec<String>> {
        Ok(self
            .store
            .attachments(item_id)
            .await?
            .into_iter()
            .map(|a| a.sha256)
            .collect())
    }

    /// The text of an attachment for the scan (PDF with a text layer, Word, text), if any. A
    /// file the storage cannot give back refuses the scan (it must not pass unread).
    pub(crate) async fn attachment_text(&self, a: &Attachment) -> Result<Option<String>> {
        let ext = a
            .name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "pdf" | "docx" | "txt") {
            return Ok(None);
        }
        let unreadable = || {
            ServiceError::Refused(format!(
                "附件《{}》暂时无法从附件存储读取，未能检查其中的个人信息，请稍后重试",
                a.name
            ))
        };
        let Some(bytes) = self.stored(&a.sha256).await.map_err(|_| unreadable())? else {
            return Err(unreadable());
        };
        Ok(gongkai_report::parse::extracted_text(&bytes).ok())
    }

    /// The attachments of an item (back office).
    pub async fn attachments(&self, actor: &Actor, item_id: i64) -> Result<Vec<Attachment>> {
        self.item(actor, item_id).await?;
        Ok(self.store.attachments(item_id).await?)
    }

    /// Adds a file to an item. A change to submitted or approved content sends it back to draft.
    /// Checks a file's name, size and type and stores it by content hash; returns the clean
    /// name, the MIME type and the hash.
    pub(crate) async fn store_file(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<(String, &'static str, String)> {
        let name = clean_name(name)?;
        if bytes.is_empty() {
            return Err(ServiceError::field("file", "文件是空的"));
        }
        let max = self.config.max_attachment_bytes;
        if bytes.len() > max {
            return Err(ServiceError::field(
                "file",
                format!("文件超过 {} MB 的上限", max / 1024 / 1024),
            ));
        }
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let Some((_, mime, magic)) = KINDS.iter().find(|k| k.0 == ext) else {
            return Err(ServiceError::field(
                "file",
                format!("不支持“.{ext}”文件。可上传：{}", accepted_extensions()),
            ));
        };
        let text_ok = ext != "txt" || (std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0));
        if !bytes.starts_with(magic) || !text_ok {
            return Err(ServiceError::field(
                "file",
                format!("文件内容与扩展名“.{ext}”不符，请确认文件未损坏、扩展名正确"),
            ));
        }
        let sha = hex(&Sha256::digest(bytes));
        self.files()?.put(&sha, bytes).await.map_err(|e| {
            tracing::error!(error = %e, "attachment write failed");
            ServiceError::field(
                "file",
                "附件存储暂时不可用，文件未保存，请稍后重试（原因已记入日志）",
            )
        })?;
        Ok((name, mime, sha))
    }

    /// A stored file's bytes.
    pub(crate) async fn read_file(&self, sha: &str) -> Result<Vec<u8>> {
        self.stored(sha)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该文件".into()))
    }

    pub async fn add_attachment(
        &self,
        actor: &Actor,
        item_id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let item = self.item(actor, item_id).await?;
        self.authorize(actor, Action::DraftItems, item.agency_id)
            .await?;
        self.refuse_if_annual_report(item_id).await?;
        if item.review.status == Status::InReview {
            return Err(ServiceError::Refused(
                "信息正在审核中，请等待审核结果或请审核人退回后再修改附件".into(),
            ));
        }
        let (name, mime, sha) = self.store_file(name, bytes).await?;
        let now = self.now_ms();
        let mut a = Attachment {
            id: 0,
            item_id,
            name,
            content_type: mime.to_owned(),
            size: bytes.len() as i64,
            sha256: sha,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        a.id = tx.insert_attachment(&a).await?;
        self.audit(
            &mut tx,
            actor,
            Some(item.agency_id),
            "item.attach",
            ("item", item_id.to_string()),
            json!({ "name": a.name, "size": a.size, "sha256": a.sha256 }),
        )
        .await?;
        tx.commit().await?;
        self.reset_review_if_changed(actor, item_id).await?;
        Ok(a)
    }

    /// Removes an attachment from an item.
    pub async fn remove_attachment(&self, actor: &Actor, attachment_id: i64) -> Result<()> {
        let a = self
            .store
            .attachment(attachment_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该附件".into()))?;
        let item = self.item(actor, a.item_id).await?;
        self.refuse_if_annual_report(a.item_id).await?;
        self.authorize(actor, Action::DraftItems, item.agency_id)
            .await?;
        if item.review.status == Status::InReview {
            return Err(ServiceError::Refused("信息正在审核中，不能删除附件".into()));
        }
        let mut tx = self.store.begin().await?;
        tx.remove_attachment(attachment_id, self.now_ms()).await?;
        self.audit(
            &mut tx,
            actor,
            Some(item.agency_id),
            "item.detach",
            ("item", a.item_id.to_string()),
            json!({ "name": a.name, "sha256": a.sha256 }),
        )
        .await?;
        tx.commit().await?;
        self.reset_review_if_changed(actor, a.item_id).await
    }

    /// After an attachment change: approvals of other content are void (back to draft).
    async fn reset_review_if_changed(&self, actor: &Actor, item_id: i64) -> Result<()> {
        let item = self
            .store
            .item(item_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该信息".into()))?;
        let fp = crate::items::fingerprint(&item.content, &self.attachment_hashes(item_id).await?);
        let next = self
            .transition(
                &item,
                &Event::Edit {
                    fingerprint: fp.clone(),
                },
            )
            .await?;
        if next != item.review {
            let now = self.now_ms();
            let mut tx = self.store.begin().await?;
            tx.set_item_review(item_id, &next, None, now).await?;
            tx.insert_item_event(
                item_id,
                next.round,
                None,
                "edit_reset",
                None,
                (actor.id(), &actor.label()),
                "附件已修改，原审核意见作废，须重新送审",
                Some(&fp),
                now,
            )
            .await?;
            self.audit(&mut tx, actor, Some(item.agency_id), "item.update", ("item", item_id.to_string()),
                json!({ "title": item.content.title, "status": [item.review.status.id(), next.status.id()], "note": "attachment" })).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// An attachment's bytes for staff who may see the item.
    pub async fn attachment_file(&self, actor: &Actor, id: i64) -> Result<(Attachment, Vec<u8>)> {
        let a = self
            .store
            .attachment(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该附件".into()))?;
        self.item(actor, a.item_id).await?;
        let bytes = self
            .stored(&a.sha256)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该附件文件".into()))?;
        Ok((a, bytes))
    }

    /// An attachment's bytes for the public: only if it belongs to the item's published rendition.
    pub async fn public_attachment(&self, id: i64) -> Result<Option<(Attachment, Vec<u8>)>> {
        let Some(a) = self.store.attachment(id).await? else {
            return Ok(None);
        };
        let Some(p): Option<PublicItem> = self.public_item(a.item_id).await? else {
            return Ok(None);
        };
        if !p.attachments.iter().any(|x| x.id == id) {
            return Ok(None);
        }
        let Some(bytes) = self.stored(&a.sha256).await? else {
            return Ok(None);
        };
        Ok(Some((a, bytes)))
    }
}
