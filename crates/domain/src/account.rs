//! Account rules: user names, display names, the password policy and login throttling.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A login name: 3–32 characters of `a-z 0-9 . _ -`, starting with a letter or digit; stored
/// lower-case so `Zhang.San` and `zhang.san` are one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        let n = s.chars().count();
        if !(3..=32).contains(&n) {
            return Err("用户名须为 3–32 个字符（小写字母、数字、点、下划线、连字符）".into());
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err("用户名只能包含小写字母、数字、点（.）、下划线（_）和连字符（-）".into());
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("用户名须以字母或数字开头".into());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown in the back office and the audit log: 1–32 characters, trimmed, no
/// control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let n = s.chars().count();
        if n == 0 {
            return Err("请填写姓名".into());
        }
        if n > 32 {
            return Err(format!("姓名最多 32 个字符，现为 {n} 个"));
        }
        if s.chars().any(char::is_control) {
            return Err("姓名不能包含控制字符".into());
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a password was refused; `Display` is the Chinese message shown beside the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少 {min} 个字符，现为 {got} 个")]
    TooShort { min: usize, got: usize },
    #[error("密码最多 {max} 个字符")]
    TooLong { max: usize },
    #[error("密码须包含以下四类中的至少三类：小写字母、大写字母、数字、符号")]
    TooFewClasses,
    #[error("密码不能包含用户名")]
    ContainsUsername,
    #[error("两次输入的密码不一致")]
    Mismatch,
}

/// A password that meets the policy (GB/T 22239 等保 "身份鉴别": length and complexity).
/// Never logged: `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    /// Checks the policy. `confirm` is the second entry of a form, when there is one.
    pub fn parse(
        pw: &str,
        confirm: Option<&str>,
        username: Option<&Username>,
    ) -> Result<Self, PasswordError> {
        if let Some(c) = confirm
            && c != pw
        {
            return Err(PasswordError::Mismatch);
        }
        let n = pw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(PasswordError::TooShort {
                min: Self::MIN_CHARS,
                got: n,
            });
        }
        if n > Self::MAX_CHARS {
            return Err(PasswordError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let classes = [
            pw.chars().any(|c| c.is_ascii_lowercase()),
            pw.chars().any(|c| c.is_ascii_uppercase()),
            pw.chars().any(|c| c.is_ascii_digit()),
            pw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|&&b| b).count() < 3 {
            return Err(PasswordError::TooFewClasses);
        }
        if let Some(u) = username
            && pw.to_ascii_lowercase().contains(u.as_str())
        {
            return Err(PasswordError::ContainsUsername);
        }
        Ok(Self(pw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Login throttling (登录失败处理): limits on recent failed attempts.
///
/// Counts live in the database so every instance behind a load balancer sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Window over which failures are counted, in milliseconds.
    pub window_ms: i64,
    /// Failures per account within the window before the account is locked for the rest of it.
    pub per_account: u32,
    /// Failures per client address within the window.
    pub per_address: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            window_ms: 15 * 60 * 1000,
            per_account: 5,
            per_address: 20,
        }
    }
}

impl ThrottlePolicy {
    /// Whether a login may be tried, given the times (ms) of the recent failures of the account
    /// and of the address. When refused, the instant (ms) when it may be tried again.
    pub fn check(
        &self,
        now_ms: i64,
        account_failures: &[i64],
        address_failures: &[i64],
    ) -> Result<(), i64> {
        let recent = |f: &[i64]| {
            let mut v: Vec<i64> = f
                .iter()
                .copied()
                .filter(|&t| t > now_ms - self.window_ms)
                .collect();
            v.sort_unstable();
            v
        };
        let mut until = None;
        for (fails, limit) in [
            (recent(account_failures), self.per_account),
            (recent(address_failures), self.per_address),
        ] {
            if fails.len() >= limit as usize {
                // Allowed again when enough of the failures have left the window.
                let idx = fails.len() - limit as usize;
                let t = fails[idx] + self.window_ms;
                until = Some(until.map_or(t, |u: i64| u.max(t)));
            }
        }
        match until {
            Some(t) => Err(t),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Zhang.San ").unwrap().as_str(),
            "zhang.san"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("张三").is_err());
        assert!(Username::parse("-abc").is_err());
    }

    #[test]
    fn password_policy() {
        let u = Username::parse("zhangsan").unwrap();
        assert!(Password::parse("Abcdefgh12", None, Some(&u)).is_ok());
        assert_eq!(
            Password::parse("short1A", None, None),
            Err(PasswordError::TooShort { min: 10, got: 7 })
        );
        assert_eq!(
            Password::parse("abcdefghijk", None, None),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(
            Password::parse("Zhangsan-2026", None, Some(&u)),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            Password::parse("Abcdefgh12", Some("x"), None),
            Err(PasswordError::Mismatch)
        );
        assert_eq!(
            format!("{:?}", Password::parse("Abcdefgh12", None, None).unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn throttle_locks_after_limit_and_releases_after_window() {
        let p = ThrottlePolicy {
            window_ms: 1000,
            per_account: 3,
            per_address: 10,
        };
        assert!(p.check(5000, &[4100, 4200], &[]).is_ok());
        assert_eq!(p.check(5000, &[4100, 4200, 4300], &[]), Err(5100));
        assert!(p.check(5101, &[4100, 4200, 4300], &[]).is_ok());
        // Old failures do not count.
        assert!(p.check(5000, &[1, 2, 3, 4], &[]).is_ok());
    }
}
