"""How the client signs in to the Management API: an SSWS API token or an OAuth 2.0 service app.

Okta recommends the service app ("Implement OAuth for Okta with a service app",
https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/): SSWS tokens die
with the admin who made them and get half the org's rate limit. Both kinds hold key material, so
their reprs never show it, and `digest` is what a dict key or a log line may carry instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

# `cryptography` is imported only where a service app's key is parsed or used: it costs about 8 MiB of
# resident memory (bench/memory.py), which an operator signing in with SSWS tokens never needs.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# private_key_jwt signs with RS256 or ES256 (the implement-oauth-for-okta-serviceapp guide lists
# RS256/384/512 and ES256/384/512; these two cover the keys the Admin Console generates or accepts).
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_MIN_RSA_BITS = 2048


class InvalidCredentials(ValueError):
    """Credentials that cannot be used. The message never contains the key or token."""


@dataclass(frozen=True, repr=False)
class SswsToken:
    """An Okta API token, sent as `Authorization: SSWS <token>`."""

    token: str

    def __post_init__(self) -> None:
        if not self.token or any(
            ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in self.token
        ):
            # Never echo the value: it is a credential.
            raise InvalidCredentials("token must be a non-empty printable ASCII string without whitespace")

    @property
    def digest(self) -> str:
        return "ssws:" + hashlib.sha256(self.token.encode()).hexdigest()

    def __repr__(self) -> str:
        return "SswsToken(<redacted>)"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class ServiceApp:
    """An Okta API service app: `client_credentials` with a `private_key_jwt` assertion.

    `scopes` are the `okta.*` scopes asked for in the token request (space separated on the wire).
    Build it with `service_app()`, which parses the PEM.
    """

    client_id: str
    key: PrivateKey = field(compare=False)
    key_id: str | None
    scopes: tuple[str, ...]
    key_digest: str

    @property
    def algorithm(self) -> str:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if isinstance(self.key, rsa.RSAPrivateKey):
            return "RS256"
        return _EC_ALGORITHMS[self.key.curve.name]

    @property
    def digest(self) -> str:
        """Identifies client, key and scopes without revealing the key (a SHA-256 of its public part)."""
        ident = "\0".join((self.client_id, self.key_id or "", self.key_digest, " ".join(self.scopes)))
        return "oauth:" + hashlib.sha256(ident.encode()).hexdigest()

    def __repr__(self) -> str:
        return f"ServiceApp(client_id={self.client_id!r}, key_id={self.key_id!r}, key=<redacted>)"

    __str__ = __repr__


Credentials = SswsToken | ServiceApp


def service_app(
    client_id: str, private_key_pem: str, key_id: str | None, scopes: tuple[str, ...]
) -> ServiceApp:
    """Parse the PEM (PKCS#8 or traditional, unencrypted) into a `ServiceApp`; `InvalidCredentials` if
    it is not an RSA (>= 2048 bits) or P-256/384/521 private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if not client_id or any(ch.isspace() or not ch.isprintable() for ch in client_id):
        raise InvalidCredentials("clientId must be a non-empty string without whitespace")
    if key_id is not None and (not key_id or any(ch.isspace() or not ch.isprintable() for ch in key_id)):
        raise InvalidCredentials("keyId must be a non-empty string without whitespace")
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError, UnicodeError):
        # cryptography's message is generic, but ours is written here so no input ever leaks into it.
        raise InvalidCredentials(
            "privateKey is not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY----- "
            "or -----BEGIN RSA/EC PRIVATE KEY-----)"
        ) from None
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < _MIN_RSA_BITS:
            raise InvalidCredentials(f"privateKey is an RSA key of {key.key_size} bits; Okta needs >= 2048")
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name not in _EC_ALGORITHMS:
            raise InvalidCredentials(f"privateKey is on curve {key.curve.name}; use P-256, P-384 or P-521")
    else:
        raise InvalidCredentials("privateKey must be an RSA or EC private key")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return ServiceApp(client_id, key, key_id, tuple(scopes), hashlib.sha256(public).hexdigest())


def as_credentials(value: str | Credentials) -> Credentials:
    """A bare string is an SSWS token (what callers passed before service apps existed)."""
    return SswsToken(value) if isinstance(value, str) else value


__all__ = ["Credentials", "InvalidCredentials", "ServiceApp", "SswsToken", "as_credentials", "service_app"]
