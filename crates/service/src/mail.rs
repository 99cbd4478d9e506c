//! Reminder e-mail over SMTP (lettre; plain, STARTTLS or SMTPS with rustls). Configured per
//! instance (`--smtp-url`, `--smtp-from`); each agency names the mailbox that receives its
//! reminders. Without SMTP the reminders are shown on the dashboard and written to the log.

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{Result, Service, ServiceError};

/// The SMTP server and sender of this instance.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465`.
    pub url: String,
    /// The sender address, e.g. `gongkai@example.gov.cn`.
    pub from: String,
}

impl SmtpConfig {
    /// Checks the URL and the sender address (at start-up, so a typo stops the server with a
    /// message instead of failing silently at the first reminder).
    pub fn check(&self) -> std::result::Result<(), String> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.url).map_err(|e| {
            format!(
                "SMTP 地址“{}”无效：{e}。格式如 smtp://主机:25、smtp://用户:密码@主机:587?tls=required、smtps://用户:密码@主机:465",
                redact(&self.url)
            )
        })?;
        self.from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("发件地址“{}”无效：{e}", self.from))?;
        Ok(())
    }
}

fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, _)), Some(at)) => format!("{scheme}://***{}", &url[at..]),
        _ => url.to_owned(),
    }
}

impl Service {
    /// Whether reminder e-mail is configured on this instance.
    pub fn mail_configured(&self) -> bool {
        self.config.smtp.is_some()
    }

    /// Sends one plain-text message; an error says what failed (never the password).
    pub(crate) async fn send_mail(&self, to: &str, subject: &str, body: &str) -> Result<()> {
        let Some(smtp) = &self.config.smtp else {
            return Err(ServiceError::Refused("本实例未配置 SMTP 发信服务器".into()));
        };
        let fail = |e: &dyn std::fmt::Display| ServiceError::Internal(format!("mail: {e}"));
        let msg = Message::builder()
            .from(smtp.from.parse().map_err(|e| fail(&e))?)
            .to(to.parse().map_err(|e| fail(&e))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| fail(&e))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
            .map_err(|e| fail(&e))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        transport.send(msg).await.map_err(|e| fail(&e))?;
        Ok(())
    }
}
