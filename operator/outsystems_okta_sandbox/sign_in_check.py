"""The demo's "Sign-in check": a user really signs in, through every callback the operator registered.

One line per environment (LifeTime first): the Consoles app with its client secret, redirected to that
environment's Service Center callback, as LifeTime and Service Center sign people in; and one line for
Service Studio: the Development Tools app with PKCE, redirected to `servicestudio://auth`. Each line
says ok (the ID token verified against the server's keys, then a refresh) or why not. No token or
secret is ever printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from outsystems_okta.blueprint.uris import CONSOLES_LOGIN_PATH, TOOLS_SCHEMES
from outsystems_okta_sandbox.okta.signin import SignInResult, refresh, sign_in

SERVICE_STUDIO = TOOLS_SCHEMES[0]  # servicestudio://auth


@dataclass(frozen=True)
class Line:
    where: str  # "LifeTime (lifetime.acme.com)", "dev (dev.acme.com)", "Service Studio"
    redirect_uri: str
    ok: bool
    detail: str

    def render(self, width: int) -> str:
        return f"   {self.where:<{width}} {'ok' if self.ok else 'FAILED'}: {self.detail}"


def _detail(result: SignInResult, again: SignInResult | None) -> tuple[bool, str]:
    if not result.ok:
        return False, result.describe()
    who = result.id_claims.get("preferred_username", "?")
    if again is None:
        return False, f"signed in as {who}, ID token verified, but no refresh token was issued"
    if not again.ok:
        return False, f"signed in as {who}, ID token verified, but the refresh was {again.describe()}"
    return True, f"signed in as {who}, ID token verified, refresh ok"


async def check_sign_ins(
    okta_url: str,
    server_id: str,
    lifetime: str,
    environments: Sequence[tuple[str, str]],
    values: Mapping[str, str],
    user: str,
) -> list[Line]:
    """`environments` are (name, hostname); `values` the LifeTime Secret's decoded data."""
    web, secret, desktop = values["webClientId"], values["webClientSecret"], values["desktopClientId"]
    lines: list[Line] = []
    for where, host in [(f"LifeTime ({lifetime})", lifetime)] + [(f"{n} ({h})", h) for n, h in environments]:
        uri = f"https://{host}{CONSOLES_LOGIN_PATH}"
        result = await sign_in(okta_url, server_id, web, uri, user, client_secret=secret, pkce=False)
        again = None
        if result.ok and result.refresh_token:
            again = await refresh(okta_url, server_id, web, result.refresh_token, client_secret=secret)
        lines.append(Line(where, uri, *_detail(result, again)))
    result = await sign_in(okta_url, server_id, desktop, SERVICE_STUDIO, user)
    again = None
    if result.ok and result.refresh_token:
        again = await refresh(okta_url, server_id, desktop, result.refresh_token)
    lines.append(Line("Service Studio", SERVICE_STUDIO, *_detail(result, again)))
    return lines
