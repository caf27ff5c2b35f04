//! `permslip`: issue, verify and query signed permission snapshots from the command line.
//!
//! Exit codes: 0 success or allow, 1 deny, 2 usage error, 3 could not decide (bad input,
//! invalid or expired snapshot). Errors go to stderr as one line.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use permslip::engine::Explanation;
use permslip::issue::{catalogue_of, lite_token, slip_for, slip_for_bundle};
use permslip::lite::{is_lite_token, LiteSnapshot};
use permslip::model::{Directory, Model, NavItem};
use permslip::slip::{Slip, SLIP_VERSION};
use permslip::snapshot::Snapshot;
use permslip::token::{
    base64url, jwks_json, sign, sign_catalogue, verify_catalogue, Audience, CatalogueClaims,
    Claims, Jwks, SigningKey, VerifyOptions,
};

const EXIT_DENY: u8 = 1;
const EXIT_ERROR: u8 = 3;

#[derive(Parser)]
#[command(
    name = "permslip",
    version,
    about = "Signed, expiring, per-user permission snapshots"
)]
#[command(
    after_help = "Exit codes: 0 success/allow, 1 deny, 2 usage error, 3 error (invalid input or snapshot)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an Ed25519 signing key: private JWK to --out (or stdout), public JWKS to --jwks.
    Keygen {
        /// Key id (`kid`) written into every token this key signs.
        #[arg(long)]
        kid: String,
        /// File for the private JWK (keep it secret). Default: stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// File for the public JWKS. Default: not written.
        #[arg(long)]
        jwks: Option<PathBuf>,
    },
    /// Issue a signed snapshot for one user (to stdout) or for every user (--out-dir).
    Issue(IssueArgs),
    /// Verify a snapshot and print its claims summary as JSON.
    Verify(VerifyArgs),
    /// Answer one check: prints `allow` or `deny <reason>`; exit 0 allow, 1 deny.
    Check {
        #[command(flatten)]
        verify: VerifyArgs,
        #[command(flatten)]
        query: Query,
    },
    /// Explain one check as JSON; exit 0 allow, 1 deny.
    Explain {
        #[command(flatten)]
        verify: VerifyArgs,
        #[command(flatten)]
        query: Query,
    },
    /// Print a verified snapshot's profile (roles, teams, permissions with provenance) and, with
    /// --menu, the visible navigation ids. Without --jwks, decode only and mark it unverified.
    Inspect {
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
    },
}

#[derive(Args)]
struct IssueArgs {
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
    #[arg(long, value_enum, default_value_t = CatalogueMode::Auto)]
    catalogue: CatalogueMode,
    /// File for the catalogue bundle with --subject. Default: not written.
    #[arg(long)]
    catalogue_out: Option<PathBuf>,
    /// Token format: `jws` (the slip, compiled by every verifier) or `lite` (the decisions,
    /// compiled here, for `permslip/lite`; docs/LITE.md). Lite tokens carry no catalogue
    /// and are written to DIR/<user>.lite.jwt with --out-dir.
    #[arg(long, value_enum, default_value_t = Format::Jws)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Jws,
    Lite,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CatalogueMode {
    Auto,
    Inline,
    Bundle,
}

/// Tokens above this size no longer fit a cookie.
const COOKIE_BYTES: usize = 4096;

#[derive(Args)]
struct VerifyArgs {
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
    #[arg(long, default_value_t = permslip::token::DEFAULT_LEEWAY)]
    leeway: u64,
    /// Minimum serial accepted (anti-rollback).
    #[arg(long, default_value_t = 0)]
    min_serial: u64,
    /// The catalogue bundle, for snapshots issued with `--catalogue bundle`.
    #[arg(long)]
    catalogue: Option<PathBuf>,
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

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("permslip: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Keygen { kid, out, jwks } => keygen(&kid, out.as_deref(), jwks.as_deref()),
        Command::Issue(args) => issue(&args),
        Command::Verify(args) => {
            let summary = match load_any(&args)? {
                Loaded::Full(snapshot) => summary(&snapshot),
                Loaded::Lite(lite) => lite_summary(&lite),
            };
            println!("{summary}");
            Ok(0)
        }
        Command::Check { verify, query } => {
            let e = explain(&load_any(&verify)?, &query)?;
            if e.allowed {
                println!("allow");
            } else {
                println!("deny {}", e.reason.code());
            }
            Ok(if e.allowed { 0 } else { EXIT_DENY })
        }
        Command::Explain { verify, query } => {
            let e = explain(&load_any(&verify)?, &query)?;
            println!("{}", to_json(&e)?);
            Ok(if e.allowed { 0 } else { EXIT_DENY })
        }
        Command::Inspect {
            token,
            jwks,
            aud,
            now,
            menu,
            catalogue,
        } => inspect(
            &token,
            jwks.as_deref(),
            &aud,
            now,
            menu.as_deref(),
            catalogue,
        ),
    }
}

fn keygen(kid: &str, out: Option<&Path>, jwks: Option<&Path>) -> Result<u8, String> {
    let mut seed = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| format!("cannot read randomness: {e}"))?;
    let key = SigningKey::from_seed(kid, &seed);
    match out {
        Some(path) => write_private(path, &key.to_private_jwk())?,
        None => println!("{}", key.to_private_jwk()),
    }
    if let Some(path) = jwks {
        write(path, &jwks_json(&[&key]))?;
    }
    Ok(0)
}

