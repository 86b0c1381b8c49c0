"""Okta-shaped identifiers, secrets and timestamps."""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from datetime import UTC, datetime

_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"

# Object-id prefixes Okta uses (first three characters of a 20-character id).
APP_PREFIX = "0oa"
GROUP_PREFIX = "00g"
SECRET_PREFIX = "ocs"
ORG_PREFIX = "00o"
APP_LINK_PREFIX = "aln"


def random_token(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def okta_id(prefix: str) -> str:
    """A 20-character Okta object id, e.g. ``0oafxqCAJWWGELFTYASJ``."""
    return prefix + random_token(17)


def client_secret() -> str:
    """A generated client secret: 64 URL-safe characters, like Okta's."""
    return random_token(64, _URLSAFE)


def secret_hash(secret: str) -> str:
    """A 22-character URL-safe digest, the shape of Okta's ``secret_hash``."""
    digest = hashlib.sha256(secret.encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def key_id() -> str:
    """A JWK ``kid``: 43 URL-safe characters (base64url of 32 bytes)."""
    return random_token(43, _URLSAFE)


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime | None = None) -> str:
    """Okta's timestamp format: ``2023-01-21T14:11:24.000Z``."""
    moment = moment or now()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
