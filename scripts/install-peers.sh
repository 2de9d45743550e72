#!/usr/bin/env bash
# Installs the third-party peers the tests talk to, from the package registries, into build/:
# Python `websockets` and `autobahn` and the Crossbar.io router (PyPI), Node `ws` (npm), and
# Debian's chromium for the HTML report check. Idempotent: a second run only checks what is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
mkdir -p "$build"

# Python peers in a private virtualenv (pinned majors; newer minors are fine).
if [ ! -x "$build/py/bin/python" ]; then
  python3 -m venv "$build/py"
fi
if ! "$build/py/bin/python" -c 'import websockets' 2>/dev/null; then
  "$build/py/bin/pip" install --quiet --disable-pip-version-check 'websockets>=13,<16'
fi
# autobahn-python with MessagePack and CBOR (msgpack, cbor2) for the WAMP interop tests, and
# PyNaCl (the encryption extra) for its cryptosign authentication.
if ! "$build/py/bin/python" -c 'import autobahn, msgpack, cbor2, nacl' 2>/dev/null; then
  "$build/py/bin/pip" install --quiet --disable-pip-version-check 'autobahn[serialization,encryption]>=24'
fi

# Crossbar.io router for the WAMP interop tests, in its own virtualenv: its pinned dependencies
# must not constrain the autobahn version above.
if [ ! -x "$build/crossbar/bin/crossbar" ]; then
  python3 -m venv "$build/crossbar"
  "$build/crossbar/bin/pip" install --quiet --disable-pip-version-check 'crossbar>=23'
fi

# Node peer.
if [ ! -d "$build/node/node_modules/ws" ]; then
  mkdir -p "$build/node"
  (cd "$build/node" && npm install --silent --no-audit --no-fund --prefix . 'ws@8' >/dev/null)
fi

# Headless browser for the HTML report test.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "install-peers: chromium missing and not root; the browser test will be skipped" >&2
  fi
fi
echo "install-peers: crossbar $("$build/crossbar/bin/pip" show crossbar 2>/dev/null | sed -n "s/^Version: //p"), python $("$build/py/bin/python" -c 'import websockets; print("websockets", websockets.__version__)'), node ws $(node -p "require('$build/node/node_modules/ws/package.json').version"), $(chromium --version 2>/dev/null || echo 'no chromium')"
