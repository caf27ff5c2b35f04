//! Compiling a slip that nobody verified.
//!
//! Like jsonwebtoken's `dangerous::insecure_decode`, this is the one door to an engine built
//! from bytes whose signature, audience, time window and serial were never checked: anyone can
//! write a slip that says they are Administrator, and a checker compiled from it will agree.
//! Applications load snapshots with [`crate::snapshot::Snapshot::verify`] (or
//! [`crate::verified::Verified::load`]), which verify first and compile second.
//!
//! It is fine where the slip is already trusted because it was never anywhere else:
//! - the issuer, previewing or testing the slip it is about to sign (`crate::issue` compiles
//!   every slip it cuts, and compiles lite tokens' decisions, through here);
//! - tests, benchmarks and fuzz targets that exercise the engine itself.

use std::sync::Arc;

use crate::engine::{Checker, CompileError, CompiledCatalogue};
use crate::slip::Slip;

/// Compiles a slip that carries its catalogue inline, **without any verification**.
///
/// Fails as loading would on an inconsistent slip or one over a limit
/// ([`CompileError`]); nothing here checks who wrote it. See the module docs for when that is
/// acceptable.
pub fn compile_unverified(slip: &Slip) -> Result<Checker, CompileError> {
    Checker::compile_unverified(slip)
}

/// [`compile_unverified`] against an already compiled catalogue (the slip's own inline
/// catalogue, if any, is ignored), **without any verification**: not of the slip, and not that
/// `catalogue` is the one the slip names by hash.
pub fn compile_unverified_with(
    catalogue: &Arc<CompiledCatalogue>,
    slip: &Slip,
) -> Result<Checker, CompileError> {
    Checker::compile_unverified_with(catalogue, slip)
}
