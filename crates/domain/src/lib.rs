//! gongkai-domain — the platform's pure rules.
//!
//! What belongs here: roles and the permission table, account rules (user names, password
//! policy, login throttling), the audit hash chain, the clock abstraction, and (as they land) the
//! working-day calendar, deadlines, review and application state machines, 索引号 and
//! personal-data scanning. What must not: I/O of any kind — no tokio, no SQL, no HTTP, no
//! templates. Everything here is tested without a database.

pub mod account;
pub mod application;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod column;
pub mod ids;
pub mod index_no;
pub mod law;
pub mod permission;
pub mod pii;
pub mod review;
pub mod role;
pub mod topic;

pub use account::{DisplayName, Password, PasswordError, Username};
pub use audit::hex;
pub use audit::{AuditEvent, ChainBreak, ChainReport, ChainVerifier, GENESIS_HASH, NewAuditEvent};
pub use calendar::{DayKind, WorkingCalendar};
pub use clock::{Clock, FixedClock, SystemClock, beijing, beijing_midnight_ms};
pub use column::{ColumnKind, Freshness};
pub use ids::{AgencyId, ColumnId, DivisionId, UserId};
pub use law::{AgencyLevel, LawItem};
pub use permission::{Action, Relation, permits};
pub use role::Role;
