//! Starting the service: database, migrations, secrets, then the HTTP server with graceful
//! shutdown (SIGTERM/SIGINT stop accepting, in-flight requests get `shutdown_timeout_secs`).
//! Alongside run: the outbox delivery thread (over SMTP when a mail server is configured, or
//! printing messages on the console in a local trial), the periodic promotion sweep unless its
//! interval is 0, the thread freezing the rankings of ended contests, the one cancelling unpaid
//! orders past their payment timeout, and the one feeding the asynchronous consumers of domain
//! events; all stop with the server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::HttpServer;

use crate::app::{self, AppState};
use crate::config::Config;
use crate::contests::worker as contest_worker;
use crate::db::{self, DatabaseUrl, DbPool, DbSetupError};
use crate::distribution::promotion;
use crate::distribution::worker::{self as promotion_worker, PromotionWorker};
use crate::events::worker as event_worker;
use crate::notify::console::ConsoleSender;
use crate::notify::sender::EmailSender;
use crate::notify::smtp::{SmtpSender, SmtpSetupError};
use crate::notify::worker;
use crate::orders::worker as order_worker;
use crate::secrets::{self, SecretError};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("invalid mail settings: {0}")]
    Mail(#[from] SmtpSetupError),
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
    let sender = message_sender(&config)?;
    let promotion_every = config.promotion_interval_secs;
    let providers = crate::payments::gateway::Providers::new(&config, cipher.clone());
    let state = AppState::new(pool.clone(), config, jwt_secret, cipher);
    let server = http_server(state, listener)?;
    let closer = contest_worker::spawn(pool.clone(), contest_worker::POLL_INTERVAL)?;
    let dispatcher = event_worker::spawn(pool.clone(), event_worker::POLL_INTERVAL)?;
    let expiry = order_worker::spawn(pool.clone(), order_worker::POLL_INTERVAL)?;
    let completion =
        order_worker::spawn_completion(pool.clone(), order_worker::COMPLETION_INTERVAL)?;
    let refunder = crate::payments::worker::spawn(
        pool.clone(),
        providers,
        crate::payments::worker::POLL_INTERVAL,
    )?;
    let delivery = match sender {
        Some(sender) => Some(worker::spawn(pool.clone(), sender, worker::POLL_INTERVAL)?),
        None => None,
    };
    let promotions = start_promotion_sweep(pool, promotion_every)?;
    tracing::info!(url = %format!("http://{addr}"), "Fenxiao is listening");
    println!("Fenxiao is serving on http://{addr}  (API docs: http://{addr}/api/docs/)");
    let result = server.await;
    closer.stop();
    dispatcher.stop();
    expiry.stop();
    completion.stop();
    refunder.stop();
    if let Some(delivery) = delivery {
        delivery.stop();
    }
    if let Some(promotions) = promotions {
        promotions.stop();
    }
    result?;
    tracing::info!("stopped");
    Ok(())
}

/// What delivers the outbox: the mail server when one is configured, the console in a local
/// trial (`Config::prints_messages`), else nothing and messages stay pending in the outbox.
fn message_sender(config: &Config) -> Result<Option<Arc<dyn EmailSender>>, ServeError> {
    if let Some(sender) = SmtpSender::from_config(config)? {
        tracing::info!(smtp = %sender.describe(), "delivering emails over SMTP");
        return Ok(Some(Arc::new(sender)));
    }
    if config.prints_messages() {
        tracing::warn!(
            "no mail server (FENXIAO_SMTP_URL): emails and SMS are printed on this console and \
             marked sent (FENXIAO_PRINT_MESSAGES=false turns this off)"
        );
        return Ok(Some(Arc::new(ConsoleSender::stdout())));
    }
    tracing::info!("FENXIAO_SMTP_URL is not set: emails and SMS stay pending in the outbox");
    Ok(None)
}

/// The periodic promotion sweep, unless its interval is 0.
fn start_promotion_sweep(
    pool: DbPool,
    every_secs: u64,
) -> std::io::Result<Option<PromotionWorker>> {
    if every_secs == 0 {
        tracing::info!("FENXIAO_PROMOTION_INTERVAL_SECS is 0: no periodic promotion sweep");
        return Ok(None);
    }
    promotion_worker::spawn(
        pool,
        Duration::from_secs(every_secs),
        promotion::DEFAULT_BATCH,
    )
    .map(Some)
}
