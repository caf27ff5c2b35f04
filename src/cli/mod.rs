//! The `permslip` command line (feature `cli`): its arguments and one function per command;
//! `src/bin/permslip.rs` only parses and dispatches.
//!
//! The commands read and write files, the clock and randomness, which the rest of the crate
//! never does; what they decide comes from the library (issuing policy from [`crate::issue`],
//! verification and answers from [`crate::verified`]).
//!
//! Exit codes: 0 success or allow, 1 deny, 2 usage error (clap's), 3 could not decide (bad
//! input, invalid or expired snapshot). Errors go to stderr as one line.

mod error;
mod inspect;
mod io;
mod issue;
mod keygen;
mod query;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use error::CliError;
pub use inspect::inspect;
pub use issue::issue;
pub use keygen::keygen;
pub use query::{check, explain, verify};

/// Exit code of a check that denies.
pub const EXIT_DENY: u8 = 1;
/// Exit code of an error: the command could not decide.
pub const EXIT_ERROR: u8 = 3;

/// The exit code of a command's outcome; an error is printed to stderr first, as one line.
pub fn exit(outcome: Result<u8, CliError>) -> ExitCode {
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("permslip: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The command line.
#[derive(Parser)]
#[command(
    name = "permslip",
    version,
    about = "Signed, expiring, per-user permission snapshots"
)]
#[command(
    after_help = "Exit codes: 0 success/allow, 1 deny, 2 usage error, 3 error (invalid input or snapshot)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// The command to run.
    pub fn command(self) -> Command {
        self.command
    }
}

/// One command and its arguments.
#[derive(Subcommand)]
pub enum Command {
    /// Create an Ed25519 signing key: private JWK to --out (or stdout), public JWKS to --jwks.
    Keygen(KeygenArgs),
    /// Issue a signed snapshot for one user (to stdout) or for every user (--out-dir).
    Issue(IssueArgs),
    /// Verify a snapshot and print its claims summary as JSON.
    Verify(VerifyArgs),
    /// Answer one check: prints `allow` or `deny <reason>`; exit 0 allow, 1 deny.
    Check(QueryArgs),
    /// Explain one check as JSON; exit 0 allow, 1 deny.
    Explain(QueryArgs),
    /// Print a verified snapshot's profile (roles, teams, permissions with provenance) and, with
    /// --menu, the visible navigation ids. Without --jwks, decode only and mark it unverified.
    Inspect(InspectArgs),
}

#[expect(
    missing_docs,
    reason = "a doc comment would replace the command's help text"
)]
#[derive(Args)]
pub struct KeygenArgs {
    /// Key id (`kid`) written into every token this key signs.
    #[arg(long)]
    kid: String,
    /// File for the private JWK (keep it secret). Default: stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// File for the public JWKS. Default: not written.
    #[arg(long)]
    jwks: Option<PathBuf>,
}

#[expect(
    missing_docs,
    reason = "a doc comment would replace the command's help text"
)]
#[derive(Args)]
pub struct IssueArgs {
    /// Model file (JSON).
    #[arg(long)]
    model: PathBuf,
    /// Directory file (JSON).
    #[arg(long)]
    directory: PathBuf,
    /// Private JWK file of the signing key.
    #[arg(long)]
    key: PathBuf,
    /// User id to issue for (prints the token).
    #[arg(long, conflicts_with = "out_dir", required_unless_present = "out_dir")]
    subject: Option<String>,
    /// Issue for every user of the directory into DIR/<user>.jwt.
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Issuer (`iss`).
    #[arg(long, default_value = "permslip-demo-issuer")]
    iss: String,
    /// Audience (`aud`).
    #[arg(long, default_value = "permslip-demo")]
    aud: String,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 900)]
    ttl: u64,
    /// Issue time in Unix seconds. Default: the system clock.
    #[arg(long)]
    now: Option<u64>,
    /// Monotonic serial for anti-rollback. Default: the issue time.
    #[arg(long)]
    serial: Option<u64>,
    /// Where the catalogue travels: `inline` in every snapshot, as a signed `bundle`
    /// (catalogue.jwt beside the snapshots, or --catalogue-out), or `auto`: bundle when some
    /// user's inline snapshot would exceed 4096 bytes (a cookie).
    #[arg(long, value_enum, default_value_t = CatalogueArg::Auto)]
    catalogue: CatalogueArg,
    /// File for the catalogue bundle with --subject. Default: not written.
    #[arg(long)]
    catalogue_out: Option<PathBuf>,
    /// Token format: `jws` (the slip, compiled by every verifier) or `lite` (the decisions,
    /// compiled here, for `permslip/lite`; docs/LITE.md). Lite tokens carry no catalogue
    /// and are written to DIR/<user>.lite.jwt with --out-dir.
    #[arg(long, value_enum, default_value_t = FormatArg::Jws)]
    format: FormatArg,
}

