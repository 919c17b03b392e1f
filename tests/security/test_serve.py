"""``sefton-finance serve`` with a login, attacked over real HTTP on the loopback address.

Every test talks to a real ``serve`` process (and the ``panel serve`` child it
starts) on 127.0.0.1: no mocks. Settings ``serve`` must refuse are tried on a real
process too; it has to exit with code 2 before it binds a port.
"""

from __future__ import annotations

import base64
import concurrent.futures
import http.client
import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import zlib
from http.cookies import SimpleCookie
from pathlib import Path

import psutil
import pytest
from tornado.web import create_signed_value

from sefton_finance.cli_board import is_loopback, serve_problems
from sefton_finance.errors import InputError
from sefton_finance.passwords import SESSION_COOKIE as COOKIE
from sefton_finance.passwords import hash_password, read_users, verify_password
from tests.e2e.conftest import REPO, free_port, serve_invocation, serving

SECRET = secrets.token_urlsafe(48)
PASSWORD = "correct horse battery staple"
USERS = ("board", "analyst", "leaver")

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- helpers


class Response:
    """Status, headers, body and new cookies of one HTTP exchange (redirects not followed)."""

    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read().decode("utf-8", "replace")
        self.cookies = SimpleCookie()
        for header in raw.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


def fetch(root: str, path: str, *, cookies=None, form=None, headers=None) -> Response:
    """One request to the server at ``root``; POST when ``form`` is given."""
    parts = urllib.parse.urlsplit(root)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    sent = dict(headers or {})
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request("POST" if form is not None else "GET", path, body=body, headers=sent)
        return Response(connection.getresponse())
    finally:
        connection.close()


def log_in(root: str, user: str, password: str = PASSWORD, next_url: str = "/app") -> Response:
    return fetch(root, "/login", form={"username": user, "password": password, "next": next_url})


def session_cookies(response: Response) -> dict[str, str]:
    """The cookies a successful login set, ready to send back."""
    assert response.status == 302, (response.status, response.body[:300])
    return {name: morsel.value for name, morsel in response.cookies.items()}


def sent_to_login(response: Response) -> bool:
    return response.status == 302 and "login" in (response.location or "")


def write_users(path: Path, users) -> Path:
    path.write_text(json.dumps({u: hash_password(PASSWORD) for u in users}), encoding="utf-8")
    return path


def processes(serve: subprocess.Popen) -> list[psutil.Process]:
    """The ``serve`` process and everything it started."""
    parent = psutil.Process(serve.pid)
    return [parent, *parent.children(recursive=True)]


def panel_child(serve: subprocess.Popen) -> psutil.Process:
    return next(p for p in processes(serve) if "panel" in p.cmdline())


