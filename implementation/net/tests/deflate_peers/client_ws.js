// permessage-deflate client on Node `ws` for ampel-net's interop tests.
//
// Usage: node client_ws.js URL [JSON]: the JSON is ws's `perMessageDeflate` option object
// (default `true`: offer `permessage-deflate; client_max_window_bits`, threshold 1024).
// Prints `EXT <Sec-WebSocket-Extensions value received>`, sends text (JSON-like) and binary
// messages of several sizes, whole and fragmented, twice over, checks every echo, then
// prints `OK <messages echoed>` and closes with 1000. Any mismatch or error: exit status 1.
'use strict';

const crypto = require('crypto');
const WebSocket = require('ws');

const [url, json] = process.argv.slice(2);
const perMessageDeflate = json ? JSON.parse(json) : true;

function jsonText(size) {
  const rows = [];
  let length = 0;
  for (let i = 0; length < size; i += 1) {
    const row = JSON.stringify({
      id: i, name: `user-${(i * 7919) % 1000}`, active: i % 3 === 0, score: (i * 31) % 977,
    });
    rows.push(row);
    length += row.length + 1;
  }
  return `[${rows.join(',')}]`.slice(0, size);
}

const noise = (n) => crypto.randomBytes(n);
const whole = [
  { data: '', binary: false },
  { data: 'hello κόσμε', binary: false },
  { data: jsonText(1500), binary: false },
  { data: jsonText(70000), binary: false },
  { data: jsonText(200000), binary: false },
  { data: Buffer.from([1]), binary: true },
  { data: Buffer.alloc(3072, 'abc'), binary: true },
  { data: noise(100000), binary: true },
  { data: Buffer.concat(Array(40).fill(Buffer.concat([Buffer.alloc(8000, 'abcdefgh'), noise(64)]))), binary: true },
];
const big = jsonText(100000);
const fragmented = [
  { parts: [0, 1, 2, 3, 4].map((i) => big.slice(i * 20000, (i + 1) * 20000)), binary: false },
  { parts: [noise(30000), Buffer.alloc(30000), noise(20000)], binary: true },
];

function fail(message) {
  process.stdout.write(`${message}\n`);
  process.exit(1);
}

const ws = new WebSocket(url, { perMessageDeflate, maxPayload: 64 * 1024 * 1024 });
const queue = [];
let waiting = null;
ws.on('message', (data, isBinary) => {
  const item = { data, isBinary };
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(item);
  } else {
    queue.push(item);
  }
});
ws.on('error', (e) => fail(`ERROR ${e.message}`));
const next = () => new Promise((resolve) => {
  if (queue.length) resolve(queue.shift()); else waiting = resolve;
});
const same = (item, data, binary) => item.isBinary === binary
  && Buffer.compare(item.data, Buffer.isBuffer(data) ? data : Buffer.from(data)) === 0;

ws.on('upgrade', (res) => {
  process.stdout.write(`EXT ${res.headers['sec-websocket-extensions'] || 'none'}\n`);
});
ws.on('open', async () => {
  let echoed = 0;
  for (let round = 0; round < 2; round += 1) {
    for (const m of whole) {
      ws.send(m.data, { binary: m.binary });
      if (!same(await next(), m.data, m.binary)) fail(`MISMATCH whole message of ${m.data.length}`);
      echoed += 1;
    }
    for (const m of fragmented) {
      m.parts.forEach((p, i) => ws.send(p, { binary: m.binary, fin: i === m.parts.length - 1 }));
      const expected = m.binary ? Buffer.concat(m.parts) : m.parts.join('');
      if (!same(await next(), expected, m.binary)) fail(`MISMATCH fragmented message of ${expected.length}`);
      echoed += 1;
    }
  }
  process.stdout.write(`OK ${echoed}\n`);
  ws.close(1000);
});
ws.on('close', () => process.exit(0));
