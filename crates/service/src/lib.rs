//! gongkai-service — one public function per user action.
//!
//! Each function takes the acting person ([`Actor`]), checks the permission table of
//! `gongkai-domain` for the agency concerned, validates the input into domain types, applies the
//! change and writes its audit event in the same transaction. The web UI, the JSON API and the
//! command line all call these functions; none of them writes SQL or checks permissions itself.
//! What must not be here: HTTP types, HTML.

mod accounts;
mod agencies;
mod annual;
mod applications;
mod attachments;
mod audit;
mod calendar;
mod columns;
mod crypto;
mod files;
mod guide;
mod items;
mod mail;
mod proceedings;
mod search;
mod settings;
mod stats;

use std::sync::Arc;

use gongkai_domain::account::ThrottlePolicy;
use gongkai_domain::audit::NewAuditEvent;
use gongkai_domain::{Action, AgencyId, Clock, Relation, Role, permits};
use gongkai_store::{Agency, Store, StoreError, Tx, User};
use serde::Serialize;

pub use accounts::{LoginError, NewUser, SessionInfo, SetupForm, UserUpdate};
pub use agencies::{AgencyNode, TopicSettings};
pub use annual::{
    CellChange, CellSources, CompiledReport, FigureField, Narrative, PublicReport, ReportStatus,
    ReportVersion, Restatement, SourceLine, SupervisedAgency, Supervision, format_for_year,
    locked_years_of_case, table_changes,
};
pub use applications::{
    ApplicationForm, ApplicationSettings, CaseLine, CaseView, Dashboard, EventView,
    INTAKE_PER_HOUR, PublicStatus, SimilarView, Submitted, mask_applicant,
};
pub use attachments::accepted_extensions;
pub use audit::AuditQuery;
pub use calendar::CalendarImport;
pub use columns::{ColumnNode, column_tree};
pub use files::{FileStore, S3Config};
pub use gongkai_search as search_index;
pub use gongkai_store as store;
pub use guide::Guide;
pub use items::{FieldFinding, ItemForm, PublicItem, sanitize_body};
pub use mail::SmtpConfig;
pub use proceedings::{ProceedingForm, ProceedingView, letter_docx};
pub use search::{SearchForm, search_index_in_memory};
pub use settings::{CHAIN_ROLES, PublishingSettings};
pub use stats::{ColumnFreshness, YearFigures};

/// Tunables of the service layer.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    pub throttle: ThrottlePolicy,
    /// A session ends after this much inactivity (ms).
    pub session_idle_ms: i64,
    /// … and at the latest this long after login (ms).
    pub session_absolute_ms: i64,
    /// Validity of setup and password-reset links (ms).
    pub token_ttl_ms: i64,
    /// Where attachment files are stored (content-addressed); `None` disables uploads.
    pub files: Option<FileStore>,
    /// Largest attachment accepted.
    pub max_attachment_bytes: usize,
    /// Reminder e-mail; `None` = reminders on screen and in the log only.
    pub smtp: Option<mail::SmtpConfig>,
    /// The agency's licensed 公文 fonts (read before the system's CJK fonts) for PDF output.
    pub font_dir: Option<std::path::PathBuf>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            throttle: ThrottlePolicy::default(),
            session_idle_ms: 30 * 60 * 1000,
            session_absolute_ms: 12 * 60 * 60 * 1000,
            token_ttl_ms: 72 * 60 * 60 * 1000,
            files: None,
            max_attachment_bytes: 20 * 1024 * 1024,
            smtp: None,
            font_dir: None,
        }
    }
}

/// The service: the store, the clock and the configuration.
#[derive(Clone)]
pub struct Service {
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    search: Option<Arc<gongkai_search::SearchIndex>>,
    /// Bumped by every change this instance makes or learns of (page caches compare it).
    generation: Arc<std::sync::atomic::AtomicU64>,
    /// The CJK fonts for PDF output, loaded on first use (20–30 MB a font).
    fonts: Arc<
        std::sync::OnceLock<std::result::Result<gongkai_docgen::Fonts, gongkai_docgen::PdfError>>,
    >,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store.display_url())
            .finish_non_exhaustive()
    }
}

/// Who is acting.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A signed-in staff member.
    User(User),
    /// The operator at the shell (`gongkai admin …`) or the system itself (start-up, jobs):
    /// whoever can run the binary on the server can already read the database.
    System,
}

