//! Migrations embedded in the binary, one folder per backend, numbered alike.

use rust_embed::RustEmbed;
use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::{Backend, Result, Store, StoreError};

#[derive(RustEmbed)]
#[folder = "migrations/"]
struct Files;

const MIGRATIONS_SQLITE: &str = "sqlite/";
const MIGRATIONS_POSTGRES: &str = "postgres/";

/// The migrations of one backend, sorted by version.
pub fn migrations(backend: Backend) -> Vec<Migration> {
    let prefix = match backend {
        Backend::Sqlite => MIGRATIONS_SQLITE,
        Backend::Postgres => MIGRATIONS_POSTGRES,
    };
    let mut out = Vec::new();
    for name in Files::iter().filter(|n| n.starts_with(prefix) && n.ends_with(".sql")) {
        let file = name.trim_start_matches(prefix).trim_end_matches(".sql");
        let Some((ver, desc)) = file.split_once('_') else {
            continue;
        };
        let Ok(version) = ver.parse::<i64>() else {
            continue;
        };
        let Some(data) = Files::get(&name) else {
            continue;
        };
        let sql = String::from_utf8_lossy(&data.data).into_owned();
        out.push(Migration::new(
            version,
            desc.replace('_', " ").into(),
            MigrationType::Simple,
            sqlx::AssertSqlSafe(sql).into_sql_str(),
            false,
        ));
    }
    out.sort_by_key(|m| m.version);
    out
}

impl Store {
    /// Applies pending migrations (PostgreSQL takes an advisory lock, so several instances may
    /// start at once). Refuses a database migrated by a newer version of gongkai.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = Migrator::with_migrations(migrations(self.backend));
        migrator
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: self.display_url.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let a: Vec<_> = migrations(Backend::Sqlite)
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect();
        let b: Vec<_> = migrations(Backend::Postgres)
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect();
        assert!(!a.is_empty());
        assert_eq!(a, b);
        assert_eq!(a[0].0, 1);
        for w in a.windows(2) {
            assert_eq!(w[1].0, w[0].0 + 1, "migrations are numbered without gaps");
        }
    }
}
