//! Accounts: first-run setup, login with throttling, sessions, passwords, user management.

use gongkai_domain::{Action, AgencyId, DisplayName, DivisionId, Password, Role, UserId, Username};
use gongkai_store::{AgencyKind, SessionRow, TokenPurpose, User};
use serde_json::json;

use crate::crypto::{hash_password, random_token, token_hash, verify_password};
use crate::{Actor, FieldError, Result, Service, ServiceError};

/// The first administrator and the site's root agency, from the setup page.
#[derive(Clone, Debug, Default)]
pub struct SetupForm {
    pub agency_name: String,
    pub agency_kind: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub confirm: String,
}

/// A new staff account. It starts without a password: the administrator hands over a one-time
/// link with which the person sets their own.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub agency_id: i64,
    pub division_id: Option<i64>,
    pub roles: Vec<String>,
}

/// Changes to an account's profile and roles.
#[derive(Clone, Debug, Default)]
pub struct UserUpdate {
    pub display_name: String,
    pub division_id: Option<i64>,
    pub roles: Vec<String>,
}

/// Why a login was refused. The message never says whether the user name exists.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("用户名或密码不正确")]
    BadCredentials,
    #[error("登录失败次数过多，请于 {minutes} 分钟后再试；如忘记密码，请联系系统管理员重置")]
    Throttled { minutes: i64 },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// A valid session: the signed-in user (if any) and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub user: Option<User>,
    pub csrf: String,
}

fn password_error(field: &'static str, e: &gongkai_domain::PasswordError) -> ServiceError {
    ServiceError::field(field, e.to_string())
}

fn parse_roles(roles: &[String]) -> Result<Vec<Role>> {
    let mut out = Vec::new();
    for r in roles {
        let r: Role = r.parse().map_err(|e: gongkai_domain::role::UnknownRole| {
            ServiceError::field("roles", e.to_string())
        })?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    if out.is_empty() {
        return Err(ServiceError::field("roles", "请至少选择一个角色"));
    }
    out.sort();
    Ok(out)
}

/// Collects every field error of a form instead of stopping at the first.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn take<T>(&mut self, field: &'static str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(message) => {
                self.0.push(FieldError { field, message });
                None
            }
        }
    }

    fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}

impl Service {
    // ---- first-run setup ------------------------------------------------------------------

    /// Whether the site still needs its first administrator.
    pub async fn needs_setup(&self) -> Result<bool> {
        Ok(!self.store.has_admin().await?)
    }

