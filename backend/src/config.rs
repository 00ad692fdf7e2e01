//! Runtime configuration: defaults that work with nothing set, then an optional TOML file, then
//! `FENXIAO_*` environment variables (the highest precedence).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::notify::smtp::{self, SmtpUrl};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path/to/file.db` or `postgres://user@host:port/db`.
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Where generated secrets and the default SQLite database live.
    pub data_dir: PathBuf,
    /// The built SPA (`frontend/dist`); served at `/` when present.
    pub frontend_dir: PathBuf,
    /// Size of the database connection pool.
    pub db_pool_size: u32,
    /// Largest JSON request body accepted, in bytes.
    pub max_json_bytes: usize,
    /// Largest uploaded file (images, spreadsheets), in bytes.
    pub max_upload_bytes: usize,
    /// Number of HTTP worker threads; the number of cores when unset.
    pub workers: Option<usize>,
    /// Seconds given to in-flight requests on SIGTERM before the server stops.
    pub shutdown_timeout_secs: u64,
    /// `tracing` filter directives, e.g. `info` or `fenxiao=debug,actix_web=info`.
    pub log_level: String,
    pub log_format: LogFormat,
    /// Key for signing access tokens; generated into the data directory when not set.
    pub jwt_secret: Option<String>,
    /// Key (64 hex characters) for fields encrypted at rest; generated into the data directory
    /// when not set.
    pub encryption_key: Option<String>,
    /// The address people use to reach the service, for links in emails; `http://{bind}` when
    /// not set.
    pub public_url: Option<String>,
    /// Whether a verified merchant waits for the platform operator's approval before going live.
    pub merchant_approval_required: bool,
    /// Whether the platform operators, not the merchants' own staff, review products.
    pub platform_product_review: bool,
    /// Failed sign-ins within the window that lock an account.
    pub lockout_threshold: i32,
    pub lockout_window_minutes: i64,
    /// Requests per minute (and burst) one client address may make to sign-in, sign-up,
    /// verification and reset endpoints.
    pub auth_rate_limit_per_minute: u32,
    /// Mail server for outbox emails (format in `notify::smtp`); without it, emails stay pending
    /// in the outbox. May hold a password: never log it, log `SmtpUrl::describe` instead.
    pub smtp_url: Option<String>,
    /// The `From` of every email, e.g. `Fenxiao <no-reply@example.com>`.
    pub mail_from: String,
    /// Whether outgoing emails and SMS are printed on the console instead of sent; unset, they
    /// are exactly when no mail server is set and the service is reached at a loopback address
    /// (a local trial). See [`Config::prints_messages`].
    pub print_messages: Option<bool>,
    /// Seconds between two sweeps of the periodic promotion job while the server runs; 0 turns
    /// the sweep off (run `fenxiao jobs promote` from a scheduler instead).
    pub promotion_interval_secs: u64,
    /// WeChat Pay's API, where orders and refunds are created; another address only for a test
    /// double.
    pub wechatpay_api_base: String,
    /// Alipay's gateway, where buyers pay and refunds are made; another address only for Alipay's
    /// sandbox or a test double.
    pub alipay_gateway: String,
    /// Kuaidi100's API, where packages are queried and subscribed; another address only for a
    /// test double.
    pub kuaidi100_api_base: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/fenxiao.db".into(),
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            frontend_dir: PathBuf::from("frontend/dist"),
            db_pool_size: 10,
            max_json_bytes: 1024 * 1024,
            max_upload_bytes: 5 * 1024 * 1024,
            workers: None,
            shutdown_timeout_secs: 30,
            log_level: "info".into(),
            log_format: LogFormat::Human,
            jwt_secret: None,
            encryption_key: None,
            public_url: None,
            merchant_approval_required: false,
            platform_product_review: false,
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            auth_rate_limit_per_minute: 30,
            smtp_url: None,
            mail_from: "Fenxiao <no-reply@localhost>".into(),
            print_messages: None,
            promotion_interval_secs: 3600,
            wechatpay_api_base: "https://api.mch.weixin.qq.com".into(),
            alipay_gateway: "https://openapi.alipay.com/gateway.do".into(),
            kuaidi100_api_base: "https://poll.kuaidi100.com".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid value for {name}: {message}")]
    Env { name: &'static str, message: String },
}

