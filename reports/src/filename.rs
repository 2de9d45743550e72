//! Autobahn's report file names: `<agent>_case_<id>.<ext>`.

use ampel_cases::CaseId;

/// The agent part of a file name, exactly as Autobahn cleans it: lower-cased, every character
/// outside `[a-z0-9]` becomes a space, the result is trimmed, and each space becomes `_`.
/// `"WS-RS"` → `ws_rs`; `"  My Server/1.0 "` → `my_server_1_0`.
pub fn clean_agent(agent: &str) -> String {
    let spaced: String = agent
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                ' '
            }
        })
        .collect();
    spaced.trim().replace(' ', "_")
}

/// The report file name for `agent` and `id` with extension `ext` (`json` or `html`):
/// agent "WS-RS", case 12.5.4 → `ws_rs_case_12_5_4.json`.
pub fn case_file_name(agent: &str, id: &CaseId, ext: &str) -> String {
    let id = id.to_string().replace('.', "_");
    format!("{}_case_{id}.{ext}", clean_agent(agent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CaseId {
        s.parse().unwrap()
    }

    #[test]
    fn autobahn_examples() {
        assert_eq!(
            case_file_name("WS-RS", &id("12.5.4"), "json"),
            "ws_rs_case_12_5_4.json"
        );
        assert_eq!(
            case_file_name("AutobahnPython/0.6.0", &id("1.1.1"), "html"),
            "autobahnpython_0_6_0_case_1_1_1.html"
        );
    }

    #[test]
    fn trims_and_keeps_inner_runs() {
        assert_eq!(clean_agent("  My  Server! "), "my__server");
        assert_eq!(clean_agent("--x--"), "x");
        assert_eq!(clean_agent("Ünïcode Ω"), "n_code");
        assert_eq!(clean_agent("../../etc"), "etc");
        assert_eq!(clean_agent(""), "");
    }

    #[test]
    fn only_safe_characters_survive() {
        for agent in ["a/b\\c", "x\0y", "<script>", "tab\there", "C:\\evil"] {
            let name = clean_agent(agent);
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{agent:?} → {name:?}"
            );
        }
    }
}
