"""The users file of a shared dashboard: user names and scrypt password hashes.

``users.json`` is one JSON object mapping each user name to a hash made by
:func:`hash_password` (``sefton-finance add-user`` writes it)::

    {"board": "scrypt$16384$8$1$<salt, base64>$<key, base64>"}

Plain passwords are refused: whoever reads the file (a backup, a support copy)
would otherwise hold every login.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path

from sefton_finance.errors import InputError

USERS_ENV = "SEFTON_USERS_FILE"
"""Environment variable naming the users file of a running server (set by ``serve``)."""
SESSION_COOKIE = "sefton_session"
"""The login cookie: ``serve`` keeps it out of the pages bokeh writes, dashboards.auth sets it."""
SCHEME = "scrypt"
COST, BLOCK_SIZE, PARALLELISM = 2**14, 8, 1
"""scrypt parameters of new hashes: about 16 MiB and 50 ms a check (OWASP's minimum)."""
MAX_COST = 2**20
"""Largest cost accepted when reading a hash, so a hand-edited file cannot stall the server."""
MIN_PASSWORD_LENGTH = 12
MAX_NAME_LENGTH = 64
EXAMPLE = '{"board": "scrypt$16384$8$1$..."}'


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, cost: int, block_size: int, parallelism: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost,
        r=block_size,
        p=parallelism,
        maxmem=256 * block_size * cost,
        dklen=32,
    )


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` for the users file.

    Parameters
    ----------
    password : str
        The password; at least :data:`MIN_PASSWORD_LENGTH` characters.

    Returns
    -------
    str
        ``scrypt$N$r$p$salt$key`` with the salt and key in base64.

    Raises
    ------
    ValueError
        If the password is too short.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, COST, BLOCK_SIZE, PARALLELISM)
    return f"{SCHEME}${COST}${BLOCK_SIZE}${PARALLELISM}${_b64(salt)}${_b64(key)}"


def _parse(stored: str) -> tuple[bytes, int, int, int, bytes] | None:
    """``(salt, N, r, p, key)`` of a stored hash, or None if it is not one of ours."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        cost, block_size, parallelism = (int(p) for p in parts[1:4])
        salt, key = (
            base64.b64decode(parts[4], validate=True),
            base64.b64decode(parts[5], validate=True),
        )
    except (ValueError, binascii.Error):
        return None
    power_of_two = cost & (cost - 1) == 0
    if not (COST <= cost <= MAX_COST and power_of_two and 1 <= block_size <= 32):
        return None
    if not (1 <= parallelism <= 16 and len(salt) >= 16 and len(key) == 32):
        return None
    return salt, cost, block_size, parallelism, key


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (a :func:`hash_password` result), in constant time."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    salt, cost, block_size, parallelism, key = parsed
    return hmac.compare_digest(_derive(password, salt, cost, block_size, parallelism), key)


@functools.cache
def _decoy() -> str:
    return hash_password(secrets.token_urlsafe(24))


def check_login(users: dict[str, str], user: str, password: str) -> bool:
    """Whether ``user`` is in ``users`` with this password.

    An unknown user costs the same hash as a known one, so the answer time does not
    tell which user names exist.
    """
    stored = users.get(user)
    matched = verify_password(password, stored if stored is not None else _decoy())
    return matched and stored is not None


def _read_object(path: Path) -> dict:
    """The users file's JSON object, whatever its entries hold."""
    if not path.is_file():
        raise InputError(path, ["users file not found"])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(path, ["the users file is not UTF-8 text"]) from None
    except json.JSONDecodeError as error:
        raise InputError(
            path, [f"not JSON ({error.msg} at line {error.lineno} column {error.colno})"]
        ) from None
    if not isinstance(data, dict) or not data:
        raise InputError(
            path, [f"must be a JSON object mapping user names to password hashes, e.g. {EXAMPLE}"]
        )
    return data


def _name_problem(user: str) -> str | None:
    if not user or len(user) > MAX_NAME_LENGTH or not user.isprintable():
        return f"user name {user[:MAX_NAME_LENGTH]!r} must be 1 to {MAX_NAME_LENGTH} printable characters"
    return None


def read_users(path: str | Path) -> dict[str, str]:
    """The users file: user name -> password hash.

    Raises
    ------
    InputError
        If the file is missing, is not JSON, is not an object of user names and
        hashes, or holds a plain password. The message never repeats an entry's
        value, which may be a password.
    """
    path = Path(path)
    data = _read_object(path)
    problems = []
    for user, stored in data.items():
        problem = _name_problem(user)
        if problem is None and (not isinstance(stored, str) or _parse(stored) is None):
            problem = (
                f"user {user!r} has a plain password or an unknown hash; replace it with "
                f"`sefton-finance add-user {path} {user}` (scrypt hashes only)"
            )
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InputError(path, problems)
    return data


def add_user(path: str | Path, user: str, password: str) -> Path:
    """Add ``user`` to the users file (or change their password), creating the file if needed.

    The file is replaced atomically and is readable by its owner only.

    Raises
    ------
    InputError
        If an existing file is not a JSON object.
    ValueError
        If the user name or the password is unacceptable.
    """
    path = Path(path)
    problem = _name_problem(user)
    if problem is not None:
        raise ValueError(problem)
    # Other entries are kept as they are, so a file of plain passwords can be fixed user by user.
    users = _read_object(path) if path.exists() else {}
    users[user] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not files.atomic_write: that widens the mode to the umask's, and this file stays 0600.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(users, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
