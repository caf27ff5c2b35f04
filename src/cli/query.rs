//! `permslip verify`, `check` and `explain`: one way to load a token of either format
//! ([`Verified::load`]) and one way to ask it ([`Answers::explain`]).
//!
//! [`Answers::explain`]: crate::verified::Answers::explain

use std::path::{Path, PathBuf};

use super::io::{read, system_now, to_json, token_arg};
use super::{CliError, Query, QueryArgs, VerifyArgs, EXIT_DENY};
use crate::engine::Explanation;
use crate::lite::{is_lite_token, LiteSnapshot};
use crate::snapshot::Snapshot;
use crate::token::{verify_catalogue, Jwks, VerifiedCatalogue, VerifyOptions};
use crate::verified::{self, Verified};

/// What a token is verified with, each read once.
pub(super) struct Inputs {
    /// The token itself (the argument read: stdin can be read only once).
    pub(super) token: String,
    pub(super) keys: Jwks,
    pub(super) opts: VerifyOptions,
    /// The catalogue bundle file, for full slips that name one.
    pub(super) catalogue: Option<PathBuf>,
}

impl Inputs {
    fn of(args: &VerifyArgs) -> Result<Inputs, CliError> {
        let token = token_arg(&args.token)?;
        let keys = read_keys(&args.jwks)?;
        let mut opts = VerifyOptions::new(args.aud.clone(), args.now.unwrap_or_else(system_now));
        opts.issuer.clone_from(&args.iss);
        opts.subject.clone_from(&args.sub);
        opts.leeway = args.leeway;
        opts.min_serial = args.min_serial;
        Ok(Inputs {
            token,
            keys,
            opts,
            catalogue: args.catalogue.clone(),
        })
    }

    /// The catalogue bundle, verified, if one was given and the token is a full one (a lite
    /// token carries everything, and the bundle file is then not even read).
    fn bundle(&self) -> Result<Option<VerifiedCatalogue>, CliError> {
        match &self.catalogue {
            Some(path) if !is_lite_token(&self.token) => {
                let bundle = read(path)?;
                Ok(Some(verify_catalogue(
                    bundle.trim(),
                    &self.keys,
                    &self.opts,
                )?))
            }
            _ => Ok(None),
        }
    }

    /// Verifies a token of either format.
    fn verified(&self) -> Result<Verified, CliError> {
        let bundle = self.bundle()?;
        Ok(Verified::load(
            &self.token,
            bundle.as_ref(),
            &self.keys,
            &self.opts,
        )?)
    }

    /// Verifies a full snapshot.
    pub(super) fn snapshot(&self) -> Result<Snapshot, CliError> {
        let bundle = self.bundle()?;
        Ok(Snapshot::verify_with(
            &self.token,
            bundle.as_ref(),
            &self.keys,
            &self.opts,
        )?)
    }
}

pub(super) fn read_keys(path: &Path) -> Result<Jwks, CliError> {
    Jwks::from_json(&read(path)?).map_err(|e| CliError::Key(path.to_owned(), e))
}

/// Verifies a token of either format and prints its claims summary as JSON.
///
/// The one command that branches on the format: [`Verified`] does not carry the audience,
/// issue time and not-before that the summary prints, so each format is loaded with its own
/// type (by the same rules: [`Verified::load`] calls them).
pub fn verify(args: &VerifyArgs) -> Result<u8, CliError> {
    let inputs = Inputs::of(args)?;
    let summary = if is_lite_token(&inputs.token) {
        lite_summary(&LiteSnapshot::verify(
            &inputs.token,
            &inputs.keys,
            &inputs.opts,
        )?)
    } else {
        summary(&inputs.snapshot()?)
    };
    println!("{summary}");
    Ok(0)
}

/// Answers one check: prints `allow` (exit 0) or `deny <reason>` (exit 1).
pub fn check(args: &QueryArgs) -> Result<u8, CliError> {
    let e = explanation(args)?;
    if e.allowed {
        println!("allow");
    } else {
        println!("deny {}", e.reason.code());
    }
    Ok(exit_code(&e))
}

/// Explains one check as JSON; exit 0 allow, 1 deny.
pub fn explain(args: &QueryArgs) -> Result<u8, CliError> {
    let e = explanation(args)?;
    println!("{}", to_json(&e)?);
    Ok(exit_code(&e))
}

fn exit_code(e: &Explanation) -> u8 {
    if e.allowed {
        0
    } else {
        EXIT_DENY
    }
}

fn explanation(args: &QueryArgs) -> Result<Explanation, CliError> {
    let inputs = Inputs::of(&args.verify)?;
    let verified = inputs.verified()?;
    // Loading refused an expired token at this instant, so the answers are live ones.
    Ok(verified
        .at(inputs.opts.now)
        .explain(&args.query.to_query()?))
}

impl Query {
    fn to_query(&self) -> Result<verified::Query, CliError> {
        let action = || {
            self.action.clone().ok_or(CliError::Usage(
                "--action is required with --feature and --resource",
            ))
        };
        match self {
            Query {
                permission: Some(p),
                ..
            } => Ok(verified::Query::Permission {
                permission: p.clone(),
                scope: self.scope.clone(),
            }),
            Query {
                feature: Some(f), ..
            } => Ok(verified::Query::Feature {
                feature: f.clone(),
                action: action()?,
            }),
            Query {
                resource: Some(r), ..
            } => Ok(verified::Query::Resource {
                id: r.clone(),
                action: action()?,
            }),
            _ => Err(CliError::Usage(
                "give --permission, --feature or --resource",
            )),
        }
    }
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

/// A full snapshot's claims, as `verify` and `inspect` print them.
pub(super) fn summary(s: &Snapshot) -> serde_json::Value {
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
