"""The two Okta OIDC app integrations of an OutSystems factory, as Okta create bodies."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from outsystems_okta.api.app_options import with_extras
from outsystems_okta.api.spec import IntegrationSpec
from outsystems_okta.blueprint.ownership import MARKER_KEY, Owner, ownership_marker
from outsystems_okta.blueprint.uris import (
    consoles_post_logout_uris,
    consoles_redirect_uris,
    tools_post_logout_uris,
    tools_redirect_uris,
)

GRANT_TYPES = ["authorization_code", "refresh_token"]
RESPONSE_TYPES = ["code"]


class AppRole(StrEnum):
    CONSOLES = "consoles"
    DEVELOPMENT_TOOLS = "developmentTools"


@dataclass(frozen=True)
class DesiredApp:
    """What one Okta app must look like.

    `oauth_settings` and `oauth_credentials` hold exactly the keys of `settings.oauthClient` and
    `credentials.oauthClient` the operator owns; every other field of the app is left as Okta or an
    admin has it. `label_set` says whether the spec named the label (an adopted app keeps its own
    label otherwise).
    """

    role: AppRole
    label: str
    oauth_settings: dict[str, Any]
    oauth_credentials: dict[str, Any]
    marker: dict[str, str]
    label_set: bool = True
    # `visibility.hide` (both keys owned): whether users' Okta dashboards show the app's tile.
    visibility_hide: dict[str, bool] = field(default_factory=lambda: hidden(True))

    def create_body(self) -> dict[str, Any]:
        """The `POST /api/v1/apps` body that creates this app."""
        return copy.deepcopy(
            {
                "name": "oidc_client",
                "label": self.label,
                "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": self.oauth_credentials},
                "settings": {"oauthClient": self.oauth_settings},
                "profile": {MARKER_KEY: self.marker},
                "visibility": {"hide": self.visibility_hide},
            }
        )


@dataclass(frozen=True)
class DesiredApps:
    consoles: DesiredApp
    development_tools: DesiredApp

    def both(self) -> tuple[DesiredApp, DesiredApp]:
        return (self.consoles, self.development_tools)


def hidden(hide: bool) -> dict[str, bool]:
    """`visibility.hide`: the tile on the Okta End-User Dashboard (web) and in Okta Mobile (iOS)."""
    return {"iOS": hide, "web": hide}


def desired_apps(spec: IntegrationSpec, owner: Owner) -> DesiredApps:
    lifetime = spec.lifetime.hostname
    hosts = [env.hostname for env in spec.environments]
    redirects, logouts = spec.extra_redirect_uris, spec.extra_post_logout_redirect_uris
    hide = hidden(not spec.show_on_dashboard)
    consoles = DesiredApp(
        role=AppRole.CONSOLES,
        label=spec.app_labels.consoles,
        oauth_settings={
            "application_type": "web",
            "grant_types": list(GRANT_TYPES),
            "response_types": list(RESPONSE_TYPES),
            "consent_method": "TRUSTED",
            "redirect_uris": with_extras(
                consoles_redirect_uris(lifetime, hosts), redirects.of(AppRole.CONSOLES)
            ),
            "post_logout_redirect_uris": with_extras(
                consoles_post_logout_uris(lifetime, hosts), logouts.of(AppRole.CONSOLES)
            ),
            "refresh_token": spec.refresh_tokens.of(AppRole.CONSOLES).okta(),
        },
        oauth_credentials={"token_endpoint_auth_method": "client_secret_basic"},
        marker=ownership_marker(owner, AppRole.CONSOLES),
        label_set=spec.app_labels.is_set(AppRole.CONSOLES),
        visibility_hide=dict(hide),
    )
    tools = DesiredApp(
        role=AppRole.DEVELOPMENT_TOOLS,
        label=spec.app_labels.development_tools,
        oauth_settings={
            "application_type": "native",
            "grant_types": list(GRANT_TYPES),
            "response_types": list(RESPONSE_TYPES),
            "redirect_uris": with_extras(tools_redirect_uris(hosts), redirects.of(AppRole.DEVELOPMENT_TOOLS)),
            "post_logout_redirect_uris": with_extras(
                tools_post_logout_uris(), logouts.of(AppRole.DEVELOPMENT_TOOLS)
            ),
            "refresh_token": spec.refresh_tokens.of(AppRole.DEVELOPMENT_TOOLS).okta(),
        },
        # A native app is a public client: no secret, PKCE required (Okta: `none` demands pkce_required).
        oauth_credentials={"token_endpoint_auth_method": "none", "pkce_required": True},
        marker=ownership_marker(owner, AppRole.DEVELOPMENT_TOOLS),
        label_set=spec.app_labels.is_set(AppRole.DEVELOPMENT_TOOLS),
        visibility_hide=dict(hide),
    )
    return DesiredApps(consoles=consoles, development_tools=tools)
