"""Autobahn-protocol test client on Python `websockets` (asyncio client).

Usage: client_websockets.py ws://127.0.0.1:PORT AGENT. Asks /getCaseCount, runs every case
as an echo client (/runCase?case=N&agent=AGENT), then calls /updateReports?agent=AGENT.
Messages up to 32 MiB; keep-alive pings off and permessage-deflate on, as in the echo server.
"""

import asyncio
import sys

from websockets.asyncio.client import connect

OPTIONS = dict(max_size=32 * 1024 * 1024, ping_interval=None, compression="deflate")


async def run_case(url):
    try:
        async with connect(url, **OPTIONS) as ws:
            async for message in ws:
                await ws.send(message)
    except Exception:  # a failed case is the harness's verdict, not this script's
        pass


async def main(base, agent):
    async with connect(f"{base}/getCaseCount", **OPTIONS) as ws:
        count = int(await ws.recv())
    for case in range(1, count + 1):
        await run_case(f"{base}/runCase?case={case}&agent={agent}")
    async with connect(f"{base}/updateReports?agent={agent}", **OPTIONS) as ws:
        async for _ in ws:
            pass


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
