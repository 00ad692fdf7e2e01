//! The `fenxiao` command: `serve`, `migrate`, `openapi`, `admin`, `jobs`.

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
    /// Run a periodic job once (the server also runs them on its own).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Freeze the final ranking of every contest that has ended.
    CloseContests,
}

fn jobs(config: &Config, command: JobsCommand) -> Result<(), String> {
    let (pool, _) = server::prepare_database(config).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    match command {
        JobsCommand::CloseContests => {
            let closed = crate::contests::standings::close_due(&mut conn, crate::clock::now())
                .map_err(|e| describe(&e))?;
            println!("{} contest(s) closed", closed.len());
            Ok(())
        }
    }
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

/// An error as one line for a terminal: its detail and any field messages, in English.
fn describe(err: &crate::error::AppError) -> String {
    let problem = err.problem();
    let mut text = problem.detail.en.to_string();
    for field in &problem.errors {
        text.push_str(&format!("\n  {}: {}", field.field, field.message.en));
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
