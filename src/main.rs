//! The `zhili` binary: parse the command line, run it, map an error to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = zhili::cli::Cli::parse();
    match zhili::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            zhili::cli::print_error(&err);
            std::process::ExitCode::FAILURE
        }
    }
}
