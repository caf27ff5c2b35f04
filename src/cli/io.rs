//! Files, standard input and the clock: the command line's edges.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::CliError;

/// A token argument: the token itself, `-` for stdin, or `@FILE`; surrounding whitespace
/// trimmed. Read once: stdin cannot be read twice.
pub(super) fn token_arg(arg: &str) -> Result<String, CliError> {
    let raw = if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(CliError::Stdin)?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        read(Path::new(path))?
    } else {
        arg.to_owned()
    };
    Ok(raw.trim().to_owned())
}

/// The system clock in Unix seconds (0 before 1970).
pub(super) fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn read(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|e| CliError::File(path.to_owned(), e))
}

pub(super) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CliError> {
    serde_json::from_str(&read(path)?).map_err(|e| CliError::Json(path.to_owned(), e))
}

/// Writes `contents` and a newline.
pub(super) fn write(path: &Path, contents: &str) -> Result<(), CliError> {
    fs::write(path, format!("{contents}\n")).map_err(|e| CliError::File(path.to_owned(), e))
}

/// Writes a secret readable by its owner only, and a newline. The mode is set on an existing
/// file too: `mode` at open applies only to a file it creates, so overwriting a key file that
/// others could read used to leave the new key readable by them.
pub(super) fn write_private(path: &Path, contents: &str) -> Result<(), CliError> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| {
            // Before writing: the secret is never readable by others, even for a moment.
            f.set_permissions(fs::Permissions::from_mode(0o600))?;
            f.write_all(format!("{contents}\n").as_bytes())
        })
        .map_err(|e| CliError::File(path.to_owned(), e))
}

/// Removes a file if it exists.
pub(super) fn remove_if_present(path: &Path) -> Result<(), CliError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CliError::File(path.to_owned(), e))
        }
        _ => Ok(()),
    }
}

pub(super) fn create_dir_all(dir: &Path) -> Result<(), CliError> {
    fs::create_dir_all(dir).map_err(|e| CliError::File(dir.to_owned(), e))
}

/// `value` as compact JSON.
pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string(value).map_err(CliError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key written over a file others could read is no longer readable by them.
    #[test]
    fn a_private_file_is_owner_only_even_when_it_existed() {
        let path = std::env::temp_dir().join(format!("permslip-private-{}", std::process::id()));
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "secret").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let contents = fs::read_to_string(&path).unwrap();
        fs::remove_file(&path).unwrap();
        assert_eq!(mode, 0o600);
        assert_eq!(contents, "secret\n");
    }
}
