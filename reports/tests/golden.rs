//! Golden-file tests of every writer: the synthetic report rendered with `render_all` must
//! equal `tests/golden/*` byte for byte. `UPDATE_GOLDEN=1 cargo test -p ampel-reports --test
//! golden` rewrites the golden files; review the diff before committing it.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use ampel_reports::render_all;

fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_writer_matches_its_golden_files() {
    let out = tempfile::tempdir().unwrap();
    render_all(out.path(), &common::report()).unwrap();
    let golden = common::golden_dir();
    let produced = file_names(out.path());

    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(&golden).unwrap();
        for stale in file_names(&golden).difference(&produced) {
            fs::remove_file(golden.join(stale)).unwrap();
        }
        for name in &produced {
            fs::copy(out.path().join(name), golden.join(name)).unwrap();
        }
        eprintln!("UPDATE_GOLDEN: rewrote {} golden files", produced.len());
        return;
    }

    // 2 agents: 7 + 6 cases, each with a JSON and an HTML page; plus the 4 run-level files.
    assert_eq!(produced.len(), 13 * 2 + 4, "{produced:?}");
    assert_eq!(
        produced,
        file_names(&golden),
        "produced files differ from tests/golden (UPDATE_GOLDEN=1 regenerates)"
    );
    let mut mismatched = Vec::new();
    for name in &produced {
        let got = fs::read_to_string(out.path().join(name)).unwrap();
        let want = fs::read_to_string(golden.join(name)).unwrap();
        if got != want {
            mismatched.push(name.clone());
        }
    }
    assert!(
        mismatched.is_empty(),
        "differ from tests/golden (UPDATE_GOLDEN=1 regenerates): {mismatched:?}"
    );
}

#[test]
fn rendering_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    render_all(a.path(), &common::report()).unwrap();
    render_all(b.path(), &common::report()).unwrap();
    for name in file_names(a.path()) {
        assert_eq!(
            fs::read(a.path().join(&name)).unwrap(),
            fs::read(b.path().join(&name)).unwrap(),
            "{name}"
        );
    }
}