def refused(*options: str, env=None, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``serve`` expecting a refusal: it must exit by itself, quickly."""
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    command, environment = serve_invocation(
        *("--port", str(free_port()), "--results", str(empty), "--scenarios", str(empty)),
        *options,
        env=env,
    )
    result = subprocess.run(
        command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=60
    )
    result.message = " ".join((result.stdout + result.stderr).split())
    return result


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Empty result and scenario folders: the login, not the model, is under test."""
    root = tmp_path_factory.mktemp("auth")
    (root / "empty").mkdir()
    return root


@pytest.fixture(scope="module")
def server(folders):
    """A logged-in ``serve`` whose environment also carries settings it must not pass on.

    Yields ``(serve process, root URL, users file)``.
    """
    users = write_users(folders / "users.json", USERS)
    port = free_port()
    env = {
        "SEFTON_COOKIE_SECRET": SECRET,
        # Harmless values (a subset of the allowed origins), still not handed to panel.
        "BOKEH_ALLOW_WS_ORIGIN": f"127.0.0.1:{port}",
        "PANEL_BASIC_AUTH": "letmein",
    }
    empty = str(folders / "empty")
    options = ("--basic-auth", str(users), "--results", empty, "--scenarios", empty)
    with serving(*options, log=folders / "serve.log", env=env, port=port) as (process, root):
        yield process, root, users


@pytest.fixture
def fresh_server(folders, tmp_path):
    """A logged-in ``serve`` of its own, so that counted login failures start from zero."""
    users = write_users(tmp_path / "users.json", ("board", "analyst"))
    empty = str(folders / "empty")
    options = ("--basic-auth", str(users), "--results", empty, "--scenarios", empty)
    env = {"SEFTON_COOKIE_SECRET": SECRET}
    with serving(*options, log=tmp_path / "serve.log", env=env) as (_, root):
        yield root


# --------------------------------------------------------------------------- the secret


def test_cookie_secret_is_on_no_command_line(server):
    process, root, _ = server
    assert log_in(root, "board").status == 302, "the secret did reach the server"
    everyone = processes(process)
    assert len(everyone) >= 2, "serve runs panel serve as a child"
    for proc in everyone:
        assert SECRET not in " ".join(proc.cmdline()), f"secret on the command line of {proc.pid}"
    # It travels in the child's environment, which only its owner can read.
    child = Path(f"/proc/{panel_child(process).pid}")
    assert f"BOKEH_COOKIE_SECRET={SECRET}".encode() in (child / "environ").read_bytes()
    assert (child / "environ").stat().st_mode & 0o077 == 0


def test_secret_on_the_command_line_or_in_an_open_file_is_refused(tmp_path):
    users = write_users(tmp_path / "users.json", ["board"])
    result = refused("--basic-auth", str(users), "--cookie-secret", SECRET, tmp_path=tmp_path)
    assert result.returncode == 2 and "command line" in result.message
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET, encoding="utf-8")
    secret_file.chmod(0o644)
    options = ("--basic-auth", str(users), "--cookie-secret-file", str(secret_file))
    result = refused(*options, tmp_path=tmp_path)
    assert result.returncode == 2 and "chmod 600" in result.message
    secret_file.chmod(0o600)
    result = refused(*options, "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 0, result.message
    assert SECRET not in result.message and "--auth-module" in result.message


# --------------------------------------------------------------------------- who is logged in


def test_pages_need_a_login(server):
    _, root, _ = server
    for path in ("/app", "/", "/app/metadata", "/app/autoload.js?bokeh-autoload-element=x"):
        response = fetch(root, path)
        assert response.status in (302, 403), (path, response.status)
        assert response.status == 403 or sent_to_login(response), response.location
    assert "Log in" in fetch(root, "/login?next=%2Fapp").body


def test_forged_cookies_log_nobody_in(server):
    _, root, _ = server
    forged = {
        # Panel's basic-auth cookie: a signed user name was the whole proof before.
        "user": create_signed_value(SECRET, "user", "intruder").decode(),
        # A signed cookie, even with a well-formed token, is nothing without a session.
        COOKIE: create_signed_value(SECRET, COOKIE, secrets.token_urlsafe(32)).decode(),
    }
    for name, value in forged.items():
        assert sent_to_login(fetch(root, "/app", cookies={name: value})), name
    assert sent_to_login(fetch(root, "/app", cookies=forged))


def test_each_request_checks_the_user_is_still_in_the_users_file(server):
    _, root, users = server
    cookies = session_cookies(log_in(root, "leaver"))
    assert fetch(root, "/app", cookies=cookies).status == 200
    stored = json.loads(users.read_text(encoding="utf-8"))
    del stored["leaver"]
    users.write_text(json.dumps(stored), encoding="utf-8")
    assert sent_to_login(fetch(root, "/app", cookies=cookies))
    assert log_in(root, "leaver").status == 401
    assert fetch(root, "/app", cookies=session_cookies(log_in(root, "analyst"))).status == 200


def test_logout_ends_the_session_on_the_server(server):
    _, root, _ = server
    cookies = session_cookies(log_in(root, "board"))
    other = session_cookies(log_in(root, "board"))
    assert fetch(root, "/app", cookies=cookies).status == 200
    response = fetch(root, "/logout", cookies=cookies)
    assert response.status == 302 and response.location.startswith("/login")
    assert response.cookies[COOKIE].value == "", "the browser is told to drop the cookie"
    # Replaying the old cookie no longer works; the user's other session still does.
    assert sent_to_login(fetch(root, "/app", cookies=cookies))
    assert fetch(root, "/app", cookies=other).status == 200


def test_login_cookie_is_not_copied_into_the_page(server):
    _, root, _ = server
    cookies = session_cookies(log_in(root, "analyst"))
    page = fetch(root, "/app", cookies=cookies).body
    token = re.search(r'"token":\s*"([^"]+)"', page).group(1)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    context = zlib.decompress(base64.urlsafe_b64decode(payload["__bk__zlib_"] + "==")).decode()
    assert cookies[COOKIE] not in page and cookies[COOKIE] not in context
    assert "Cookie" not in json.loads(context)["headers"]


# --------------------------------------------------------------------------- after login


@pytest.mark.parametrize(
    "target",
    [
        "///evil.example",
        "//evil.example/app",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "https://evil.example/app",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        "evil.example",
    ],
)
def test_login_only_redirects_to_this_server(server, target):
    _, root, _ = server
    assert log_in(root, "analyst", next_url=target).location == "/"
    form = fetch(root, "/login?" + urllib.parse.urlencode({"next": target})).body
    assert 'name="next" value="/"' in form


def test_login_keeps_a_path_on_this_server(server):
    _, root, _ = server
    assert log_in(root, "analyst", next_url="/app?x=1").location == "/app?x=1"


# --------------------------------------------------------------------------- guessing


def test_failed_logins_are_rate_limited(fresh_server):
    root = fresh_server
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        guesses = list(pool.map(lambda i: log_in(root, "board", f"guess number {i}"), range(12)))
    statuses = sorted(g.status for g in guesses)
    assert statuses == [401] * 5 + [429] * 7, "5 tries a minute, even in parallel"
    blocked = next(g for g in guesses if g.status == 429)
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    # Now even the right password waits; other users from the same address do not.
    assert log_in(root, "board").status == 429
    assert log_in(root, "analyst").status == 302
    # One address cannot spray many user names either (20 failures a minute).
    spray = [log_in(root, f"user{i}", "wrong password").status for i in range(16)]
    assert spray == [401] * 15 + [429]
    assert time.monotonic() - started < 55, "the window did not pass during the test"


# --------------------------------------------------------------------------- origins


def test_wildcard_websocket_origin_in_the_environment_is_refused(tmp_path):
    for value in ("*", "127.0.0.1:1,evil.example"):
        result = refused(env={"BOKEH_ALLOW_WS_ORIGIN": value}, tmp_path=tmp_path)
        assert result.returncode == 2, result.message
        assert "BOKEH_ALLOW_WS_ORIGIN" in result.message and "Traceback" not in result.message


def test_server_settings_from_the_environment_are_not_passed_on(server):
    process, root, _ = server
    environ = (Path(f"/proc/{panel_child(process).pid}") / "environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert not names & {"BOKEH_ALLOW_WS_ORIGIN", "PANEL_BASIC_AUTH", "SEFTON_COOKIE_SECRET"}
    # Panel's own basic auth would have accepted its password in place of the login.
    assert log_in(root, "board", "letmein").status == 401


def test_websocket_from_another_origin_is_refused(server):
    _, root, _ = server
    cookies = session_cookies(log_in(root, "analyst"))
    host, port = urllib.parse.urlsplit(root).netloc.split(":")

    def handshake(origin: str) -> int:
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        request = (
            f"GET /app/ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {origin}\r\nCookie: {COOKIE}={cookies[COOKIE]}\r\n\r\n"
        )
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(request.encode())
            return int(sock.recv(4096).split(b" ", 2)[1])

    assert handshake("http://evil.example") == 403
    assert handshake(f"http://127.0.0.1:{port}") != 403


# --------------------------------------------------------------------------- weak settings


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("short secret", "the cookie secret has 1 characters"),
        ("no secret", "a login needs a cookie secret"),
        ("missing users file", "users file not found"),
        ("users file not JSON", "not JSON"),
        ("users file a list", "must be a JSON object"),
        ("plain password", "has a plain password"),
        ("public without login", "needs a login"),
    ],
)
def test_weak_settings_are_refused_in_one_paragraph(tmp_path, case, expected):
    users = tmp_path / "users.json"
    write_users(users, ["board"])
    options, env = ["--basic-auth", str(users)], {"SEFTON_COOKIE_SECRET": SECRET}
    if case == "short secret":
        env["SEFTON_COOKIE_SECRET"] = "x"
    elif case == "no secret":
        env = {}
    elif case == "missing users file":
        options[1] = str(tmp_path / "nowhere.json")
    elif case == "users file not JSON":
        users.write_text("board: hunter2\n", encoding="utf-8")
    elif case == "users file a list":
        users.write_text('["board"]', encoding="utf-8")
    elif case == "plain password":
        users.write_text('{"board": "hunter2 hunter2"}', encoding="utf-8")
    elif case == "public without login":
        options = ["--address", "0.0.0.0", "--allow-websocket-origin", "finance.example"]
    result = refused(*options, env=env, tmp_path=tmp_path)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 2, output
    assert expected in result.message and "Traceback" not in output
    assert "\n\n" not in output and "hunter2" not in output, "one paragraph, no password echoed"