fn issue(args: &IssueArgs) -> Result<u8, String> {
    let model: Model = read_json(&args.model)?;
    let directory: Directory = read_json(&args.directory)?;
    let key = SigningKey::from_jwk(&read(&args.key)?)
        .map_err(|e| format!("`{}`: {e}", args.key.display()))?;
    let now = args.now.unwrap_or_else(system_now);
    let claims_for = |subject: &str, slip: Slip| Claims {
        iss: args.iss.clone(),
        sub: subject.to_owned(),
        aud: Audience::One(args.aud.clone()),
        iat: now,
        nbf: Some(now),
        exp: now.saturating_add(args.ttl),
        jti: None,
        serial: args.serial.unwrap_or(now),
        psv: SLIP_VERSION,
        slip,
    };
    let inline_for = |subject: &str| -> Result<String, String> {
        let slip = slip_for(&model, &directory, subject).map_err(|e| e.to_string())?;
        Ok(sign(&claims_for(subject, slip), &key))
    };
    if args.format == Format::Lite {
        let lite_for = |subject: &str| -> Result<String, String> {
            let slip = slip_for(&model, &directory, subject).map_err(|e| e.to_string())?;
            lite_token(&claims_for(subject, slip), &key).map_err(|e| e.to_string())
        };
        return match (&args.subject, &args.out_dir) {
            (Some(subject), _) => {
                println!("{}", lite_for(subject)?);
                Ok(0)
            }
            (None, Some(dir)) => {
                fs::create_dir_all(dir).map_err(|e| format!("`{}`: {e}", dir.display()))?;
                for user in &directory.users {
                    let path = dir.join(format!("{}.lite.jwt", user.id));
                    write(&path, &lite_for(&user.id)?)?;
                    eprintln!("{}", path.display());
                }
                Ok(0)
            }
            (None, None) => Err("give --subject or --out-dir".into()),
        };
    }
    let bundle = match args.catalogue {
        CatalogueMode::Inline => false,
        CatalogueMode::Bundle => true,
        CatalogueMode::Auto => {
            let mut too_big = false;
            for user in &directory.users {
                too_big |= inline_for(&user.id)?.len() > COOKIE_BYTES;
            }
            too_big
        }
    };
    let (catalogue_token, hash) = if bundle {
        let claims = CatalogueClaims {
            iss: args.iss.clone(),
            aud: Audience::One(args.aud.clone()),
            iat: now,
            exp: None,
            psv: SLIP_VERSION,
            catalogue: catalogue_of(&model),
        };
        let (token, hash) = sign_catalogue(&claims, &key);
        (Some(token), hash)
    } else {
        (None, String::new())
    };
    let token_for = |subject: &str| -> Result<String, String> {
        if !bundle {
            return inline_for(subject);
        }
        let slip =
            slip_for_bundle(&model, &directory, subject, &hash).map_err(|e| e.to_string())?;
        Ok(sign(&claims_for(subject, slip), &key))
    };
    match (&args.subject, &args.out_dir) {
        (Some(subject), _) => {
            println!("{}", token_for(subject)?);
            match (&catalogue_token, &args.catalogue_out) {
                (Some(token), Some(path)) => write(path, token)?,
                (Some(_), None) => {
                    return Err(
                        "this snapshot names a catalogue bundle: give --catalogue-out".into(),
                    )
                }
                _ => {}
            }
        }
        (None, Some(dir)) => {
            fs::create_dir_all(dir).map_err(|e| format!("`{}`: {e}", dir.display()))?;
            let stale = dir.join("catalogue.jwt");
            match &catalogue_token {
                Some(token) => write(&stale, token)?,
                // An old bundle beside inline snapshots would only mislead.
                None if stale.exists() => fs::remove_file(&stale).map_err(|e| e.to_string())?,
                None => {}
            }
            for user in &directory.users {
                let path = dir.join(format!("{}.jwt", user.id));
                write(&path, &token_for(&user.id)?)?;
                eprintln!("{}", path.display());
            }
        }
        (None, None) => return Err("give --subject or --out-dir".into()),
    }
    Ok(0)
}