/// Every environment variable the configuration reads, for documentation and for `apply_env`.
pub const ENV_VARS: &[&str] = &[
    "FENXIAO_CONFIG",
    "FENXIAO_DATABASE_URL",
    "FENXIAO_BIND",
    "FENXIAO_DATA_DIR",
    "FENXIAO_FRONTEND_DIR",
    "FENXIAO_DB_POOL_SIZE",
    "FENXIAO_MAX_JSON_BYTES",
    "FENXIAO_MAX_UPLOAD_BYTES",
    "FENXIAO_WORKERS",
    "FENXIAO_SHUTDOWN_TIMEOUT_SECS",
    "FENXIAO_LOG",
    "FENXIAO_LOG_FORMAT",
    "FENXIAO_JWT_SECRET",
    "FENXIAO_ENCRYPTION_KEY",
    "FENXIAO_PUBLIC_URL",
    "FENXIAO_MERCHANT_APPROVAL_REQUIRED",
    "FENXIAO_PLATFORM_PRODUCT_REVIEW",
    "FENXIAO_LOCKOUT_THRESHOLD",
    "FENXIAO_LOCKOUT_WINDOW_MINUTES",
    "FENXIAO_AUTH_RATE_LIMIT_PER_MINUTE",
    "FENXIAO_SMTP_URL",
    "FENXIAO_MAIL_FROM",
    "FENXIAO_PRINT_MESSAGES",
    "FENXIAO_PROMOTION_INTERVAL_SECS",
    "FENXIAO_WECHATPAY_API_BASE",
    "FENXIAO_ALIPAY_GATEWAY",
    "FENXIAO_KUAIDI100_API_BASE",
];

