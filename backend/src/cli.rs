//! The `fenxiao` command: `serve`, `migrate`, `openapi`, `admin`, `jobs`, `seed`, `bench-network`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::{api, server, telemetry};

#[derive(Debug, Parser)]
#[command(name = "fenxiao", version, about = "Fenxiao distribution platform")]
pub struct Cli {
    /// A TOML configuration file; `FENXIAO_*` environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the API and the SPA.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document (as committed in openapi/openapi.json).
    Openapi,
    /// Platform operator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Run a background job once, e.g. from cron.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Fill a merchant with a large distributor tree (deep chains and wide fans), for demos and
    /// benchmarks. Seeded members cannot sign in.
    Seed {
        /// How many distributors (and members) to add.
        #[arg(long, default_value_t = 10_000)]
        distributors: usize,
        /// Add them to this merchant instead of a new one.
        #[arg(long)]
        merchant: Option<i64>,
        /// Seed of the random shape: the same number gives the same tree.
        #[arg(long, default_value_t = 20_261_127)]
        shape_seed: u64,
    },
    /// Time the distributor tree's queries and writes on a seeded merchant (see
    /// docs/performance.md). The writes add a few distributors and sales to it.
    BenchNetwork {
        /// The merchant `fenxiao seed` reported.
        #[arg(long)]
        merchant: i64,
        /// Repetitions of each fast read; slower operations run a tenth as often.
        #[arg(long, default_value_t = 2_000)]
        repetitions: usize,
        /// Only the reads; leave the data as it is.
        #[arg(long)]
        read_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Promote every active distributor of every merchant who earned a higher tier (what the
    /// server does every `FENXIAO_PROMOTION_INTERVAL_SECS`).
    Promote {
        /// Distributors read per batch.
        #[arg(long, default_value_t = crate::distribution::promotion::DEFAULT_BATCH,
              value_parser = clap::value_parser!(i64).range(1..=100_000))]
        batch_size: i64,
    },
    /// Freeze the final ranking of every contest that has ended (what the server does every
    /// minute).
    CloseContests,
    /// Hand every asynchronous consumer of domain events what it has not handled yet (what the
    /// server does every second).
    DispatchEvents,
    /// Cancel every unpaid order whose payment timeout has passed and give its stock back (what
    /// the server does every 30 seconds).
    ExpireOrders,
    /// Complete every shipped order whose days after shipping have run out (what the server does
    /// every minute).
    CompleteOrders,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a platform operator. The password is read from the first line of standard input,
    /// so it never appears in the process list or the shell history.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (10+ characters, letters and digits): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("no password given on standard input".into());
    }
    Ok(password)
}

fn admin(config: &Config, command: AdminCommand) -> Result<(), String> {
    match command {
        AdminCommand::Create { email, name } => {
            let password = read_password()?;
            let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let id = crate::platform::operators::create(&mut conn, &email, &name, &password)
                .map_err(|e| describe(&e))?;
            println!(
                "platform operator {id} created for {}",
                email.trim().to_lowercase()
            );
            Ok(())
        }
    }
}

