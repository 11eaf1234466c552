"""CSRF tokens: every POST carries the session's token (form field or header), compared in constant time.

Before login there is no session, so the login form's token is the value of a cookie of its
own (double submit); SameSite=Strict already keeps other sites' forms from sending cookies, the
token covers older browsers and same-site pages. The gate reads the token before any route
runs, so no route can forget it, including the /api router another module provides.
"""

import hmac
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request

FIELD = "csrf_token"
HEADER = "x-csrf-token"
LOGIN_COOKIE = "desk_login_csrf"
MAX_BODY = 12 * 1024 * 1024  # an upload's cap (uploads.MAX_BYTES) plus the form around it


class BodyTooLarge(Exception):
    """The request body is larger than MAX_BODY."""


def new_token() -> str:
    """Return a fresh unguessable token."""
    return secrets.token_urlsafe(32)


def token_matches(expected: str | None, given: str | None) -> bool:
    """Return whether a submitted token equals the expected one (both present)."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


async def read_body(receive) -> bytes:
    """Read the whole request body, refusing one larger than MAX_BODY."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes):
    """Return an ASGI receive callable that gives `body` again (routes read it after the gate)."""
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def submitted_token(scope, body: bytes) -> str | None:
    """Return the token a request carries: the X-CSRF-Token header, else the form field."""
    headers = dict(scope.get("headers") or [])
    if HEADER.encode() in headers:
        return headers[HEADER.encode()].decode("latin-1")
    kind = headers.get(b"content-type", b"").decode("latin-1")
    if kind.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace")).get(FIELD)
        return values[0] if values else None
    if kind.startswith("multipart/form-data"):
        form = await Request(scope, replay(body)).form()
        try:
            value = form.get(FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()
    return None
