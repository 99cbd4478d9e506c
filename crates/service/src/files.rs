//! Where attachment and application files live: a folder of the data directory by default, or
//! an S3-compatible bucket (Aliyun OSS, Tencent COS, Huawei OBS, MinIO, AWS S3) so that several
//! instances share them. Both go through `object_store`; files are content-addressed by their
//! SHA-256 (`ab/abcdef…`), so a key is written once and never changes.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};

/// The settings of an S3-compatible bucket.
#[derive(Clone, Default)]
pub struct S3Config {
    pub bucket: String,
    /// `https://oss-cn-beijing.aliyuncs.com`, `http://127.0.0.1:9000`; `None` = AWS for the region.
    pub endpoint: Option<String>,
    pub region: String,
    /// Key prefix inside the bucket (`gongkai/files`); empty = the bucket's root.
    pub prefix: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// `bucket.endpoint/key` requests (Aliyun OSS and Tencent COS require them) instead of
    /// `endpoint/bucket/key` (MinIO and most self-hosted servers).
    pub virtual_hosted: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is never printed.
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .field("virtual_hosted", &self.virtual_hosted)
            .finish_non_exhaustive()
    }
}

/// The file storage of an instance.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    prefix: String,
    description: String,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

/// Name of the small object [`FileStore::check`] writes and reads back.
const PROBE: &str = "gongkai-storage-check";

impl FileStore {
    /// Files in a local folder (created if missing).
    pub fn local(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("无法创建附件目录 {}：{e}", dir.display()))?;
        let fs = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| format!("无法使用附件目录 {}：{e}", dir.display()))?;
        Ok(Self {
            inner: Arc::new(fs),
            prefix: String::new(),
            description: format!("本地目录 {}", dir.display()),
        })
    }

    /// Files in an S3-compatible bucket. Nothing is contacted yet: call [`FileStore::check`].
    pub fn s3(c: &S3Config) -> Result<Self, String> {
        // reqwest is built without a crypto provider of its own; ring is the one in the build.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let bucket = c.bucket.trim();
        if bucket.is_empty() {
            return Err("未指定对象存储的存储桶名称（--s3-bucket）".into());
        }
        let region = if c.region.trim().is_empty() {
            "us-east-1"
        } else {
            c.region.trim()
        };
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(region)
            .with_virtual_hosted_style_request(c.virtual_hosted)
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_mins(1)),
            )
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
                ..RetryConfig::default()
            });
        let mut place = format!("s3://{bucket}");
        if let Some(e) = c
            .endpoint
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            if !(e.starts_with("https://") || e.starts_with("http://")) {
                return Err(format!(
                    "对象存储地址“{e}”须以 https:// 或 http:// 开头，如 https://oss-cn-beijing.aliyuncs.com"
                ));
            }
            b = b
                .with_endpoint(request_endpoint(e, bucket, c.virtual_hosted))
                .with_allow_http(e.starts_with("http://"));
            place = format!("{place}，地址 {e}");
        }
        // Keys are required: without them the client would ask a cloud metadata service.
        let (Some(id), Some(secret)) = (&c.access_key_id, &c.secret_access_key) else {
            return Err(
                "请在环境变量 GONGKAI_S3_ACCESS_KEY_ID 与 GONGKAI_S3_SECRET_ACCESS_KEY 中提供对象存储的访问密钥（两者都要）"
                    .into(),
            );
        };
        b = b.with_access_key_id(id).with_secret_access_key(secret);
        let store = b.build().map_err(|e| format!("对象存储配置有误：{e}"))?;
        let prefix = c.prefix.trim_matches('/').to_owned();
        Ok(Self {
            inner: Arc::new(store),
            description: if prefix.is_empty() {
                format!("对象存储 {place}")
            } else {
                format!("对象存储 {place}，前缀 {prefix}/")
            },
            prefix,
        })
    }

    /// Where the files are, for messages and the log.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn key(&self, name: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(name)
        } else {
            Key::from(format!("{}/{name}", self.prefix))
        }
    }

    /// The key of a content hash: `ab/abcdef…`.
    fn file_key(&self, sha: &str) -> Key {
        self.key(&format!("{}/{sha}", &sha[..2.min(sha.len())]))
    }

    /// Writes a small object and reads it back, so that a wrong address, bucket or key is
    /// reported when the server starts rather than at the first upload.
    pub async fn check(&self) -> Result<(), String> {
        let key = self.key(PROBE);
        let fail = |e: object_store::Error| {
            format!(
                "附件存储不可用（{}）：{}。请检查地址、存储桶、区域与访问密钥，以及该密钥的读写权限",
                self.description,
                causes(&e)
            )
        };
        self.inner
            .put(&key, b"ok".to_vec().into())
            .await
            .map_err(fail)?;
        let back = self
            .inner
            .get(&key)
            .await
            .map_err(fail)?
            .bytes()
            .await
            .map_err(fail)?;
        if back.as_ref() != b"ok" {
            return Err(format!(
                "附件存储（{}）读回的内容与写入的不同",
                self.description
            ));
        }
        Ok(())
    }

    /// Stores a file under its hash, unless it is already there.
    pub(crate) async fn put(&self, sha: &str, bytes: &[u8]) -> Result<(), String> {
        let key = self.file_key(sha);
        match self.inner.head(&key).await {
            Ok(meta) if meta.size == bytes.len() as u64 => return Ok(()),
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(format!("{}: {}", self.description, causes(&e))),
        }
        self.inner
            .put(&key, bytes.to_vec().into())
            .await
            .map(|_| ())
            .map_err(|e| format!("{}: {}", self.description, causes(&e)))
    }

    /// A stored file's bytes; `None` if there is no such file.
    pub(crate) async fn get(&self, sha: &str) -> Result<Option<Vec<u8>>, String> {
        let key = self.file_key(sha);
        let r = match self.inner.get(&key).await {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(format!("{}: {}", self.description, causes(&e))),
        };
        r.bytes()
            .await
            .map(|b| Some(b.to_vec()))
            .map_err(|e| format!("{}: {}", self.description, causes(&e)))
    }
}

