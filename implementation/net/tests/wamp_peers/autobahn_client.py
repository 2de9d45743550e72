"""autobahn-python as a client of a WAMP router (the interop tests run it against ours).

Usage: autobahn_client.py URL SERIALIZER
  URL         ws://127.0.0.1:PORT/ws or rs://127.0.0.1:PORT (RawSocket)
  SERIALIZER  json | msgpack | cbor, or (WebSocket only) json.batched | msgpack.batched |
              cbor.batched

Runs pub/sub and RPC against itself (args and kwargs, application errors,
no_such_procedure, procedure_already_exists), calls `com.rust.mul` and publishes to
`com.python.hello` for the Rust side, then leaves. Prints `OK` and exits 0, or prints
`FAIL: ...` and exits 1. Exits when stdin closes (the test's lifeline) or after 20 s.
"""

import asyncio
import sys
import threading
import warnings

warnings.filterwarnings("ignore")

from autobahn.asyncio.component import Component
from autobahn.asyncio.rawsocket import WampRawSocketClientFactory
from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import create_transport_serializer
from autobahn.wamp.types import CallResult, ComponentConfig, PublishOptions

URL, SERIALIZER = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


async def exercise(session):
    # Pub/sub to ourselves (exclude_me=False), args and kwargs, acknowledged.
    got = asyncio.get_running_loop().create_future()

    def on_event(*args, **kwargs):
        if not got.done():
            got.set_result((args, kwargs))

    await session.subscribe(on_event, "com.py.topic")
    pub = await session.publish(
        "com.py.topic",
        1,
        "two",
        three=3,
        nested={"l": [1.5, None, True]},
        options=PublishOptions(acknowledge=True, exclude_me=False),
    )
    check(pub is not None and pub.id > 0, f"publication id {pub!r}")
    args, kwargs = await asyncio.wait_for(got, 5)
    check(args == (1, "two"), f"event args {args!r}")
    check(
        kwargs == {"three": 3, "nested": {"l": [1.5, None, True]}},
        f"event kwargs {kwargs!r}",
    )

    # RPC: plain result, multi-result with kwargs, application error with payload.
    await session.register(lambda a, b: a + b, "com.py.add")
    await session.register(lambda: CallResult(1, 2, x=3), "com.py.kw")

    def fail(*args, **kwargs):
        raise ApplicationError("com.py.error.bad", 1, k=2)

    await session.register(fail, "com.py.fail")
    r = await session.call("com.py.add", 2, 3)
    check(r == 5, f"add -> {r!r}")
    r = await session.call("com.py.kw")
    check(
        isinstance(r, CallResult) and list(r.results) == [1, 2] and r.kwresults == {"x": 3},
        f"kw -> {r!r}",
    )
    try:
        await session.call("com.py.fail")
        failures.append("com.py.fail did not fail")
    except ApplicationError as e:
        check(e.error == "com.py.error.bad", f"fail error {e.error}")
        check(list(e.args) == [1] and e.kwargs == {"k": 2}, f"fail payload {e.args} {e.kwargs}")
    try:
        await session.call("com.py.nonexistent")
        failures.append("call of a missing procedure succeeded")
    except ApplicationError as e:
        check(e.error == "wamp.error.no_such_procedure", f"missing procedure error {e.error}")
    try:
        await session.register(lambda: 0, "com.py.add")
        failures.append("second registration succeeded")
    except ApplicationError as e:
        check(
            e.error == "wamp.error.procedure_already_exists",
            f"double registration error {e.error}",
        )

    # The Rust side: its callee and its subscriber.
    r = await session.call("com.rust.mul", 6, 7)
    check(r == 42, f"com.rust.mul -> {r!r}")
    await session.publish(
        "com.python.hello",
        SERIALIZER,
        by="autobahn",
        options=PublishOptions(acknowledge=True),
    )


class Tester(ApplicationSession):
    async def onJoin(self, details):
        try:
            await exercise(self)
        except Exception as e:  # any exception is a failure to report, not a crash
            failures.append(f"{type(e).__name__}: {e}")
        self.leave()

    def onDisconnect(self):
        finish()


def finish():
    if not done.done():
        done.set_result(None)


def watch_stdin(loop):
    # The test keeps our stdin open; EOF means it is gone. A daemon thread, so that a
    # blocked read never delays our exit.
    def lifeline():
        sys.stdin.read()
        failures.append("stdin closed")
        loop.call_soon_threadsafe(finish)

    threading.Thread(target=lifeline, daemon=True).start()


async def main():
    global done
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    rawsocket = URL.startswith("rs://")
    hostport = URL.split("://", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    if ".batched" not in SERIALIZER:
        # The asyncio Component, as applications use it.
        transport = (
            {"type": "rawsocket", "url": URL, "serializer": SERIALIZER}
            if rawsocket
            else {"type": "websocket", "url": URL, "serializers": [SERIALIZER]}
        )
        comp = Component(transports=[transport], realm="realm1", session_factory=Tester)
        comp.start(loop)
    else:
        # Component does not accept batched serializers: use the factory directly.
        serializer = create_transport_serializer(SERIALIZER)
        factory = WampWebSocketClientFactory(
            lambda: Tester(ComponentConfig(realm="realm1")),
            url=URL,
            serializers=[serializer],
        )
        await loop.create_connection(factory, host, int(port))
    watch_stdin(loop)
    try:
        await asyncio.wait_for(done, 20)
    except asyncio.TimeoutError:
        failures.append("timed out")
    if failures:
        print("FAIL: " + "; ".join(failures), flush=True)
        return 1
    print("OK", flush=True)
    return 0


_ = WampRawSocketClientFactory  # imported so a missing RawSocket module fails early
sys.exit(asyncio.run(main()))
