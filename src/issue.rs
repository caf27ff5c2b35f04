//! The issuing side: slice one user's part of a model and directory into a [`Slip`].
//!
//! Only this user's assignments travel: resource assignments are narrowed to the user, their
//! teams and the users they manage, resources that cannot reach the user are left out, and
//! owners other than the user and their reports are dropped. The result is compiled before it is
//! returned, so an inconsistent model (unknown names, cycles, limits) is rejected here, at issue
//! time, and again by every verifier at load.
//!
//! [`Issuer`] issues one run of signed tokens (the policy `permslip issue` follows: token
//! format, where the catalogue travels, the cookie-size limit).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::dangerous;
use crate::engine::{CompileError, LiteClaims};
use crate::model::{Directory, Model, User};
use crate::slip::{
    Catalogue, Slip, SlipFeature, SlipPermission, SlipResource, SlipResourceGrant, SlipRole,
    SlipTeam, SlipUser, SLIP_VERSION,
};
use crate::token::{sign_lite, Claims, SigningKey};

mod tokens;

pub use tokens::{CatalogueMode, IssueOptions, Issuer, TokenFormat, COOKIE_BYTES};

/// Why a slip could not be issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueError {
    /// The model's format version is not one this build reads.
    UnsupportedModelVersion(u32),
    /// No user with this id in the directory.
    UnknownSubject(String),
    /// The directory names something that does not exist (`kind`, `name`).
    Unknown(&'static str, String),
    /// A user or team id appears twice.
    Duplicate(&'static str, String),
    /// The manager relation loops through this user.
    ManagerCycle(String),
    /// The resulting slip does not compile (inconsistent model or over a limit).
    Invalid(CompileError),
    /// The signing key cannot sign this kind of token (a lite header needs a plain key id).
    Key(String),
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueError::UnsupportedModelVersion(v) => write!(f, "unsupported model version `{v}`"),
            IssueError::UnknownSubject(s) => write!(f, "no user `{s}` in the directory"),
            IssueError::Unknown(kind, name) => write!(f, "unknown {kind} `{name}`"),
            IssueError::Duplicate(kind, name) => write!(f, "duplicate {kind} `{name}`"),
            IssueError::ManagerCycle(u) => write!(f, "manager cycle through `{u}`"),
            IssueError::Invalid(e) => write!(f, "invalid model: {e}"),
            IssueError::Key(e) => write!(f, "signing key: {e}"),
        }
    }
}

impl std::error::Error for IssueError {}

impl From<CompileError> for IssueError {
    fn from(e: CompileError) -> Self {
        IssueError::Invalid(e)
    }
}

/// A lite token (`docs/LITE.md`) for the claims of a full snapshot whose slip carries its
/// catalogue inline: the slip is compiled here, by this engine, and its decisions are signed.
pub fn lite_token(claims: &Claims, key: &SigningKey) -> Result<String, IssueError> {
    let checker = dangerous::compile_unverified(&claims.slip)?;
    let aud: Vec<String> = claims.aud.iter().map(str::to_owned).collect();
    let payload = checker.lite_payload(&LiteClaims {
        iss: &claims.iss,
        aud: &aud,
        iat: claims.iat,
        nbf: claims.not_before(),
        exp: claims.exp,
        serial: claims.serial,
    })?;
    sign_lite(&payload, key).map_err(|e| IssueError::Key(e.to_string()))
}

/// Checks a model and directory as a whole: every user's slip must issue.
pub fn validate(model: &Model, directory: &Directory) -> Result<(), IssueError> {
    for u in &directory.users {
        slip_for(model, directory, &u.id)?;
    }
    Ok(())
}

