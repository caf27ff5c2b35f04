//! permslip: signed, expiring, per-user permission snapshots, checked locally.
//!
//! # In scope
//! - A general permission model (roles, teams, products, scoped and explicit-only permissions,
//!   feature and resource levels, row rules, restriction, inheritance) — [`model`].
//! - Slicing one user's part out of a model and directory, and the policy of an issuing run
//!   (token format, where the catalogue travels) — `issue` (feature `issue`).
//! - The `permslip` command line's commands — `cli` (feature `cli`; the binary only
//!   dispatches).
//! - Signing and verifying that slice as a JWS (EdDSA) snapshot — [`token`], [`snapshot`].
//! - Compiling a verified slice once and answering checks without allocation — [`engine`];
//!   compiling one nobody verified only through [`dangerous`] (issuer previews, tests).
//! - A strict JSON reader (duplicate members refused at any depth, bounded depth) for everything
//!   that arrives signed, shared by every target so native and wasm read tokens identically —
//!   `json` (private).
//!
//! # Out of scope
//! - I/O, clocks and randomness: time, keys and the audience are arguments.
//! - Storing or fetching snapshots, keys or models.
//! - Enforcement at the origin: a browser check shapes the user experience; the origin still
//!   enforces (see the README's SECURITY section).
#![cfg_attr(
    test,
    expect(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "unit tests: a failed step should stop them loudly"
    )
)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "cli")]
pub mod cli;
pub mod dangerous;
pub mod engine;
/// Every fact that crosses a language (codes, reasons, defaults, limits), shared with the lite
/// checker and generated into the other languages.
pub use permslip_lite::facts;
#[cfg(feature = "issue")]
pub mod issue;
mod json;
pub mod lite;
pub mod model;
pub mod slip;
pub mod snapshot;
pub mod token;
pub mod verified;

#[cfg(target_arch = "wasm32")]
mod wasm;

/// The README's examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "issue"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
