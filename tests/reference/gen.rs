//! Random valid slips and the checks to ask of them, from a seed.
//!
//! The generator is a tiny splitmix64, so a case is reproduced from its seed alone on any
//! platform and in any runtime. Slips are valid by construction: implication only points
//! forward in a hidden order (then the catalogue is shuffled), never at an explicit-only
//! permission; parents point at earlier resources; every name referenced is defined. Names come
//! from small pools so wildcards, scopes, teams and managers collide often.
#![allow(dead_code)]

use std::collections::BTreeMap;

use permslip::model::{Grant, NavItem, Requirement, RowRule};
use permslip::slip::{
    Catalogue, Slip, SlipFeature, SlipPermission, SlipResource, SlipResourceGrant, SlipRole,
    SlipTeam, SlipUser, SLIP_VERSION,
};
use serde_json::{json, Value};

/// splitmix64 (Steele, Lea, Flood 2014): one u64 of state, good enough and trivially portable.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random subset, in the original order.
    pub fn subset<T: Clone>(&mut self, items: &[T], percent: u64) -> Vec<T> {
        items
            .iter()
            .filter(|_| self.chance(percent))
            .cloned()
            .collect()
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Permission id pool: three prefixes so `a.*`, `a.b.*` and `*` overlap in interesting ways.
const PERMISSION_IDS: &[&str] = &[
    "a.read",
    "a.write",
    "a.admin",
    "a.b.read",
    "a.b.write",
    "a.bc",
    "b.read",
    "b.write",
    "b.a.x",
    "c",
    "ab.read",
    "a.b.c.deep",
];
const WILDCARDS: &[&str] = &["*", "a.*", "a.b.*", "b.*", "ab.*", "z.*"];
pub const SCOPES: &[&str] = &["s1", "s2", "s3"];
const PRODUCTS: &[&str] = &["p0", "p1", "p2"];
const LEVELS: &[&str] = &["reader", "editor", "owner", "master"];
pub const ACTIONS: &[&str] = &["view", "edit", "delete", "use"];
const USER: &str = "u";
const REPORTS: &[&str] = &["r1", "r2"];

/// A random valid slip: its whole shape follows from `rng`.
pub fn slip(rng: &mut Rng) -> Slip {
    let products: Vec<String> = rng
        .subset(PRODUCTS, 60)
        .into_iter()
        .map(String::from)
        .collect();
    let maybe_product = |rng: &mut Rng| -> Option<String> {
        (!products.is_empty() && rng.chance(40)).then(|| rng.pick(&products).clone())
    };
    let levels: Vec<String> = if rng.chance(10) {
        Vec::new()
    } else {
        LEVELS[..1 + rng.below(LEVELS.len())]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let random_level = |rng: &mut Rng| rng.pick(&levels).clone();

    // Permissions in a hidden order; each implies only later, non-explicit ones.
    let mut ids: Vec<&str> = rng.subset(PERMISSION_IDS, 60);
    if ids.is_empty() {
        ids.push(PERMISSION_IDS[rng.below(PERMISSION_IDS.len())]);
    }
    rng.shuffle(&mut ids);
    let explicit: Vec<bool> = ids.iter().map(|_| rng.chance(15)).collect();
    let mut permissions: Vec<SlipPermission> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let implies = (i + 1..ids.len())
            .filter(|&j| !explicit[j] && rng.chance(25))
            .map(|j| ids[j].to_string())
            .collect();
        permissions.push(SlipPermission {
            id: id.to_string(),
            product: maybe_product(rng),
            implies,
            explicit: explicit[i],
        });
    }
    rng.shuffle(&mut permissions);
    let perm_ids: Vec<String> = permissions.iter().map(|p| p.id.clone()).collect();

    let feature_ids: Vec<String> = (0..rng.below(4)).map(|i| format!("f{i}")).collect();
    let random_grant = |rng: &mut Rng| -> Grant {
        match rng.below(10) {
            0 | 1 => Grant::Plain(rng.pick(WILDCARDS).to_string()),
            2..=4 => {
                let scope = rng
                    .subset(SCOPES, 40)
                    .into_iter()
                    .map(String::from)
                    .collect();
                Grant::Scoped {
                    permission: rng.pick(&perm_ids).clone(),
                    scope,
                }
            }
            _ => Grant::Plain(rng.pick(&perm_ids).clone()),
        }
    };
    let random_levels = |rng: &mut Rng| -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        if levels.is_empty() {
            return map;
        }
        for f in &feature_ids {
            if rng.chance(30) {
                map.insert(f.clone(), random_level(rng));
            }
        }
        map
    };

    let roles: Vec<SlipRole> = (0..1 + rng.below(5))
        .map(|i| SlipRole {
            id: format!("role{i}"),
            name: String::new(),
            admin: rng.chance(12),
            grants: (0..rng.below(4)).map(|_| random_grant(rng)).collect(),
            levels: random_levels(rng),
        })
        .collect();
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();

    let mut actions = BTreeMap::new();
    if !levels.is_empty() {
        for a in &ACTIONS[..3] {
            if rng.chance(70) {
                actions.insert(a.to_string(), random_level(rng));
            }
        }
    }
    let features: Vec<SlipFeature> = feature_ids
        .iter()
        .map(|id| {
            let mut overrides = BTreeMap::new();
            if !levels.is_empty() {
                for a in ACTIONS {
                    if rng.chance(20) {
                        overrides.insert(a.to_string(), random_level(rng));
                    }
                }
            }
            SlipFeature {
                id: id.clone(),
                product: maybe_product(rng),
                rows: *rng.pick(&[RowRule::All, RowRule::OwnAndManaged, RowRule::Assigned]),
                actions: overrides,
            }
        })
        .collect();

    let catalogue = Catalogue {
        model: "random".into(),
        products: products.clone(),
        levels: levels.clone(),
        actions,
        permissions,
        base_role: rng.chance(30).then(|| rng.pick(&role_ids).clone()),
        roles,
        features,
    };

    let manages: Vec<String> = rng
        .subset(REPORTS, 40)
        .into_iter()
        .map(String::from)
        .collect();
    let user = SlipUser {
        id: USER.into(),
        name: String::new(),
        roles: rng.subset(&role_ids, 30),
        manages: manages.clone(),
        grants: (0..rng.below(3)).map(|_| random_grant(rng)).collect(),
        revokes: rng.subset(&perm_ids, 10),
        levels: random_levels(rng),
    };
    let teams: Vec<SlipTeam> = (0..rng.below(4))
        .map(|i| SlipTeam {
            id: format!("t{i}"),
            name: String::new(),
            roles: rng.subset(&role_ids, 25),
            levels: random_levels(rng),
        })
        .collect();
    let team_ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();

    let mut slip_products = BTreeMap::new();
    for p in &products {
        if rng.chance(85) {
            slip_products.insert(p.clone(), rng.chance(75));
        }
    }

    let mut resources: Vec<SlipResource> = Vec::new();
    if !feature_ids.is_empty() {
        for i in 0..rng.below(8) {
            let parent = (i > 0 && rng.chance(35)).then(|| format!("res{}", rng.below(i)));
            let owners = [USER, "r1", "r2", "stranger"];
            let mut grants = Vec::new();
            if !levels.is_empty() {
                for _ in 0..rng.below(3) {
                    let via = match rng.below(3) {
                        0 => "user".to_string(),
                        1 if !team_ids.is_empty() => format!("team:{}", rng.pick(&team_ids)),
                        2 if !manages.is_empty() => format!("managed:{}", rng.pick(&manages)),
                        _ => "user".to_string(),
                    };
                    grants.push(SlipResourceGrant {
                        level: random_level(rng),
                        via,
                    });
                }
            }
            resources.push(SlipResource {
                id: format!("res{i}"),
                feature: rng.pick(&feature_ids).clone(),
                owner: rng.chance(60).then(|| rng.pick(&owners).to_string()),
                restricted: rng.chance(25),
                inherit: parent.is_some() && rng.chance(50),
                parent,
                grants,
            });
        }
    }
    rng.shuffle(&mut resources);

    Slip {
        v: SLIP_VERSION,
        catalogue: Some(catalogue),
        catalogue_hash: None,
        products: slip_products,
        user,
        teams,
        resources,
    }
}