    /// On a site without an administrator, issues a fresh one-time setup token (earlier ones
    /// are revoked) and returns it; `None` when the site is set up.
    pub async fn issue_setup_token(&self) -> Result<Option<String>> {
        if !self.needs_setup().await? {
            return Ok(None);
        }
        let token = random_token()?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.insert_account_token(
            &token_hash(&token),
            TokenPurpose::Setup,
            None,
            now,
            now + self.config.token_ttl_ms,
        )
        .await?;
        self.audit(
            &mut tx,
            &Actor::System,
            None,
            "site.setup_link",
            ("site", String::new()),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    /// Whether a setup or reset token is currently usable, and for which account.
    pub async fn check_token(&self, token: &str, purpose: TokenPurpose) -> Result<Option<UserId>> {
        let t = self.store.account_token(&token_hash(token)).await?;
        match t {
            Some(t) if t.purpose == purpose && t.used_at.is_none() && t.expires_at > self.now_ms() => {
                Ok(t.user_id)
            }
            _ => Err(ServiceError::Refused(
                "该链接无效、已使用或已过期。请向系统管理员索取新的链接（管理员可在服务器上运行 gongkai admin reset-password）。".into(),
            )),
        }
    }

    /// Creates the root agency and the first administrator from the setup page.
    pub async fn complete_setup(&self, token: &str, f: &SetupForm) -> Result<User> {
        self.check_token(token, TokenPurpose::Setup).await?;
        let mut errs = Errors::default();
        let agency_name = errs.take("agency_name", agency_name(&f.agency_name));
        let kind = errs.take(
            "agency_kind",
            AgencyKind::parse(&f.agency_kind).ok_or_else(|| "请选择机关类型".to_owned()),
        );
        let username = errs.take("username", Username::parse(&f.username));
        let display = errs.take("display_name", DisplayName::parse(&f.display_name));
        let password = errs.take(
            "password",
            Password::parse(&f.password, Some(&f.confirm), username.as_ref())
                .map_err(|e| e.to_string()),
        );
        errs.finish()?;
        let (Some(agency_name), Some(kind), Some(username), Some(display), Some(password)) =
            (agency_name, kind, username, display, password)
        else {
            return Err(ServiceError::Internal("setup form".into()));
        };
        let hash = hash_password(password.expose().to_owned()).await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        if !tx.use_account_token(&token_hash(token), now).await? {
            return Err(ServiceError::Refused("该链接已被使用".into()));
        }
        let agency = tx.insert_agency(None, &agency_name, kind, now).await?;
        let columns = crate::columns::insert_standard_tree(&mut tx, agency, now).await?;
        let uid = tx
            .insert_user(
                username.as_str(),
                display.as_str(),
                agency,
                None,
                &[Role::Admin],
                Some(&hash),
                now,
            )
            .await?;
        let actor = Actor::System;
        self.audit(
            &mut tx,
            &actor,
            Some(agency),
            "agency.create",
            ("agency", agency.to_string()),
            json!({ "name": agency_name, "kind": kind.id(), "parent": null, "standard_columns": columns }),
        )
        .await?;
        self.audit(
            &mut tx,
            &actor,
            Some(agency),
            "user.create",
            ("user", uid.to_string()),
            json!({ "username": username.as_str(), "roles": ["admin"], "via": "setup" }),
        )
        .await?;
        tx.commit().await?;
        self.user_or_404(uid).await
    }

    // ---- login and sessions ---------------------------------------------------------------

    /// Checks a user name and password, with throttling per account and per client address.
    /// Every outcome is audited (the address is not: it is personal data).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<User, LoginError> {
        let now = self.now_ms();
        let policy = self.config.throttle;
        let uname = username.trim().to_ascii_lowercase();
        let ukey = format!("u:{uname}");
        let akey = format!("a:{address}");
        let since = now - policy.window_ms;
        let ufail = self
            .store
            .login_failures(&ukey, since)
            .await
            .map_err(ServiceError::from)?;
        let afail = self
            .store
            .login_failures(&akey, since)
            .await
            .map_err(ServiceError::from)?;
        if let Err(until) = policy.check(now, &ufail, &afail) {
            return Err(LoginError::Throttled {
                minutes: ((until - now) + 59_999) / 60_000,
            });
        }
        let user = self
            .store
            .user_by_username(&uname)
            .await
            .map_err(ServiceError::from)?;
        let hash = match &user {
            Some(u) if !u.disabled => self
                .store
                .password_hash(u.id)
                .await
                .map_err(ServiceError::from)?,
            _ => None,
        };
        let ok = verify_password(password.to_owned(), hash).await;
        match user {
            Some(u) if ok => {
                let mut tx = self.store.begin().await.map_err(ServiceError::from)?;
                tx.clear_login_failures(&ukey)
                    .await
                    .map_err(ServiceError::from)?;
                self.audit(
                    &mut tx,
                    &Actor::User(u.clone()),
                    Some(u.agency_id),
                    "auth.login",
                    ("user", u.id.to_string()),
                    json!({}),
                )
                .await?;
                tx.commit().await.map_err(ServiceError::from)?;
                Ok(u)
            }
            _ => {
                self.store
                    .record_login_failure(&[ukey, akey], now, now - policy.window_ms)
                    .await
                    .map_err(ServiceError::from)?;
                let mut tx = self.store.begin().await.map_err(ServiceError::from)?;
                let agency = self
                    .store
                    .user_by_username(&uname)
                    .await
                    .ok()
                    .flatten()
                    .map(|u| u.agency_id);
                tx.audit(gongkai_domain::NewAuditEvent {
                    at_ms: now,
                    actor_id: None,
                    actor: "anonymous".into(),
                    agency_id: agency.map(|a| a.0),
                    action: "auth.login_failed".into(),
                    object_type: "user".into(),
                    object_id: String::new(),
                    detail: json!({ "username": uname.chars().take(32).collect::<String>() }),
                })
                .await
                .map_err(ServiceError::from)?;
                tx.commit().await.map_err(ServiceError::from)?;
                Err(LoginError::BadCredentials)
            }
        }
    }

    /// Starts a session (anonymous when `user` is `None`) and returns the cookie value.
    pub async fn start_session(&self, user: Option<&User>) -> Result<(String, SessionInfo)> {
        let token = random_token()?;
        let csrf = random_token()?;
        let now = self.now_ms();
        let row = SessionRow {
            user_id: user.map(|u| u.id),
            auth_epoch: user.map_or(0, |u| u.auth_epoch),
            csrf: csrf.clone(),
            touched_at: now,
            expires_at: now + self.config.session_idle_ms,
            absolute_expires_at: now + self.config.session_absolute_ms,
        };
        self.store
            .insert_session(&token_hash(&token), &row, now)
            .await?;
        Ok((
            token,
            SessionInfo {
                user: user.cloned(),
                csrf,
            },
        ))
    }

    /// Looks up a session cookie. Expired sessions, sessions of disabled accounts and sessions
    /// from before a password change are refused (`None`).
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        if token.len() != 64 {
            return Ok(None);
        }
        let h = token_hash(token);
        let Some(s) = self.store.session(&h).await? else {
            return Ok(None);
        };
        let now = self.now_ms();
        if s.expires_at <= now || s.absolute_expires_at <= now {
            self.store.delete_session(&h).await?;
            return Ok(None);
        }
        let user = match s.user_id {
            Some(id) => match self.store.user(id).await? {
                Some(u) if !u.disabled && u.auth_epoch == s.auth_epoch => Some(u),
                _ => {
                    self.store.delete_session(&h).await?;
                    return Ok(None);
                }
            },
            None => None,
        };
        // Slide the idle expiry, at most once a minute per session.
        if now - s.touched_at > 60_000 {
            self.store
                .touch_session(&h, now, now + self.config.session_idle_ms)
                .await?;
        }
        Ok(Some(SessionInfo { user, csrf: s.csrf }))
    }

