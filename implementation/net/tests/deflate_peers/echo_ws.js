// permessage-deflate echo server on Node `ws` for ampel-net's interop tests.
//
// Usage: node echo_ws.js [JSON]: the JSON is ws's `perMessageDeflate` option object
// (default `true`: ws's defaults, threshold 1024). Listens on 127.0.0.1 on a free port and
// prints the port on the first line of stdout. Echoes every message with its type, except
// two commands: `__extensions__` is answered with the Sec-WebSocket-Extensions value this
// server sent (or `none`), and `FRAG:<text>` with <text> sent back as a fragmented message
// of four frames. Exits when stdin closes (the test process is gone) or when killed.
'use strict';

const { WebSocketServer } = require('ws');

const perMessageDeflate = process.argv[2] ? JSON.parse(process.argv[2]) : true;
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate,
  maxPayload: 64 * 1024 * 1024,
});

server.on('listening', () => {
  process.stdout.write(`${server.address().port}\n`);
});

// The response headers, before the connection event of the same request.
server.on('headers', (headers, req) => {
  const line = headers.find((h) => /^sec-websocket-extensions:/i.test(h));
  req.negotiated = line ? line.slice(line.indexOf(':') + 1).trim() : 'none';
});

server.on('connection', (ws, req) => {
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString();
    if (text === '__extensions__') {
      ws.send(req.negotiated);
    } else if (text !== null && text.startsWith('FRAG:')) {
      const body = Buffer.from(text.slice('FRAG:'.length));
      const size = Math.max(1, Math.ceil(body.length / 4));
      for (let i = 0; i < 4; i += 1) {
        ws.send(body.subarray(i * size, (i + 1) * size), { binary: false, fin: i === 3 });
      }
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
  ws.on('error', () => {});
});

// The lifeline: stdin ends when the test process goes away.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
