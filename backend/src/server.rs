//! Starting the service: database, migrations, secrets, then the HTTP server with graceful
//! shutdown (SIGTERM/SIGINT stop accepting, in-flight requests get `shutdown_timeout_secs`).

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::HttpServer;

use crate::app::{self, AppState};
use crate::config::Config;
use crate::db::{self, DatabaseUrl, DbPool, DbSetupError};
use crate::secrets::{self, SecretError};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the pool and applies pending migrations; returns the pool and how many migrations ran.
pub fn prepare_database(config: &Config) -> Result<(DbPool, usize), DbSetupError> {
    let url = DatabaseUrl::parse(&config.database_url)?;
    let pool = db::build_pool(&url, config.db_pool_size)?;
    let applied = db::run_migrations(&mut *pool.get()?)?;
    Ok((pool, applied))
}

/// The HTTP server on an already bound listener (the tests bind port 0).
pub fn http_server(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let config = state.config.clone();
    let mut server = HttpServer::new(move || app::build(state.clone()))
        .shutdown_timeout(config.shutdown_timeout_secs);
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }
    Ok(server.listen(listener)?.run())
}

pub async fn serve(config: Config) -> Result<(), ServeError> {
    let backend = DatabaseUrl::parse(&config.database_url)?.backend();
    let (pool, applied) = prepare_database(&config)?;
    tracing::info!(
        database = %db::redact_password(&config.database_url),
        backend = backend.name(),
        applied,
        "database ready"
    );
    let jwt_secret = secrets::jwt_secret(config.jwt_secret.as_deref(), &config.data_dir)?;
    let cipher = secrets::encryption_key(config.encryption_key.as_deref(), &config.data_dir)?;
    let listener = TcpListener::bind(&config.bind).map_err(|source| ServeError::Bind {
        addr: config.bind.clone(),
        source,
    })?;
    let addr = listener.local_addr()?;
    if !config.frontend_dir.join("index.html").is_file() {
        tracing::warn!(
            dir = %config.frontend_dir.display(),
            "no built SPA found; serving the API only (run `make run` to build it)"
        );
    }
    let state = AppState::new(pool, config, jwt_secret, cipher);
    let server = http_server(state, listener)?;
    tracing::info!(url = %format!("http://{addr}"), "Fenxiao is listening");
    println!("Fenxiao is serving on http://{addr}  (API docs: http://{addr}/api/docs/)");
    server.await?;
    tracing::info!("stopped");
    Ok(())
}
