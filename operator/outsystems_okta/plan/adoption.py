"""Adopting an app an admin made: whether it may be adopted, and what "desired" means for it.

An adopted app is checked before anything is written to Okta (both apps, before either is touched):
it must be an OpenID Connect app of the right type, and carry no other resource's ownership marker.
Once adopted, only the fields the operator owns are brought to the desired state; the admin's label
stays unless the spec names one, and the client ID and client secret are the admin's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from outsystems_okta.blueprint import AppRole, DesiredApp, Owner, marker_of

# How a Web app may hand its client secret to Okta's token endpoint and still serve LifeTime, which
# holds only a client ID and a client secret. The operator creates apps with client_secret_basic and
# accepts client_secret_post as it is: changing the method can make Okta issue a new secret, and
# LifeTime cannot take a new one without a new provider.
SECRET_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
_AUTH_METHOD = "token_endpoint_auth_method"

# application_type, how the admin console names it, and which of the page's apps it is.
_APP_TYPES = {
    AppRole.CONSOLES: ("web", "Web", "OutSystems Consoles"),
    AppRole.DEVELOPMENT_TOOLS: ("native", "Native", "OutSystems Development Tools"),
}


def page_name(role: str) -> str:
    """The app's name on the OutSystems page ("OutSystems Consoles"), whatever its label in Okta."""
    return _APP_TYPES[AppRole(role)][2]


def adopt_field(role: str) -> str:
    """The spec field that names the app to adopt for a role."""
    return f"spec.adopt.{role}AppId"


def _oauth(app: Mapping[str, Any], part: str) -> Mapping[str, Any]:
    section = app.get(part)
    oauth = section.get("oauthClient") if isinstance(section, Mapping) else None
    return oauth if isinstance(oauth, Mapping) else {}


def adoption_refusal(
    desired: DesiredApp, app_id: str, observed: Mapping[str, Any] | None, owner: Owner
) -> str | None:
    """Why the app named by spec.adopt cannot be adopted for `desired.role`, or None when it can.

    `observed` is the app as Okta returns it, None when Okta has no such app.
    """
    where = f"{adopt_field(desired.role)} names {app_id}"
    if observed is None:
        return (
            f"{where}, but Okta has no such app; check the id (the app's page in the Okta admin "
            "console, after /instance/ in the address)"
        )
    label = observed.get("label")
    what = f"{where} ({label!r})" if isinstance(label, str) else where
    sign_on = observed.get("signOnMode")
    if sign_on != "OPENID_CONNECT" or observed.get("name") != "oidc_client":
        return f"{what}, which is a {sign_on or 'non-OIDC'} app, not an OpenID Connect (OIDC) app integration"
    app_type, type_name, page_name = _APP_TYPES[AppRole(desired.role)]
    have = _oauth(observed, "settings").get("application_type")
    if have != app_type:
        return (
            f"{what}, which is a {have or 'typeless'} app; the {page_name} app must be an OIDC "
            f"{type_name} app (application_type {app_type})"
        )
    method = _oauth(observed, "credentials").get(_AUTH_METHOD)
    if desired.role == AppRole.CONSOLES and method not in SECRET_AUTH_METHODS:
        return (
            f"{what}, which authenticates with {method or 'no method'}; LifeTime needs a client secret "
            "sent as client_secret_basic or client_secret_post, and changing the method would make Okta "
            "issue a new secret: choose Client secret in the app's Client Credentials first"
        )
    marker = marker_of(observed)
    if marker is not None and marker.get("uid") != owner.uid:
        return (
            f"{what}, which is managed by another OutSystemsOktaIntegration "
            f"({marker.get('namespace')}/{marker.get('name')}, uid {marker.get('uid')}); if that resource "
            "is gone, remove profile.outsystemsOktaOperator from the app first"
        )
    if marker is not None and marker.get("role") != desired.role:
        return f"{what}, which is this resource's own {marker.get('role')} app"
    return None


def swap_refusal(desired: DesiredApp, adopt_id: str, managed_id: str, managed_label: object) -> str:
    """The message when spec.adopt names another app than the one this resource already manages."""
    label = f" ({managed_label!r})" if isinstance(managed_label, str) else ""
    return (
        f"{adopt_field(desired.role)} names {adopt_id}, but this resource already manages Okta app "
        f"{managed_id}{label}, whose client ID LifeTime uses; switching apps would lock LifeTime out. "
        f"Set it back to {managed_id} or remove it; to move to {adopt_id}, delete this resource with "
        "deletionPolicy: Orphan and create it again adopting that app"
    )


def effective_desired(desired: DesiredApp, observed: Mapping[str, Any], *, adopted: bool) -> DesiredApp:
    """The desired app as it applies to this observed app: the fields the operator leaves as they are
    take the observed values.

    - An adopted app keeps its label unless the spec names one: the label is what the admin's users
      see in their Okta dashboard, and the operator finds the app by id, not by label.
    - A Web app using client_secret_post keeps it (see SECRET_AUTH_METHODS).
    """
    changes: dict[str, Any] = {}
    label = observed.get("label")
    if adopted and not desired.label_set and isinstance(label, str) and label:
        changes["label"] = label
    want_method = desired.oauth_credentials.get(_AUTH_METHOD)
    have_method = _oauth(observed, "credentials").get(_AUTH_METHOD)
    if (
        want_method in SECRET_AUTH_METHODS
        and have_method in SECRET_AUTH_METHODS
        and have_method != want_method
    ):
        changes["oauth_credentials"] = {**desired.oauth_credentials, _AUTH_METHOD: have_method}
    return dataclasses.replace(desired, **changes) if changes else desired
