//! The audit log's hash chain (审计日志防篡改).
//!
//! Every state change writes one [`AuditEvent`] in the same transaction as the change. Rows are
//! numbered 1, 2, 3, … without gaps; each stores the hash of the previous row and its own hash
//! over a canonical encoding of its fields. [`ChainVerifier`] walks the rows in order and reports
//! the first row that was altered, inserted or deleted. A rewrite of the whole chain from some row
//! on is detectable only against a head recorded outside the database (an anchor: `seq:hash`),
//! which `gongkai audit verify --anchor` checks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev_hash` of row 1.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// Unix milliseconds, UTC.
    pub at_ms: i64,
    /// The acting account; `None` for the system (start-up, migrations, scheduled jobs) and for
    /// anonymous visitors (failed logins).
    pub actor_id: Option<i64>,
    /// What the log shows for the actor: a user name, `system`, or `anonymous`.
    pub actor: String,
    /// The agency the change belongs to, when it belongs to one.
    pub agency_id: Option<i64>,
    /// Stable action id, e.g. `user.create`, `auth.login_failed`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON object with the details of the change (never passwords or tokens).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields of an event before it is numbered and chained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub agency_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: serde_json::Value,
}

impl NewAuditEvent {
    /// Numbers and chains the event after the row `(prev_seq, prev_hash)`.
    pub fn chain(self, prev_seq: i64, prev_hash: &str) -> AuditEvent {
        let mut e = AuditEvent {
            seq: prev_seq + 1,
            at_ms: self.at_ms,
            actor_id: self.actor_id,
            actor: self.actor,
            agency_id: self.agency_id,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            detail: self.detail.to_string(),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }
}

impl AuditEvent {
    /// SHA-256 over a length-prefixed encoding of every field but `hash`, as lower-case hex.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |b: &[u8]| {
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        };
        field(b"gongkai-audit-v1");
        field(&self.seq.to_be_bytes());
        field(&self.at_ms.to_be_bytes());
        field(
            self.actor_id
                .map(|v| v.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.actor.as_bytes());
        field(
            self.agency_id
                .map(|v| v.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.action.as_bytes());
        field(self.object_type.as_bytes());
        field(self.object_id.as_bytes());
        field(self.detail.as_bytes());
        field(self.prev_hash.as_bytes());
        hex(&h.finalize())
    }
}

/// Lower-case hex of bytes (hashes, tokens).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The first break found in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// The row's content no longer matches its hash.
    Altered { seq: i64 },
    /// Rows are missing: the row before `seq` should be `expected`.
    Deleted { expected: i64, found: i64 },
    /// The row does not follow the previous one (a row inserted, or renumbered).
    Inserted { seq: i64 },
    /// The recorded anchor `seq:hash` is not in the chain.
    AnchorMismatch { seq: i64 },
}

impl ChainBreak {
    /// The Chinese explanation shown to the 监督 and printed by `gongkai audit verify`.
    pub fn message(&self) -> String {
        match self {
            ChainBreak::Altered { seq } => {
                format!("第 {seq} 条记录的内容与其哈希值不符：该记录已被改动")
            }
            ChainBreak::Deleted { expected, found } => format!(
                "第 {expected} 条至第 {} 条记录缺失：记录已被删除（下一条为第 {found} 条）",
                found - 1
            ),
            ChainBreak::Inserted { seq } => {
                format!("第 {seq} 条记录与前一条记录不衔接：有记录被插入、删除或重新编号")
            }
            ChainBreak::AnchorMismatch { seq } => {
                format!("外部记录的锚点（第 {seq} 条）与日志不符：日志在该点之前已被整体改写或截断")
            }
        }
    }
}

/// Walks rows in `seq` order; feed every row, then call [`ChainVerifier::finish`].
#[derive(Debug)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
    checked: i64,
    first_break: Option<ChainBreak>,
    anchor: Option<(i64, String)>,
    anchor_seen: bool,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new(None)
    }
}

/// The outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub rows: i64,
    /// `seq:hash` of the last row: record it outside the database as an anchor.
    pub head: Option<String>,
    pub first_break: Option<ChainBreak>,
}

