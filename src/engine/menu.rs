//! Navigation filtering: one pass over a tree, iterative so no depth can overflow the stack.

use std::fmt;

use super::limits::{MAX_MENU_DEPTH, MAX_MENU_ITEMS};
use super::Checker;
use crate::model::{NavItem, Requirement};

/// A navigation tree over the documented limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuError {
    /// Nested deeper than `MAX_MENU_DEPTH`.
    TooDeep(usize),
    /// More items than `MAX_MENU_ITEMS`.
    TooManyItems(usize),
}

impl MenuError {
    /// A stable code, mirrored in JS.
    pub fn code(&self) -> &'static str {
        permslip_lite::facts::code::LIMIT_EXCEEDED
    }
}

impl fmt::Display for MenuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MenuError::TooDeep(max) => write!(f, "menu nested deeper than {max} levels"),
            MenuError::TooManyItems(max) => write!(f, "menu has more than {max} items"),
        }
    }
}

impl std::error::Error for MenuError {}

impl Checker {
    /// Which items of a navigation tree show, depth-first pre-order, as item ids.
    ///
    /// A leaf shows when its requirement holds; a group shows when its own requirement (if any)
    /// holds and at least one child shows.
    pub fn visible_menu_ids<'a>(&self, items: &'a [NavItem]) -> Result<Vec<&'a str>, MenuError> {
        visible_ids_by(items, |r| self.check(self.requirement_handle(r)))
    }

    /// The visible part of a navigation tree, groups without visible items removed.
    pub fn filter_menu(&self, items: &[NavItem]) -> Result<Vec<NavItem>, MenuError> {
        filter_by(items, |r| self.check(self.requirement_handle(r)))
    }
}

/// [`Checker::visible_menu_ids`] with requirements answered by `holds`: the one menu walk,
/// shared by every checker (full, lite) so groups vanish by the same rule everywhere.
pub fn visible_ids_by(
    items: &[NavItem],
    holds: impl Fn(&Requirement) -> bool,
) -> Result<Vec<&str>, MenuError> {
    let flat = flatten(items)?;
    let shown = shown(&flat, holds);
    Ok(flat
        .iter()
        .zip(shown)
        .filter(|(_, s)| *s)
        .map(|((item, _, _), _)| item.id.as_str())
        .collect())
}

/// [`Checker::filter_menu`] with requirements answered by `holds`.
pub fn filter_by(
    items: &[NavItem],
    holds: impl Fn(&Requirement) -> bool,
) -> Result<Vec<NavItem>, MenuError> {
    let flat = flatten(items)?;
    let shown = shown(&flat, holds);
    // Rebuild bottom-up: children are finished before their parent is.
    let mut built: Vec<Option<NavItem>> = vec![None; flat.len()];
    let mut roots = Vec::new();
    for i in (0..flat.len()).rev() {
        let (Some((item, parent, _)), Some(true)) = (flat.get(i), shown.get(i)) else {
            continue;
        };
        let mut children: Vec<NavItem> = Vec::new();
        // Collect this node's already-built children (they come after it in pre-order).
        for (j, (_, p, _)) in flat.iter().enumerate().skip(i + 1) {
            if *p == Some(i) {
                if let Some(child) = built.get_mut(j).and_then(Option::take) {
                    children.push(child);
                }
            }
        }
        let node = NavItem {
            children,
            ..(*item).clone()
        };
        match parent {
            Some(_) => {
                if let Some(slot) = built.get_mut(i) {
                    *slot = Some(node);
                }
            }
            None => roots.push(node),
        }
    }
    roots.reverse();
    Ok(roots)
}

fn shown(flat: &[Flat<'_>], holds: impl Fn(&Requirement) -> bool) -> Vec<bool> {
    let own: Vec<bool> = flat
        .iter()
        .map(|(item, _, _)| item.requires.as_ref().is_none_or(&holds))
        .collect();
    let mut child_shown = vec![false; flat.len()];
    let mut shown = vec![false; flat.len()];
    // Reverse pre-order visits every child before its parent.
    for i in (0..flat.len()).rev() {
        let Some((item, parent, _)) = flat.get(i) else {
            continue;
        };
        let is_group = !item.children.is_empty();
        let visible = own.get(i).copied().unwrap_or(false)
            && (!is_group || child_shown.get(i).copied().unwrap_or(false));
        if let Some(s) = shown.get_mut(i) {
            *s = visible;
        }
        if visible {
            if let Some(p) = parent.and_then(|p| child_shown.get_mut(p)) {
                *p = true;
            }
        }
    }
    // A hidden group hides its whole subtree: pre-order visits parents first.
    for i in 0..flat.len() {
        let parent_hidden = flat
            .get(i)
            .and_then(|(_, p, _)| *p)
            .is_some_and(|p| !shown.get(p).copied().unwrap_or(false));
        if parent_hidden {
            if let Some(s) = shown.get_mut(i) {
                *s = false;
            }
        }
    }
    shown
}

/// One flattened item: the item, its parent's index, its depth.
type Flat<'a> = (&'a NavItem, Option<usize>, usize);

/// Pre-order flattening with an explicit stack.
fn flatten(items: &[NavItem]) -> Result<Vec<Flat<'_>>, MenuError> {
    let mut out = Vec::new();
    let mut stack: Vec<Flat<'_>> = items.iter().rev().map(|i| (i, None, 1)).collect();
    while let Some((item, parent, depth)) = stack.pop() {
        if depth > MAX_MENU_DEPTH {
            return Err(MenuError::TooDeep(MAX_MENU_DEPTH));
        }
        if out.len() >= MAX_MENU_ITEMS {
            return Err(MenuError::TooManyItems(MAX_MENU_ITEMS));
        }
        let index = out.len();
        out.push((item, parent, depth));
        stack.extend(
            item.children
                .iter()
                .rev()
                .map(|c| (c, Some(index), depth + 1)),
        );
    }
    Ok(out)
}