impl Config {
    /// Loads the configuration: the TOML file named by `file` (or `FENXIAO_CONFIG`), then the
    /// environment on top of it.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env_file = std::env::var_os("FENXIAO_CONFIG").map(PathBuf::from);
        let mut config = match file.map(Path::to_path_buf).or(env_file) {
            Some(path) => Self::from_toml_file(&path)?,
            None => Self::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    pub fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Overrides fields from variables looked up by `get` (the process environment in production,
    /// a map in tests).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
                name,
                message: e.to_string(),
            })
        }
        if let Some(v) = get("FENXIAO_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("FENXIAO_BIND") {
            self.bind = v;
        }
        if let Some(v) = get("FENXIAO_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("FENXIAO_FRONTEND_DIR") {
            self.frontend_dir = PathBuf::from(v);
        }
        if let Some(v) = get("FENXIAO_DB_POOL_SIZE") {
            self.db_pool_size = parse("FENXIAO_DB_POOL_SIZE", &v)?;
        }
        if let Some(v) = get("FENXIAO_MAX_JSON_BYTES") {
            self.max_json_bytes = parse("FENXIAO_MAX_JSON_BYTES", &v)?;
        }
        if let Some(v) = get("FENXIAO_MAX_UPLOAD_BYTES") {
            self.max_upload_bytes = parse("FENXIAO_MAX_UPLOAD_BYTES", &v)?;
        }
        if let Some(v) = get("FENXIAO_WORKERS") {
            self.workers = Some(parse("FENXIAO_WORKERS", &v)?);
        }
        if let Some(v) = get("FENXIAO_SHUTDOWN_TIMEOUT_SECS") {
            self.shutdown_timeout_secs = parse("FENXIAO_SHUTDOWN_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("FENXIAO_LOG") {
            self.log_level = v;
        }
        if let Some(v) = get("FENXIAO_LOG_FORMAT") {
            self.log_format = match v.trim().to_ascii_lowercase().as_str() {
                "human" => LogFormat::Human,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError::Env {
                        name: "FENXIAO_LOG_FORMAT",
                        message: format!("expected `human` or `json`, got `{other}`"),
                    })
                }
            };
        }
        if let Some(v) = get("FENXIAO_JWT_SECRET") {
            self.jwt_secret = Some(v);
        }
        if let Some(v) = get("FENXIAO_ENCRYPTION_KEY") {
            self.encryption_key = Some(v);
        }
        if let Some(v) = get("FENXIAO_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = get("FENXIAO_LOCKOUT_THRESHOLD") {
            self.lockout_threshold = parse("FENXIAO_LOCKOUT_THRESHOLD", &v)?;
        }
        if let Some(v) = get("FENXIAO_LOCKOUT_WINDOW_MINUTES") {
            self.lockout_window_minutes = parse("FENXIAO_LOCKOUT_WINDOW_MINUTES", &v)?;
        }
        if let Some(v) = get("FENXIAO_AUTH_RATE_LIMIT_PER_MINUTE") {
            self.auth_rate_limit_per_minute = parse("FENXIAO_AUTH_RATE_LIMIT_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("FENXIAO_PLATFORM_PRODUCT_REVIEW") {
            self.platform_product_review = parse("FENXIAO_PLATFORM_PRODUCT_REVIEW", &v)?;
        }
        if let Some(v) = get("FENXIAO_MERCHANT_APPROVAL_REQUIRED") {
            self.merchant_approval_required = parse("FENXIAO_MERCHANT_APPROVAL_REQUIRED", &v)?;
        }
        if let Some(v) = get("FENXIAO_SMTP_URL") {
            self.smtp_url = Some(v);
        }
        if let Some(v) = get("FENXIAO_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = get("FENXIAO_PRINT_MESSAGES").filter(|v| !v.trim().is_empty()) {
            self.print_messages = Some(parse("FENXIAO_PRINT_MESSAGES", &v)?);
        }
        if let Some(v) = get("FENXIAO_PROMOTION_INTERVAL_SECS") {
            self.promotion_interval_secs = parse("FENXIAO_PROMOTION_INTERVAL_SECS", &v)?;
        }
        if let Some(v) = get("FENXIAO_WECHATPAY_API_BASE").filter(|v| !v.trim().is_empty()) {
            self.wechatpay_api_base = v.trim().trim_end_matches('/').to_owned();
        }
        if let Some(v) = get("FENXIAO_ALIPAY_GATEWAY").filter(|v| !v.trim().is_empty()) {
            self.alipay_gateway = v.trim().to_owned();
        }
        if let Some(v) = get("FENXIAO_KUAIDI100_API_BASE").filter(|v| !v.trim().is_empty()) {
            self.kuaidi100_api_base = v.trim().trim_end_matches('/').to_owned();
        }
        self.validate()
    }

    /// Base URL for links that leave the system (emails), without a trailing slash.
    pub fn public_base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// The mail server URL, if one is set; an empty value (common in compose files) means none.
    pub fn smtp_url(&self) -> Option<&str> {
        self.smtp_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
    }

    /// Whether the server prints outgoing emails and SMS on its console (and marks them sent)
    /// instead of delivering them. As set by `FENXIAO_PRINT_MESSAGES`; unset, only in a local
    /// trial: no mail server, and the public base URL's host is a loopback address (`localhost`,
    /// `127.0.0.1`, `[::1]`), so that nobody but the person at this machine can reach the links.
    /// Never together with a mail server (refused by the validation).
    pub fn prints_messages(&self) -> bool {
        self.print_messages
            .unwrap_or_else(|| self.smtp_url().is_none() && self.is_local())
    }

    /// Whether the public base URL names this machine only.
    fn is_local(&self) -> bool {
        match url::Url::parse(&self.public_base_url())
            .ok()
            .and_then(|u| u.host().map(|h| h.to_owned()))
        {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.db_pool_size == 0 {
            return Err(ConfigError::Env {
                name: "FENXIAO_DB_POOL_SIZE",
                message: "must be at least 1".into(),
            });
        }
        if self.max_json_bytes < 1024 {
            return Err(ConfigError::Env {
                name: "FENXIAO_MAX_JSON_BYTES",
                message: "must be at least 1024".into(),
            });
        }
        if self.lockout_threshold < 1 || self.lockout_window_minutes < 1 {
            return Err(ConfigError::Env {
                name: "FENXIAO_LOCKOUT_THRESHOLD",
                message: "the lockout threshold and window must be at least 1".into(),
            });
        }
        if self.workers == Some(0) {
            return Err(ConfigError::Env {
                name: "FENXIAO_WORKERS",
                message: "must be at least 1".into(),
            });
        }
        // Parse errors never quote the URL, which may hold a password.
        if let Some(url) = self.smtp_url() {
            SmtpUrl::parse(url).map_err(|e| ConfigError::Env {
                name: "FENXIAO_SMTP_URL",
                message: e.to_string(),
            })?;
        }
        if self.print_messages == Some(true) && self.smtp_url().is_some() {
            return Err(ConfigError::Env {
                name: "FENXIAO_PRINT_MESSAGES",
                message: "cannot be true while FENXIAO_SMTP_URL is set: emails go to the mail \
                          server, and message contents are never printed next to it"
                    .into(),
            });
        }
        smtp::parse_mailbox(&self.mail_from).map_err(|e| ConfigError::Env {
            name: "FENXIAO_MAIL_FROM",
            message: e.to_string(),
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn with_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut config = Config::default();
        config.apply_env(|name| map.get(name).cloned())?;
        Ok(config)
    }

    #[test]
    fn defaults_work_with_nothing_set() {
        let config = with_env(&[]).unwrap();
        assert_eq!(config.database_url, "sqlite://data/fenxiao.db");
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.log_format, LogFormat::Human);
    }

    #[test]
    fn environment_overrides_defaults() {
        let config = with_env(&[
            ("FENXIAO_DATABASE_URL", "postgres://u@h/db"),
            ("FENXIAO_DB_POOL_SIZE", "4"),
            ("FENXIAO_LOG_FORMAT", "JSON"),
        ])
        .unwrap();
        assert_eq!(config.database_url, "postgres://u@h/db");
        assert_eq!(config.db_pool_size, 4);
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let err = with_env(&[("FENXIAO_DB_POOL_SIZE", "many")]).unwrap_err();
        assert!(err.to_string().contains("FENXIAO_DB_POOL_SIZE"), "{err}");
        let err = with_env(&[("FENXIAO_DB_POOL_SIZE", "0")]).unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
        let err = with_env(&[("FENXIAO_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(err.to_string().contains("FENXIAO_LOG_FORMAT"), "{err}");
    }

    #[test]
    fn promotion_sweep_interval() {
        assert_eq!(with_env(&[]).unwrap().promotion_interval_secs, 3600);
        let config = with_env(&[("FENXIAO_PROMOTION_INTERVAL_SECS", "0")]).unwrap();
        assert_eq!(config.promotion_interval_secs, 0);
        let err = with_env(&[("FENXIAO_PROMOTION_INTERVAL_SECS", "-1")]).unwrap_err();
        assert!(
            err.to_string().contains("FENXIAO_PROMOTION_INTERVAL_SECS"),
            "{err}"
        );
    }

    #[test]
    fn smtp_is_off_unless_configured() {
        let config = with_env(&[]).unwrap();
        assert_eq!(config.smtp_url(), None);
        assert_eq!(config.mail_from, "Fenxiao <no-reply@localhost>");
        let config = with_env(&[("FENXIAO_SMTP_URL", " ")]).unwrap();
        assert_eq!(config.smtp_url(), None, "blank means unset");
        let config = with_env(&[
            ("FENXIAO_SMTP_URL", "smtps://mailer:pw@smtp.example.com"),
            ("FENXIAO_MAIL_FROM", "Shop <shop@example.com>"),
        ])
        .unwrap();
        assert_eq!(
            config.smtp_url(),
            Some("smtps://mailer:pw@smtp.example.com")
        );
        assert_eq!(config.mail_from, "Shop <shop@example.com>");
    }

    #[test]
    fn messages_are_printed_in_a_local_trial_only() {
        assert!(
            with_env(&[]).unwrap().prints_messages(),
            "defaults: a local trial"
        );
        for public in [
            "http://localhost:8080",
            "http://127.0.0.1:8080",
            "http://[::1]:8080/",
        ] {
            let config = with_env(&[("FENXIAO_PUBLIC_URL", public)]).unwrap();
            assert!(config.prints_messages(), "{public}");
        }
        for (name, value) in [
            ("FENXIAO_PUBLIC_URL", "https://shop.example.com"),
            ("FENXIAO_BIND", "0.0.0.0:8080"),
            ("FENXIAO_SMTP_URL", "smtp://mail.example.com"),
            ("FENXIAO_PRINT_MESSAGES", "false"),
        ] {
            let config = with_env(&[(name, value)]).unwrap();
            assert!(!config.prints_messages(), "{name}={value}");
        }
        let forced = with_env(&[
            ("FENXIAO_PUBLIC_URL", "https://demo.example.com"),
            ("FENXIAO_PRINT_MESSAGES", "true"),
        ])
        .unwrap();
        assert!(forced.prints_messages(), "set explicitly");
        let blank = with_env(&[("FENXIAO_PRINT_MESSAGES", " ")]).unwrap();
        assert_eq!(blank.print_messages, None, "blank means unset");
        let err = with_env(&[
            ("FENXIAO_SMTP_URL", "smtp://mail.example.com"),
            ("FENXIAO_PRINT_MESSAGES", "true"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("FENXIAO_PRINT_MESSAGES"), "{err}");
        let err = with_env(&[("FENXIAO_PRINT_MESSAGES", "yes")]).unwrap_err();
        assert!(err.to_string().contains("FENXIAO_PRINT_MESSAGES"), "{err}");
    }

    #[test]
    fn bad_mail_settings_name_the_variable_but_not_the_password() {
        let err = with_env(&[("FENXIAO_SMTP_URL", "http://u:hunter2@h")]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("FENXIAO_SMTP_URL"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        let err = with_env(&[("FENXIAO_MAIL_FROM", "nobody")]).unwrap_err();
        assert!(err.to_string().contains("FENXIAO_MAIL_FROM"), "{err}");
    }

    #[test]
    fn toml_file_is_read_and_unknown_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("fenxiao-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "bind = \"0.0.0.0:9000\"\ndb_pool_size = 3\n").unwrap();
        let config = Config::from_toml_file(&good).unwrap();
        assert_eq!(config.bind, "0.0.0.0:9000");
        assert_eq!(config.db_pool_size, 3);
        assert_eq!(config.database_url, "sqlite://data/fenxiao.db");

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "bindd = \"x\"\n").unwrap();
        assert!(matches!(
            Config::from_toml_file(&bad),
            Err(ConfigError::Parse { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
