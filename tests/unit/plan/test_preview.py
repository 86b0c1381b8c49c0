"""`plan --live` output, pure: the records a live survey fills and how they read (terraform-plan style)."""

from __future__ import annotations

from tests.unit.plan.test_apps_plan import CONSOLES, TOOLS, okta_app

from outsystems_okta.blueprint import MARKER_KEY
from outsystems_okta.plan.apps import FieldChange, plan_app
from outsystems_okta.plan.preview import Action, AppPreview, Preview, render, summary

GROUP = '"OutSystems IT" (00g1)'


def one(app: AppPreview, **more: object) -> str:
    return render(Preview("outsystems", "factory", "https://acme.okta.com", apps=(app,), **more))  # type: ignore[arg-type]


def test_a_create_lists_every_owned_field_and_each_list_item() -> None:
    plan = plan_app(TOOLS, None)
    text = one(
        AppPreview(
            "developmentTools", TOOLS.label, None, Action.CREATE, changes=plan.changes, assign=(GROUP,)
        )
    )
    lines = text.splitlines()
    assert lines[0] == "outsystems/factory in https://acme.okta.com"
    assert lines[2] == "+ OutSystems Development Tools: create"
    assert '    label: "OutSystems Development Tools"' in lines
    assert "    settings.oauthClient.redirect_uris:" in lines
    assert '      + "servicestudio://auth"' in lines
    assert '    credentials.oauthClient.token_endpoint_auth_method: "none"' in lines
    assert f"    {GROUP and '+ assign group ' + GROUP}" in lines
    assert (
        lines[-1] == "Plan: 1 to create, 0 to adopt, 0 to change; 1 group assignment(s) to add, 0 to remove."
    )


def test_an_update_shows_old_and_new_values_and_list_entries_added_and_removed() -> None:
    app = okta_app(CONSOLES, app_id="0oaC")
    app["label"] = "Old label"
    app["settings"]["oauthClient"]["redirect_uris"] = [
        "https://gone.acme.com/x",
        *CONSOLES.oauth_settings["redirect_uris"][:1],
    ]
    plan = plan_app(CONSOLES, app)
    text = one(AppPreview("consoles", CONSOLES.label, "0oaC", Action.UPDATE, changes=plan.changes))
    assert "~ OutSystems Consoles (0oaC): update in place" in text
    assert '    label: "Old label" -> "OutSystems Consoles"' in text
    assert '      - "https://gone.acme.com/x"' in text
    assert f'      + "{CONSOLES.oauth_settings["redirect_uris"][1]}"' in text
    assert "Plan: 0 to create, 0 to adopt, 1 to change;" in text


def test_a_list_only_reordered_says_so() -> None:
    change = FieldChange("settings.oauthClient.redirect_uris", ["b", "a"], ["a", "b"])
    text = one(AppPreview("consoles", "C", "0oaC", Action.UPDATE, changes=(change,)))
    assert "    settings.oauthClient.redirect_uris: same entries, new order" in text
    assert '      ["b", "a"] -> ["a", "b"]' in text


def test_an_adoption_shows_the_marker_it_adds_and_where_the_secret_comes_from() -> None:
    marker = {"managedBy": "outsystems-okta-operator", "uid": "u"}
    change = FieldChange(f"profile.{MARKER_KEY}", None, marker)
    text = one(
        AppPreview(
            "consoles",
            "Acme SSO",
            "0oaA",
            Action.ADOPT,
            changes=(change,),
            client_secret="the app's existing secret ocs1 goes to the Secret; none is created",
        )
    )
    assert "~ Acme SSO (0oaA): adopt (update in place, add this resource's marker)" in text
    assert (
        f'    profile.{MARKER_KEY}: (none) -> {{"managedBy": "outsystems-okta-operator", "uid": "u"}}' in text
    )
    assert "    client secret: the app's existing secret ocs1 goes to the Secret; none is created" in text
    assert "Plan: 0 to create, 1 to adopt, 0 to change;" in text


