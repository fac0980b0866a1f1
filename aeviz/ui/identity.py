"""Who a student is across their tabs and visits: a resume token in a signed, HttpOnly cookie, set by the app's server.

The caps of the training service (one job at a time, a few lesson runs) are a person's, not a tab's:
thirty scripted tabs of one browser are one person; and what a person trained or uploaded is kept in
the store under their token (aeviz.store keeps only its hash), so it comes back after a reload, on
another replica, or after a restart. The cookie carries no personal data, only a random 128-bit
token and its HMAC under the server's `server.cookieSecret` when one is configured (one secret for
every replica behind `aeviz serve`), else this installation's own (`AEVIZ_HOME/secret`), so a token
holds after a restart. A resume link (`?resume=<cookie value>`) sets the cookie in another browser.
Torch-free: app.py installs the middleware.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from aeviz.store.settings import Settings
from aeviz.store.settings import secret as installation_secret

COOKIE = "aeviz_person"
RESUME = "resume"  # the query parameter of a personal resume link
MAX_AGE = int(Settings.from_env().dropin_hours * 3600)  # as long as the store keeps a drop-in's work


@functools.cache
def _secret() -> bytes:
    from streamlit import config

    # Streamlit makes up a random secret per start when none is set: tokens signed with it would not
    # survive a restart, so an unset one means this installation's own
    if config.is_manually_set("server.cookieSecret"):
        return config.get_option("server.cookieSecret").encode()
    return installation_secret().encode()


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


def _resume_of(scope: dict) -> str | None:
    """A valid resume link's cookie value, from the request's query (a forged one is None)."""
    query = scope.get("query_string", b"")
    if b"resume=" not in query:
        return None
    values = parse_qs(query.decode("latin-1")).get(RESUME, [])
    return values[0] if values and verify(values[0]) is not None else None


class PersonCookie:
    """ASGI middleware: every HTTP response to a browser without a valid id cookie sets one; a page
    opened by a resume link sets the link's."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = _resume_of(scope)
        if value is None and verify(_cookie_of(scope)) is not None:
            await self.app(scope, receive, send)
            return
        cookie = f"{COOKIE}={value or new_value()}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax" + (
            "; Secure" if scope.get("scheme") == "https" else ""
        )

        async def with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        await self.app(scope, receive, with_cookie)
