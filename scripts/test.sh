#!/usr/bin/env bash
# The test command: installs the third-party peers the interop tests need, then runs every test
# of the workspace (unit, integration, interop, golden files, browser check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
export AMPEL_PEERS_DIR="$PWD/build"
# Here a missing peer or browser is an error, not a skipped test.
export AMPEL_REQUIRE_PEERS=1 AMPEL_REQUIRE_BROWSER=1
cargo test --workspace --release "$@"
