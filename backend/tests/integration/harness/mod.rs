//! The integration-test harness: every test gets the real application, served over real HTTP on
//! a random port, on a fresh database of its own — a temporary SQLite file, or a PostgreSQL
//! database cloned from a migrated template (when `FENXIAO_TEST_POSTGRES_URL` is set).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::OnceLock;

use actix_web::dev::ServerHandle;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_migrations::MigrationHarness;
use fenxiao::app::AppState;
use fenxiao::config::Config;
use fenxiao::db::{self, Backend, DbConnection, DbPool, POSTGRES_MIGRATIONS};
use fenxiao::payments::gateway::Providers;
use fenxiao::secrets::SecretKey;
use fenxiao::server;

mod answers;
mod client;
mod fixtures;
mod seed;

pub use answers::*;
pub use client::*;
pub use fixtures::*;
pub use seed::*;

/// Declares one test body that runs on SQLite and on PostgreSQL, as `name::sqlite` and
/// `name::postgres`.
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let app =
                    $crate::harness::TestApp::spawn($crate::harness::TestBackend::Sqlite).await;
                ($body)(app).await;
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::harness::TestApp::postgres().await {
                    ($body)(app).await;
                }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

pub struct TestApp {
    pub base_url: String,
    /// The database the app uses, for a second process to share (the crash test).
    pub database_url: String,
    /// The HTTP client behind `anonymous()` and `bearer()`.
    http: reqwest::Client,
    pub pool: DbPool,
    pub backend: Backend,
    handle: ServerHandle,
    database: Option<TestDatabase>,
    /// Scratch directory for data files (secrets, uploads) of this test.
    pub data_dir: tempfile::TempDir,
    /// Where the app's payment providers are, for running the refund job from a test.
    pub providers: Providers,
}

pub fn postgres_admin_url() -> Option<String> {
    let url = std::env::var("FENXIAO_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let required = std::env::var("FENXIAO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if url.is_none() && required {
        panic!("FENXIAO_REQUIRE_POSTGRES=1 but FENXIAO_TEST_POSTGRES_URL is not set");
    }
    url
}

/// `postgres://u@h:5432/postgres?x=y` with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("database URL has a scheme");
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let query = tail.find('?').map(|i| &tail[i..]).unwrap_or("");
    format!("{scheme}://{authority}/{name}{query}")
}

/// A name that changes whenever a PostgreSQL migration changes, so stale templates are never used.
fn template_name() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    // FNV-1a over paths and contents: stable across runs and platforms.
    let mut hash: u64 = 0xcbf29ce484222325;
    for path in entries {
        let bytes = std::fs::read(&path).expect("read migration");
        for b in path.to_string_lossy().bytes().chain(bytes) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    format!("fenxiao_tpl_{hash:016x}")
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(
                path.strip_prefix(dir)
                    .map(|p| p.to_path_buf())
                    .unwrap_or(path),
            );
        }
    }
    out.into_iter()
        .map(|p| if p.is_absolute() { p } else { dir.join(p) })
        .collect()
}

fn admin_connection(admin_url: &str) -> PgConnection {
    PgConnection::establish(admin_url).unwrap_or_else(|e| {
        panic!(
            "cannot connect to FENXIAO_TEST_POSTGRES_URL ({}): {e}",
            db::redact_password(admin_url)
        )
    })
}

/// Creates the migrated template database once per template name (an advisory lock keeps
/// parallel test processes from racing).
fn ensure_template(admin_url: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = template_name();
            let mut admin = admin_connection(admin_url);
            admin
                .batch_execute("SELECT pg_advisory_lock(727274)")
                .expect("advisory lock");
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = BigInt)]
                n: i64,
            }
            let existing: Count = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}'"
            ))
            .get_result(&mut admin)
            .expect("look up template");
            if existing.n == 0 {
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}_building"))
                    .expect("create template");
                {
                    let mut conn = PgConnection::establish(&with_database(
                        admin_url,
                        &format!("{name}_building"),
                    ))
                    .expect("connect to template");
                    conn.run_pending_migrations(POSTGRES_MIGRATIONS)
                        .expect("migrate template");
                }
                // Renaming last means a half-built template is never picked up.
                admin
                    .batch_execute(&format!("ALTER DATABASE {name}_building RENAME TO {name}"))
                    .expect("publish template");
            }
            admin
                .batch_execute("SELECT pg_advisory_unlock(727274)")
                .expect("advisory unlock");
            name
        })
        .clone()
}

