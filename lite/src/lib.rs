//! permslip lite: the small checker for issuer-compiled snapshots (`docs/LITE.md`).
//!
//! The issuer compiles a user's slip with the full engine and signs the result; this crate
//! opens such a token ([`token`]), validates its tables ([`payload`]) and answers checks by
//! lookup ([`Slip`]). It allocates nothing and links no formatting, so the browser module built
//! from it (`src/module.rs`, feature `module`) stays a few KiB. The signature's equation is the
//! host's (WebCrypto or `node:crypto`); the strict byte checks around it are [`strict`]'s, shared
//! with the full build so both accept exactly the same signatures.

#![cfg_attr(not(test), no_std)]

pub mod base64url;
mod check;
mod error;
pub mod facts;
pub mod handle;
#[cfg(feature = "module")]
mod module;
pub mod payload;
mod reader;
pub mod strict;
pub mod token;

pub use check::Explained;
pub use error::{Error, Status};
pub use handle::HANDLE_DENY;
pub use payload::Slip;
