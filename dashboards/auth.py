"""Login for a dashboard served to other people (``sefton-finance serve --basic-auth``).

Bokeh loads :mod:`dashboards.login` as the server's auth module; it re-exports the
hooks defined here, so the session table lives in this one module, which the
served app imports too.

- Logging in checks the user name and password against the users file
  (:mod:`sefton_finance.passwords`, scrypt hashes) and starts a server-side
  session: a random token in a signed, HTTP-only cookie. A cookie signed with the
  cookie secret proves nothing on its own; its token must be in this process's
  session table.
- Every request (pages and websocket connections) looks the token up and checks
  that the user is still in the users file with the same password hash, so
  removing a user or changing a password ends their sessions at once.
- Logging out deletes the token; open pages of that session go back to the login
  page within :data:`WATCH_SECONDS`.
- Failed logins are limited per client address and user name (:data:`LIMITS`
  in :data:`WINDOW_SECONDS`); then the server answers 429 without checking the
  password.
- After logging in the browser only goes to a path on this server
  (:func:`safe_next`).

Sessions live in memory: restarting the server logs everyone out.
"""

from __future__ import annotations

import collections
import hashlib
import html
import logging
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tornado.ioloop import IOLoop
from tornado.web import RequestHandler

from sefton_finance.errors import InputError
from sefton_finance.passwords import SESSION_COOKIE, USERS_ENV, check_login, read_users

log = logging.getLogger("sefton_finance.dashboard.auth")

SESSION_ID_COOKIE = "sefton_session_id"
"""Cookie holding a hash of the token, so a page can ask whether its login still holds."""
SESSION_SECONDS = 12 * 3600
"""A login lasts a working day, however active."""
WINDOW_SECONDS = 60.0
LIMITS = {"user": 5, "address": 20}
"""Most login attempts in :data:`WINDOW_SECONDS`: per address and user name, per address."""
WATCH_SECONDS = 5
MAX_FIELD = 1024
"""Longest user name or password read from the login form."""
MAX_TRACKED = 10_000
"""Most sessions or attempt counters kept before old ones are pruned (bounded memory)."""

login_url = "/login"
logout_url = "/logout"


def enabled() -> bool:
    """Whether this server requires a login."""
    return bool(os.environ.get(USERS_ENV))


def safe_next(target: str | None) -> str:
    """Where to send the browser after logging in: ``target`` if it is a path on this server.

    Only a relative path starting with a single ``/`` is kept. ``//host``, ``/\\host``,
    a scheme, whitespace or control characters (browsers drop tabs and newlines,
    so ``/<tab>/host`` is ``//host``) all give ``/``.

    Examples
    --------
    >>> safe_next("/app?x=1"), safe_next("///evil.example"), safe_next("https://evil.example")
    ('/app?x=1', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if "\\" in target or any(c.isspace() or not c.isprintable() for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def session_id(token: str) -> str:
    """The public name of a session: a hash of its token, useless for logging in."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:32]


