"""permessage-deflate echo server on Python `websockets` for ampel-net's interop tests.

Usage: python echo_websockets.py [JSON]. Without JSON the library's default compression
(`compression="deflate"`: server_max_window_bits=12, client_max_window_bits=12); with JSON,
the keyword arguments of `ServerPerMessageDeflateFactory`. Listens on 127.0.0.1 on a free
port and prints the port on the first line of stdout. Echoes every message with its type,
except two commands: `__extensions__` is answered with the Sec-WebSocket-Extensions value
this server sent (or `none`), and `FRAG:<text>` with <text> sent back as a fragmented
message of four frames. Exits when stdin closes (the test process is gone) or when killed.
"""

import asyncio
import json
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


def fragments(text, n):
    size = max(1, -(-len(text) // n))
    return [text[i : i + size] for i in range(0, len(text), size)]


async def echo(ws):
    negotiated = ws.response.headers.get("Sec-WebSocket-Extensions", "none")
    try:
        async for message in ws:
            if message == "__extensions__":
                await ws.send(negotiated)
            elif isinstance(message, str) and message.startswith("FRAG:"):
                await ws.send(fragments(message[len("FRAG:") :], 4))
            else:
                await ws.send(message)
    except ConnectionClosed:
        pass


async def main():
    options = dict(max_size=64 * 1024 * 1024, ping_interval=None)
    if len(sys.argv) > 1:
        factory = ServerPerMessageDeflateFactory(**json.loads(sys.argv[1]))
        options.update(compression=None, extensions=[factory])
    else:
        options.update(compression="deflate")
    async with serve(echo, "127.0.0.1", 0, **options) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        loop = asyncio.get_running_loop()
        # The lifeline: stdin reaches EOF when the test process goes away.
        await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
