"""Echo server on Python `websockets` (asyncio API) for the third-party interop tests.

Listens on 127.0.0.1 on a free port, prints the port on the first line of stdout, echoes
every message with its type. Messages up to 32 MiB (section 9 sends 16 MiB). Keep-alive pings
are off so the verdict table depends on the protocol code only; permessage-deflate is on
(the library's default offer handling). Exits when stdin closes (the test process is gone) or
when killed.
"""

import asyncio
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except ConnectionClosed:
        pass


async def main():
    async with serve(
        echo,
        "127.0.0.1",
        0,
        max_size=32 * 1024 * 1024,
        ping_interval=None,
        compression="deflate",
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        loop = asyncio.get_running_loop()
        # The lifeline: stdin reaches EOF when the test process goes away.
        await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