class UsersFile:
    """The users file, read again whenever it changes on disk.

    An unreadable or invalid file means no users (every session stops): failing
    closed is safer than serving on stale credentials.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._users: dict[str, str] = {}

    def current(self) -> dict[str, str]:
        """User name -> password hash, as the file says now."""
        path = Path(os.environ.get(USERS_ENV, ""))
        try:
            info = path.stat()
            stamp = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
        except OSError:
            log.error("users file %s cannot be read: nobody can log in", path)
            return {}
        with self._lock:
            if stamp == self._stamp:
                return self._users
        try:
            users = read_users(path)
        except InputError as error:
            log.error("%s: nobody can log in", error)
            users = {}
        with self._lock:
            self._stamp, self._users = stamp, users
        return users


@dataclass(frozen=True)
class Session:
    user: str
    password_hash: str
    expires: float


class Sessions:
    """Logged-in sessions by token; a token is valid only while it is in this table."""

    def __init__(self, lifetime: float = SESSION_SECONDS) -> None:
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._by_token: dict[str, Session] = {}
        self._by_id: dict[str, str] = {}

    def start(self, user: str, password_hash: str) -> str:
        """A new session for ``user``; returns its token."""
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            if len(self._by_token) >= MAX_TRACKED:
                self._prune(now)
            self._by_token[token] = Session(user, password_hash, now + self.lifetime)
            self._by_id[session_id(token)] = token
        return token

    def _prune(self, now: float) -> None:
        # Expired sessions first; if that is not enough, the oldest logins go.
        ordered = sorted(self._by_token.items(), key=lambda item: item[1].expires)
        keep = [(t, s) for t, s in ordered if s.expires > now][-(MAX_TRACKED // 2) :]
        self._by_token = dict(keep)
        self._by_id = {session_id(t): t for t in self._by_token}

    def end(self, token: str) -> None:
        """Forget a session (logging out)."""
        with self._lock:
            self._by_token.pop(token, None)
            self._by_id.pop(session_id(token), None)

    def user(self, token: str, users: dict[str, str]) -> str | None:
        """The user of a valid session, or None.

        Valid means: started here, not expired, and its user is still in ``users``
        with the password hash they logged in with.
        """
        with self._lock:
            session = self._by_token.get(token)
        if session is None:
            return None
        if session.expires <= time.monotonic() or users.get(session.user) != session.password_hash:
            self.end(token)
            return None
        return session.user

    def user_by_id(self, public_id: str, users: dict[str, str]) -> str | None:
        """:meth:`user` for the session with this :func:`session_id`."""
        with self._lock:
            token = self._by_id.get(public_id)
        return None if token is None else self.user(token, users)


class Attempts:
    """Login attempts in a sliding window, counted per key, refused beyond a limit."""

    def __init__(self, limits: dict[str, int] = LIMITS, window: float = WINDOW_SECONDS) -> None:
        self.limits, self.window = dict(limits), window
        self._lock = threading.Lock()
        self._seen: dict[tuple, collections.deque] = {}

    def begin(self, keys: list[tuple]) -> tuple[float, float | None]:
        """Count an attempt under every key, unless one is at its limit.

        Each key is ``(kind, ...)`` with ``kind`` a key of the limits. The attempt is
        counted before the password is checked, so simultaneous guesses cannot all
        slip in under the limit.

        Returns
        -------
        (float, float or None)
            Seconds until a retry is allowed (0 when allowed) and the attempt's stamp,
            which :meth:`succeeded` takes back.
        """
        now = time.monotonic()
        with self._lock:
            if len(self._seen) >= MAX_TRACKED:
                self._seen = {
                    k: q for k, q in self._seen.items() if q and q[-1] > now - self.window
                }
            wait = 0.0
            for key in keys:
                seen = self._seen.setdefault(key, collections.deque())
                while seen and seen[0] <= now - self.window:
                    seen.popleft()
                if len(seen) >= self.limits[key[0]]:
                    wait = max(wait, seen[0] + self.window - now)
            if wait:
                return wait, None
            for key in keys:
                self._seen[key].append(now)
            return 0.0, now

    def succeeded(self, keys: list[tuple], stamp: float) -> None:
        """Take back a successful attempt: only failures count against the limit."""
        with self._lock:
            for key in keys:
                seen = self._seen.get(key)
                if seen is not None and stamp in seen:
                    seen.remove(stamp)


USERS = UsersFile()
SESSIONS = Sessions()
ATTEMPTS = Attempts()


def get_user(handler: RequestHandler) -> str | None:
    """The logged-in user of a request, or None (bokeh then redirects to the login page)."""
    token = handler.get_secure_cookie(
        SESSION_COOKIE, max_age_days=math.ceil(SESSION_SECONDS / 86400)
    )
    if not token:
        return None
    try:
        return SESSIONS.user(token.decode("ascii"), USERS.current())
    except UnicodeDecodeError:
        return None


def still_logged_in(public_id: str | None) -> bool:
    """Whether the session named ``public_id`` (:func:`session_id`) is still logged in."""
    return bool(public_id) and SESSIONS.user_by_id(public_id, USERS.current()) is not None


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sefton system finances: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1c2833;
      max-width: 360px; margin: 80px auto; padding: 0 16px;}}
h1 {{font-size: 20px; color: #005EB8;}} label {{display: block; margin-top: 12px;}}
input {{width: 100%; padding: 6px; font-size: 15px; box-sizing: border-box;}}
button {{margin-top: 16px; padding: 8px 16px; background: #005EB8; color: white; border: 0;}}
p.message {{color: #C0392B;}}
</style></head><body>
<h1>Sefton system finances</h1>
<p class="message" role="alert">{message}</p>
<form method="post" action="{action}">
<input type="hidden" name="next" value="{next}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form></body></html>
"""