/// A random navigation tree over the slip's names (and a few unknown ones).
pub fn nav(rng: &mut Rng, slip: &Slip, depth: usize, next_id: &mut usize) -> Vec<NavItem> {
    let cat = slip.catalogue.as_ref().expect("inline catalogue");
    let mut items = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let requires = match rng.below(5) {
            0 => None,
            1 | 2 => Some(Requirement::Permission {
                permission: cat
                    .permissions
                    .get(rng.below(cat.permissions.len() + 1))
                    .map_or("nope".into(), |p| p.id.clone()),
                scope: rng.chance(30).then(|| rng.pick(SCOPES).to_string()),
            }),
            _ => Some(Requirement::Feature {
                feature: cat
                    .features
                    .get(rng.below(cat.features.len() + 1))
                    .map_or("nope".into(), |f| f.id.clone()),
                level: match rng.below(4) {
                    0 => cat.levels.get(rng.below(cat.levels.len() + 1)).cloned(),
                    1 => Some("nope".into()),
                    _ => None,
                },
            }),
        };
        *next_id += 1;
        let id = format!("n{next_id}");
        let children = if depth > 0 && rng.chance(40) {
            nav(rng, slip, depth - 1, next_id)
        } else {
            Vec::new()
        };
        items.push(NavItem {
            id,
            label: String::new(),
            requires,
            children,
        });
    }
    items
}

