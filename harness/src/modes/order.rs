//! The order in which cases start when several run at once: the heaviest first, so a run
//! does not end with one long case running alone while the other jobs sit idle. Cases of
//! equal weight take turns by window group, so the first cases of a group do not all run
//! at the same time and each compress its windows themselves (the second case of a group
//! then finds them in the run-wide cache). Results are reported by case ID whatever the
//! order.

use std::cmp::Reverse;
use std::collections::HashMap;

use ampel_cases::{Case, EchoSource, Step};

use crate::wire::window_cache::group_of;

/// `cases` reordered: by weight, heaviest first; equal weights by turn within their window
/// group, then in the given order.
pub fn heaviest_first(cases: &[&'static Case]) -> Vec<&'static Case> {
    let mut turns = HashMap::new();
    let mut keyed: Vec<_> = cases
        .iter()
        .map(|case| {
            let turn = group_of(case).map_or(0, |group| {
                let next = turns.entry(group).or_insert(0usize);
                *next += 1;
                *next
            });
            (Reverse(weight(case)), turn, *case)
        })
        .collect();
    // Stable: ties keep the given (catalogue) order.
    keyed.sort_by_key(|(weight, turn, _)| (*weight, *turn));
    keyed.into_iter().map(|(_, _, case)| case).collect()
}

/// Octets (characters for a text data set) the case sends in its echo loops: the bulk of the
/// work of the long cases, for the harness and the peer alike. Other steps count nothing.
fn weight(case: &Case) -> u64 {
    case.steps
        .iter()
        .map(|step| match step {
            Step::EchoLoop { source, count, .. } => {
                let each = match source {
                    EchoSource::Windows(w) => w.size,
                    EchoSource::Fixed(m) => m.payload.len(),
                    _ => 0,
                };
                (each as u64).saturating_mul(u64::from(*count))
            }
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use ampel_cases::catalogue;

    use super::*;

    fn ids(cases: &[&Case]) -> Vec<String> {
        cases.iter().map(|c| c.id.to_string()).collect()
    }

    fn cases(prefixes: &[&str]) -> Vec<&'static Case> {
        catalogue()
            .iter()
            .filter(|c| {
                let id = c.id.to_string();
                prefixes.iter().any(|p| id.starts_with(p))
            })
            .collect()
    }

    #[test]
    fn largest_windows_first_groups_taking_turns() {
        let order = ids(&heaviest_first(&cases(&["12.1.", "12.2."])));
        // The 131072-unit rows first, the two sets alternating; the 16-unit rows last.
        assert_eq!(
            order[..6],
            [
                "12.1.10", "12.2.10", "12.1.15", "12.2.15", "12.1.16", "12.2.16"
            ]
        );
        assert_eq!(order[order.len() - 2..], ["12.1.1", "12.2.1"]);
        assert_eq!(order.len(), 36);
    }

    #[test]
    fn cases_without_echo_loops_keep_their_order() {
        let given = cases(&["1.1.", "2."]);
        assert_eq!(ids(&heaviest_first(&given)), ids(&given));
    }
}
