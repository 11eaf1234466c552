"""The desk's Starlette application: the gate (session, CSRF, headers), login and accounts.

Article, review and upload pages are in pages.py; the article form's helpers (/api) come from
editing.py. Every request passes the gate first, so no route can forget a login or CSRF check;
each route then asks its own permission of the account's role (`allow`).
"""

import logging
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import python_multipart  # noqa: F401  Starlette parses forms with it: fail at start, not at the first login
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from thidua.clock import build_time

from . import accounts, csrf, review, store

logger = logging.getLogger(__name__)
if hasattr(logger, "disable_filter"):  # Pelican's logger class drops repeated messages: each refusal counts
    logger.disable_filter()
HERE = Path(__file__).parent
TIMEZONE = "Asia/Ho_Chi_Minh"
PUBLIC = ("/dang-nhap", "/tinh/", "/giao-dien/")
# No script but the desk's own files, no framing, no form posting elsewhere (OWASP ASVS 14.4).
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class Desk:
    """What every route needs: the project, its database, git, strings, templates and clock."""

    def __init__(self, root: Path, secure_cookies: bool, clock: Callable[[], datetime]):
        self.root = root
        self.content = root / "content"
        self.secure = secure_cookies
        self.clock = clock
        self.db = accounts.open_database(root, store.SCHEMA, review.SCHEMA)
        self.repo = store.Repo(root)
        self.t = tomllib.loads((root / "theme/strings/vi.toml").read_text(encoding="utf-8"))
        self.strings = self.t["desk"]
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
        env.globals.update(t=self.t, strings=self.strings)  # globals: imported macros see them too
        self.templates = Jinja2Templates(env=env)

    def timestamp(self) -> float:
        """Return now as seconds since the epoch (sessions, throttling, audit)."""
        return self.clock().timestamp()

    def render(self, request: Request, template: str, status: int = 200, **context) -> Response:
        """Render a desk template with the account, CSRF token and strings every page uses."""
        state = request.scope.get("state", {})
        base = {"user": state.get("user"), "csrf_token": state.get("csrf", "")}
        return self.templates.TemplateResponse(request, template, {**base, **context}, status_code=status)

    def over_tls(self, request: Request) -> bool:
        """Return whether cookies must be Secure: --secure, or a TLS proxy's X-Forwarded-Proto (uvicorn trusts 127.0.0.1)."""
        return self.secure or request.url.scheme == "https"

    def session_cookie(self, request: Request) -> str:
        """Return the session cookie's name: over TLS a __Host- cookie, sent back only over TLS to this host."""
        return "__Host-ban-bien-tap" if self.over_tls(request) else "ban-bien-tap"

    def set_cookie(self, request: Request, response: Response, name: str, value: str, path: str = "/") -> None:
        """Set a cookie scripts cannot read and other sites' pages never send."""
        secure = self.over_tls(request)
        response.set_cookie(name, value, path=path, httponly=True, samesite="strict", secure=secure)


def desk_of(request: Request) -> Desk:
    """Return the Desk behind a request."""
    return request.app.state.desk


def allow(request: Request, action: str):
    """Return the account if its role allows the action; otherwise refuse with 403."""
    user = request.scope.get("state", {}).get("user")
    if not user or not user.can(action):
        raise HTTPException(403)
    return user


