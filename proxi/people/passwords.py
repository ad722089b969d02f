"""Password hashing and policy: scrypt (memory-hard, standard library), constant-time check.

A stored hash is `scrypt$N$r$p$salt$key` (salt and key in base64): the cost parameters travel
with each hash, so raising them later leaves old hashes verifiable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from proxi.errors import ProxiError

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024  # scrypt on a megabyte-long "password" is a cheap DoS
SCRYPT_N, SCRYPT_R, SCRYPT_P, SALT_BYTES, KEY_BYTES = 2**14, 8, 1, 16, 32


class WeakPassword(ProxiError):
    """A new password does not meet the policy (the message says why)."""


def hash_password(password: str) -> str:
    """scrypt$N$r$p$salt$key (base64): the parameters travel with the hash."""
    check_password(password)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, encoded: str | None) -> bool:
    """True when `password` matches; constant-time comparison; False for a broken hash."""
    try:
        scheme, n, r, p, salt, key = (encoded or "").split("$")
        if scheme != "scrypt" or len(password) > PASSWORD_MAX_LENGTH:
            return False
        candidate = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(candidate, _unb64(key))


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(f"Le mot de passe doit faire au moins {PASSWORD_MIN_LENGTH} caractères.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise WeakPassword("Le mot de passe est trop long.")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=2 * 128 * r * n
    )


# Verified against when the identifier is unknown, so both cases cost the same time.
DUMMY_HASH = (
    f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$"
    + base64.b64encode(b"proxi-dummy-salt").decode()
    + "$"
    + base64.b64encode(bytes(KEY_BYTES)).decode()
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def token_hash(token: str) -> str:
    """How a random token (web session, login ticket, phone pass) is stored. A plain hash is
    enough: the tokens are 192 to 256 random bits, nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()
