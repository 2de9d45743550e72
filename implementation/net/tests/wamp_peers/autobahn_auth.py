"""autobahn-python logging in to a WAMP router with one authentication method.

Usage: autobahn_auth.py URL REALM METHOD AUTHID SECRET
  URL     ws://127.0.0.1:PORT/ws
  METHOD  ticket | wampcra | cryptosign (SECRET: the ticket, the WAMP-CRA secret or
          password, the hex Ed25519 seed); AUTHID "-" sends none

Uses autobahn's own authenticators (Component `authentication`), as applications do. After
WELCOME it subscribes to `com.app.news` (the role allows it) and `com.other.news` (it does
not), then leaves. Prints one JSON line: {"welcome": {authid, authrole, authmethod,
authprovider}, "allowed": bool, "refused": error URI} or {"abort": reason, "message": text}.
Exits when stdin closes (the test's lifeline) or after 20 s.
"""

import asyncio
import json
import sys
import threading
import warnings

warnings.filterwarnings("ignore")

from autobahn.asyncio.component import Component
from autobahn.asyncio.wamp import Session
from autobahn.wamp.exception import ApplicationError

URL, REALM, METHOD, AUTHID, SECRET = sys.argv[1:6]
result = {}


class Login(Session):
    # Session (not ApplicationSession): Component adds its authenticators to it.
    async def on_join(self, details):
        result["welcome"] = {
            "authid": details.authid,
            "authrole": details.authrole,
            "authmethod": details.authmethod,
            "authprovider": details.authprovider,
        }
        try:
            await self.subscribe(lambda *a: None, "com.app.news")
            result["allowed"] = True
        except ApplicationError as e:
            result["allowed"] = False
            result["allowed_error"] = e.error
        try:
            await self.subscribe(lambda *a: None, "com.other.news")
            result["refused"] = None
        except ApplicationError as e:
            result["refused"] = e.error
        self.leave()

    def on_leave(self, details):
        if "welcome" not in result:
            result["abort"] = details.reason
            result["message"] = details.message
        self.disconnect()

    def on_disconnect(self):
        finish()


def finish():
    if not done.done():
        done.set_result(None)


def watch_stdin(loop):
    def lifeline():
        sys.stdin.read()
        result["lifeline"] = "stdin closed"
        loop.call_soon_threadsafe(finish)

    threading.Thread(target=lifeline, daemon=True).start()


def authentication():
    config = {"ticket": "ticket", "wampcra": "secret", "cryptosign": "privkey"}
    auth = {config[METHOD]: SECRET}
    if AUTHID != "-":
        auth["authid"] = AUTHID
    return {METHOD: auth}


async def main():
    global done
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport = {
        "type": "websocket",
        "url": URL,
        "serializers": ["json"],
        "max_retries": 0,
    }
    comp = Component(
        transports=[transport],
        realm=REALM,
        session_factory=Login,
        authentication=authentication(),
    )
    # Ends when the connection is gone for good (max_retries 0), whatever happened.
    comp.start(loop).add_done_callback(lambda _: finish())
    watch_stdin(loop)
    try:
        await asyncio.wait_for(done, 20)
    except asyncio.TimeoutError:
        result["timeout"] = True
    print(json.dumps(result), flush=True)
    return 0


sys.exit(asyncio.run(main()))
