//! The command line's one error type: why a command could not do what it was asked.

use std::fmt;
use std::path::PathBuf;

use crate::engine::MenuError;
use crate::issue::IssueError;
use crate::snapshot::LoadError;
use crate::token::{CatalogueError, TokenError};

/// Why a command could not decide or finish (exit code 3). Printed as one line.
#[derive(Debug)]
pub enum CliError {
    /// A file could not be read, written or removed.
    File(PathBuf, std::io::Error),
    /// Standard input could not be read.
    Stdin(std::io::Error),
    /// The system's randomness could not be read.
    Randomness(std::io::Error),
    /// A file holds no valid JSON of the expected shape.
    Json(PathBuf, serde_json::Error),
    /// A key file or key set could not be read as one.
    Key(PathBuf, TokenError),
    /// The snapshot was refused.
    Load(LoadError),
    /// The catalogue bundle was refused.
    Catalogue(CatalogueError),
    /// Nothing could be issued.
    Issue(IssueError),
    /// The model's navigation tree is invalid.
    Menu(MenuError),
    /// A token given to `inspect` without keys does not decode.
    Decode(String),
    /// The arguments make no sense together (beyond what the parser already checks).
    Usage(&'static str),
    /// A value could not be written as JSON.
    Output(serde_json::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::File(path, e) => write!(f, "`{}`: {e}", path.display()),
            CliError::Stdin(e) => write!(f, "stdin: {e}"),
            CliError::Randomness(e) => write!(f, "cannot read randomness: {e}"),
            CliError::Json(path, e) => write!(f, "`{}`: {e}", path.display()),
            CliError::Key(path, e) => write!(f, "`{}`: {e}", path.display()),
            CliError::Load(e) => write!(f, "{e} ({})", e.code()),
            CliError::Catalogue(e) => write!(f, "{e} ({})", e.code()),
            CliError::Issue(e) => e.fmt(f),
            CliError::Menu(e) => e.fmt(f),
            CliError::Decode(message) => f.write_str(message),
            CliError::Usage(message) => f.write_str(message),
            CliError::Output(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CliError {}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> CliError {
        CliError::Load(e)
    }
}

impl From<CatalogueError> for CliError {
    fn from(e: CatalogueError) -> CliError {
        CliError::Catalogue(e)
    }
}

impl From<IssueError> for CliError {
    fn from(e: IssueError) -> CliError {
        CliError::Issue(e)
    }
}

impl From<MenuError> for CliError {
    fn from(e: MenuError) -> CliError {
        CliError::Menu(e)
    }
}
