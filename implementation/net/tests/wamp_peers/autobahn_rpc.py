"""autobahn-python against a router's advanced RPC (the interop tests run it against ours).

Usage: autobahn_rpc.py URL
  URL  ws://127.0.0.1:PORT/ws (JSON)

Two autobahn sessions exercise progressive call results, call canceling (cancelling the
call's future, which sends CANCEL without a mode, and CANCEL with each explicit mode), a
call timeout (CallOptions(timeout=...): autobahn sends the number as given, and the spec's
unit is milliseconds), pattern-based registrations (details.procedure) and shared
registrations (roundrobin, a policy mismatch). It then registers `com.py.whoami`, which
returns the caller's identity from the invocation details, prints `READY` and waits for the
test (the caller that discloses itself) to close stdin; then prints `OK` (or `FAIL: ...`)
and exits. Bounded to 30 s.
"""

import asyncio
import sys
import threading
import time
import warnings

warnings.filterwarnings("ignore")

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import create_transport_serializer
from autobahn.wamp.types import CallOptions, ComponentConfig, RegisterOptions

URL = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


class Tester(ApplicationSession):
    async def onJoin(self, details):
        self.joined.set_result(self)

    def onDisconnect(self):
        if not self.joined.done():
            self.joined.set_exception(RuntimeError("disconnected before joining"))


async def connect(loop, host, port):
    joined = loop.create_future()

    def make():
        session = Tester(ComponentConfig(realm="realm1"))
        session.joined = joined
        return session

    factory = WampWebSocketClientFactory(
        make, url=URL, serializers=[create_transport_serializer("json")]
    )
    await loop.create_connection(factory, host, port)
    return await asyncio.wait_for(joined, 5)


async def expect_error(awaitable, uri, what):
    try:
        r = await asyncio.wait_for(awaitable, 5)
        failures.append(f"{what}: returned {r!r}")
    except ApplicationError as e:
        check(e.error == uri, f"{what}: error {e.error}")


async def exercise(a, b):
    # Progressive call results.
    async def stream(n, details=None):
        if details.progress:
            for i in range(n):
                details.progress(i)
        return "done"

    await a.register(stream, "com.py.stream", RegisterOptions(details_arg="details"))
    got = []
    r = await a.call("com.py.stream", 3, options=CallOptions(on_progress=got.append))
    check(r == "done" and got == [0, 1, 2], f"progressive: {r!r} {got!r}")

    # A slow endpoint that records being interrupted.
    interrupted = []

    async def slow(tag):
        try:
            await asyncio.sleep(3)
            return tag
        except asyncio.CancelledError:
            interrupted.append(tag)
            raise

    await b.register(slow, "com.py.slow")

    # Cancelling the future: CANCEL without a mode (the router's default is killnowait).
    call = a.call("com.py.slow", "future")
    await asyncio.sleep(0.2)
    call.cancel()
    try:
        await call
        failures.append("cancelled call returned")
    except asyncio.CancelledError:
        pass
    await asyncio.sleep(0.3)
    check(interrupted == ["future"], f"default cancel: interrupted {interrupted!r}")

    # Explicit modes: CANCEL sent on the pending call's request ID.
    async def cancel_with(mode, tag, uri="wamp.error.canceled"):
        call = a.call("com.py.slow", tag)
        request = max(a._call_reqs)
        await asyncio.sleep(0.2)
        started = time.monotonic()
        a._transport.send(message.Cancel(request, mode=mode))
        await expect_error(call, uri, f"cancel {mode}")
        return time.monotonic() - started

    took = await cancel_with("skip", "skip")
    await asyncio.sleep(0.2)
    check("skip" not in interrupted and took < 1, f"skip: {interrupted!r} {took:.2f}s")
    # kill: the caller gets whatever the interrupted callee answers; autobahn answers an
    # interrupted endpoint with wamp.error.runtime_error.
    await cancel_with("kill", "kill", "wamp.error.runtime_error")
    check("kill" in interrupted, f"kill: {interrupted!r}")
    took = await cancel_with("killnowait", "killnowait")
    await asyncio.sleep(0.3)
    check("killnowait" in interrupted and took < 1, f"killnowait: {interrupted!r}")

    # Call timeout, enforced by the dealer: wamp.error.timeout, the callee interrupted.
    started = time.monotonic()
    await expect_error(
        a.call("com.py.slow", "timeout", options=CallOptions(timeout=300)),
        "wamp.error.timeout",
        "timeout",
    )
    took = time.monotonic() - started
    check(0.25 < took < 2, f"timeout took {took:.2f}s")
    await asyncio.sleep(0.3)
    check("timeout" in interrupted, f"timeout: interrupted {interrupted!r}")

    # Pattern-based registrations: the concrete procedure in the details.
    def which(details=None):
        return details.procedure

    await b.register(
        which, "com.py.pat", RegisterOptions(match="prefix", details_arg="details")
    )
    await b.register(
        which, "com.py..wild", RegisterOptions(match="wildcard", details_arg="details")
    )
    r = await a.call("com.py.pat.x.y")
    check(r == "com.py.pat.x.y", f"prefix -> {r!r}")
    r = await a.call("com.py.any.wild")
    check(r == "com.py.any.wild", f"wildcard -> {r!r}")

    # Shared registration: roundrobin over both sessions, mismatch refused.
    await a.register(lambda: "a", "com.py.rr", RegisterOptions(invoke="roundrobin"))
    await b.register(lambda: "b", "com.py.rr", RegisterOptions(invoke="roundrobin"))
    order = [await a.call("com.py.rr") for _ in range(4)]
    check(order == ["a", "b", "a", "b"], f"roundrobin {order!r}")
    await expect_error(
        b.register(lambda: 0, "com.py.rr", RegisterOptions(invoke="first")),
        "wamp.error.procedure_already_exists",
        "policy mismatch",
    )

    # Caller identification: the test's own caller discloses itself.
    def whoami(details=None):
        return [details.caller, details.caller_authid, details.caller_authrole]

    await a.register(whoami, "com.py.whoami", RegisterOptions(details_arg="details"))


def watch_stdin(loop, closed):
    def lifeline():
        sys.stdin.read()
        loop.call_soon_threadsafe(lambda: closed.done() or closed.set_result(None))

    threading.Thread(target=lifeline, daemon=True).start()


async def main():
    loop = asyncio.get_running_loop()
    closed = loop.create_future()
    watch_stdin(loop, closed)
    host, port = URL.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    try:
        a = await connect(loop, host, int(port))
        b = await connect(loop, host, int(port))
        await asyncio.wait_for(exercise(a, b), 20)
        print("READY", flush=True)
        await asyncio.wait_for(closed, 10)
        a.leave()
        b.leave()
    except Exception as e:  # any exception is a failure to report, not a crash
        failures.append(f"{type(e).__name__}: {e}")
    if failures:
        print("FAIL: " + "; ".join(failures), flush=True)
        return 1
    print("OK", flush=True)
    return 0


sys.exit(asyncio.run(main()))