impl ChainVerifier {
    /// `anchor`: a `(seq, hash)` head recorded earlier, which must still be in the chain.
    pub fn new(anchor: Option<(i64, String)>) -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            checked: 0,
            first_break: None,
            anchor,
            anchor_seen: false,
        }
    }

    /// Checks one row. Returns `false` once a break has been found (the walk may stop).
    pub fn feed(&mut self, e: &AuditEvent) -> bool {
        if self.first_break.is_some() {
            return false;
        }
        self.checked += 1;
        let brk = if e.seq > self.next_seq {
            Some(ChainBreak::Deleted {
                expected: self.next_seq,
                found: e.seq,
            })
        } else if e.seq < self.next_seq || e.prev_hash != self.prev_hash {
            Some(ChainBreak::Inserted { seq: e.seq })
        } else if e.compute_hash() != e.hash {
            Some(ChainBreak::Altered { seq: e.seq })
        } else {
            None
        };
        if let Some(b) = brk {
            self.first_break = Some(b);
            return false;
        }
        if let Some((seq, hash)) = &self.anchor
            && *seq == e.seq
        {
            self.anchor_seen = true;
            if *hash != e.hash {
                self.first_break = Some(ChainBreak::AnchorMismatch { seq: *seq });
                return false;
            }
        }
        self.next_seq = e.seq + 1;
        self.prev_hash.clone_from(&e.hash);
        true
    }

    pub fn finish(mut self) -> ChainReport {
        if self.first_break.is_none()
            && let Some((seq, _)) = &self.anchor
            && !self.anchor_seen
        {
            self.first_break = Some(ChainBreak::AnchorMismatch { seq: *seq });
        }
        let head = (self.next_seq > 1).then(|| format!("{}:{}", self.next_seq - 1, self.prev_hash));
        ChainReport {
            rows: self.checked,
            head,
            first_break: self.first_break,
        }
    }
}

/// Parses an anchor written as `seq:hash`.
pub fn parse_anchor(s: &str) -> Result<(i64, String), String> {
    let (seq, hash) = s
        .trim()
        .split_once(':')
        .ok_or_else(|| "锚点格式应为“序号:哈希值”，例如 1024:9f86d0…".to_owned())?;
    let seq = seq
        .parse::<i64>()
        .map_err(|_| format!("锚点序号“{seq}”不是整数"))?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("锚点哈希值应为 64 位十六进制数".into());
    }
    Ok((seq, hash.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut out: Vec<AuditEvent> = Vec::new();
        for i in 0..n {
            let (s, h) = out
                .last()
                .map_or((0, GENESIS_HASH.to_owned()), |e| (e.seq, e.hash.clone()));
            out.push(
                NewAuditEvent {
                    at_ms: 1000 + i,
                    actor_id: Some(1),
                    actor: "admin".into(),
                    agency_id: Some(1),
                    action: "user.create".into(),
                    object_type: "user".into(),
                    object_id: i.to_string(),
                    detail: serde_json::json!({ "i": i }),
                }
                .chain(s, &h),
            );
        }
        out
    }

    fn verify(rows: &[AuditEvent], anchor: Option<(i64, String)>) -> ChainReport {
        let mut v = ChainVerifier::new(anchor);
        for r in rows {
            if !v.feed(r) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let r = verify(&rows, None);
        assert_eq!(r.first_break, None);
        assert_eq!(r.rows, 5);
        assert_eq!(r.head, Some(format!("5:{}", rows[4].hash)));
        assert_eq!(verify(&[], None).head, None);
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let rows = chain(5);
        let mut altered = rows.clone();
        altered[2].detail = r#"{"i":99}"#.into();
        assert_eq!(
            verify(&altered, None).first_break,
            Some(ChainBreak::Altered { seq: 3 })
        );

        let mut deleted = rows.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, None).first_break,
            Some(ChainBreak::Deleted {
                expected: 2,
                found: 3
            })
        );

        let mut inserted = rows.clone();
        let mut extra = rows[1].clone();
        extra.object_id = "x".into();
        extra.hash = extra.compute_hash();
        inserted.insert(2, extra);
        assert_eq!(
            verify(&inserted, None).first_break,
            Some(ChainBreak::Inserted { seq: 2 })
        );

        // A rewritten tail is caught by an anchor recorded before the rewrite.
        let anchor = (3, rows[2].hash.clone());
        let mut rewritten = rows[..2].to_vec();
        let mut prev = rows[1].clone();
        for i in 2..5 {
            let e = NewAuditEvent {
                at_ms: 1,
                actor_id: None,
                actor: "x".into(),
                agency_id: None,
                action: "a".into(),
                object_type: "o".into(),
                object_id: i.to_string(),
                detail: serde_json::json!({}),
            }
            .chain(prev.seq, &prev.hash);
            rewritten.push(e.clone());
            prev = e;
        }
        assert_eq!(verify(&rewritten, None).first_break, None);
        assert_eq!(
            verify(&rewritten, Some(anchor.clone())).first_break,
            Some(ChainBreak::AnchorMismatch { seq: 3 })
        );
        // Truncation before the anchor.
        assert_eq!(
            verify(&rows[..2], Some(anchor)).first_break,
            Some(ChainBreak::AnchorMismatch { seq: 3 })
        );
    }

    #[test]
    fn anchors_parse() {
        let h = "a".repeat(64);
        assert_eq!(parse_anchor(&format!("12:{h}")), Ok((12, h)));
        assert!(parse_anchor("12").is_err());
        assert!(parse_anchor("x:ab").is_err());
    }
}
