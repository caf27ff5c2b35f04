//! `permslip keygen`.

use std::fs;
use std::io::Read;

use super::io::{write, write_private};
use super::{CliError, KeygenArgs};
use crate::token::{jwks_json, SigningKey};

/// Creates a signing key from the system's randomness: the private JWK to `--out` (owner-only)
/// or stdout, the public JWKS to `--jwks` if given.
pub fn keygen(args: &KeygenArgs) -> Result<u8, CliError> {
    let mut seed = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(CliError::Randomness)?;
    let key = SigningKey::from_seed(&args.kid, &seed);
    match &args.out {
        Some(path) => write_private(path, &key.to_private_jwk())?,
        None => println!("{}", key.to_private_jwk()),
    }
    if let Some(path) = &args.jwks {
        write(path, &jwks_json(&[&key]))?;
    }
    Ok(0)
}
