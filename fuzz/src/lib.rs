//! The bodies of the fuzz targets, shared with the stable test suite: `tests/hardening.rs`
//! includes `bodies.rs` and the reference evaluator the same way, and replays every input kept
//! in `tests/regressions/` through them.

#[path = "../../tests/reference/mod.rs"]
pub mod reference;

pub mod bodies;