/// Every check worth asking of a slip: each permission with no scope, each pool scope, each
/// value the slip's grants name and an unknown one; each feature's level and actions; each
/// resource's level and actions; each list; unknown names of every kind.
pub fn fixed_checks(slip: &Slip) -> Vec<Value> {
    let cat = slip.catalogue.as_ref().expect("inline catalogue");
    let mut scopes: Vec<String> = SCOPES
        .iter()
        .chain(&["unknown-scope"])
        .map(|s| s.to_string())
        .collect();
    let role_grants = cat.roles.iter().flat_map(|r| &r.grants);
    for g in role_grants.chain(&slip.user.grants) {
        for v in g.scope().unwrap_or_default() {
            if !scopes.contains(v) && scopes.len() < 16 {
                scopes.push(v.clone());
            }
        }
    }
    let mut actions: Vec<String> = ACTIONS
        .iter()
        .chain(&["nope"])
        .map(|s| s.to_string())
        .collect();
    let feature_actions = cat.features.iter().flat_map(|f| f.actions.keys());
    for a in cat.actions.keys().chain(feature_actions) {
        if !actions.contains(a) && actions.len() < 16 {
            actions.push(a.clone());
        }
    }
    let mut out = Vec::new();
    let perms = cat
        .permissions
        .iter()
        .map(|p| p.id.as_str())
        .chain(["nope", "a.*"]);
    for p in perms {
        out.push(json!({"can": p}));
        for s in &scopes {
            out.push(json!({"can": p, "scope": s}));
        }
    }
    for f in cat.features.iter().map(|f| f.id.as_str()).chain(["nope"]) {
        out.push(json!({"level": f}));
        for a in &actions {
            out.push(json!({"feature": f, "action": a}));
            out.push(json!({"list": f, "action": a}));
        }
    }
    for r in slip.resources.iter().map(|r| r.id.as_str()).chain(["nope"]) {
        out.push(json!({"resource_level": r}));
        for a in &actions {
            out.push(json!({"resource": r, "action": a}));
        }
    }
    out
}

/// [`fixed_checks`] plus one random navigation tree.
pub fn checks(rng: &mut Rng, slip: &Slip) -> Vec<Value> {
    let mut out = fixed_checks(slip);
    let mut next_id = 0;
    let menu = nav(rng, slip, 3, &mut next_id);
    out.push(json!({"menu": serde_json::to_value(menu).expect("nav serializes")}));
    out
}
