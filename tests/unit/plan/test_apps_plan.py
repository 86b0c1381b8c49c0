"""plan_app / owned_changes / replacement_body / select_owned against realistic Okta app JSON."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from outsystems_okta.api.spec import parse_spec
from outsystems_okta.blueprint import DesiredApp, DesiredApps, Owner, desired_apps, ownership_marker
from outsystems_okta.blueprint.ownership import MARKER_KEY
from outsystems_okta.plan.apps import (
    AppAction,
    owned_changes,
    plan_app,
    replacement_body,
    select_owned,
)

OWNER = Owner(namespace="outsystems", name="factory", uid="3f1c0e7a-0000-4000-8000-000000000001")
ORG = "https://acme.okta.com"


def apps_for(*hosts: str, **extra: Any) -> DesiredApps:
    raw: dict[str, Any] = {
        "okta": {"orgUrl": ORG, "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [{"name": h.split(".")[0], "hostname": h} for h in hosts],
    }
    raw.update(extra)
    return desired_apps(parse_spec(raw), OWNER)


APPS = apps_for("dev.acme.com", "prod.acme.com")
CONSOLES = APPS.consoles
TOOLS = APPS.development_tools


def okta_app(
    desired: DesiredApp,
    *,
    app_id: str = "0oa8f3kq2vXyZ1AbC5d7",
    status: str = "ACTIVE",
    created: str = "2024-03-01T10:00:00.000Z",
) -> dict[str, Any]:
    """The app as `GET /api/v1/apps/{id}` returns it after Okta created it from `desired`."""
    body = desired.create_body()
    settings = body["settings"]["oauthClient"]
    credentials = body["credentials"]["oauthClient"]
    web = settings["application_type"] == "web"
    return {
        "id": app_id,
        "orn": f"orn:okta:idp:00o1a2b3c4D5e6F7g8h9:apps:oidc_client:{app_id}",
        "name": "oidc_client",
        "label": body["label"],
        "status": status,
        "lastUpdated": "2024-03-02T11:22:33.000Z",
        "created": created,
        "accessibility": {"selfService": False, "errorRedirectUrl": None, "loginRedirectUrl": None},
        "visibility": {
            "autoLaunch": False,
            "autoSubmitToolbar": False,
            "hide": dict(body["visibility"]["hide"]),
            "appLinks": {"oidc_client_link": True},
        },
        "features": [],
        "signOnMode": "OPENID_CONNECT",
        "credentials": {
            "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
            "signing": {"kid": "bHPi1W7oLJq8JQ9Dk5nOdBh0V5e4tVn3W-kUxjVm2xs"},
            "oauthClient": {
                "autoKeyRotation": True,
                "client_id": app_id,
                "pkce_required": not web,
                **credentials,
            },
        },
        "settings": {
            "app": {},
            "notifications": {
                "vpn": {"network": {"connection": "DISABLED"}, "message": None, "helpUrl": None}
            },
            "manualProvisioning": False,
            "implicitAssignment": False,
            "notes": {"admin": None, "enduser": None},
            "oauthClient": {
                "client_uri": None,
                "logo_uri": None,
                # Okta's own key order differs from ours; it must not matter.
                "redirect_uris": list(settings["redirect_uris"]),
                "post_logout_redirect_uris": list(settings["post_logout_redirect_uris"]),
                "response_types": list(settings["response_types"]),
                "grant_types": list(settings["grant_types"]),
                "application_type": settings["application_type"],
                "consent_method": "TRUSTED",
                "issuer_mode": "DYNAMIC",
                "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
                "wildcard_redirect": "DISABLED",
                "dpop_bound_access_tokens": False,
                "refresh_token": dict(settings["refresh_token"]),
                "initiate_login_uri": None,
                "participate_slo": False,
            },
        },
        "profile": copy.deepcopy(body["profile"]),
        "_links": {
            "self": {"href": f"{ORG}/api/v1/apps/{app_id}"},
            "appLinks": [{"name": "oidc_client_link", "href": f"{ORG}/home/oidc_client/{app_id}/aln1"}],
            "groups": {"href": f"{ORG}/api/v1/apps/{app_id}/groups"},
            "users": {"href": f"{ORG}/api/v1/apps/{app_id}/users"},
            "deactivate": {"href": f"{ORG}/api/v1/apps/{app_id}/lifecycle/deactivate"},
            "logo": [{"name": "medium", "href": f"{ORG}/assets/img/logos/default.png", "type": "image/png"}],
        },
    }


# --------------------------------------------------------------------------------------------------------
# plan_app
# --------------------------------------------------------------------------------------------------------


def owned_differences(desired: DesiredApp, observed: dict[str, Any]) -> tuple[str, ...]:
    """The names of the owned fields `owned_changes` reports."""
    return tuple(change.name for change in owned_changes(desired, observed))


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_create_when_nothing_observed(desired: DesiredApp) -> None:
    plan = plan_app(desired, None)
    assert plan.action is AppAction.CREATE
    assert plan.body == desired.create_body()
    assert plan.changed == ()
    assert plan.activate is False


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_no_op_when_okta_already_matches(desired: DesiredApp) -> None:
    plan = plan_app(desired, okta_app(desired))
    assert plan.action is AppAction.NONE
    assert plan.body is None
    assert plan.changed == ()
    assert plan.activate is False


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_changes_to_fields_the_operator_does_not_own_are_left_alone(desired: DesiredApp) -> None:
    app = okta_app(desired)
    # visibility.hide and refresh_token are owned (see their own tests); the rest of visibility is not.
    app["visibility"]["autoLaunch"] = True
    app["visibility"]["appLinks"] = {"oidc_client_link": False}
    app["settings"]["oauthClient"]["idp_initiated_login"] = {"mode": "OKTA", "default_scope": ["openid"]}
    app["settings"]["oauthClient"]["wildcard_redirect"] = "SUBDOMAIN"
    app["settings"]["oauthClient"]["logo_uri"] = "https://acme.com/logo.png"
    app["settings"]["notes"] = {"admin": "do not touch", "enduser": None}
    app["credentials"]["oauthClient"]["autoKeyRotation"] = False
    app["profile"]["costCentre"] = "IT-42"
    app["someFutureOktaField"] = {"x": 1}
    assert plan_app(desired, app).action is AppAction.NONE


def test_no_op_does_not_mutate_the_observed_app() -> None:
    app = okta_app(CONSOLES)
    before = copy.deepcopy(app)
    plan_app(CONSOLES, app)
    assert app == before


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_inactive_app_is_activated(desired: DesiredApp) -> None:
    plan = plan_app(desired, okta_app(desired, status="INACTIVE"))
    assert plan.action is AppAction.NONE
    assert plan.activate is True


def test_inactive_and_drifted_app_is_updated_and_activated() -> None:
    app = okta_app(CONSOLES, status="INACTIVE")
    app["label"] = "Old label"
    plan = plan_app(CONSOLES, app)
    assert plan.action is AppAction.UPDATE
    assert plan.activate is True
    assert plan.changed == ("label",)


@pytest.mark.parametrize("status", ["ACTIVE", "DELETED", None])
def test_only_inactive_triggers_activation(status: str | None) -> None:
    app = okta_app(CONSOLES)
    app["status"] = status
    assert plan_app(CONSOLES, app).activate is False


def test_environment_added_updates_both_consoles_lists() -> None:
    observed = okta_app(apps_for("dev.acme.com").consoles)
    plan = plan_app(CONSOLES, observed)
    assert plan.action is AppAction.UPDATE
    assert plan.changed == (
        "settings.oauthClient.redirect_uris",
        "settings.oauthClient.post_logout_redirect_uris",
    )
    assert plan.body is not None
    assert plan.body["settings"]["oauthClient"]["redirect_uris"] == CONSOLES.oauth_settings["redirect_uris"]


def test_environment_added_updates_only_tools_redirects() -> None:
    observed = okta_app(apps_for("dev.acme.com").development_tools)
    plan = plan_app(TOOLS, observed)
    assert plan.action is AppAction.UPDATE
    assert plan.changed == ("settings.oauthClient.redirect_uris",)


@pytest.mark.parametrize("desired_role", ["consoles", "development_tools"])
def test_environment_removed(desired_role: str) -> None:
    desired = getattr(apps_for("dev.acme.com"), desired_role)
    observed = okta_app(getattr(APPS, desired_role))
    plan = plan_app(desired, observed)
    assert plan.action is AppAction.UPDATE
    assert "settings.oauthClient.redirect_uris" in plan.changed
    assert plan.body is not None
    uris = plan.body["settings"]["oauthClient"]["redirect_uris"]
    assert not any("prod.acme.com" in uri for uri in uris)


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_redirect_uris_reordered_is_a_difference(desired: DesiredApp) -> None:
    app = okta_app(desired)
    app["settings"]["oauthClient"]["redirect_uris"].reverse()
    plan = plan_app(desired, app)
    assert plan.action is AppAction.UPDATE
    assert plan.changed == ("settings.oauthClient.redirect_uris",)
    assert plan.body is not None
    assert plan.body["settings"]["oauthClient"]["redirect_uris"] == desired.oauth_settings["redirect_uris"]


def test_redirect_uri_added_by_hand_in_okta_is_removed() -> None:
    app = okta_app(CONSOLES)
    app["settings"]["oauthClient"]["redirect_uris"].append("https://rogue.example/callback")
    plan = plan_app(CONSOLES, app)
    assert plan.changed == ("settings.oauthClient.redirect_uris",)
    assert plan.body is not None
    assert "https://rogue.example/callback" not in plan.body["settings"]["oauthClient"]["redirect_uris"]


def test_label_changed() -> None:
    app = okta_app(CONSOLES)
    app["label"] = "Consoles (renamed by an admin)"
    plan = plan_app(CONSOLES, app)
    assert plan.changed == ("label",)
    assert plan.body is not None and plan.body["label"] == "OutSystems Consoles"


def test_label_override_in_spec_renames_the_app() -> None:
    renamed = apps_for("dev.acme.com", "prod.acme.com", appLabels={"consoles": "Factory B"}).consoles
    plan = plan_app(renamed, okta_app(CONSOLES))
    assert plan.changed == ("label",)
    assert plan.body is not None and plan.body["label"] == "Factory B"


@pytest.mark.parametrize(
    "profile",
    [{}, {"label": "x"}, None, {MARKER_KEY: {**ownership_marker(OWNER, "consoles"), "uid": "old"}}],
    ids=["empty", "other-keys-only", "null", "stale-uid"],
)
def test_marker_lost_or_stale(profile: Any) -> None:
    app = okta_app(CONSOLES)
    app["profile"] = profile
    plan = plan_app(CONSOLES, app)
    assert plan.changed == (f"profile.{MARKER_KEY}",)
    assert plan.body is not None
    assert plan.body["profile"][MARKER_KEY] == ownership_marker(OWNER, "consoles")


def test_profile_missing_entirely() -> None:
    app = okta_app(TOOLS)
    del app["profile"]
    plan = plan_app(TOOLS, app)
    assert plan.changed == (f"profile.{MARKER_KEY}",)


@pytest.mark.parametrize(
    ("desired", "path", "value", "changed"),
    [
        (
            CONSOLES,
            ("settings", "oauthClient", "consent_method"),
            "REQUIRED",
            "settings.oauthClient.consent_method",
        ),
        (
            CONSOLES,
            ("settings", "oauthClient", "grant_types"),
            ["authorization_code"],
            "settings.oauthClient.grant_types",
        ),
        (
            CONSOLES,
            ("settings", "oauthClient", "response_types"),
            ["code", "token"],
            "settings.oauthClient.response_types",
        ),
        (
            CONSOLES,
            ("settings", "oauthClient", "application_type"),
            "browser",
            "settings.oauthClient.application_type",
        ),
        (
            CONSOLES,
            ("credentials", "oauthClient", "token_endpoint_auth_method"),
            "client_secret_post",
            "credentials.oauthClient.token_endpoint_auth_method",
        ),
        (
            TOOLS,
            ("credentials", "oauthClient", "pkce_required"),
            False,
            "credentials.oauthClient.pkce_required",
        ),
        (
            TOOLS,
            ("credentials", "oauthClient", "token_endpoint_auth_method"),
            "client_secret_basic",
            "credentials.oauthClient.token_endpoint_auth_method",
        ),
        (
            TOOLS,
            ("settings", "oauthClient", "post_logout_redirect_uris"),
            [],
            "settings.oauthClient.post_logout_redirect_uris",
        ),
    ],
    ids=[
        "consent",
        "grants",
        "response-types",
        "application-type",
        "web-auth-method",
        "native-pkce",
        "native-auth-method",
        "tools-logout",
    ],
)
def test_each_owned_field_is_compared(
    desired: DesiredApp, path: tuple[str, ...], value: Any, changed: str
) -> None:
    app = okta_app(desired)
    app[path[0]][path[1]][path[2]] = value
    plan = plan_app(desired, app)
    assert plan.action is AppAction.UPDATE
    assert plan.changed == (changed,)
    assert plan.body is not None
    assert (
        plan.body[path[0]][path[1]][path[2]]
        == (desired.oauth_settings if path[0] == "settings" else desired.oauth_credentials)[path[2]]
    )


def test_owned_key_missing_from_okta_is_a_difference() -> None:
    app = okta_app(CONSOLES)
    del app["settings"]["oauthClient"]["post_logout_redirect_uris"]
    assert owned_differences(CONSOLES, app) == ("settings.oauthClient.post_logout_redirect_uris",)


def test_owned_differences_lists_every_field_in_a_stable_order() -> None:
    app = okta_app(CONSOLES)
    app["label"] = "x"
    app["settings"]["oauthClient"] = {}
    app["credentials"]["oauthClient"] = {}
    app["profile"] = {}
    assert owned_differences(CONSOLES, app) == (
        "label",
        "settings.oauthClient.application_type",
        "settings.oauthClient.grant_types",
        "settings.oauthClient.response_types",
        "settings.oauthClient.consent_method",
        "settings.oauthClient.redirect_uris",
        "settings.oauthClient.post_logout_redirect_uris",
        "settings.oauthClient.refresh_token",
        "credentials.oauthClient.token_endpoint_auth_method",
        f"profile.{MARKER_KEY}",
    )


def test_bare_app_without_settings_or_credentials_differs_everywhere() -> None:
    changed = owned_differences(TOOLS, {"id": "0oa1", "label": TOOLS.label})
    assert "label" not in changed
    # + the marker and visibility.hide
    assert len(changed) == len(TOOLS.oauth_settings) + len(TOOLS.oauth_credentials) + 2


def test_changed_lists_names_never_values() -> None:
    app = okta_app(CONSOLES)
    app["settings"]["oauthClient"]["redirect_uris"] = []
    plan = plan_app(CONSOLES, app)
    assert all("://" not in name for name in plan.changed)


# --------------------------------------------------------------------------------------------------------
# replacement_body
# --------------------------------------------------------------------------------------------------------


def drifted(desired: DesiredApp) -> dict[str, Any]:
    app = okta_app(desired)
    app["label"] = "renamed"
    app["settings"]["oauthClient"]["redirect_uris"] = ["https://old.acme.com/cb"]
    app["profile"] = {"costCentre": "IT-42", "label": "kept"}
    app["credentials"]["oauthClient"]["client_secret"] = "Sh0uldN3verBeS3ntBack-xxxxxxxxxx"
    app["_embedded"] = {"user": {"id": "00u1"}}
    app["someFutureOktaField"] = {"nested": [1, 2, 3]}
    app["settings"]["oauthClient"]["frontchannel_logout_uri"] = "https://acme.com/fc"
    app["settings"]["someFutureSetting"] = True
    app["credentials"]["oauthClient"]["someFutureCredential"] = "kept"
    return app


OWNED_TOP = {"label", "settings", "credentials", "profile"}


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_replacement_body_keeps_every_field_it_does_not_own(desired: DesiredApp) -> None:
    observed = drifted(desired)
    body = replacement_body(desired, observed)

    for key, value in observed.items():
        if key in OWNED_TOP or key in ("_links", "_embedded"):
            continue
        assert body[key] == value, f"{key} was not sent back unchanged"
    for key, value in observed["settings"].items():
        if key != "oauthClient":
            assert body["settings"][key] == value, f"settings.{key} was not kept"
    for key, value in observed["settings"]["oauthClient"].items():
        if key not in desired.oauth_settings:
            assert body["settings"]["oauthClient"][key] == value, f"settings.oauthClient.{key} was not kept"
    for key, value in observed["credentials"].items():
        if key != "oauthClient":
            assert body["credentials"][key] == value, f"credentials.{key} was not kept"
    for key, value in observed["credentials"]["oauthClient"].items():
        if key not in desired.oauth_credentials and key != "client_secret":
            assert body["credentials"]["oauthClient"][key] == value, (
                f"credentials.oauthClient.{key} was not kept"
            )
    assert set(body) == set(observed) - {"_links", "_embedded"}


@pytest.mark.parametrize("desired", [CONSOLES, TOOLS], ids=["consoles", "tools"])
def test_replacement_body_sets_every_owned_field(desired: DesiredApp) -> None:
    body = replacement_body(desired, drifted(desired))
    assert body["label"] == desired.label
    for key, value in desired.oauth_settings.items():
        assert body["settings"]["oauthClient"][key] == value
    for key, value in desired.oauth_credentials.items():
        assert body["credentials"]["oauthClient"][key] == value
    assert body["profile"][MARKER_KEY] == desired.marker
    # Applying the body converges: nothing owned differs afterwards.
    assert owned_differences(desired, body) == ()


def test_replacement_body_never_carries_a_client_secret() -> None:
    body = replacement_body(CONSOLES, drifted(CONSOLES))
    assert "client_secret" not in body["credentials"]["oauthClient"]
    assert "Sh0uldN3verBeS3ntBack" not in repr(body)


def test_replacement_body_drops_read_only_links_and_embedded() -> None:
    body = replacement_body(CONSOLES, drifted(CONSOLES))
    assert "_links" not in body
    assert "_embedded" not in body


def test_replacement_body_keeps_id_name_status_and_client_id() -> None:
    observed = drifted(CONSOLES)
    body = replacement_body(CONSOLES, observed)
    assert body["id"] == observed["id"]
    assert body["name"] == "oidc_client"
    assert body["signOnMode"] == "OPENID_CONNECT"
    assert body["credentials"]["oauthClient"]["client_id"] == observed["id"]


def test_replacement_body_keeps_other_profile_keys() -> None:
    body = replacement_body(CONSOLES, drifted(CONSOLES))
    assert body["profile"] == {
        "costCentre": "IT-42",
        "label": "kept",
        MARKER_KEY: ownership_marker(OWNER, "consoles"),
    }


@pytest.mark.parametrize("profile", [None, "a string", ["a", "list"], 42])
def test_replacement_body_replaces_a_non_object_profile(profile: Any) -> None:
    app = okta_app(CONSOLES)
    app["profile"] = profile
    assert replacement_body(CONSOLES, app)["profile"] == {MARKER_KEY: ownership_marker(OWNER, "consoles")}


def test_replacement_body_overwrites_a_foreign_marker() -> None:
    app = okta_app(CONSOLES)
    app["profile"][MARKER_KEY] = {"managedBy": "someone", "uid": "x", "extra": "y"}
    assert replacement_body(CONSOLES, app)["profile"][MARKER_KEY] == ownership_marker(OWNER, "consoles")


def test_replacement_body_does_not_mutate_its_inputs() -> None:
    observed = drifted(CONSOLES)
    observed_before = copy.deepcopy(observed)
    settings_before = copy.deepcopy(CONSOLES.oauth_settings)
    body = replacement_body(CONSOLES, observed)
    assert observed == observed_before
    body["settings"]["oauthClient"]["redirect_uris"].append("https://x.example/cb")
    body["profile"][MARKER_KEY]["uid"] = "tampered"
    body["visibility"]["hide"]["web"] = False
    assert CONSOLES.oauth_settings == settings_before
    assert CONSOLES.marker["uid"] == OWNER.uid
    assert observed == observed_before


def test_replacement_body_for_a_minimal_app_adds_the_owned_sections() -> None:
    body = replacement_body(TOOLS, {"id": "0oa1", "name": "oidc_client", "signOnMode": "OPENID_CONNECT"})
    assert body == {
        "id": "0oa1",
        "name": "oidc_client",
        "signOnMode": "OPENID_CONNECT",
        "label": TOOLS.label,
        "settings": {"oauthClient": TOOLS.oauth_settings},
        "credentials": {"oauthClient": TOOLS.oauth_credentials},
        "profile": {MARKER_KEY: TOOLS.marker},
        "visibility": {"hide": {"iOS": True, "web": True}},
    }


def test_update_plan_body_is_the_replacement_body() -> None:
    observed = drifted(TOOLS)
    plan = plan_app(TOOLS, observed)
    assert plan.action is AppAction.UPDATE
    assert plan.body == replacement_body(TOOLS, observed)
    assert set(plan.changed) == {"label", "settings.oauthClient.redirect_uris", f"profile.{MARKER_KEY}"}


# --------------------------------------------------------------------------------------------------------
# select_owned
# --------------------------------------------------------------------------------------------------------


def listed(
    app_id: str, created: str, *, owner: Owner = OWNER, role: str = "consoles", status: str = "ACTIVE"
) -> dict[str, Any]:
    return {
        "id": app_id,
        "label": "OutSystems Consoles",
        "status": status,
        "created": created,
        "profile": {MARKER_KEY: ownership_marker(owner, role)},
    }


OTHER = Owner(namespace="outsystems", name="other-factory", uid="ffffffff-0000-4000-8000-000000000002")


def test_nothing_marked_selects_nothing() -> None:
    unmarked = {"id": "0oaX", "label": "OutSystems Consoles", "status": "ACTIVE", "profile": {}}
    selection = select_owned(
        [unmarked, listed("0oaY", "2024-01-01T00:00:00.000Z", owner=OTHER)], OWNER, "consoles"
    )
    assert selection.chosen is None
    assert selection.duplicates == ()


def test_empty_list_selects_nothing() -> None:
    assert select_owned([], OWNER, "consoles").chosen is None


def test_single_marked_app_is_chosen() -> None:
    app = listed("0oa1", "2024-01-01T00:00:00.000Z")
    selection = select_owned([app], OWNER, "consoles")
    assert selection.chosen == app
    assert selection.duplicates == ()


def test_oldest_marked_app_is_chosen_and_the_rest_reported() -> None:
    apps = [
        listed("0oaC", "2024-03-01T00:00:00.000Z"),
        listed("0oaA", "2024-01-01T00:00:00.000Z"),
        listed("0oaB", "2024-02-01T00:00:00.000Z"),
    ]
    selection = select_owned(apps, OWNER, "consoles")
    assert selection.chosen is not None and selection.chosen["id"] == "0oaA"
    assert selection.duplicates == ("0oaB", "0oaC")


def test_id_breaks_a_tie_on_created() -> None:
    apps = [listed("0oaZ", "2024-01-01T00:00:00.000Z"), listed("0oaM", "2024-01-01T00:00:00.000Z")]
    selection = select_owned(apps, OWNER, "consoles")
    assert selection.chosen is not None and selection.chosen["id"] == "0oaM"
    assert selection.duplicates == ("0oaZ",)


def test_other_owners_roles_and_deleted_apps_are_ignored() -> None:
    apps = [
        listed("0oa0", "2020-01-01T00:00:00.000Z", owner=OTHER),
        listed("0oa1", "2020-01-02T00:00:00.000Z", role="developmentTools"),
        listed("0oa2", "2020-01-03T00:00:00.000Z", status="DELETED"),
        {"id": "0oa3", "created": "2020-01-04T00:00:00.000Z", "label": "OutSystems Consoles"},
        listed("0oa4", "2024-06-01T00:00:00.000Z"),
    ]
    selection = select_owned(apps, OWNER, "consoles")
    assert selection.chosen is not None and selection.chosen["id"] == "0oa4"
    assert selection.duplicates == ()


def test_inactive_marked_app_is_still_ours() -> None:
    selection = select_owned(
        [listed("0oa1", "2024-01-01T00:00:00.000Z", status="INACTIVE")], OWNER, "consoles"
    )
    assert selection.chosen is not None and selection.chosen["id"] == "0oa1"


def test_selection_is_a_copy() -> None:
    app = listed("0oa1", "2024-01-01T00:00:00.000Z")
    selection = select_owned([app], OWNER, "consoles")
    assert selection.chosen is not None
    selection.chosen["label"] = "changed"
    assert app["label"] == "OutSystems Consoles"


def test_chosen_app_then_plans_as_no_op() -> None:
    # The crash-recovery path: list, find our marked app, see nothing to change.
    app = okta_app(CONSOLES, app_id="0oaR")
    selection = select_owned([okta_app(TOOLS, app_id="0oaT"), app], OWNER, "consoles")
    assert selection.chosen == app
    assert plan_app(CONSOLES, selection.chosen).action is AppAction.NONE
