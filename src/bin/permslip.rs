//! `permslip`: issue, verify and query signed permission snapshots from the command line.
//!
//! The commands live in the library (`permslip::cli`); this only parses and dispatches.
//! Exit codes: 0 success or allow, 1 deny, 2 usage error, 3 could not decide (bad input,
//! invalid or expired snapshot). Errors go to stderr as one line.

use std::process::ExitCode;

use clap::Parser;
use permslip::cli::{self, Cli, Command};

fn main() -> ExitCode {
    cli::exit(match Cli::parse().command() {
        Command::Keygen(args) => cli::keygen(&args),
        Command::Issue(args) => cli::issue(&args),
        Command::Verify(args) => cli::verify(&args),
        Command::Check(args) => cli::check(&args),
        Command::Explain(args) => cli::explain(&args),
        Command::Inspect(args) => cli::inspect(&args),
    })
}
