//! Templates and the pages every feature shares (errors, not found).

use std::sync::LazyLock;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::DateTime;
use gongkai_domain::beijing;
use gongkai_service::ServiceError;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use rust_embed::RustEmbed;
use serde::Serialize;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct Files;

/// The compiled templates (embedded in release builds, read from disk in debug builds).
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

static TEMPLATES: LazyLock<Templates> = LazyLock::new(Templates::load);

/// `ms | dt` → `2026-11-26 13:45`; `ms | dt("date")` → `2026-11-26`.
fn dt(ms: i64, kind: Option<&str>) -> String {
    let Some(t) = DateTime::from_timestamp_millis(ms) else {
        return String::new();
    };
    let t = t.with_timezone(&beijing());
    match kind {
        Some("date") => t.format("%Y-%m-%d").to_string(),
        Some("seconds") => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        _ => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The Chinese label of a role id.
fn role_label(id: &str) -> String {
    id.parse::<gongkai_domain::Role>()
        .map_or_else(|_| id.to_owned(), |r| r.label().to_owned())
}

/// The Chinese label of an audit action id.
pub fn action_label(id: &str) -> String {
    let l = match id {
        "site.setup_link" => "生成初始化链接",
        "agency.create" => "新建机关",
        "agency.update" => "修改机关",
        "division.create" => "新建处室",
        "division.update" => "修改处室",
        "user.create" => "新建用户",
        "user.update" => "修改用户",
        "user.disable" => "停用用户",
        "user.enable" => "启用用户",
        "user.password_reset" => "重置密码",
        "user.password_set" => "设置密码",
        "user.password_change" => "修改密码",
        "auth.login" => "登录",
        "auth.login_failed" => "登录失败",
        "auth.logout" => "退出登录",
        "demo.load" => "载入演示数据",
        "column.standard" => "建立标准栏目",
        "column.create" => "新建栏目",
        "column.update" => "修改栏目",
        "column.move" => "调整栏目顺序",
        "column.delete" => "删除栏目",
        "calendar.import" => "导入节假日安排",
        "agency.credit_code" => "设置统一社会信用代码",
        "guide.update" => "更新政府信息公开指南",
        "settings.publishing" => "修改审核流程与敏感词",
        "item.create" => "起草信息",
        "item.attach" => "上传附件",
        "item.detach" => "删除附件",
        "item.update" => "修改信息",
        "item.mask" => "屏蔽个人信息",
        "item.submit" => "送审",
        "item.approve" => "审核同意",
        "item.reject" => "审核退回",
        "item.schedule" => "定时发布",
        "item.publish" => "发布信息",
        "item.withdraw" => "撤回信息",
        "site.id_code" => "设置网站标识码",
        "application.attach" => "依申请公开：上传材料",
        "application.export" => "依申请公开：导出案卷",
        "application.settings" => "修改依申请公开设置",
        "proceeding.save" => "登记复议诉讼",
        "annual_report.draft" => "年度报告：建立草稿",
        "annual_report.figure" => "年度报告：录入数据",
        "annual_report.narrative" => "年度报告：修改正文",
        "annual_report.submit" => "年度报告：定稿送审",
        "annual_report.restate" => "年度报告：建立更正版本",
        "annual_report.import" => "年度报告：导入已公开的报告",
        other => {
            // Case events: `application.<event>` with the event's label.
            if let Some(event) = other.strip_prefix("application.") {
                let label = gongkai_domain::application::event_label(event);
                if label != "其他事项" {
                    return format!("依申请公开：{label}");
                }
            }
            return id.to_owned();
        }
    };
    l.to_owned()
}

impl Templates {
    pub fn load() -> Self {
        let mut env = Environment::new();
        // Semi-strict: an undefined value is false in a test but an error when printed.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for name in Files::iter() {
            if let Some(f) = Files::get(&name) {
                let src = String::from_utf8_lossy(&f.data).into_owned();
                if let Err(e) = env.add_template_owned(name.to_string(), src) {
                    tracing::error!(template = %name, error = %e, "template does not compile");
                }
            }
        }
        env.add_filter("dt", dt);
        env.add_filter("role_label", |s: String| role_label(&s));
        env.add_filter("action_label", |s: String| action_label(&s));
        env.add_filter("pii_label", |s: String| {
            match s.as_str() {
                "id_card18" => "居民身份证号码",
                "id_card15" => "疑似 15 位身份证号码",
                "mobile" => "手机号码",
                "bank_card" => "银行卡号",
                "secret_marker" => "密级标志",
                "sensitive_word" => "敏感词",
                _ => "其他",
            }
            .to_owned()
        });
        env.add_global(
            "roles",
            ser(gongkai_domain::Role::ALL
                .iter()
                .map(|r| (r.id(), r.label()))
                .collect::<Vec<_>>()),
        );
        Self { env }
    }

    /// Renders a template; a template error is logged and becomes a plain 500 page.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, String> {
        let t = self.env.get_template(name).map_err(|e| e.to_string())?;
        t.render(ctx).map_err(|e| format!("{e:#}"))
    }

    /// Names of every template (for the test that renders them all).
    pub fn names() -> Vec<String> {
        Files::iter().map(|n| n.to_string()).collect()
    }
}

