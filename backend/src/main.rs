use std::process::ExitCode;

fn main() -> ExitCode {
    fenxiao::cli::run()
}
