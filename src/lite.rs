//! Lite tokens (`docs/LITE.md`) verified natively: for servers, the CLI and the tests that
//! hold the lite checker to the full engine's answers.
//!
//! The token is opened and its tables validated by the `permslip-lite` crate, exactly as in
//! the browser module; the signature's equation is this crate's (`token/equation.rs`).

use std::sync::Arc;

use permslip_lite::token::{self as envelope, HEADER_ROOM};
use permslip_lite::{Explained, Slip, Status};

use crate::engine::{wording, CompileError, Explanation, Reason};
use crate::snapshot::LoadError;
use crate::token::{base64url, is_expired, Jwks, TokenError, VerifyOptions};

// The decoded payload and its validated tables, read in place: validated once at load, not
// per check (a `Slip` borrows the bytes it reads).
self_cell::self_cell!(
    struct Tables {
        owner: Vec<u8>,
        #[covariant]
        dependent: Slip,
    }
    impl {Debug}
);

/// A verified lite token: its payload, validated, and the key id that signed it.
#[derive(Debug, Clone)]
pub struct LiteSnapshot {
    tables: Arc<Tables>,
    kid: String,
}

impl LiteSnapshot {
    /// Verifies a lite token: size, envelope, key, signature (strict), tables, audience,
    /// issuer, subject, time and serial, in the full build's order.
    pub fn verify(
        token: &str,
        keys: &Jwks,
        opts: &VerifyOptions,
    ) -> Result<LiteSnapshot, LoadError> {
        if token.len() > opts.max_token_bytes {
            return Err(TokenError::TooLarge {
                len: token.len(),
                max: opts.max_token_bytes,
            }
            .into());
        }
        let mut header = [0u8; HEADER_ROOM];
        let opened = envelope::open(token.as_bytes(), &mut header).map_err(refused)?;
        // The header check admits ASCII key ids only.
        let kid = String::from_utf8_lossy(opened.kid).into_owned();
        let key = keys
            .index_of(&kid)
            .and_then(|i| keys.key(i))
            .ok_or_else(|| TokenError::UnknownKey(kid.clone()))?;
        let signed = token
            .as_bytes()
            .get(..opened.signed_len)
            .unwrap_or_default();
        if !key.equation_holds(&opened.signature, signed) {
            return Err(TokenError::BadSignature.into());
        }
        let segment = std::str::from_utf8(opened.payload).unwrap_or_default();
        let payload = base64url::decode(segment)
            .map_err(|e| TokenError::Malformed(format!("payload: {e}")))?;
        let tables = Tables::try_new(payload, |bytes| Slip::parse(bytes)).map_err(refused)?;
        let slip = *tables.borrow_dependent();

        if !slip.has_audience(opts.audience.as_bytes()) {
            return Err(TokenError::WrongAudience.into());
        }
        if opts.issuer.as_deref().is_some_and(|i| i != slip.issuer()) {
            return Err(TokenError::WrongIssuer.into());
        }
        if opts.subject.as_deref().is_some_and(|s| s != slip.subject()) {
            return Err(TokenError::WrongSubject.into());
        }
        if is_expired(slip.exp, opts.now, opts.leeway) {
            return Err(TokenError::Expired {
                exp: slip.exp,
                now: opts.now,
            }
            .into());
        }
        if opts.now.saturating_add(opts.leeway) < slip.nbf {
            return Err(TokenError::NotYetValid {
                nbf: slip.nbf,
                now: opts.now,
            }
            .into());
        }
        if slip.serial < opts.min_serial {
            return Err(TokenError::Rollback {
                serial: slip.serial,
                min: opts.min_serial,
            }
            .into());
        }
        Ok(LiteSnapshot {
            tables: Arc::new(tables),
            kid,
        })
    }

    /// The verified tables, answering checks (validated once, at load).
    pub fn slip(&self) -> Slip<'_> {
        *self.tables.borrow_dependent()
    }

    /// The id of the key that signed.
    pub fn kid(&self) -> &str {
        &self.kid
    }
}

impl LiteSnapshot {
    /// Explains `can(permission, scope)` as the engine does, without provenance (`via`,
    /// `granted_by`), which lite tokens do not carry.
    pub fn explain_permission(&self, permission: &str, scope: Option<&str>) -> Explanation {
        let e = self
            .slip()
            .explain_permission(permission.as_bytes(), scope.map(str::as_bytes));
        let reason = reason_of(e.reason);
        let message = wording::permission_message(reason, permission, scope, e.product);
        explanation(
            e,
            reason,
            wording::permission_query(permission, scope),
            message,
        )
    }

    /// Explains `can_feature(feature, action)` (without provenance).
    pub fn explain_feature(&self, feature: &str, action: &str) -> Explanation {
        let e = self
            .slip()
            .explain_feature(feature.as_bytes(), action.as_bytes());
        let reason = reason_of(e.reason);
        let message = wording::level_message(reason, feature, action, e.needed, e.product);
        explanation(e, reason, wording::feature_query(feature, action), message)
    }

    /// Explains `can_resource(id, action)` (without provenance).
    pub fn explain_resource(&self, id: &str, action: &str) -> Explanation {
        let e = self
            .slip()
            .explain_resource(id.as_bytes(), action.as_bytes());
        let reason = reason_of(e.reason);
        let message = wording::level_message(reason, id, action, e.needed, e.product);
        explanation(e, reason, wording::resource_query(id, action), message)
    }
}

/// Whether `token` is a lite token (its header is a lite header), verified or not.
pub fn is_lite_token(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or_default();
    base64url::decode(header).is_ok_and(|h| h.starts_with(envelope::HEADER_PREFIX))
}

/// Validated payloads carry only known reason numbers.
fn reason_of(n: u8) -> Reason {
    Reason::from_number(n).unwrap_or(Reason::NotGranted)
}

fn explanation(e: Explained<'_>, reason: Reason, query: String, message: String) -> Explanation {
    Explanation {
        allowed: e.allowed,
        reason,
        query,
        via: Vec::new(),
        level: e.level.map(str::to_owned),
        needed: e.needed.map(str::to_owned),
        product: e.product.map(str::to_owned),
        granted_by: Vec::new(),
        message,
    }
}

/// A lite refusal as the full build's error, so codes agree.
fn refused(e: permslip_lite::Error) -> LoadError {
    let detail = e.detail().to_owned();
    match e.status {
        Status::BadSignature => TokenError::BadSignature.into(),
        Status::UnsupportedAlgorithm => TokenError::UnsupportedAlgorithm(detail).into(),
        Status::UnsupportedVersion => TokenError::UnsupportedVersion(0).into(),
        Status::LimitExceeded => {
            CompileError::TooMany(e.detail(), e.count() as usize, e.max() as usize).into()
        }
        _ => TokenError::Malformed(detail).into(),
    }
}
