//! `permslip issue`: the command-line side of [`Issuer`] (files in, files or stdout out).

use std::path::Path;

use super::io::{create_dir_all, read, read_json, remove_if_present, system_now, write};
use super::{CatalogueArg, CliError, FormatArg, IssueArgs};
use crate::issue::{CatalogueMode, IssueOptions, Issuer, TokenFormat};
use crate::model::{Directory, Model};
use crate::token::SigningKey;

/// Issues the snapshot of `--subject` to stdout, or every user's into `--out-dir`.
pub fn issue(args: &IssueArgs) -> Result<u8, CliError> {
    let model: Model = read_json(&args.model)?;
    let directory: Directory = read_json(&args.directory)?;
    let key =
        SigningKey::from_jwk(&read(&args.key)?).map_err(|e| CliError::Key(args.key.clone(), e))?;
    let now = args.now.unwrap_or_else(system_now);
    let mut opts = IssueOptions::new(args.iss.clone(), args.aud.clone(), now);
    opts.ttl = args.ttl;
    opts.serial = args.serial.unwrap_or(now);
    opts.catalogue = match args.catalogue {
        CatalogueArg::Auto => CatalogueMode::Auto,
        CatalogueArg::Inline => CatalogueMode::Inline,
        CatalogueArg::Bundle => CatalogueMode::Bundle,
    };
    opts.format = match args.format {
        FormatArg::Jws => TokenFormat::Full,
        FormatArg::Lite => TokenFormat::Lite,
    };
    let issuer = Issuer::new(&model, &directory, &key, opts)?;
    match (&args.subject, &args.out_dir) {
        (Some(subject), _) => one(&issuer, subject, args.catalogue_out.as_deref()),
        (None, Some(dir)) => every(&issuer, &directory, dir),
        (None, None) => Err(CliError::Usage("give --subject or --out-dir")),
    }
}

/// One token to stdout; its catalogue bundle, if any, to `catalogue_out`.
fn one(issuer: &Issuer<'_>, subject: &str, catalogue_out: Option<&Path>) -> Result<u8, CliError> {
    let token = issuer.token_for(subject)?;
    // Refused before anything is printed: a snapshot naming a bundle nobody wrote is useless.
    match (issuer.catalogue_token(), catalogue_out) {
        (Some(bundle), Some(path)) => write(path, bundle)?,
        (Some(_), None) => {
            return Err(CliError::Usage(
                "this snapshot names a catalogue bundle: give --catalogue-out",
            ))
        }
        (None, _) => {}
    }
    println!("{token}");
    Ok(0)
}

/// Every user's token into `dir` (`<user>.jwt`, or `<user>.lite.jwt`), with `catalogue.jwt`
/// beside full ones when the catalogue travels apart; each path to stderr as it is written.
fn every(issuer: &Issuer<'_>, directory: &Directory, dir: &Path) -> Result<u8, CliError> {
    create_dir_all(dir)?;
    let lite = issuer.options().format == TokenFormat::Lite;
    if !lite {
        let catalogue = dir.join("catalogue.jwt");
        match issuer.catalogue_token() {
            Some(bundle) => write(&catalogue, bundle)?,
            // An old bundle beside inline snapshots would only mislead.
            None => remove_if_present(&catalogue)?,
        }
    }
    let suffix = if lite { "lite.jwt" } else { "jwt" };
    for user in &directory.users {
        let path = dir.join(format!("{}.{suffix}", user.id));
        write(&path, &issuer.token_for(&user.id)?)?;
        eprintln!("{}", path.display());
    }
    Ok(0)
}
