"""permessage-deflate client on Python `websockets` for ampel-net's interop tests.

Usage: python client_websockets.py URL [JSON]. Without JSON the library's default
compression (offer `permessage-deflate; client_max_window_bits`); with JSON, the keyword
arguments of `ClientPerMessageDeflateFactory`. Prints `EXT <Sec-WebSocket-Extensions value
received>` and `NEGOTIATED <the extension objects in use>`, sends text (JSON-like) and
binary messages of several sizes, whole and fragmented, twice over, checks every echo, then
prints `OK <messages echoed>` and closes with 1000. Any mismatch: exit status 1.
"""

import asyncio
import json
import random
import sys

from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory


def json_text(size):
    rows, out, i = [], 0, 0
    while out < size:
        row = json.dumps(
            {"id": i, "name": f"user-{i * 7919 % 1000}", "active": i % 3 == 0, "score": i * 31 % 977}
        )
        rows.append(row)
        out += len(row) + 1
        i += 1
    return ("[" + ",".join(rows) + "]")[:size]


def messages():
    rng = random.Random(7)
    noise = lambda n: bytes(rng.getrandbits(8) for _ in range(n))
    whole = [
        "",
        "hello κόσμε",
        json_text(1500),
        json_text(70_000),
        json_text(200_000),
        b"\x01",
        bytes(range(256)) * 12,
        noise(100_000),
        (b"abcdefgh" * 1000 + noise(64)) * 40,
    ]
    fragmented = [
        [json_text(100_000)[i : i + 20_000] for i in range(0, 100_000, 20_000)],
        [noise(30_000), b"\x00" * 30_000, noise(20_000)],
    ]
    return whole, fragmented


async def main():
    url = sys.argv[1]
    options = dict(max_size=64 * 1024 * 1024, ping_interval=None, open_timeout=10)
    if len(sys.argv) > 2:
        factory = ClientPerMessageDeflateFactory(**json.loads(sys.argv[2]))
        options.update(compression=None, extensions=[factory])
    else:
        options.update(compression="deflate")
    whole, fragmented = messages()
    echoed = 0
    async with connect(url, **options) as ws:
        print("EXT", ws.response.headers.get("Sec-WebSocket-Extensions", "none"), flush=True)
        print("NEGOTIATED", ws.protocol.extensions, flush=True)
        for _ in range(2):
            for m in whole:
                await ws.send(m)
                echo = await ws.recv()
                if echo != m:
                    print(f"MISMATCH whole message of {len(m)}", flush=True)
                    sys.exit(1)
                echoed += 1
            for parts in fragmented:
                await ws.send(parts)
                echo = await ws.recv()
                expected = parts[0][:0].join(parts)
                if echo != expected:
                    print(f"MISMATCH fragmented message of {len(expected)}", flush=True)
                    sys.exit(1)
                echoed += 1
    print("OK", echoed, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