/// The part of a model every user shares: permissions, roles, levels, features.
pub fn catalogue_of(model: &Model) -> Catalogue {
    Catalogue {
        model: model.name.clone(),
        products: model.products.iter().map(|p| p.id.clone()).collect(),
        levels: model.levels.clone(),
        actions: model.actions.clone(),
        permissions: model
            .permissions
            .iter()
            .map(|p| SlipPermission {
                id: p.id.clone(),
                product: p.product.clone(),
                implies: p.implies.clone(),
                explicit: p.explicit,
            })
            .collect(),
        roles: model
            .roles
            .iter()
            .map(|r| SlipRole {
                id: r.id.clone(),
                name: r.name.clone(),
                admin: r.admin,
                grants: r.grants.clone(),
                levels: r.levels.clone(),
            })
            .collect(),
        base_role: model.base_role.clone(),
        features: model
            .features
            .iter()
            .map(|f| SlipFeature {
                id: f.id.clone(),
                product: f.product.clone(),
                rows: f.rows,
                actions: f.actions.clone(),
            })
            .collect(),
    }
}

/// [`slip_for`], with the catalogue left out and named by the hash of its signed bundle
/// (for models whose catalogue would make every snapshot too large for a cookie).
pub fn slip_for_bundle(
    model: &Model,
    directory: &Directory,
    subject: &str,
    catalogue_hash: &str,
) -> Result<Slip, IssueError> {
    let mut slip = slip_for(model, directory, subject)?;
    slip.catalogue = None;
    slip.catalogue_hash = Some(catalogue_hash.to_owned());
    Ok(slip)
}

/// Cuts the slip of `subject` out of a model and directory, its catalogue inline.
pub fn slip_for(model: &Model, directory: &Directory, subject: &str) -> Result<Slip, IssueError> {
    if model.version != 1 {
        return Err(IssueError::UnsupportedModelVersion(model.version));
    }
    let users = index(&directory.users, |u| &u.id, "user")?;
    let teams = index(&directory.teams, |t| &t.id, "team")?;
    let user = *users
        .get(subject)
        .ok_or_else(|| IssueError::UnknownSubject(subject.to_owned()))?;
    check_managers(&directory.users, &users)?;

    let mut products = BTreeMap::new();
    for p in &model.products {
        let toggled = user.products.get(&p.id).copied().unwrap_or(true);
        products.insert(p.id.clone(), p.enabled && toggled);
    }
    for p in user.products.keys() {
        if !products.contains_key(p) {
            return Err(IssueError::Unknown("product", p.clone()));
        }
    }

    // The user's teams, the everyone team first.
    let mut team_ids: Vec<&str> = Vec::new();
    if let Some(everyone) = &model.everyone_team {
        team_ids.push(everyone);
    }
    for t in &user.teams {
        if !teams.contains_key(t.as_str()) && model.everyone_team.as_deref() != Some(t) {
            return Err(IssueError::Unknown("team", t.clone()));
        }
        if !team_ids.contains(&t.as_str()) {
            team_ids.push(t);
        }
    }
    let slip_teams = team_ids
        .iter()
        .map(|id| match teams.get(id) {
            Some(t) => SlipTeam {
                id: t.id.clone(),
                name: t.name.clone(),
                roles: t.roles.clone(),
                levels: t.levels.clone(),
            },
            None => SlipTeam {
                id: (*id).to_owned(),
                name: String::new(),
                roles: Vec::new(),
                levels: BTreeMap::new(),
            },
        })
        .collect();

    let manages = reports_of(&directory.users, subject);
    let managed_set: BTreeSet<&str> = manages.iter().map(String::as_str).collect();

    let mut slip = Slip {
        v: SLIP_VERSION,
        catalogue: Some(catalogue_of(model)),
        catalogue_hash: None,
        products,
        user: SlipUser {
            id: user.id.clone(),
            name: user.name.clone(),
            roles: user.roles.clone(),
            manages: manages.clone(),
            grants: user.grants.clone(),
            revokes: user.revokes.clone(),
            levels: user.levels.clone(),
        },
        teams: slip_teams,
        resources: Vec::new(),
    };

    // Every resource with its assignments narrowed to this user; then keep what reaches them.
    let everyone = model.everyone_team.as_deref();
    for r in &directory.resources {
        let mut grants = Vec::new();
        for g in &r.grants {
            let via = if let Some(u) = g.to.strip_prefix("user:") {
                if !users.contains_key(u) {
                    return Err(IssueError::Unknown("user", u.to_owned()));
                }
                if u == subject {
                    Some("user".to_owned())
                } else {
                    managed_set.contains(u).then(|| format!("managed:{u}"))
                }
            } else if let Some(t) = g.to.strip_prefix("team:") {
                if !teams.contains_key(t) && everyone != Some(t) {
                    return Err(IssueError::Unknown("team", t.to_owned()));
                }
                if team_ids.contains(&t) {
                    Some(format!("team:{t}"))
                } else {
                    // A report in that team makes the manager see restricted lists too.
                    manages
                        .iter()
                        .find(|m| users.get(m.as_str()).is_some_and(|mu| in_team(mu, t)))
                        .map(|m| format!("managed:{m}"))
                }
            } else {
                return Err(IssueError::Unknown("assignee", g.to.clone()));
            };
            if let Some(via) = via {
                grants.push(SlipResourceGrant {
                    level: g.level.clone(),
                    via,
                });
            }
        }
        let owner = r
            .owner
            .as_ref()
            .filter(|o| o.as_str() == subject || managed_set.contains(o.as_str()))
            .cloned();
        slip.resources.push(SlipResource {
            id: r.id.clone(),
            feature: r.feature.clone(),
            owner,
            restricted: r.restricted,
            parent: r.parent.clone(),
            inherit: r.inherit,
            grants,
        });
    }
    let full = dangerous::compile_unverified(&slip)?;
    let keep = reaching(&slip.resources, |id| full.resource_level(id) > 0);
    slip.resources = slip
        .resources
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(r, _)| r)
        .collect();
    dangerous::compile_unverified(&slip)?;
    Ok(slip)
}