class Gate:
    """ASGI middleware: who is asking, may they ask, and is the form really from the desk."""

    def __init__(self, app, desk: Desk):
        self.app = app
        self.desk = desk

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        send = self.with_headers(send)
        request = Request(scope)
        found = await run_in_threadpool(
            accounts.session_user,
            self.desk.db,
            request.cookies.get(self.desk.session_cookie(request), ""),
            self.desk.timestamp(),
        )
        state = scope.setdefault("state", {})
        state["user"], state["csrf"] = found if found else (None, "")
        path = scope["path"]
        if not found and not path.startswith(PUBLIC):
            if path.startswith("/api/") or scope["method"] not in ("GET", "HEAD"):
                return await Response(status_code=401)(scope, receive, send)
            return await RedirectResponse("/dang-nhap", status_code=303)(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            try:
                body = await csrf.read_body(receive)
            except csrf.BodyTooLarge:
                return await self.refuse(scope, send, 413, "too_large")
            login = path == "/dang-nhap"  # the only form before a session: its token is in its own cookie
            expected = request.cookies.get(csrf.LOGIN_COOKIE) if login else state["csrf"]
            if not csrf.token_matches(expected, await csrf.submitted_token(scope, body)):
                return await self.refuse(scope, send, 403, "csrf_refused")
            receive = csrf.replay(body)
        await self.app(scope, receive, send)

    async def refuse(self, scope, send, status: int, key: str):
        """Answer with the error page and its Vietnamese message."""
        request = Request(scope, csrf.replay(b""))
        response = self.desk.render(request, "error.html", status, message=self.desk.strings[key])
        await response(scope, csrf.replay(b""), send)

    @staticmethod
    def with_headers(send):
        """Wrap `send` to add the security headers to every response."""

        async def sending(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        return sending


async def login_page(request: Request):
    """Show the login form (a fresh login CSRF token in its own cookie), also to switch accounts."""
    return login_form(request, desk_of(request), 200, "", "")


def login_form(request: Request, desk: Desk, status: int, error: str, name: str) -> Response:
    """Render the login form with its token; keep the name typed.

    The token is kept while its cookie lives: a second tab (or the browser's own request for
    /favicon.ico, sent to this form) must not invalidate the form already shown.
    """
    token = request.cookies.get(csrf.LOGIN_COOKIE) or csrf.new_token()
    response = desk.render(request, "login.html", status, error=error, name=name, csrf_token=token)
    desk.set_cookie(request, response, csrf.LOGIN_COOKIE, token, path="/dang-nhap")
    return response


async def log_in(request: Request):
    """Check the password (throttled after repeated failures); open a new session."""
    desk = desk_of(request)
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    try:
        user = await run_in_threadpool(accounts.authenticate, desk.db, name, password, desk.timestamp())
    except accounts.LoginRefused as refused:
        # A security event for the server's journal (OWASP ASVS 7.2): who was refused, never the password.
        logger.warning("desk: login refused for %r from %s (wait %d s)", name[:40], request.client.host, refused.wait)
        if refused.wait:
            message = desk.strings["login_wait"].format(seconds=refused.wait)
            return login_form(request, desk, 429, message, name)
        return login_form(request, desk, 401, desk.strings["login_wrong"], name)
    accounts.close_session(desk.db, request.cookies.get(desk.session_cookie(request), ""))  # renewed, never reused
    token, _ = accounts.open_session(desk.db, user, desk.timestamp())
    response = RedirectResponse("/", status_code=303)
    desk.set_cookie(request, response, desk.session_cookie(request), token)
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/dang-nhap")
    return response


async def log_out(request: Request):
    """End the session."""
    desk = desk_of(request)
    accounts.close_session(desk.db, request.cookies.get(desk.session_cookie(request), ""))
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(desk.session_cookie(request), path="/", secure=desk.over_tls(request), httponly=True)
    return response


async def accounts_page(request: Request, message: str = "", status: int = 200, error: str = ""):
    """List accounts with the form to create or reset one (administrators)."""
    allow(request, "accounts")
    desk = desk_of(request)
    listed = accounts.list_accounts(desk.db)
    return desk.render(
        request, "accounts.html", status, accounts=listed, roles=accounts.ROLES, message=message, error=error
    )


async def save_account(request: Request):
    """Create an account or reset its role and password."""
    allow(request, "accounts")
    desk = desk_of(request)
    form = await request.form()
    name = str(form.get("name", "")).strip()
    try:
        await run_in_threadpool(
            accounts.set_account,
            desk.db,
            name,
            str(form.get("role", "")),
            str(form.get("password", "")),
            str(form.get("full_name", "")).strip(),
        )
    except ValueError:
        return await accounts_page(request, status=400, error=desk.strings["account_invalid"])
    return await accounts_page(request, desk.strings["account_saved"].format(name=name))


async def remove_account(request: Request):
    """Delete an account (never one's own: the office would lose its last administrator)."""
    user = allow(request, "accounts")
    desk = desk_of(request)
    name = str((await request.form()).get("name", ""))
    if name == user.name:
        return await accounts_page(request, status=400, error=desk.strings["account_self"])
    accounts.remove_account(desk.db, name)
    return await accounts_page(request, desk.strings["account_removed"].format(name=name))


async def error_page(request: Request, exc: HTTPException):
    """Show 403 and 404 as pages with their Vietnamese message."""
    key = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "error_title")
    return desk_of(request).render(request, "error.html", exc.status_code, message=desk_of(request).strings[key])


async def server_error(request: Request, exc: Exception):
    """Show an unexpected failure as a page in Vietnamese (the traceback goes to the journal only)."""
    return desk_of(request).render(request, "error.html", 500, message=desk_of(request).strings["server_error"])


def api_router():
    """Return the article form's /api router (editing.py), if that module is installed."""
    try:
        from .editing import router
    except ImportError:
        return None
    return router


def create_app(
    project_root: Path, *, secure_cookies: bool = False, clock: Callable[[], datetime] | None = None
) -> Starlette:
    """Return the desk for a project (content/, theme/strings, tasks.py); secure cookies behind TLS."""
    from . import pages

    root = Path(project_root).resolve()
    desk = Desk(root, secure_cookies, clock or (lambda: build_time({"TIMEZONE": TIMEZONE})))
    routes = [
        Route("/dang-nhap", login_page, methods=["GET"]),
        Route("/dang-nhap", log_in, methods=["POST"]),
        Route("/dang-xuat", log_out, methods=["POST"]),
        Route("/tai-khoan", accounts_page, methods=["GET"]),
        Route("/tai-khoan", save_account, methods=["POST"]),
        Route("/tai-khoan/xoa", remove_account, methods=["POST"]),
        *pages.routes(),
        Mount("/tinh", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/giao-dien", StaticFiles(directory=root / "theme/static"), name="theme"),
    ]
    if router := api_router():
        routes.append(Mount("/api", app=router))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, desk=desk)],
        exception_handlers={403: error_page, 404: error_page, Exception: server_error},
    )
    app.state.desk = desk
    return app
