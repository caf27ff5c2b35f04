//! Issuing policy: one run of signed tokens for a directory's users, with one key and one set
//! of claims, and the choice of where the catalogue travels.
//!
//! Kept here rather than in the command line so any issuer (a backend, a build step) issues
//! exactly what `permslip issue` does.

use super::{catalogue_of, lite_token, slip_for, slip_for_bundle, IssueError};
use crate::model::{Directory, Model};
use crate::slip::{Slip, SLIP_VERSION};
use crate::token::{sign, sign_catalogue, Audience, CatalogueClaims, Claims, SigningKey};

/// The largest token that still fits a cookie, in bytes: 4096, the size RFC 6265 asks every
/// browser to support for one cookie.
pub const COOKIE_BYTES: usize = 4096;

/// Where a full snapshot's catalogue (the part of the model every user shares) travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CatalogueMode {
    /// [`CatalogueMode::Bundle`] when some user's inline snapshot would be larger than
    /// [`COOKIE_BYTES`], [`CatalogueMode::Inline`] otherwise: decided for the whole directory,
    /// so every user's snapshot has the same shape. The default.
    #[default]
    Auto,
    /// Inside every snapshot.
    Inline,
    /// Once, as a separately signed bundle ([`Issuer::catalogue_token`]) that each snapshot
    /// names by hash.
    Bundle,
}

/// The kind of token issued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// A JWS carrying the user's slip, compiled by every verifier. The default.
    #[default]
    Full,
    /// A lite token (`docs/LITE.md`): the slip compiled here and its decisions signed. It
    /// carries no catalogue, so [`IssueOptions::catalogue`] does not apply.
    Lite,
}

/// What every token of one run shares.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssueOptions {
    /// The issuer (`iss`). Required.
    pub issuer: String,
    /// The audience (`aud`). Required.
    pub audience: String,
    /// The issue time (`iat`, and `nbf`), in Unix seconds. Required.
    pub now: u64,
    /// Lifetime in seconds: `exp = now + ttl` (saturating). Default: 900.
    pub ttl: u64,
    /// The issue counter verifiers compare for anti-rollback. Default: `now`.
    pub serial: u64,
    /// Where the catalogue travels. Default: [`CatalogueMode::Auto`].
    pub catalogue: CatalogueMode,
    /// The token format. Default: [`TokenFormat::Full`].
    pub format: TokenFormat,
}

impl IssueOptions {
    /// Options for `issuer` and `audience` at `now` (Unix seconds), every other option at its
    /// default.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, now: u64) -> IssueOptions {
        IssueOptions {
            issuer: issuer.into(),
            audience: audience.into(),
            now,
            ttl: 900,
            serial: now,
            catalogue: CatalogueMode::Auto,
            format: TokenFormat::Full,
        }
    }
}

/// Issues the tokens of one run: a model, its directory, a signing key and the options.
#[derive(Debug)]
pub struct Issuer<'a> {
    model: &'a Model,
    directory: &'a Directory,
    key: &'a SigningKey,
    opts: IssueOptions,
    /// The signed catalogue bundle and its hash, when the catalogue travels apart.
    bundle: Option<(String, String)>,
}

impl<'a> Issuer<'a> {
    /// Decides where the catalogue travels (for [`CatalogueMode::Auto`], by issuing every
    /// user's inline snapshot: so any user whose slip cannot be issued fails the run here) and
    /// signs the bundle if there is one.
    pub fn new(
        model: &'a Model,
        directory: &'a Directory,
        key: &'a SigningKey,
        opts: IssueOptions,
    ) -> Result<Issuer<'a>, IssueError> {
        let mut issuer = Issuer {
            model,
            directory,
            key,
            opts,
            bundle: None,
        };
        let bundled = match (issuer.opts.format, issuer.opts.catalogue) {
            (TokenFormat::Lite, _) | (TokenFormat::Full, CatalogueMode::Inline) => false,
            (TokenFormat::Full, CatalogueMode::Bundle) => true,
            (TokenFormat::Full, CatalogueMode::Auto) => {
                let mut too_big = false;
                for user in &directory.users {
                    too_big |= issuer.inline(&user.id)?.len() > COOKIE_BYTES;
                }
                too_big
            }
        };
        if bundled {
            let claims = CatalogueClaims {
                iss: issuer.opts.issuer.clone(),
                aud: Audience::One(issuer.opts.audience.clone()),
                iat: issuer.opts.now,
                exp: None,
                psv: SLIP_VERSION,
                catalogue: catalogue_of(model),
            };
            issuer.bundle = Some(sign_catalogue(&claims, key));
        }
        Ok(issuer)
    }

    /// The options of this run.
    pub fn options(&self) -> &IssueOptions {
        &self.opts
    }

    /// The signed catalogue bundle the snapshots name, if the catalogue travels apart.
    pub fn catalogue_token(&self) -> Option<&str> {
        self.bundle.as_ref().map(|(token, _)| token.as_str())
    }

    /// The signed token of `subject`, in the run's format and catalogue layout.
    pub fn token_for(&self, subject: &str) -> Result<String, IssueError> {
        match (self.opts.format, &self.bundle) {
            (TokenFormat::Lite, _) => {
                let slip = slip_for(self.model, self.directory, subject)?;
                lite_token(&self.claims(subject, slip), self.key)
            }
            (TokenFormat::Full, None) => self.inline(subject),
            (TokenFormat::Full, Some((_, hash))) => {
                let slip = slip_for_bundle(self.model, self.directory, subject, hash)?;
                Ok(sign(&self.claims(subject, slip), self.key))
            }
        }
    }

    /// The full snapshot of `subject` with its catalogue inline.
    fn inline(&self, subject: &str) -> Result<String, IssueError> {
        let slip = slip_for(self.model, self.directory, subject)?;
        Ok(sign(&self.claims(subject, slip), self.key))
    }

    /// The claims of `subject`'s token around `slip`.
    pub fn claims(&self, subject: &str, slip: Slip) -> Claims {
        Claims {
            iss: self.opts.issuer.clone(),
            sub: subject.to_owned(),
            aud: Audience::One(self.opts.audience.clone()),
            iat: self.opts.now,
            nbf: Some(self.opts.now),
            exp: self.opts.now.saturating_add(self.opts.ttl),
            jti: None,
            serial: self.opts.serial,
            psv: SLIP_VERSION,
            slip,
        }
    }
}