/// Verifies a full snapshot: `token` is the token itself (`args.token` already read: stdin
/// can be read only once).
fn load(token: &str, args: &VerifyArgs) -> Result<Snapshot, String> {
    let jwks = Jwks::from_json(&read(&args.jwks)?)
        .map_err(|e| format!("`{}`: {e}", args.jwks.display()))?;
    let opts = verify_options(args);
    let catalogue = match &args.catalogue {
        Some(path) => Some(
            verify_catalogue(&token_arg(&format!("@{}", path.display()))?, &jwks, &opts)
                .map_err(|e| format!("{e} ({})", e.code()))?,
        ),
        None => None,
    };
    Snapshot::verify_with(token, catalogue.as_ref(), &jwks, &opts)
        .map_err(|e| format!("{e} ({})", e.code()))
}

/// A verified snapshot of either format.
enum Loaded {
    Full(Box<Snapshot>),
    Lite(LiteSnapshot),
}

/// Verifies a full or a lite token (told apart by the header).
fn load_any(args: &VerifyArgs) -> Result<Loaded, String> {
    let token = token_arg(&args.token)?;
    if !is_lite_token(&token) {
        return load(&token, args).map(|s| Loaded::Full(Box::new(s)));
    }
    let jwks = Jwks::from_json(&read(&args.jwks)?)
        .map_err(|e| format!("`{}`: {e}", args.jwks.display()))?;
    LiteSnapshot::verify(&token, &jwks, &verify_options(args))
        .map(Loaded::Lite)
        .map_err(|e| format!("{e} ({})", e.code()))
}

fn explain(loaded: &Loaded, q: &Query) -> Result<Explanation, String> {
    let action = || {
        q.action
            .as_deref()
            .ok_or("--action is required with --feature and --resource")
    };
    match (loaded, q) {
        (
            Loaded::Full(s),
            Query {
                permission: Some(p),
                ..
            },
        ) => Ok(s.checker().explain_permission(p, q.scope.as_deref())),
        (
            Loaded::Full(s),
            Query {
                feature: Some(f), ..
            },
        ) => Ok(s.checker().explain_feature(f, action()?)),
        (
            Loaded::Full(s),
            Query {
                resource: Some(r), ..
            },
        ) => Ok(s.checker().explain_resource(r, action()?)),
        (
            Loaded::Lite(l),
            Query {
                permission: Some(p),
                ..
            },
        ) => Ok(l.explain_permission(p, q.scope.as_deref())),
        (
            Loaded::Lite(l),
            Query {
                feature: Some(f), ..
            },
        ) => Ok(l.explain_feature(f, action()?)),
        (
            Loaded::Lite(l),
            Query {
                resource: Some(r), ..
            },
        ) => Ok(l.explain_resource(r, action()?)),
        _ => Err("give --permission, --feature or --resource".into()),
    }
}