class LoginHandler(RequestHandler):
    """``GET /login`` shows the form; ``POST /login`` checks it and starts a session."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
        )

    def _page(self, message: str = "", next_url: str = "/") -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            PAGE.format(
                message=html.escape(message),
                action=html.escape(login_url),
                next=html.escape(next_url, quote=True),
            )
        )

    def get(self) -> None:
        # Messages are fixed texts chosen by a flag, never echoed from the query.
        message = "You have logged out." if self.get_query_argument("logged_out", "") else ""
        self._page(message, safe_next(self.get_query_argument("next", "/")))

    async def post(self) -> None:
        user = self.get_body_argument("username", "")
        password = self.get_body_argument("password", "")
        next_url = safe_next(self.get_body_argument("next", "/"))
        if len(user) > MAX_FIELD or len(password) > MAX_FIELD:
            self.set_status(400)
            self._page("User name or password too long.", next_url)
            return
        address = self.request.remote_ip or "?"
        keys = [("user", address, user), ("address", address)]
        wait, stamp = ATTEMPTS.begin(keys)
        if stamp is None:
            log.warning("login refused for %r from %s: too many attempts", user, address)
            self.set_status(429)
            self.set_header("Retry-After", str(math.ceil(wait)))
            self._page(f"Too many failed logins. Try again in {math.ceil(wait)} seconds.", next_url)
            return
        users = USERS.current()
        # scrypt takes ~50 ms: off the event loop, so other sessions keep moving.
        valid = await IOLoop.current().run_in_executor(None, check_login, users, user, password)
        if not valid:
            log.warning("failed login for %r from %s", user, address)
            self.set_status(401)
            self._page("Wrong user name or password.", next_url)
            return
        ATTEMPTS.succeeded(keys, stamp)
        old = self.get_secure_cookie(SESSION_COOKIE)
        if old:
            SESSIONS.end(old.decode("ascii", "replace"))
        token = SESSIONS.start(user, users[user])
        secure = self.request.protocol == "https"
        cookie = dict(path="/", httponly=True, samesite="Lax", secure=secure, expires_days=None)
        self.set_secure_cookie(SESSION_COOKIE, token, **cookie)
        self.set_cookie(SESSION_ID_COOKIE, session_id(token), **cookie)
        log.info("%r logged in from %s", user, address)
        self.redirect(next_url)


class LogoutHandler(RequestHandler):
    """``/logout`` ends the session on the server, clears its cookies, shows the login page."""

    def get(self) -> None:
        token = self.get_secure_cookie(SESSION_COOKIE)
        if token:
            SESSIONS.end(token.decode("ascii", "replace"))
        self.clear_cookie(SESSION_COOKIE, path="/")
        self.clear_cookie(SESSION_ID_COOKIE, path="/")
        self.set_header("Cache-Control", "no-store")
        self.redirect(f"{login_url}?logged_out=1")

    post = get