fn jobs(config: &Config, command: JobsCommand) -> Result<(), String> {
    match command {
        JobsCommand::Promote { batch_size } => {
            let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let report = crate::distribution::promotion::run_periodic(
                &mut conn,
                crate::clock::now(),
                batch_size,
                || true,
            )
            .map_err(|e| describe(&e))?;
            println!(
                "{} active distributor(s) evaluated in {} batch(es): {} promoted, {} failed",
                report.evaluated, report.batches, report.promoted, report.failed
            );
            if report.failed > 0 {
                return Err(format!(
                    "{} evaluation(s) failed; see the log",
                    report.failed
                ));
            }
            Ok(())
        }
        JobsCommand::ExpireOrders => {
            let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let report = crate::orders::lifecycle::expire_all(&mut conn, crate::clock::now())
                .map_err(|e| describe(&e))?;
            println!(
                "{} unpaid order(s) cancelled, {} paid or cancelled meanwhile, {} failed",
                report.cancelled, report.skipped, report.failed
            );
            if report.failed > 0 {
                return Err(format!("{} order(s) failed; see the log", report.failed));
            }
            Ok(())
        }
        JobsCommand::CompleteOrders => {
            let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let report = crate::orders::completion::complete_all(&mut conn, crate::clock::now())
                .map_err(|e| describe(&e))?;
            println!(
                "{} shipped order(s) completed, {} completed or changed meanwhile, {} failed",
                report.completed, report.skipped, report.failed
            );
            if report.failed > 0 {
                return Err(format!("{} order(s) failed; see the log", report.failed));
            }
            Ok(())
        }
        JobsCommand::CloseContests => {
            let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let closed = crate::contests::standings::close_due(&mut conn, crate::clock::now())
                .map_err(|e| describe(&e))?;
            println!("{} contest(s) closed", closed.len());
            Ok(())
        }
        JobsCommand::DispatchEvents => {
            let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let mut failed = 0;
            for result in crate::events::consumers::drain_all(&mut conn, crate::clock::now()) {
                let drained = result.map_err(|e| describe(&e))?;
                let state = match (&drained.last, drained.last.failed) {
                    (_, Some(event)) => {
                        failed += 1;
                        format!("failed at event {event}; see the log")
                    }
                    (last, None) if !last.claimed && !last.idle => {
                        "busy elsewhere or backing off".to_owned()
                    }
                    (last, None) => format!("position {}", last.position),
                };
                println!(
                    "{}: {} event(s) handled, {state}",
                    drained.consumer, drained.handled
                );
            }
            if failed > 0 {
                return Err(format!("{failed} consumer(s) failed"));
            }
            Ok(())
        }
    }
}

fn seed(config: &Config, options: crate::network::seed::SeedOptions) -> Result<(), String> {
    let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let report = crate::network::seed::run(&mut conn, &options).map_err(|e| describe(&e))?;
    println!(
        "merchant {}: {} distributors seeded under root {} ({} closure rows, deepest level {}) in {:.1}s",
        report.merchant_id,
        report.distributors,
        report.root_id,
        report.paths,
        report.max_depth,
        report.elapsed.as_secs_f64()
    );
    Ok(())
}

fn bench_network(
    config: &Config,
    options: crate::network::bench::BenchOptions,
) -> Result<(), String> {
    let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let (header, timings) =
        crate::network::bench::run(&mut conn, &options).map_err(|e| describe(&e))?;
    println!("{header}\n");
    print!("{}", crate::network::bench::render(&timings));
    Ok(())
}

/// An error as one line for a terminal: its detail and any field messages, in English.
fn describe(err: &crate::error::AppError) -> String {
    let problem = err.problem();
    let mut text = problem.detail.en.to_string();
    for field in &problem.errors {
        let message = field.message.render(crate::error::Lang::En);
        text.push_str(&format!("\n  {}: {message}", field.field));
    }
    text
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", api::openapi_json());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("fenxiao: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_level, config.log_format);
    let result = match cli.command {
        Command::Serve => actix_web::rt::System::new()
            .block_on(server::serve(config))
            .map_err(|e| e.to_string()),
        Command::Migrate => server::prepare_database(&config)
            .map(|(_, applied)| println!("{applied} migration(s) applied"))
            .map_err(|e| e.to_string()),
        Command::Admin { command } => admin(&config, command),
        Command::Jobs { command } => jobs(&config, command),
        Command::Seed {
            distributors,
            merchant,
            shape_seed,
        } => seed(
            &config,
            crate::network::seed::SeedOptions {
                distributors,
                merchant_id: merchant.map(crate::db::ids::MerchantId),
                shape_seed,
                progress: true,
            },
        ),
        Command::BenchNetwork {
            merchant,
            repetitions,
            read_only,
        } => bench_network(
            &config,
            crate::network::bench::BenchOptions {
                merchant_id: crate::db::ids::MerchantId(merchant),
                repetitions,
                writes: !read_only,
            },
        ),
        Command::Openapi => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "fenxiao failed");
            eprintln!("fenxiao: {err}");
            ExitCode::FAILURE
        }
    }
}