/// Marks the resources to keep: visible ones and their ancestors (needed for inheritance and
/// the parent cap). Ancestor chains are walked with a step bound; cycles were rejected by the
/// compile that produced `visible`.
fn reaching(resources: &[SlipResource], visible: impl Fn(&str) -> bool) -> Vec<bool> {
    let position: BTreeMap<&str, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut keep = vec![false; resources.len()];
    for (i, r) in resources.iter().enumerate() {
        if !visible(&r.id) {
            continue;
        }
        let mut at = Some(i);
        let mut steps = 0;
        while let Some(j) = at {
            if steps > resources.len() || keep.get(j).copied().unwrap_or(true) && j != i {
                break;
            }
            if let Some(k) = keep.get_mut(j) {
                *k = true;
            }
            steps += 1;
            at = resources
                .get(j)
                .and_then(|r| r.parent.as_deref())
                .and_then(|p| position.get(p).copied());
        }
    }
    keep
}

fn in_team(user: &User, team: &str) -> bool {
    user.teams.iter().any(|t| t == team)
}

/// Everyone whose manager chain reaches `subject`, in directory order.
fn reports_of(users: &[User], subject: &str) -> Vec<String> {
    let mut found: BTreeSet<&str> = BTreeSet::new();
    let mut frontier = vec![subject];
    while let Some(m) = frontier.pop() {
        for u in users {
            if u.manager.as_deref() == Some(m) && u.id != subject && found.insert(&u.id) {
                frontier.push(&u.id);
            }
        }
    }
    users
        .iter()
        .filter(|u| found.contains(u.id.as_str()))
        .map(|u| u.id.clone())
        .collect()
}

/// Rejects unknown managers and manager cycles (each chain is walked at most `users` steps).
fn check_managers(users: &[User], by_id: &BTreeMap<&str, &User>) -> Result<(), IssueError> {
    for u in users {
        let mut at = u;
        let mut steps = 0;
        while let Some(m) = &at.manager {
            at = by_id
                .get(m.as_str())
                .ok_or_else(|| IssueError::Unknown("manager", m.clone()))?;
            steps += 1;
            if steps > users.len() {
                return Err(IssueError::ManagerCycle(u.id.clone()));
            }
        }
    }
    Ok(())
}

fn index<'a, T>(
    items: &'a [T],
    id: impl Fn(&T) -> &String,
    kind: &'static str,
) -> Result<BTreeMap<&'a str, &'a T>, IssueError> {
    let mut map = BTreeMap::new();
    for item in items {
        if map.insert(id(item).as_str(), item).is_some() {
            return Err(IssueError::Duplicate(kind, id(item).clone()));
        }
    }
    Ok(map)
}
