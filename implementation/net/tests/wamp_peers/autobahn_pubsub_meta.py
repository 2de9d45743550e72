"""autobahn-python sessions exercising a router's advanced pub/sub and session meta API.

Usage: autobahn_pubsub_meta.py URL SERIALIZER
  URL         ws://127.0.0.1:PORT/ws
  SERIALIZER  json | msgpack | cbor

Checks pattern subscriptions (prefix, wildcard, details.topic), publisher exclusion,
black/white-listing by session, authid and authrole, event retention, and the session meta
API (on_join, on_leave, count, list, get, kill). autobahn's PublishOptions has no
disclose_me, so publisher identification is not requested from here. Prints `OK` and exits
0, or prints `FAIL: ...` and exits 1. Exits when stdin closes (the test's lifeline) or after
30 s.
"""

import asyncio
import sys
import threading
import warnings

warnings.filterwarnings("ignore")

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import create_transport_serializer
from autobahn.wamp.types import ComponentConfig, PublishOptions, SubscribeOptions

URL, SERIALIZER = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


class Session(ApplicationSession):
    """A session that reports joining and leaving through futures."""

    def __init__(self, config, authid):
        super().__init__(config)
        loop = asyncio.get_running_loop()
        self.wanted_authid = authid
        self.joined = loop.create_future()
        self.left = loop.create_future()

    def onConnect(self):
        # A named session logs in by ticket (the router's principals: ticket = authid,
        # role `user`); others join anonymously.
        if self.wanted_authid is None:
            self.join(self.config.realm, authmethods=["anonymous"])
        else:
            self.join(self.config.realm, authmethods=["ticket"], authid=self.wanted_authid)

    def onChallenge(self, challenge):
        return self.wanted_authid

    def onJoin(self, details):
        self.joined.set_result(details)

    def onLeave(self, details):
        if not self.left.done():
            self.left.set_result(details)
        self.disconnect()


async def connect(authid=None):
    loop = asyncio.get_running_loop()
    session = Session(ComponentConfig(realm="realm1"), authid)
    factory = WampWebSocketClientFactory(
        lambda: session, url=URL, serializers=[create_transport_serializer(SERIALIZER)]
    )
    hostport = URL.split("://", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    await loop.create_connection(factory, host, int(port))
    await asyncio.wait_for(session.joined, 5)
    return session


class Inbox:
    """Collects (args, kwargs, details) of events."""

    def __init__(self):
        self.items = []
        self.arrived = asyncio.Event()

    def __call__(self, *args, details=None, **kwargs):
        self.items.append((args, kwargs, details))
        self.arrived.set()

    async def wait_for(self, n):
        while len(self.items) < n:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)


async def sync(a, topic):
    """An acknowledged publication; afterwards earlier events from `a` have been routed."""
    await a.publish(topic, options=PublishOptions(acknowledge=True))


async def pattern_subscriptions(a, b):
    prefix, wildcard = Inbox(), Inbox()
    await b.subscribe(prefix, "com.pm", options=SubscribeOptions(match="prefix", details_arg="details"))
    await b.subscribe(wildcard, "com..w", options=SubscribeOptions(match="wildcard", details_arg="details"))
    await a.publish("com.pm.x.y", 1, options=PublishOptions(acknowledge=True))
    await a.publish("com.pm.w", 2, options=PublishOptions(acknowledge=True))
    await a.publish("com.other.w", 3, options=PublishOptions(acknowledge=True))
    await prefix.wait_for(2)
    await wildcard.wait_for(2)
    check(
        [(i[0], i[2].topic) for i in prefix.items] == [((1,), "com.pm.x.y"), ((2,), "com.pm.w")],
        f"prefix events {[(i[0], i[2].topic) for i in prefix.items]}",
    )
    check(
        [(i[0], i[2].topic) for i in wildcard.items] == [((2,), "com.pm.w"), ((3,), "com.other.w")],
        f"wildcard events {[(i[0], i[2].topic) for i in wildcard.items]}",
    )
    # One publication, two subscriptions: the same publication ID.
    check(
        prefix.items[1][2].publication == wildcard.items[0][2].publication,
        "publication IDs differ across subscriptions",
    )


async def publisher_exclusion(a, b):
    mine, theirs = Inbox(), Inbox()
    await a.subscribe(mine, "com.ex")
    await b.subscribe(theirs, "com.ex")
    await a.publish("com.ex", "default", options=PublishOptions(acknowledge=True))
    await a.publish("com.ex", "included", options=PublishOptions(acknowledge=True, exclude_me=False))
    await theirs.wait_for(2)
    await mine.wait_for(1)
    await asyncio.sleep(0.2)
    check([i[0] for i in mine.items] == [("included",)], f"own events {mine.items}")
    check([i[0] for i in theirs.items] == [("default",), ("included",)], f"other events {theirs.items}")


