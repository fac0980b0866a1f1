"""Who a student is across their tabs: a random id in a signed, HttpOnly cookie, set by the app's server.

The caps of the training service (one job at a time, a few lesson runs) are a person's, not a tab's:
thirty scripted tabs of one browser are one person. The cookie carries no personal data, only a random
128-bit id and its HMAC under the server's `server.cookieSecret` (one secret for every replica behind
`aeviz serve`, so an id holds on all of them). Torch-free: app.py installs the middleware.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

COOKIE = "aeviz_person"
MAX_AGE = 12 * 3600  # a school day: the next day is a fresh start
_FALLBACK = secrets.token_bytes(32)  # a server without a configured secret signs with one of its own


def _secret() -> bytes:
    from streamlit import config

    configured = config.get_option("server.cookieSecret")
    return configured.encode() if configured else _FALLBACK


def _sign(token: str) -> str:
    return hmac.new(_secret(), token.encode(), hashlib.sha256).hexdigest()[:32]


def new_value() -> str:
    token = secrets.token_urlsafe(16)
    return f"{token}.{_sign(token)}"


def verify(value: str | None) -> str | None:
    """The id a cookie value carries, or None when it is absent, malformed or forged."""
    if not value or value.count(".") != 1 or len(value) > 100:
        return None
    token, sig = value.split(".")
    return token if hmac.compare_digest(sig, _sign(token)) else None


def _cookie_of(scope: dict) -> str | None:
    for name, raw in scope.get("headers", []):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(raw.decode("latin-1"))
            except Exception:  # a malformed Cookie header: treated as no cookie
                return None
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class PersonCookie:
    """ASGI middleware: every HTTP response to a browser without a valid id cookie sets one."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or verify(_cookie_of(scope)) is not None:
            await self.app(scope, receive, send)
            return
        cookie = f"{COOKIE}={new_value()}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax" + (
            "; Secure" if scope.get("scheme") == "https" else ""
        )

        async def with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        await self.app(scope, receive, with_cookie)