impl Actor {
    pub(crate) fn id(&self) -> Option<i64> {
        match self {
            Actor::User(u) => Some(u.id.0),
            Actor::System => None,
        }
    }

    pub(crate) fn label(&self) -> String {
        match self {
            Actor::User(u) => u.username.clone(),
            Actor::System => "system".to_owned(),
        }
    }
}

/// One form field's error, shown beside the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// What went wrong, in words a person can act on. `Display` is the Chinese message.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("您没有“{}”的权限。如需此权限，请联系本机关的系统管理员。", action.label())]
    Forbidden { action: Action },
    #[error("{0}不存在或已被删除")]
    NotFound(String),
    #[error("提交的内容有误，请按提示修改")]
    Invalid(Vec<FieldError>),
    #[error("{0}已存在，请换一个")]
    Conflict(String),
    #[error("{0}")]
    Refused(String),
    #[error("系统内部错误，请稍后再试；如持续出现请联系系统管理员")]
    Store(#[source] StoreError),
    #[error("系统内部错误，请稍后再试；如持续出现请联系系统管理员")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            e => ServiceError::Store(e),
        }
    }
}

impl ServiceError {
    /// An `Invalid` error for one field.
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl Service {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: ServiceConfig) -> Self {
        Self {
            store,
            clock,
            config,
            search: None,
            generation: Arc::default(),
            fonts: Arc::default(),
        }
    }

    /// The fonts for PDF output: the configured folder, then the system's CJK fonts.
    pub fn pdf_fonts(
        &self,
    ) -> std::result::Result<&gongkai_docgen::Fonts, gongkai_docgen::PdfError> {
        self.fonts
            .get_or_init(|| gongkai_docgen::load_fonts(self.config.font_dir.as_deref()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Attaches this instance's search index (see `search.rs`).
    #[must_use]
    pub fn with_search(mut self, index: Arc<gongkai_search::SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Where `target` stands relative to the actor's agency.
    pub async fn relation(&self, actor: &Actor, target: AgencyId) -> Result<Relation> {
        let Actor::User(u) = actor else {
            return Ok(Relation::Own);
        };
        if u.agency_id == target {
            return Ok(Relation::Own);
        }
        // Walk up from the target; the hierarchy is shallow (province → city → county → department).
        let mut cur = self.store.agency(target).await?.and_then(|a| a.parent_id);
        let mut steps = 0;
        while let Some(id) = cur {
            if id == u.agency_id {
                return Ok(Relation::Descendant);
            }
            steps += 1;
            if steps > 64 {
                break;
            }
            cur = self.store.agency(id).await?.and_then(|a| a.parent_id);
        }
        Ok(Relation::Other)
    }

    /// Checks `action` on `agency` for `actor`; the shell/system may do everything.
    pub async fn authorize(&self, actor: &Actor, action: Action, agency: AgencyId) -> Result<()> {
        let Actor::User(u) = actor else { return Ok(()) };
        if u.disabled {
            return Err(ServiceError::Forbidden { action });
        }
        let rel = self.relation(actor, agency).await?;
        if permits(&u.roles, action, rel) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden { action })
        }
    }

    /// Whether `actor` may do `action` on `agency` (for showing or hiding links).
    pub async fn can(&self, actor: &Actor, action: Action, agency: AgencyId) -> bool {
        self.authorize(actor, action, agency).await.is_ok()
    }

    pub(crate) async fn agency_or_404(&self, id: AgencyId) -> Result<Agency> {
        self.store
            .agency(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该机关".into()))
    }

    /// A number that changes whenever content may have changed (every audited change on this
    /// instance, and changes of other instances picked up by the search sync).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn bump_generation(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Writes the audit event of a change into its transaction.
    pub(crate) async fn audit(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        agency: Option<AgencyId>,
        action: &str,
        object: (&str, String),
        detail: serde_json::Value,
    ) -> Result<()> {
        self.bump_generation();
        tx.audit(NewAuditEvent {
            at_ms: self.now_ms(),
            actor_id: actor.id(),
            actor: actor.label(),
            agency_id: agency.map(|a| a.0),
            action: action.to_owned(),
            object_type: object.0.to_owned(),
            object_id: object.1,
            detail,
        })
        .await?;
        Ok(())
    }
}

/// The roles a form may assign, in display order.
pub fn assignable_roles() -> &'static [Role] {
    &Role::ALL
}
