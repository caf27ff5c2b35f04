//! Key sets, catalogue bundles and the load options, as the JS package names them.

use std::sync::Arc;

use permslip::token::{
    self, Jwks, VerifiedCatalogue, VerifyOptions, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_BYTES,
};

use crate::clock::{now_secs, Clock};
use crate::error::{invalid_argument, PermslipError};

/// A parsed, checked key set (JWKS). Parse once and share: decoding keys costs.
#[derive(Debug, uniffi::Object)]
pub struct KeySet {
    pub(crate) jwks: Jwks,
}

#[uniffi::export]
impl KeySet {
    /// Parses a JWKS document (its JSON text). Fails with `invalid_key_set`.
    #[uniffi::constructor]
    pub fn parse(jwks: String) -> Result<Arc<KeySet>, PermslipError> {
        Ok(Arc::new(KeySet {
            jwks: Jwks::from_json(&jwks)?,
        }))
    }

    /// The ids of the Ed25519 keys, in document order.
    pub fn kids(&self) -> Vec<String> {
        self.jwks.kids().map(str::to_owned).collect()
    }
}

/// How a snapshot (or catalogue bundle) is verified. Unset options take the core's defaults:
/// leeway 60 s, `minSerial` 0, `maxTokenBytes` 16384, the system clock.
#[derive(uniffi::Record)]
pub struct LoadOptions {
    /// The verifying keys.
    pub jwks: Arc<KeySet>,
    /// This application's audience; the token's `aud` must contain it.
    pub audience: String,
    /// The expected `iss`. Default: any issuer the key set trusts.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// The expected `sub` (the signed-in user). Default: any subject.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// Clock-skew allowance for `exp` and `nbf`, in seconds. Default: 60.
    #[uniffi(default = None)]
    pub leeway: Option<u64>,
    /// The lowest `serial` accepted (the highest seen, to refuse replays). Default: 0.
    #[uniffi(default = None)]
    pub min_serial: Option<u64>,
    /// The largest token accepted, in bytes. Default: 16384.
    #[uniffi(default = None)]
    pub max_token_bytes: Option<u64>,
    /// The catalogue bundle, for snapshots whose slip names one.
    #[uniffi(default = None)]
    pub catalogue: Option<Arc<Catalogue>>,
    /// The clock, for tests. Default: the system clock.
    #[uniffi(default = None)]
    pub clock: Option<Arc<dyn Clock>>,
}

impl LoadOptions {
    /// The core's options at the clock's current time.
    pub(crate) fn verify_options(&self) -> Result<VerifyOptions, PermslipError> {
        if self.audience.is_empty() {
            return Err(invalid_argument("`audience` must be a non-empty string"));
        }
        let max_token_bytes = match self.max_token_bytes {
            None => DEFAULT_MAX_TOKEN_BYTES,
            Some(n) => usize::try_from(n)
                .map_err(|_| invalid_argument("`maxTokenBytes` does not fit this platform"))?,
        };
        let mut opts = VerifyOptions::new(self.audience.clone(), now_secs(self.clock.as_ref()));
        opts.issuer = self.issuer.clone();
        opts.subject = self.subject.clone();
        opts.leeway = self.leeway.unwrap_or(DEFAULT_LEEWAY);
        opts.min_serial = self.min_serial.unwrap_or(0);
        opts.max_token_bytes = max_token_bytes;
        Ok(opts)
    }
}

/// A verified catalogue bundle: a model's shared catalogue, signed on its own and named by that
/// model's slips. Load it once; pass it to every `Permslip.load`.
#[derive(Debug, uniffi::Object)]
pub struct Catalogue {
    pub(crate) verified: VerifiedCatalogue,
}

#[uniffi::export]
impl Catalogue {
    /// Verifies and compiles a bundle (`subject` and `minSerial` do not apply).
    #[uniffi::constructor]
    pub fn load(token: String, options: LoadOptions) -> Result<Arc<Catalogue>, PermslipError> {
        let opts = options.verify_options()?;
        let verified = token::verify_catalogue(&token, &options.jwks.jwks, &opts)?;
        Ok(Arc::new(Catalogue { verified }))
    }

    /// The binding hash slips name in `catalogue_hash`.
    pub fn hash(&self) -> String {
        self.verified.hash().to_owned()
    }
}
