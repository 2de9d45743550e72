//! The dealer of one realm: registrations (exact matching, single callee) and the calls in
//! flight between callers and callees.

use std::collections::BTreeMap;

use super::PeerId;
use crate::id::Id;
use crate::uri::Uri;

#[derive(Debug, Default)]
pub(super) struct Dealer {
    by_procedure: BTreeMap<Uri, Id>,
    registrations: BTreeMap<Id, Registration>,
    /// Open invocations keyed by (callee, INVOCATION request ID). The caller is `None` when
    /// it left: the callee's late answer is then dropped silently.
    invocations: BTreeMap<(PeerId, Id), Option<Caller>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Caller {
    pub(super) peer: PeerId,
    pub(super) request: Id,
}

#[derive(Debug)]
struct Registration {
    procedure: Uri,
    callee: PeerId,
}

impl Dealer {
    /// Registers `procedure` for `callee`; `None` if it already has a callee.
    pub(super) fn register(
        &mut self,
        callee: PeerId,
        procedure: Uri,
        new_id: impl FnOnce() -> Id,
    ) -> Option<Id> {
        if self.by_procedure.contains_key(&procedure) {
            return None;
        }
        let id = new_id();
        self.by_procedure.insert(procedure.clone(), id);
        self.registrations
            .insert(id, Registration { procedure, callee });
        Some(id)
    }

    /// Removes registration `id` if `callee` holds it.
    pub(super) fn unregister(&mut self, callee: PeerId, id: Id) -> bool {
        match self.registrations.get(&id) {
            Some(r) if r.callee == callee => {
                self.by_procedure.remove(&r.procedure);
                self.registrations.remove(&id);
                true
            }
            _ => false,
        }
    }

    /// The registration and callee for `procedure`.
    pub(super) fn lookup(&self, procedure: &Uri) -> Option<(Id, PeerId)> {
        let id = self.by_procedure.get(procedure)?;
        self.registrations.get(id).map(|r| (*id, r.callee))
    }

    pub(super) fn start(&mut self, callee: PeerId, invocation: Id, caller: Caller) {
        self.invocations.insert((callee, invocation), Some(caller));
    }

    /// Ends an invocation: `None` if unknown, `Some(None)` if its caller has left.
    pub(super) fn finish(&mut self, callee: PeerId, invocation: Id) -> Option<Option<Caller>> {
        self.invocations.remove(&(callee, invocation))
    }

    /// A session leaves: its registrations go, calls it was serving are returned (to be
    /// answered `wamp.error.canceled`), and calls it made are orphaned.
    pub(super) fn remove_peer(&mut self, peer: PeerId) -> Vec<Caller> {
        let regs: Vec<Id> = self
            .registrations
            .iter()
            .filter(|(_, r)| r.callee == peer)
            .map(|(id, _)| *id)
            .collect();
        for id in regs {
            self.unregister(peer, id);
        }
        let served: Vec<(PeerId, Id)> = self
            .invocations
            .range((peer, Id::MIN)..=(peer, Id::MAX))
            .map(|(k, _)| *k)
            .collect();
        let mut canceled = Vec::new();
        for key in served {
            if let Some(Some(caller)) = self.invocations.remove(&key) {
                canceled.push(caller);
            }
        }
        for caller in self.invocations.values_mut() {
            if caller.is_some_and(|c| c.peer == peer) {
                *caller = None;
            }
        }
        canceled
    }
}
