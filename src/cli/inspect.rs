//! `permslip inspect`.

use super::io::{read_json, system_now, token_arg};
use super::query::{read_keys, summary, Inputs};
use super::{CliError, InspectArgs};
use crate::lite::is_lite_token;
use crate::model::Model;
use crate::token::{base64url, VerifyOptions};

/// Prints a verified full snapshot's summary, profile and (with `--menu`) visible navigation
/// ids; without `--jwks`, its decoded header and claims, marked unverified.
pub fn inspect(args: &InspectArgs) -> Result<u8, CliError> {
    let token = token_arg(&args.token)?;
    if is_lite_token(&token) {
        return Err(CliError::Usage(
            "inspect reads full snapshots; for a lite token use verify, check or explain",
        ));
    }
    let Some(jwks) = &args.jwks else {
        // Decoding without verifying is for debugging only: say so in the output.
        let mut parts = token.split('.');
        let mut decode = |what: &str| -> Result<serde_json::Value, CliError> {
            let failed = |e: &dyn std::fmt::Display| CliError::Decode(format!("{what}: {e}"));
            let part = parts
                .next()
                .ok_or_else(|| CliError::Decode(format!("no {what} part")))?;
            let bytes = base64url::decode(part).map_err(|e| failed(&e))?;
            serde_json::from_slice(&bytes).map_err(|e| failed(&e))
        };
        let header = decode("header")?;
        let claims = decode("payload")?;
        println!(
            "{}",
            serde_json::json!({"verified": false, "header": header, "claims": claims})
        );
        return Ok(0);
    };
    // The verify defaults: any issuer and subject, the default leeway, every serial.
    let inputs = Inputs {
        token,
        keys: read_keys(jwks)?,
        opts: VerifyOptions::new(args.aud.clone(), args.now.unwrap_or_else(system_now)),
        catalogue: args.catalogue.clone(),
    };
    let snapshot = inputs.snapshot()?;
    let menu_ids = match &args.menu {
        Some(path) => {
            let model: Model = read_json(path)?;
            let ids = snapshot.checker().visible_menu_ids(&model.nav)?;
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
