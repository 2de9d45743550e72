//! The registrations of one realm: URI patterns (exact, prefix, wildcard), invocation
//! policies (single, roundrobin, random, first, last) and the callees attached to each.

use std::collections::BTreeMap;

use super::PeerId;
use crate::id::Id;
use crate::pattern::{MatchPolicy, Pattern, best_match};
use crate::rpc_policy::InvokePolicy;
use crate::uri::Uri;

/// One callee attached to a registration, with the options of its REGISTER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Callee {
    pub(super) peer: PeerId,
    /// Its WAMP session ID (for the meta API).
    pub(super) session: Id,
    /// REGISTER.Options.disclose_caller.
    pub(super) disclose_caller: bool,
    /// REGISTER.Options.forward_timeout: the callee enforces CALL timeouts itself.
    pub(super) forward_timeout: bool,
}

#[derive(Debug)]
pub(super) struct Registration {
    pub(super) pattern: Pattern,
    pub(super) invoke: InvokePolicy,
    /// In the order they registered (roundrobin, first and last depend on it).
    pub(super) callees: Vec<Callee>,
    /// Roundrobin: the position of the next callee.
    next: usize,
}

/// Why a REGISTER was refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum RegisterRefusal {
    /// The pattern is taken with `single`, with another policy, or by this very session.
    AlreadyExists,
}

#[derive(Debug, Default)]
pub(super) struct Dealer {
    by_pattern: BTreeMap<Pattern, Id>,
    registrations: BTreeMap<Id, Registration>,
}

impl Dealer {
    /// Attaches `callee` to the registration of `pattern`, creating it if there is none:
    /// the registration ID and whether it was created.
    pub(super) fn register(
        &mut self,
        pattern: Pattern,
        invoke: InvokePolicy,
        callee: Callee,
        new_id: impl FnOnce() -> Id,
    ) -> Result<(Id, bool), RegisterRefusal> {
        if let Some(&id) = self.by_pattern.get(&pattern) {
            let reg = self
                .registrations
                .get_mut(&id)
                .expect("indexed registration exists");
            let shared = reg.invoke != InvokePolicy::Single && reg.invoke == invoke;
            if !shared || reg.callees.iter().any(|c| c.peer == callee.peer) {
                return Err(RegisterRefusal::AlreadyExists);
            }
            reg.callees.push(callee);
            return Ok((id, false));
        }
        let id = new_id();
        self.by_pattern.insert(pattern.clone(), id);
        self.registrations.insert(
            id,
            Registration {
                pattern,
                invoke,
                callees: vec![callee],
                next: 0,
            },
        );
        Ok((id, true))
    }

    /// Detaches `peer` from registration `id`: `None` if it was not attached, else whether
    /// the registration was deleted (its last callee left).
    pub(super) fn unregister(&mut self, peer: PeerId, id: Id) -> Option<bool> {
        let reg = self.registrations.get_mut(&id)?;
        let position = reg.callees.iter().position(|c| c.peer == peer)?;
        reg.callees.remove(position);
        if position < reg.next {
            reg.next -= 1;
        }
        if !reg.callees.is_empty() {
            return Some(false);
        }
        self.remove(id);
        Some(true)
    }

    /// Deletes registration `id` with all its callees.
    pub(super) fn remove(&mut self, id: Id) -> Option<Registration> {
        let reg = self.registrations.remove(&id)?;
        self.by_pattern.remove(&reg.pattern);
        Some(reg)
    }

    /// The registrations `peer` is attached to.
    pub(super) fn registrations_of(&self, peer: PeerId) -> Vec<Id> {
        self.registrations
            .iter()
            .filter(|(_, r)| r.callees.iter().any(|c| c.peer == peer))
            .map(|(id, _)| *id)
            .collect()
    }

    /// The registration a call to `procedure` goes to (exact, then the longest prefix,
    /// then the best wildcard), and the callee its policy picks; `random` draws a number in
    /// `0..len` from `draw`.
    pub(super) fn route(
        &mut self,
        procedure: &Uri,
        draw: impl FnOnce(usize) -> usize,
    ) -> Option<(Id, &Registration, Callee)> {
        let id = self.best_match(procedure)?;
        let reg = self.registrations.get_mut(&id)?;
        let n = reg.callees.len();
        let index = match reg.invoke {
            InvokePolicy::Single | InvokePolicy::First => 0,
            InvokePolicy::Last => n - 1,
            InvokePolicy::Random => draw(n) % n,
            InvokePolicy::RoundRobin => {
                let i = reg.next % n;
                reg.next = i + 1;
                i
            }
        };
        let callee = reg.callees[index];
        Some((id, reg, callee))
    }

    /// The registration best matching `procedure` (`wamp.registration.match`).
    pub(super) fn best_match(&self, procedure: &Uri) -> Option<Id> {
        best_match(procedure, self.by_pattern.iter().map(|(p, id)| (p, *id)))
    }

    /// The registration of exactly `pattern` (`wamp.registration.lookup`).
    pub(super) fn lookup(&self, pattern: &Pattern) -> Option<Id> {
        self.by_pattern.get(pattern).copied()
    }

    pub(super) fn get(&self, id: Id) -> Option<&Registration> {
        self.registrations.get(&id)
    }

    /// Registration IDs of one match policy, in ID order.
    pub(super) fn ids_with(&self, policy: MatchPolicy) -> Vec<Id> {
        self.registrations
            .iter()
            .filter(|(_, r)| r.pattern.policy == policy)
            .map(|(id, _)| *id)
            .collect()
    }
}
