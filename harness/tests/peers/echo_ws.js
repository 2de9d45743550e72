// Echo server on Node `ws` for the third-party interop tests.
//
// Listens on 127.0.0.1 on a free port, prints the port on the first line of stdout, echoes
// every message with its type. Messages up to 32 MiB (section 9 sends 16 MiB);
// permessage-deflate on (every message compressed). Exits when stdin closes (the test process is gone) or when killed.
'use strict';

const { WebSocketServer } = require('ws');

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: { threshold: 0 },
  maxPayload: 32 * 1024 * 1024,
});

server.on('listening', () => {
  process.stdout.write(`${server.address().port}\n`);
});

server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary });
  });
  // Protocol errors are the peer's verdicts, not crashes of this script.
  ws.on('error', () => {});
});

// The lifeline: stdin ends when the test process goes away.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