    /// Ends a session (logout). Audited when the session belonged to a user.
    pub async fn end_session(&self, token: &str, user: Option<&User>) -> Result<()> {
        self.store.delete_session(&token_hash(token)).await?;
        if let Some(u) = user {
            let mut tx = self.store.begin().await?;
            self.audit(
                &mut tx,
                &Actor::User(u.clone()),
                Some(u.agency_id),
                "auth.logout",
                ("user", u.id.to_string()),
                json!({}),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Deletes expired sessions (periodic job).
    pub async fn purge_sessions(&self) -> Result<u64> {
        Ok(self.store.purge_sessions(self.now_ms()).await?)
    }

    // ---- passwords ------------------------------------------------------------------------

    /// A signed-in user changes their own password. All their sessions end; the caller starts a
    /// new one.
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<User> {
        let hash = self.store.password_hash(user.id).await?;
        if !verify_password(current.to_owned(), hash).await {
            return Err(ServiceError::field("current", "当前密码不正确"));
        }
        let uname = Username::parse(&user.username).ok();
        let pw = Password::parse(new, Some(confirm), uname.as_ref())
            .map_err(|e| password_error("password", &e))?;
        if current == new {
            return Err(ServiceError::field("password", "新密码不能与当前密码相同"));
        }
        let hash = hash_password(pw.expose().to_owned()).await?;
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(user.id, Some(&hash), self.now_ms())
            .await?;
        self.audit(
            &mut tx,
            &Actor::User(user.clone()),
            Some(user.agency_id),
            "user.password_change",
            ("user", user.id.to_string()),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        self.user_or_404(user.id).await
    }

    /// An administrator resets an account: the old password stops working at once, the user's
    /// sessions end, and a one-time link is returned for the person to set a new one.
    pub async fn reset_password(&self, actor: &Actor, id: UserId) -> Result<String> {
        let target = self.user_or_404(id).await?;
        self.authorize(actor, Action::ManageUsers, target.agency_id)
            .await?;
        let token = random_token()?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(id, None, now).await?;
        tx.insert_account_token(
            &token_hash(&token),
            TokenPurpose::Reset,
            Some(id),
            now,
            now + self.config.token_ttl_ms,
        )
        .await?;
        self.audit(
            &mut tx,
            actor,
            Some(target.agency_id),
            "user.password_reset",
            ("user", id.to_string()),
            json!({ "username": target.username }),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The person sets their password with a one-time link (new account or reset).
    pub async fn set_password_with_token(
        &self,
        token: &str,
        new: &str,
        confirm: &str,
    ) -> Result<User> {
        let id = self
            .check_token(token, TokenPurpose::Reset)
            .await?
            .ok_or_else(|| ServiceError::Refused("该链接无效".into()))?;
        let user = self.user_or_404(id).await?;
        if user.disabled {
            return Err(ServiceError::Refused(
                "该账号已停用，请联系系统管理员".into(),
            ));
        }
        let uname = Username::parse(&user.username).ok();
        let pw = Password::parse(new, Some(confirm), uname.as_ref())
            .map_err(|e| password_error("password", &e))?;
        let hash = hash_password(pw.expose().to_owned()).await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        if !tx.use_account_token(&token_hash(token), now).await? {
            return Err(ServiceError::Refused("该链接已被使用".into()));
        }
        tx.set_password_hash(id, Some(&hash), now).await?;
        self.audit(
            &mut tx,
            &Actor::User(user.clone()),
            Some(user.agency_id),
            "user.password_set",
            ("user", id.to_string()),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        self.user_or_404(id).await
    }

    // ---- user management ------------------------------------------------------------------

    pub(crate) async fn user_or_404(&self, id: UserId) -> Result<User> {
        self.store
            .user(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该用户".into()))
    }

    /// One account, if the actor may see the accounts of its agency.
    pub async fn user(&self, actor: &Actor, id: UserId) -> Result<User> {
        let u = self.user_or_404(id).await?;
        self.authorize(actor, Action::ViewUsers, u.agency_id)
            .await?;
        Ok(u)
    }

    /// The accounts the actor may see (own agency and, for supervisors and administrators,
    /// the agencies below it), optionally of one agency only.
    pub async fn users(&self, actor: &Actor, agency: Option<AgencyId>) -> Result<Vec<User>> {
        let visible = self.agencies_for(actor, Action::ViewUsers).await?;
        if visible.is_empty() {
            return Err(ServiceError::Forbidden {
                action: Action::ViewUsers,
            });
        }
        if let Some(a) = agency {
            self.authorize(actor, Action::ViewUsers, a).await?;
        }
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| visible.contains(&u.agency_id) && agency.is_none_or(|a| u.agency_id == a))
            .collect())
    }

    async fn check_division(
        &self,
        agency: AgencyId,
        division: Option<i64>,
    ) -> Result<Option<DivisionId>> {
        let Some(d) = division else { return Ok(None) };
        match self.store.division(DivisionId(d)).await? {
            Some(div) if div.agency_id == agency => Ok(Some(div.id)),
            _ => Err(ServiceError::field("division_id", "所选处室不属于该机关")),
        }
    }

    /// Creates an account and returns it with the one-time link token for its first password.
    pub async fn create_user(&self, actor: &Actor, f: &NewUser) -> Result<(User, String)> {
        let agency = AgencyId(f.agency_id);
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageUsers, agency).await?;
        let mut errs = Errors::default();
        let username = errs.take("username", Username::parse(&f.username));
        let display = errs.take("display_name", DisplayName::parse(&f.display_name));
        let roles = errs.take(
            "roles",
            parse_roles(&f.roles).map_err(|e| first_message(&e)),
        );
        errs.finish()?;
        let (Some(username), Some(display), Some(roles)) = (username, display, roles) else {
            return Err(ServiceError::Internal("user form".into()));
        };
        let division = self.check_division(agency, f.division_id).await?;
        let token = random_token()?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_user(
                username.as_str(),
                display.as_str(),
                agency,
                division,
                &roles,
                None,
                now,
            )
            .await?;
        tx.insert_account_token(
            &token_hash(&token),
            TokenPurpose::Reset,
            Some(id),
            now,
            now + self.config.token_ttl_ms,
        )
        .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "user.create",
            ("user", id.to_string()),
            json!({
                "username": username.as_str(),
                "roles": roles.iter().map(|r| r.id()).collect::<Vec<_>>(),
                "division": division.map(|d| d.0),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok((self.user_or_404(id).await?, token))
    }

    /// Changes name, division and roles. Administrators cannot take their own admin role away
    /// (so a site never loses its last administrator by accident).
    pub async fn update_user(&self, actor: &Actor, id: UserId, f: &UserUpdate) -> Result<User> {
        let target = self.user_or_404(id).await?;
        self.authorize(actor, Action::ManageUsers, target.agency_id)
            .await?;
        let mut errs = Errors::default();
        let display = errs.take("display_name", DisplayName::parse(&f.display_name));
        let roles = errs.take(
            "roles",
            parse_roles(&f.roles).map_err(|e| first_message(&e)),
        );
        errs.finish()?;
        let (Some(display), Some(roles)) = (display, roles) else {
            return Err(ServiceError::Internal("user form".into()));
        };
        if let Actor::User(me) = actor
            && me.id == id
            && me.roles.contains(&Role::Admin)
            && !roles.contains(&Role::Admin)
        {
            return Err(ServiceError::field(
                "roles",
                "不能取消自己的系统管理员角色；请由另一位系统管理员操作",
            ));
        }
        let division = self.check_division(target.agency_id, f.division_id).await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        tx.update_user_profile(id, display.as_str(), division, now)
            .await?;
        tx.set_roles(id, &roles).await?;
        self.audit(&mut tx, actor, Some(target.agency_id), "user.update", ("user", id.to_string()), json!({
            "username": target.username,
            "display_name": [target.display_name, display.as_str()],
            "roles": [target.roles.iter().map(|r| r.id()).collect::<Vec<_>>(), roles.iter().map(|r| r.id()).collect::<Vec<_>>()],
            "division": [target.division_id.map(|d| d.0), division.map(|d| d.0)],
        })).await?;
        tx.commit().await?;
        self.user_or_404(id).await
    }

    /// Disables or re-enables an account. A disabled account cannot log in and its sessions end.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        id: UserId,
        disabled: bool,
    ) -> Result<User> {
        let target = self.user_or_404(id).await?;
        self.authorize(actor, Action::ManageUsers, target.agency_id)
            .await?;
        if let Actor::User(me) = actor
            && me.id == id
            && disabled
        {
            return Err(ServiceError::Refused("不能停用自己的账号".into()));
        }
        if target.disabled == disabled {
            return Ok(target);
        }
        let mut tx = self.store.begin().await?;
        tx.set_disabled(id, disabled, self.now_ms()).await?;
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        self.audit(
            &mut tx,
            actor,
            Some(target.agency_id),
            action,
            ("user", id.to_string()),
            json!({ "username": target.username }),
        )
        .await?;
        tx.commit().await?;
        self.user_or_404(id).await
    }
}

fn first_message(e: &ServiceError) -> String {
    match e {
        ServiceError::Invalid(v) => v.first().map(|f| f.message.clone()).unwrap_or_default(),
        e => e.to_string(),
    }
}

/// An agency name: 2–64 characters, no control characters.
pub(crate) fn agency_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    let n = s.chars().count();
    if n < 2 {
        return Err("请填写机关全称，例如“示例市应急管理局”".into());
    }
    if n > 64 {
        return Err(format!("机关名称最多 64 个字符，现为 {n} 个"));
    }
    if s.chars().any(char::is_control) {
        return Err("机关名称不能包含控制字符".into());
    }
    Ok(s.to_owned())
}
