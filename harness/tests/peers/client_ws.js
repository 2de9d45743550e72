// Autobahn-protocol test client on Node `ws`.
//
// Usage: node client_ws.js ws://127.0.0.1:PORT AGENT. Asks /getCaseCount, runs every case as
// an echo client (/runCase?case=N&agent=AGENT), then calls /updateReports?agent=AGENT.
// Messages up to 32 MiB; permessage-deflate on for every message, as in the echo server.
'use strict';

const WebSocket = require('ws');

const [base, agent] = process.argv.slice(2);
const options = { perMessageDeflate: { threshold: 0 }, maxPayload: 32 * 1024 * 1024 };

// Opens `path`, hands every message to `onMessage`, resolves when the connection is gone
// (errors are the harness's verdicts, not this script's).
function session(path, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(base + path, options);
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', () => resolve());
    ws.on('close', () => resolve());
  });
}

async function main() {
  let count = 0;
  await session('/getCaseCount', (_ws, data) => {
    count = parseInt(data.toString(), 10);
  });
  for (let n = 1; n <= count; n += 1) {
    await session(`/runCase?case=${n}&agent=${agent}`, (ws, data, isBinary) => {
      ws.send(data, { binary: isBinary });
    });
  }
  await session(`/updateReports?agent=${agent}`, () => {});
}

main().then(() => process.exit(0));
