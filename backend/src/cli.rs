//! The `fenxiao` command: `serve`, `migrate`, `openapi`.

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