fn inspect(
    token: &str,
    jwks: Option<&Path>,
    aud: &str,
    now: Option<u64>,
    menu: Option<&Path>,
    catalogue: Option<PathBuf>,
) -> Result<u8, String> {
    let token = token_arg(token)?;
    if is_lite_token(&token) {
        return Err(
            "inspect reads full snapshots; for a lite token use verify, check or explain".into(),
        );
    }
    let Some(jwks) = jwks else {
        // Decoding without verifying is for debugging only: say so in the output.
        let mut parts = token.split('.');
        let mut decode = |what: &str| -> Result<serde_json::Value, String> {
            let part = parts.next().ok_or(format!("no {what} part"))?;
            let bytes = base64url::decode(part).map_err(|e| format!("{what}: {e}"))?;
            serde_json::from_slice(&bytes).map_err(|e| format!("{what}: {e}"))
        };
        let header = decode("header")?;
        let claims = decode("payload")?;
        println!(
            "{}",
            serde_json::json!({"verified": false, "header": header, "claims": claims})
        );
        return Ok(0);
    };
    let args = VerifyArgs {
        token,
        jwks: jwks.to_path_buf(),
        aud: aud.to_owned(),
        iss: None,
        sub: None,
        now,
        leeway: permslip::token::DEFAULT_LEEWAY,
        min_serial: 0,
        catalogue,
    };
    let snapshot = load(&args.token, &args)?;
    let menu_ids = match menu {
        Some(path) => {
            let model: Model = read_json(path)?;
            let nav: &[NavItem] = &model.nav;
            let ids = snapshot
                .checker()
                .visible_menu_ids(nav)
                .map_err(|e| e.to_string())?;
            Some(ids.into_iter().map(str::to_owned).collect::<Vec<_>>())
        }
        None => None,
    };
    let out = serde_json::json!({
        "verified": true,
        "snapshot": summary(&snapshot),
        "profile": snapshot.checker().profile(),
        "menu": menu_ids,
    });
    println!("{out}");
    Ok(0)
}

fn verify_options(args: &VerifyArgs) -> VerifyOptions {
    let mut opts = VerifyOptions::new(args.aud.clone(), args.now.unwrap_or_else(system_now));
    opts.issuer.clone_from(&args.iss);
    opts.subject.clone_from(&args.sub);
    opts.leeway = args.leeway;
    opts.min_serial = args.min_serial;
    opts
}

fn lite_summary(l: &LiteSnapshot) -> serde_json::Value {
    let slip = l.slip();
    serde_json::json!({
        "format": "lite",
        "iss": slip.issuer(),
        "sub": slip.subject(),
        "aud": slip.audiences().collect::<Vec<_>>(),
        "iat": slip.iat,
        "nbf": slip.nbf,
        "exp": slip.exp,
        "serial": slip.serial,
        "kid": l.kid(),
    })
}

fn summary(s: &Snapshot) -> serde_json::Value {
    serde_json::json!({
        "iss": s.issuer(),
        "sub": s.subject(),
        "aud": s.audience().iter().collect::<Vec<_>>(),
        "iat": s.issued_at(),
        "nbf": s.not_before(),
        "exp": s.expires_at(),
        "serial": s.serial(),
        "kid": s.kid(),
    })
}

fn token_arg(arg: &str) -> Result<String, String> {
    let raw = if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("stdin: {e}"))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        read(Path::new(path))?
    } else {
        arg.to_owned()
    };
    Ok(raw.trim().to_owned())
}

fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("`{}`: {e}", path.display()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    serde_json::from_str(&read(path)?).map_err(|e| format!("`{}`: {e}", path.display()))
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    fs::write(path, format!("{contents}\n")).map_err(|e| format!("`{}`: {e}", path.display()))
}

/// Writes a secret readable by its owner only.
fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(format!("{contents}\n").as_bytes()))
        .map_err(|e| format!("`{}`: {e}", path.display()))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}
