"""401 E0000015 and 403 on the reads an app admin cannot make: their own reason and the words that say
what the org or the token's admin lacks."""

from __future__ import annotations

import pytest

from outsystems_okta.okta.errors import (
    OktaAuthError,
    OktaFeatureNotEnabledError,
    OktaForbiddenError,
    error_from_response,
)
from outsystems_okta.plan.conditions import TERMINAL, Reason
from outsystems_okta.plan.org_messages import (
    API_ACCESS_MANAGEMENT,
    AUTHORIZATION_SERVER_ROLES,
    IDENTITY_ENGINE,
    SIGN_IN_POLICY_ROLES,
    explained,
    feature_not_enabled,
    forbidden,
)
from outsystems_okta.reconcile.org_errors import describe
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, classify

E0000015 = (
    b'{"errorCode":"E0000015","errorSummary":"You do not have permission to access the feature you are '
    b'requesting","errorLink":"E0000015","errorId":"oae1","errorCauses":[]}'
)
E0000011 = b'{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorId":"oae2"}'
E0000006 = (
    b'{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested '
    b'action","errorId":"oae3"}'
)


def test_e0000015_is_a_missing_feature_not_a_rejected_token() -> None:
    feature = error_from_response(401, E0000015, operation="getAuthorizationServer")
    token = error_from_response(401, E0000011, operation="getAuthorizationServer")
    assert type(feature) is OktaFeatureNotEnabledError and not isinstance(feature, OktaAuthError)
    assert type(token) is OktaAuthError
    assert classify(feature) == (Reason.OKTA_FEATURE_NOT_ENABLED, EXTERNAL_FIX_DELAY)
    assert classify(token) == (Reason.OKTA_AUTH_FAILED, EXTERNAL_FIX_DELAY)
    assert Reason.OKTA_FEATURE_NOT_ENABLED in TERMINAL and Reason.OKTA_SIGN_IN_POLICY_NOT_FOUND in TERMINAL


def test_e0000015_with_another_status_keeps_its_status_class() -> None:
    assert type(error_from_response(403, E0000015)) is OktaForbiddenError


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        ("getAuthorizationServer", API_ACCESS_MANAGEMENT),
        ("listAuthorizationServerPolicies", API_ACCESS_MANAGEMENT),
        ("getPolicy", IDENTITY_ENGINE),
        ("assignApplicationPolicy", IDENTITY_ENGINE),
        ("createApplication", "This Okta org's plan lacks a feature that call needs (Okta E0000015)"),
        (None, "This Okta org's plan lacks a feature that call needs (Okta E0000015)"),
    ],
)
def test_what_a_missing_feature_means_per_call(operation: str | None, words: str) -> None:
    assert feature_not_enabled(operation) == words
    exc = error_from_response(401, E0000015, operation=operation)
    assert describe(exc) == (
        "Okta 401 E0000015: You do not have permission to access the feature you are requesting "
        f"(errorId oae1). {words}"
    )


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        ("getAuthorizationServer", AUTHORIZATION_SERVER_ROLES),
        ("getAuthorizationServerPolicy", AUTHORIZATION_SERVER_ROLES),
        ("getPolicy", SIGN_IN_POLICY_ROLES),
        ("assignApplicationPolicy", SIGN_IN_POLICY_ROLES),
        ("createApplication", None),
        ("listGroups", None),
    ],
)
def test_a_403_names_roles_only_where_an_app_admin_is_not_enough(operation: str, words: str | None) -> None:
    assert forbidden(operation) == words
    exc = error_from_response(403, E0000006, operation=operation)
    okta = "Okta 403 E0000006: You do not have permission to perform the requested action (errorId oae3)"
    assert describe(exc) == (f"{okta}. {words}" if words else okta)


def test_the_add_on_and_the_roles_are_named() -> None:
    assert "API Access Management" in API_ACCESS_MANAGEMENT and "add-on" in API_ACCESS_MANAGEMENT
    assert "Super Administrator" in AUTHORIZATION_SERVER_ROLES
    assert "API Access Management Administrator" in AUTHORIZATION_SERVER_ROLES
    assert "okta.authorizationServers.read" in AUTHORIZATION_SERVER_ROLES
    assert "Super Administrator" in SIGN_IN_POLICY_ROLES and "okta.policies.read" in SIGN_IN_POLICY_ROLES


def test_other_errors_are_described_by_okta_alone() -> None:
    exc = error_from_response(401, E0000011, operation="getAuthorizationServer")
    assert describe(exc) == str(exc)
    assert explained("x", None) == "x"