/// `--format`: [`crate::issue::TokenFormat`] under its command-line names.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Jws,
    Lite,
}

/// `--catalogue`: [`crate::issue::CatalogueMode`] under its command-line names.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CatalogueArg {
    Auto,
    Inline,
    Bundle,
}

#[expect(
    missing_docs,
    reason = "a doc comment would replace the command's help text"
)]
#[derive(Args)]
pub struct VerifyArgs {
    /// Token, `-` for stdin, or @FILE.
    token: String,
    /// JWKS file with the issuer's public keys.
    #[arg(long)]
    jwks: PathBuf,
    /// Expected audience.
    #[arg(long, default_value = "permslip-demo")]
    aud: String,
    /// Expected issuer. Default: any.
    #[arg(long)]
    iss: Option<String>,
    /// Expected subject. Default: any.
    #[arg(long)]
    sub: Option<String>,
    /// Current time in Unix seconds. Default: the system clock.
    #[arg(long)]
    now: Option<u64>,
    /// Clock leeway in seconds.
    #[arg(long, default_value_t = crate::token::DEFAULT_LEEWAY)]
    leeway: u64,
    /// Minimum serial accepted (anti-rollback).
    #[arg(long, default_value_t = 0)]
    min_serial: u64,
    /// The catalogue bundle, for snapshots issued with `--catalogue bundle`.
    #[arg(long)]
    catalogue: Option<PathBuf>,
}

#[expect(
    missing_docs,
    reason = "a doc comment would replace the command's help text"
)]
#[derive(Args)]
pub struct QueryArgs {
    #[command(flatten)]
    verify: VerifyArgs,
    #[command(flatten)]
    query: Query,
}

#[derive(Args)]
#[group(skip)]
struct Query {
    /// Permission id to check.
    #[arg(long, conflicts_with_all = ["feature", "resource"], required_unless_present_any = ["feature", "resource"])]
    permission: Option<String>,
    /// Scope value for --permission.
    #[arg(long, requires = "permission")]
    scope: Option<String>,
    /// Feature to check --action on.
    #[arg(long, conflicts_with = "resource", requires = "action")]
    feature: Option<String>,
    /// Resource id to check --action on.
    #[arg(long, requires = "action")]
    resource: Option<String>,
    /// Action for --feature / --resource.
    #[arg(long)]
    action: Option<String>,
}

#[expect(
    missing_docs,
    reason = "a doc comment would replace the command's help text"
)]
#[derive(Args)]
pub struct InspectArgs {
    /// Token, `-` for stdin, or @FILE.
    token: String,
    /// JWKS file; without it the token is decoded, not verified.
    #[arg(long)]
    jwks: Option<PathBuf>,
    /// Expected audience (with --jwks).
    #[arg(long, default_value = "permslip-demo")]
    aud: String,
    /// Current time in Unix seconds. Default: the system clock.
    #[arg(long)]
    now: Option<u64>,
    /// A model file whose `nav` tree is filtered for this user.
    #[arg(long)]
    menu: Option<PathBuf>,
    /// The catalogue bundle, for snapshots issued with `--catalogue bundle`.
    #[arg(long)]
    catalogue: Option<PathBuf>,
}