def test_no_changes() -> None:
    preview = Preview("ns", "n", "https://o", apps=(AppPreview("consoles", "C", "0oaC", Action.NONE),))
    assert "  C (0oaC): no changes" in render(preview)
    assert not preview.has_changes and not preview.blocked
    assert render(preview).endswith(
        "Plan: 0 to create, 0 to adopt, 0 to change; 0 group assignment(s) to add, 0 to remove.\n"
    )


def test_group_changes_alone_are_changes() -> None:
    app = AppPreview("consoles", "C", "0oaC", Action.NONE, assign=(GROUP,), unassign=('"Old" (00g2)',))
    preview = Preview("ns", "n", "https://o", apps=(app,))
    text = render(preview)
    assert "~ C (0oaC): group assignments only" in text
    assert f"    + assign group {GROUP}" in text and '    - unassign group "Old" (00g2)' in text
    assert preview.has_changes


def test_a_reactivation_is_a_change() -> None:
    app = AppPreview("consoles", "C", "0oaC", Action.NONE, activate=True)
    preview = Preview("ns", "n", "https://o", apps=(app,))
    assert "~ C (0oaC): reactivate" in render(preview)
    assert preview.has_changes
    assert "1 to change" in render(preview)


def test_a_sign_in_policy_to_assign_is_a_change() -> None:
    policy = FieldChange("signInPolicy", "rstOld", "rstNew")
    app = AppPreview("consoles", "C", "0oaC", Action.NONE, sign_in_policy=policy)
    preview = Preview("ns", "n", "https://o", apps=(app,))
    text = render(preview)
    assert "~ C (0oaC): sign-in policy only" in text
    assert '    sign-in policy: "rstOld" -> "rstNew"' in text
    assert preview.has_changes and "1 to change" in text


def test_a_recreation_says_lifetime_must_be_given_the_new_client_id() -> None:
    text = one(AppPreview("consoles", "C", None, Action.CREATE, replaces="0oaGONE"))
    assert "+ C: create (replaces 0oaGONE, gone from Okta; LifeTime must be given the new client ID)" in text


def test_a_refusal_blocks_the_plan() -> None:
    app = AppPreview(
        "consoles", "C", None, Action.REFUSED, reason="AdoptionRefused", refusal="spec.adopt... no"
    )
    preview = Preview("ns", "n", "https://o", apps=(app,))
    assert preview.blocked
    text = render(preview)
    assert "! C: AdoptionRefused: spec.adopt... no" in text
    assert text.endswith("Plan: a reconcile would stop before its first Okta write (see ! above).\n")


def test_problems_and_notes() -> None:
    preview = Preview(
        "ns", "n", "https://o", problems=("OktaAuthFailed: Okta 401",), notes=("OktaGroupNotFound: x",)
    )
    text = render(preview)
    assert "! OktaAuthFailed: Okta 401" in text and "note: OktaGroupNotFound: x" in text
    assert preview.blocked


def test_summary_counts() -> None:
    apps = [
        AppPreview("consoles", "C", None, Action.CREATE, assign=(GROUP, GROUP)),
        AppPreview("developmentTools", "T", "0oaT", Action.UPDATE, unassign=(GROUP,)),
    ]
    assert summary(apps, blocked=False) == (
        "Plan: 1 to create, 0 to adopt, 1 to change; 2 group assignment(s) to add, 1 to remove."
    )


def test_a_list_okta_does_not_have_is_shown_item_by_item() -> None:
    change = FieldChange("settings.oauthClient.post_logout_redirect_uris", None, ["https://a", "https://b"])
    text = one(AppPreview("consoles", "C", "0oaC", Action.UPDATE, changes=(change,)))
    assert (
        '    settings.oauthClient.post_logout_redirect_uris:\n      + "https://a"\n      + "https://b"\n'
        in text
    )