/// The endpoint requests go to: for virtual-hosted style the bucket is part of the host
/// (`https://oss-cn-beijing.aliyuncs.com` → `https://gongkai.oss-cn-beijing.aliyuncs.com`), as
/// object_store expects it there; an endpoint that already starts with the bucket is kept.
fn request_endpoint(endpoint: &str, bucket: &str, virtual_hosted: bool) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    if !virtual_hosted {
        return endpoint.to_owned();
    }
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
    if rest.starts_with(&format!("{bucket}.")) {
        endpoint.to_owned()
    } else {
        format!("{scheme}://{bucket}.{rest}")
    }
}

/// An error with its chain of causes (the HTTP client's own message hides the TLS or
/// connection failure underneath).
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(c) = next {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(" ← ");
            out.push_str(&s);
        }
        next = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_keeps_files_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FileStore::local(&dir.path().join("files")).unwrap();
        fs.check().await.unwrap();
        let sha = "ab".repeat(32);
        assert_eq!(fs.get(&sha).await.unwrap(), None);
        fs.put(&sha, "正文".as_bytes()).await.unwrap();
        fs.put(&sha, "正文".as_bytes()).await.unwrap();
        assert_eq!(fs.get(&sha).await.unwrap().unwrap(), "正文".as_bytes());
        // The layout of earlier versions: files/ab/abab…
        assert!(dir.path().join("files/ab").join(&sha).is_file());
    }

    #[test]
    fn bucket_settings_are_checked_before_use() {
        let ok = S3Config {
            bucket: "gongkai".into(),
            endpoint: Some("https://oss-cn-beijing.aliyuncs.com".into()),
            region: "oss-cn-beijing".into(),
            prefix: "/gk/files/".into(),
            access_key_id: Some("AKID".into()),
            secret_access_key: Some("s3cr3t-value".into()),
            virtual_hosted: true,
        };
        let fs = FileStore::s3(&ok).unwrap();
        assert_eq!(
            fs.description(),
            "对象存储 s3://gongkai，地址 https://oss-cn-beijing.aliyuncs.com，前缀 gk/files/"
        );
        assert_eq!(
            fs.file_key(&"cd".repeat(32)).as_ref(),
            format!("gk/files/cd/{}", "cd".repeat(32))
        );
        assert!(
            !format!("{ok:?}").contains("s3cr3t"),
            "the secret is never printed"
        );
        assert_eq!(
            request_endpoint("https://oss-cn-beijing.aliyuncs.com/", "gongkai", true),
            "https://gongkai.oss-cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            request_endpoint(
                "https://gongkai.cos.ap-beijing.myqcloud.com",
                "gongkai",
                true
            ),
            "https://gongkai.cos.ap-beijing.myqcloud.com"
        );
        assert_eq!(
            request_endpoint("http://127.0.0.1:9000", "gongkai", false),
            "http://127.0.0.1:9000"
        );
        let err = |c: S3Config| FileStore::s3(&c).unwrap_err();
        assert!(
            err(S3Config {
                bucket: " ".into(),
                ..ok.clone()
            })
            .contains("--s3-bucket")
        );
        assert!(
            err(S3Config {
                endpoint: Some("oss-cn-beijing.aliyuncs.com".into()),
                ..ok.clone()
            })
            .contains("https://")
        );
        assert!(
            err(S3Config {
                secret_access_key: None,
                ..ok.clone()
            })
            .contains("GONGKAI_S3_SECRET_ACCESS_KEY")
        );
        assert!(
            err(S3Config {
                access_key_id: None,
                secret_access_key: None,
                ..ok.clone()
            })
            .contains("GONGKAI_S3_ACCESS_KEY_ID")
        );
    }
}