async def black_white_listing(a, b):
    inbox = Inbox()
    await b.subscribe(inbox, "com.bw")
    bid = b._session_id
    for n, opts in [
        (1, PublishOptions(exclude=[bid])),
        (2, PublishOptions(eligible=[bid])),
        (3, PublishOptions(eligible_authid=["nobody"])),
        (4, PublishOptions(eligible_authid=["bob"])),
        (5, PublishOptions(exclude_authid=["bob"])),
        (6, PublishOptions(exclude_authrole=["user"])),
        (7, PublishOptions(eligible_authrole=["user"], exclude=[a._session_id])),
    ]:
        a.publish("com.bw", n, options=opts)  # unacknowledged: returns nothing
    await sync(a, "com.bw")
    await inbox.wait_for(4)
    check([i[0] for i in inbox.items] == [(2,), (4,), (7,), ()], f"listed events {inbox.items}")


async def retention(a, b):
    a.publish("com.ret", "old", options=PublishOptions(retain=True))
    await a.publish("com.ret", "kept", options=PublishOptions(retain=True, acknowledge=True))
    inbox = Inbox()
    await b.subscribe(inbox, "com.ret", options=SubscribeOptions(get_retained=True, details_arg="details"))
    await inbox.wait_for(1)
    args, _, details = inbox.items[0]
    check(args == ("kept",) and details.retained is True, f"retained event {args} {details}")


async def session_meta(a, b):
    joins, leaves = Inbox(), Inbox()
    await b.subscribe(joins, "wamp.session.on_join")
    await b.subscribe(leaves, "wamp.session.on_leave")
    c = await connect("carol")
    cid = c._session_id
    await joins.wait_for(1)
    info = joins.items[0][0][0]
    check(
        info.get("session") == cid and info.get("authid") == "carol" and info.get("authrole") == "user",
        f"on_join {info}",
    )
    count = await a.call("wamp.session.count")
    check(count == 3, f"count {count}")
    listed = await a.call("wamp.session.list")
    check(sorted(listed) == sorted([a._session_id, b._session_id, cid]), f"list {listed}")
    got = await a.call("wamp.session.get", cid)
    check(got.get("authid") == "carol" and got.get("session") == cid, f"get {got}")
    try:
        await a.call("wamp.session.get", 1)
        failures.append("get of an unknown session succeeded")
    except ApplicationError as e:
        check(e.error == "wamp.error.no_such_session", f"get unknown: {e.error}")
    try:
        await a.call("wamp.session.kill", a._session_id)
        failures.append("a session killed itself")
    except ApplicationError as e:
        check(e.error == "wamp.error.no_such_session", f"kill self: {e.error}")

    await a.call("wamp.session.kill", cid, reason="com.example.kicked", message="out")
    closed = await asyncio.wait_for(c.left, 5)
    check(closed.reason == "com.example.kicked" and closed.message == "out", f"killed with {closed}")
    await leaves.wait_for(1)
    check(leaves.items[0][0][0] == cid, f"on_leave {leaves.items[0]}")
    count = await a.call("wamp.session.count")
    check(count == 2, f"count after kill {count}")

    # A clean leave is announced too.
    d = await connect()
    did = d._session_id
    d.leave()
    await asyncio.wait_for(d.left, 5)
    await leaves.wait_for(2)
    check(leaves.items[1][0][0] == did, f"on_leave after GOODBYE {leaves.items[1]}")


async def exercise():
    a = await connect("alice")
    b = await connect("bob")
    for step in [pattern_subscriptions, publisher_exclusion, black_white_listing, retention, session_meta]:
        try:
            await step(a, b)
        except Exception as e:  # a failure to report, not a crash
            failures.append(f"{step.__name__}: {type(e).__name__}: {e}")
    for s in (a, b):
        s.leave()
        await asyncio.wait_for(s.left, 5)


def watch_stdin(loop, done):
    # The test keeps our stdin open; EOF means it is gone.
    def lifeline():
        sys.stdin.read()
        failures.append("stdin closed")
        loop.call_soon_threadsafe(lambda: done.done() or done.cancel())

    threading.Thread(target=lifeline, daemon=True).start()


async def main():
    loop = asyncio.get_running_loop()
    done = asyncio.ensure_future(exercise())
    watch_stdin(loop, done)
    try:
        await asyncio.wait_for(done, 30)
    except asyncio.TimeoutError:
        failures.append("timed out")
    except asyncio.CancelledError:
        pass
    except Exception as e:
        failures.append(f"{type(e).__name__}: {e}")
    if failures:
        print("FAIL: " + "; ".join(failures), flush=True)
        return 1
    print("OK", flush=True)
    return 0


sys.exit(asyncio.run(main()))