def test_add_user_stores_only_a_scrypt_hash(tmp_path):
    users = tmp_path / "users.json"

    def add(user: str, password: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "sefton_finance", "add-user", str(users), user]
        return subprocess.run(
            [*command, "--password-stdin"],
            input=password + "\n",
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )

    # A file of plain passwords is fixed one user at a time; serve refuses it until then.
    users.write_text('{"analyst": "plain text password"}', encoding="utf-8")
    assert add("board", PASSWORD).returncode == 0
    with pytest.raises(InputError, match="'analyst' has a plain password"):
        read_users(users)
    assert add("analyst", "too short").returncode == 2
    assert add("analyst", PASSWORD[::-1]).returncode == 0
    assert users.stat().st_mode & 0o777 == 0o600
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text and "plain text password" not in text
    stored = read_users(users)
    assert set(stored) == {"board", "analyst"} and verify_password(PASSWORD, stored["board"])
    assert not verify_password(PASSWORD, stored["analyst"])


def test_serve_problems(tmp_path):
    users = write_users(tmp_path / "users.json", ["board"])
    assert serve_problems("127.0.0.1", None, None, [], environ={}) == []
    assert len(serve_problems("0.0.0.0", None, None, [], environ={})) == 2
    assert serve_problems("0.0.0.0", users, "s" * 32, ["board.example.org"], environ={}) == []
    assert serve_problems("0.0.0.0", users, "s" * 32, ["*"], environ={})
    assert serve_problems("0.0.0.0", tmp_path / "missing.json", "s" * 32, ["x.org"], environ={})
    # The origin variable may repeat allowed origins (port 80 implied), never add one.
    environ = {"BOKEH_ALLOW_WS_ORIGIN": "board.example.org:80"}
    assert serve_problems("0.0.0.0", users, "s" * 32, ["board.example.org"], environ=environ) == []
    environ = {"BOKEH_ALLOW_WS_ORIGIN": "board.example.org,other.example"}
    assert serve_problems("0.0.0.0", users, "s" * 32, ["board.example.org"], environ=environ)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


@pytest.mark.browser
def test_open_pages_go_back_to_the_login_page_after_logout(board_page, server):
    _, root, _ = server
    page = board_page
    page.goto(f"{root}/app", timeout=60_000)
    page.fill("#username", "analyst")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_text("Log out").wait_for(timeout=60_000)
    assert page.url == f"{root}/app"
    other = page.context.new_page()
    other.goto(f"{root}/logout")
    assert urllib.parse.urlsplit(other.url).path == "/login"
    # The open page had a live connection; within a few seconds it is back at the login.
    page.wait_for_url(re.compile(r"/login\?next="), timeout=30_000)
    assert page.locator("#password").is_visible()