/// Renders a non-HTML template (feeds, sitemap), whose values the handler escaped.
pub fn render_raw(name: &str, ctx: Value) -> Result<String, String> {
    TEMPLATES.render(name, ctx)
}

/// Renders `name` with `ctx` as an HTML response with `status`.
pub fn page(status: StatusCode, name: &str, ctx: Value) -> Response {
    match TEMPLATES.render(name, ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed");
            plain_500()
        }
    }
}

fn plain_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>系统错误</title><h1>系统内部错误</h1><p>请稍后再试；如持续出现请联系系统管理员。</p></html>"),
    )
        .into_response()
}

/// An error page with a title and what to do next.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    // Error pages are rendered without the session: no user menu, the generic site name.
    page(
        status,
        "error.html",
        context! {
            title, message, status => status.as_u16(), site_name => "政府信息公开平台", user => (), csrf => (),
        care => false, path => "/",
        },
    )
}

/// Turns a service error into the page a person sees; internal detail goes to the log only.
pub fn service_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::Forbidden { .. } => {
            error_page(StatusCode::FORBIDDEN, "没有权限", &e.to_string())
        }
        ServiceError::NotFound(_) => error_page(StatusCode::NOT_FOUND, "未找到", &e.to_string()),
        ServiceError::Conflict(_) => error_page(StatusCode::CONFLICT, "已存在", &e.to_string()),
        ServiceError::Refused(_) => error_page(StatusCode::BAD_REQUEST, "无法办理", &e.to_string()),
        ServiceError::Invalid(v) => {
            let msg = v
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("；");
            error_page(StatusCode::UNPROCESSABLE_ENTITY, "提交的内容有误", &msg)
        }
        ServiceError::Store(inner) => {
            tracing::error!(error = %inner, "store error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统内部错误",
                &e.to_string(),
            )
        }
        ServiceError::Internal(inner) => {
            tracing::error!(error = %inner, "internal error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统内部错误",
                &e.to_string(),
            )
        }
    }
}

/// Field errors as a map `field → message` for templates.
pub fn field_errors(e: &ServiceError) -> std::collections::BTreeMap<&'static str, String> {
    match e {
        ServiceError::Invalid(v) => v.iter().map(|f| (f.field, f.message.clone())).collect(),
        _ => std::collections::BTreeMap::new(),
    }
}

/// Turns the framework's plain-text rejections (a body that is not a form, a wrong content type,
/// a path parameter that is not a number, a body over the limit) into a Chinese page that says
/// what to do. On a page address (GET), a malformed number in the path is a page that does not
/// exist.
pub async fn plain_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let read = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let resp = next.run(req).await;
    let plain = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !plain || !resp.status().is_client_error() {
        return resp;
    }
    match resp.status() {
        StatusCode::PAYLOAD_TOO_LARGE => error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "提交的内容过大",
            "请求内容超过允许的大小，请删减后重试。",
        ),
        StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST if read => error_page(
            StatusCode::NOT_FOUND,
            "页面不存在",
            "地址中的编号无效，请从列表中重新打开。",
        ),
        s => error_page(
            s,
            "请求格式有误",
            "提交的内容无法识别。请通过页面上的表单提交；如使用脚本，请以 application/x-www-form-urlencoded 格式提交并附带 X-CSRF-Token。",
        ),
    }
}

#[allow(clippy::needless_pass_by_value)] // the signature CatchPanicLayer expects
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    plain_500()
}

/// Back-office pages and the application pages carry personal data or one-time codes: no
/// browser or proxy may keep them.
pub async fn no_store_private(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let private = {
        let p = req.uri().path();
        p.starts_with("/admin") || p.starts_with("/apply")
    };
    let mut resp = next.run(req).await;
    if private
        && !resp
            .headers()
            .contains_key(axum::http::header::CACHE_CONTROL)
    {
        resp.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("private, no-store"),
        );
    }
    resp
}

/// Any serialisable value as a template value.
pub fn ser<T: Serialize>(t: T) -> Value {
    Value::from(minijinja::value::Serde(t))
}

/// An empty `field → message` map, for a form shown without errors.
pub fn no_errors() -> Value {
    ser(std::collections::BTreeMap::<String, String>::new())
}

/// A file to download (`inline` shows it in the browser), named in UTF-8.
pub(crate) fn file_response(
    content_type: &str,
    name: &str,
    bytes: Vec<u8>,
    inline: bool,
) -> Response {
    let disposition = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{}", utf8_percent(name)),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `s` percent-encoded for `filename*=UTF-8''…` (RFC 5987).
pub(crate) fn utf8_percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_beijing_time() {
        // 2026-01-01T00:00:00Z is 08:00 in Beijing.
        assert_eq!(dt(1_767_225_600_000, None), "2026-01-01 08:00");
        assert_eq!(dt(1_767_225_600_000, Some("date")), "2026-01-01");
    }

    #[test]
    fn every_template_compiles() {
        let t = Templates::load();
        for n in Templates::names() {
            assert!(t.env.get_template(&n).is_ok(), "{n}");
        }
    }
}