/// Templates of earlier migration sets are of no more use; dropping them keeps the server tidy.
/// One still being copied by another run is left alone (the drop fails and is ignored).
fn drop_stale_templates(admin: &mut PgConnection, current: &str) {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let stale: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'fenxiao\\_tpl\\_%' AND datname NOT LIKE '%\\_building'",
    )
    .load(admin)
    .unwrap_or_default();
    for Name { datname } in stale.into_iter().filter(|n| n.datname != current) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {datname}"));
    }
}

fn test_config(database_url: String, data_dir: &std::path::Path) -> Config {
    Config {
        database_url,
        data_dir: data_dir.to_path_buf(),
        frontend_dir: data_dir.join("no-frontend"),
        db_pool_size: 4,
        max_json_bytes: 64 * 1024,
        workers: Some(1),
        auth_rate_limit_per_minute: 10_000,
        shutdown_timeout_secs: 1,
        ..Config::default()
    }
}

impl TestApp {
    /// On PostgreSQL, or `None` (with a note on stderr) when no test server is configured.
    pub async fn postgres() -> Option<TestApp> {
        if postgres_admin_url().is_none() {
            eprintln!("postgres variant not run: FENXIAO_TEST_POSTGRES_URL is not set");
            return None;
        }
        Some(TestApp::spawn(TestBackend::Postgres).await)
    }

    pub async fn spawn(backend: TestBackend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Like `spawn`, with a chance to adjust the configuration first.
    pub async fn spawn_with(backend: TestBackend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (database_url, database) = match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                (url, TestDatabase::Sqlite(dir))
            }
            TestBackend::Postgres => {
                let admin_url = postgres_admin_url().expect("FENXIAO_TEST_POSTGRES_URL");
                let template = ensure_template(&admin_url);
                let name = format!("fenxiao_test_{}", uuid::Uuid::new_v4().simple());
                admin_connection(&admin_url)
                    .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .expect("create test database");
                (
                    with_database(&admin_url, &name),
                    TestDatabase::Postgres { admin_url, name },
                )
            }
        };
        let mut config = test_config(database_url, data_dir.path());
        adjust(&mut config);
        let (pool, _) = server::prepare_database(&config).expect("database");
        let backend = match backend {
            TestBackend::Sqlite => Backend::Sqlite,
            TestBackend::Postgres => Backend::Postgres,
        };
        TestApp::start(config, pool, backend, Some(database), data_dir)
    }

    /// An app whose database cannot be reached (nothing listens on the port), for the paths that
    /// must degrade gracefully.
    pub async fn spawn_without_database() -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let url = "postgres://postgres@127.0.0.1:1/unreachable";
        let config = test_config(url.into(), data_dir.path());
        let manager = db::ConnectionManager::new(db::DatabaseUrl::parse(url).expect("url"));
        let pool = diesel::r2d2::Pool::builder()
            .connection_timeout(std::time::Duration::from_millis(500))
            .build_unchecked(manager);
        TestApp::start(config, pool, Backend::Postgres, None, data_dir)
    }

    fn start(
        config: Config,
        pool: DbPool,
        backend: Backend,
        database: Option<TestDatabase>,
        data_dir: tempfile::TempDir,
    ) -> TestApp {
        let database_url = config.database_url.clone();
        let mut providers = Providers::new(&config, fenxiao::crypto::Cipher::new(&[42u8; 32]));
        let state = AppState::new(
            pool.clone(),
            config,
            test_jwt_key(),
            fenxiao::crypto::Cipher::new(&[42u8; 32]),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        providers.notify_base = format!("http://127.0.0.1:{port}");
        let server = server::http_server(state, listener).expect("server");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            base_url: format!("http://127.0.0.1:{port}"),
            database_url,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            pool,
            backend,
            handle,
            database,
            data_dir,
            providers,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn conn(&self) -> db::PooledConnection {
        self.pool.get().expect("connection")
    }

    /// Number of rows in a table, to prove that a refused request wrote nothing.
    pub fn count(&self, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let conn: &mut DbConnection = &mut self.conn();
        diesel::sql_query(format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"))
            .get_result::<Count>(conn)
            .expect("count rows")
            .n
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the runtime ends with the test anyway.
        drop(self.handle.stop(false));
        if let Some(TestDatabase::Postgres { admin_url, name }) = self.database.take() {
            let _ = admin_connection(&admin_url)
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The key the test apps sign tokens with (so tests can forge expired or foreign tokens).
pub fn test_jwt_key() -> SecretKey {
    SecretKey::from_bytes(b"test-secret-key-with-enough-bytes-0123456789".to_vec())
}
