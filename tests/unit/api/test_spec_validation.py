"""`parse_spec`: the defaults it fills in and every way a spec can be wrong, each named by its field path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from outsystems_okta.api.constants import DEFAULT_CONSOLES_LABEL, DEFAULT_TOOLS_LABEL
from outsystems_okta.api.spec import DeletionPolicy, IntegrationSpec, MissingAppPolicy, SpecError, parse_spec

Path = tuple[str | int, ...]


def minimal() -> dict[str, Any]:
    return {
        "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [{"name": "dev", "hostname": "dev.acme.com"}],
    }


def two_envs() -> dict[str, Any]:
    spec = minimal()
    spec["environments"].append({"name": "prod", "hostname": "prod.acme.com"})
    return spec


def changed(base: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A deep copy of `base` with the value at `path` replaced (created when missing)."""
    doc = copy.deepcopy(base)
    node: Any = doc
    for part in path[:-1]:
        if isinstance(node, dict) and part not in node:
            node[part] = {}
        node = node[part]
    node[path[-1]] = value
    return doc


def without(base: dict[str, Any], path: Path) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return doc


def where(path: Path) -> str:
    out = "spec"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def problems_of(raw: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw)
    assert caught.value.problems, "a SpecError must list at least one problem"
    return caught.value.problems


def assert_single_problem_at(raw: dict[str, Any], path: Path) -> str:
    problems = problems_of(raw)
    assert len(problems) == 1, problems
    prefix = where(path) + ": "
    assert problems[0].startswith(prefix), f"expected a problem at {prefix!r}, got {problems}"
    return problems[0].removeprefix(prefix)


# --------------------------------------------------------------------------------------------------------
# Valid specs and defaults
# --------------------------------------------------------------------------------------------------------


def test_minimal_spec_gets_every_default() -> None:
    spec = parse_spec(minimal())

    assert spec.okta.org_url == "https://acme.okta.com"
    assert spec.okta.authorization_server_id == "default"
    assert spec.okta.credentials_secret_ref.name == "okta-api"
    assert spec.okta.credentials_secret_ref.key == "apiToken"
    assert spec.lifetime.hostname == "lifetime.acme.com"
    assert [(e.name, e.hostname) for e in spec.environments] == [("dev", "dev.acme.com")]
    assert spec.access.everyone is False
    assert spec.access.groups == []
    assert spec.app_labels.consoles == "OutSystems Consoles"
    assert spec.app_labels.development_tools == "OutSystems Development Tools"
    assert spec.secret_name is None
    assert spec.deletion_policy is DeletionPolicy.ORPHAN
    assert spec.output_secret_name("factory") == "factory-lifetime"
    assert spec.adopt is None
    assert spec.adopt_id("consoles") is None and spec.adopt_id("developmentTools") is None
    assert spec.missing_app_policy is MissingAppPolicy.STOP
    assert not spec.app_labels.is_set("consoles") and not spec.app_labels.is_set("developmentTools")


def test_default_app_labels_are_the_seed_page_names() -> None:
    # "App integration name: OutSystems Consoles" / "OutSystems Development Tools".
    assert DEFAULT_CONSOLES_LABEL == "OutSystems Consoles"
    assert DEFAULT_TOOLS_LABEL == "OutSystems Development Tools"


def test_every_field_set_explicitly_is_kept() -> None:
    raw = {
        "okta": {
            "orgUrl": "https://acme.oktapreview.com/",
            "authorizationServerId": "aus1a2B3c4D5e6F7g8h9",
            "credentialsSecretRef": {"name": "okta.api", "key": "token_v2.txt"},
        },
        "lifetime": {"hostname": "lt.acme.com"},
        "environments": [
            {"name": "prod", "hostname": "prod.acme.com"},
            {"name": "dev", "hostname": "dev.acme.com"},
        ],
        "access": {"everyone": True, "groups": ["OutSystems IT", "outsystems it"]},
        "appLabels": {"consoles": "Factory A Consoles", "developmentTools": "Factory A Tools"},
        "secretName": "custom.secret",
        "deletionPolicy": "Delete",
    }
    spec = parse_spec(raw)

    assert spec.okta.org_url == "https://acme.oktapreview.com/"
    assert spec.okta.base_url == "https://acme.oktapreview.com"
    assert spec.okta.authorization_server_id == "aus1a2B3c4D5e6F7g8h9"
    assert spec.okta.credentials_secret_ref.key == "token_v2.txt"
    assert [e.name for e in spec.environments] == ["prod", "dev"], "spec order must be preserved"
    assert spec.access.everyone is True
    assert spec.access.groups == ["OutSystems IT", "outsystems it"], "group names are case-sensitive"
    assert spec.app_labels.consoles == "Factory A Consoles"
    assert spec.app_labels.development_tools == "Factory A Tools"
    assert spec.deletion_policy is DeletionPolicy.DELETE
    assert spec.output_secret_name("factory") == "custom.secret"
    assert spec.app_labels.is_set("consoles") and spec.app_labels.is_set("developmentTools")


# --------------------------------------------------------------------------------------------------------
# Adoption and the missing-app policy
# --------------------------------------------------------------------------------------------------------


def test_adopt_ids_are_read_per_role() -> None:
    spec = parse_spec(
        changed(minimal(), ("adopt",), {"consolesAppId": "0oaWEB1", "developmentToolsAppId": "0oaNATIVE2"})
    )
    assert (spec.adopt_id("consoles"), spec.adopt_id("developmentTools")) == ("0oaWEB1", "0oaNATIVE2")


@pytest.mark.parametrize("role", ["consoles", "developmentTools"])
def test_one_app_may_be_adopted_alone(role: str) -> None:
    spec = parse_spec(changed(minimal(), ("adopt",), {f"{role}AppId": "0oa1b2c3d4e5f6g7h8i9"}))
    other = "developmentTools" if role == "consoles" else "consoles"
    assert spec.adopt_id(role) == "0oa1b2c3d4e5f6g7h8i9"
    assert spec.adopt_id(other) is None


def test_adopt_must_name_an_app() -> None:
    assert problems_of(changed(minimal(), ("adopt",), {})) == [
        "spec.adopt: name the app to adopt: consolesAppId, developmentToolsAppId or both"
    ]


def test_adopt_must_name_two_different_apps() -> None:
    same = {"consolesAppId": "0oa1b2c3d4e5f6g7h8i9", "developmentToolsAppId": "0oa1b2c3d4e5f6g7h8i9"}
    assert problems_of(changed(minimal(), ("adopt",), same)) == [
        "spec.adopt: consolesAppId and developmentToolsAppId must name two different Okta apps"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "https://acme-admin.okta.com/admin/app/oidc_client/instance/0oa1b2c3d4e5f6g7h8i9/",
        "my-client-id",
        "0oa",
        "0oa1b2-c3",
        "00g1b2c3d4e5f6g7h8i9",
        " 0oa1b2c3d4e5f6g7h8i9",
    ],
)
def test_an_adopt_id_must_look_like_an_okta_app_id(value: str) -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("adopt", "consolesAppId"), value), ("adopt", "consolesAppId")
    )
    assert message == (
        f"{value!r} must be an Okta app id like 0oa1b2c3d4e5f6g7h8i9: 0oa followed by letters and digits, as "
        "in the address of the app's page in the Okta admin console (after /instance/)"
    )


@pytest.mark.parametrize(
    ("raw", "policy"), [("Stop", MissingAppPolicy.STOP), ("Recreate", MissingAppPolicy.RECREATE)]
)
def test_missing_app_policy(raw: str, policy: MissingAppPolicy) -> None:
    assert parse_spec(changed(minimal(), ("missingAppPolicy",), raw)).missing_app_policy is policy


def test_unknown_missing_app_policy_lists_the_allowed_values() -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("missingAppPolicy",), "Ignore"), ("missingAppPolicy",)
    )
    assert "'Stop'" in message and "'Recreate'" in message


@pytest.mark.parametrize("role", ["consoles", "developmentTools"])
def test_a_label_named_in_the_spec_is_told_apart_from_the_default(role: str) -> None:
    spec = parse_spec(changed(minimal(), ("appLabels", role), "Factory A"))
    other = "developmentTools" if role == "consoles" else "consoles"
    assert spec.app_labels.is_set(role) and not spec.app_labels.is_set(other)
    # Even a label equal to the default counts as named: the user said it.
    spec = parse_spec(
        changed(
            minimal(),
            ("appLabels", role),
            {"consoles": "OutSystems Consoles"}.get(role, "OutSystems Development Tools"),
        )
    )
    assert spec.app_labels.is_set(role)


@pytest.mark.parametrize(
    ("org_url", "base_url"),
    [
        ("https://acme.okta.com", "https://acme.okta.com"),
        ("https://acme.okta.com/", "https://acme.okta.com"),
        ("https://acme.okta.com:8443/", "https://acme.okta.com:8443"),
        ("http://127.0.0.1:8443/", "http://127.0.0.1:8443"),
    ],
)
def test_base_url_has_no_trailing_slash(org_url: str, base_url: str) -> None:
    assert parse_spec(changed(minimal(), ("okta", "orgUrl"), org_url)).okta.base_url == base_url


def test_parsed_spec_is_immutable() -> None:
    spec = parse_spec(minimal())
    with pytest.raises(Exception, match="frozen"):
        spec.secret_name = "other"  # type: ignore[misc]


def test_spec_error_is_a_value_error_joining_every_problem() -> None:
    raw = changed(minimal(), ("deletionPolicy",), "Destroy")
    raw["lifetime"]["hostname"] = "LT.acme.com"
    with pytest.raises(ValueError) as caught:
        parse_spec(raw)
    error = caught.value
    assert isinstance(error, SpecError)
    assert len(error.problems) == 2
    assert str(error) == "; ".join(error.problems)
    assert any(p.startswith("spec.lifetime.hostname: ") for p in error.problems)
    assert any(p.startswith("spec.deletionPolicy: ") for p in error.problems)


def test_none_spec_lists_the_three_required_fields() -> None:
    problems = problems_of(None)
    assert sorted(problems) == [
        "spec.environments: Field required",
        "spec.lifetime: Field required",
        "spec.okta: Field required",
    ]


@pytest.mark.parametrize("raw", [["a"], "dev.acme.com", 5], ids=["list", "string", "number"])
def test_non_mapping_spec_is_a_spec_error(raw: Any) -> None:
    problems = problems_of(raw)
    assert any(p.startswith("spec") for p in problems)


# --------------------------------------------------------------------------------------------------------
# Host names (LifeTime and environments share one rule)
# --------------------------------------------------------------------------------------------------------

LABEL_63 = "a" * 63
HOST_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
HOST_254 = HOST_253 + "d"
assert len(HOST_253) == 253 and len(HOST_254) == 254

VALID_HOSTNAMES = [
    "dev.acme.com",
    "a",
    "localhost",
    "x1.y2",
    "1.2.3.4",
    "my-env.eu-west-1.acme.com",
    "xn--bcher-kva.example",
    f"{LABEL_63}.acme.com",
    HOST_253,
]

INVALID_HOSTNAMES = {
    "scheme": "https://x",
    "scheme-full": "https://dev.acme.com",
    "path": "x.com/a",
    "trailing-slash": "dev.acme.com/",
    "port": "x.com:443",
    "space-inside": "dev acme.com",
    "leading-space": " dev.acme.com",
    "trailing-space": "dev.acme.com ",
    "tab": "dev.acme.com\t",
    "upper-case": "Dev.acme.com",
    "all-upper": "DEV.ACME.COM",
    "trailing-dot": "dev.acme.com.",
    "leading-dot": ".acme.com",
    "double-dot": "dev..acme.com",
    "label-64": f"{'a' * 64}.acme.com",
    "total-254": HOST_254,
    "underscore": "dev_1.acme.com",
    "leading-hyphen": "-dev.acme.com",
    "trailing-hyphen": "dev-.acme.com",
    "wildcard": "*.acme.com",
    "non-ascii": "dév.acme.com",
    "user-info": "user@dev.acme.com",
    "query": "dev.acme.com?x=1",
}


@pytest.mark.parametrize("hostname", VALID_HOSTNAMES)
@pytest.mark.parametrize("field", [("lifetime", "hostname"), ("environments", 0, "hostname")])
def test_valid_hostnames(field: Path, hostname: str) -> None:
    base = minimal()
    # Keep the other host name distinct so only the rule under test can fire.
    base["lifetime" if field[0] == "environments" else "environments"] = (
        {"hostname": "lt.example.org"}
        if field[0] == "environments"
        else [{"name": "dev", "hostname": "env.example.org"}]
    )
    spec = parse_spec(changed(base, field, hostname))
    got = spec.lifetime.hostname if field[0] == "lifetime" else spec.environments[0].hostname
    assert got == hostname


@pytest.mark.parametrize("hostname", list(INVALID_HOSTNAMES.values()), ids=list(INVALID_HOSTNAMES))
@pytest.mark.parametrize(
    "field",
    [("lifetime", "hostname"), ("environments", 0, "hostname"), ("environments", 1, "hostname")],
    ids=["lifetime", "env0", "env1"],
)
def test_invalid_hostnames_are_rejected_at_their_path(field: Path, hostname: str) -> None:
    message = assert_single_problem_at(changed(two_envs(), field, hostname), field)
    assert repr(hostname) in message or "character" in message, message


@pytest.mark.parametrize("field", [("lifetime", "hostname"), ("environments", 1, "hostname")])
def test_empty_hostname_is_rejected(field: Path) -> None:
    message = assert_single_problem_at(changed(two_envs(), field, ""), field)
    assert message == "'' must be a lower-case host name like dev.acme.com: no scheme, path, port or spaces"


def test_hostname_pattern_error_explains_the_rule() -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("environments", 0, "hostname"), "https://x"), ("environments", 0, "hostname")
    )
    assert (
        message
        == "'https://x' must be a lower-case host name like dev.acme.com: no scheme, path, port or spaces"
    )


def test_hostname_over_253_reports_the_length() -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("lifetime", "hostname"), HOST_254), ("lifetime", "hostname")
    )
    assert "at most 253 characters" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("lifetime", "hostname"), "lifetime.acme.com\n"),
        (("environments", 0, "hostname"), "dev.acme.com\n"),
        (("environments", 0, "name"), "dev\n"),
        (("okta", "orgUrl"), "https://acme.okta.com\n"),
        (("okta", "authorizationServerId"), "default\n"),
        (("okta", "credentialsSecretRef", "name"), "okta-api\n"),
        (("okta", "credentialsSecretRef", "key"), "apiToken\n"),
        (("secretName",), "factory-lifetime\n"),
    ],
    ids=[
        "lifetime.hostname",
        "environments.hostname",
        "environments.name",
        "orgUrl",
        "authorizationServerId",
        "credentialsSecretRef.name",
        "credentialsSecretRef.key",
        "secretName",
    ],
)
def test_trailing_newline_is_rejected(field: Path, value: str) -> None:
    assert_single_problem_at(changed(minimal(), field, value), field)


# --------------------------------------------------------------------------------------------------------
# The Okta org URL, and the admin console's URL a user copies from the browser by mistake
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("admin_url", "org_url"),
    [
        ("https://acme-admin.okta.com", "https://acme.okta.com"),
        ("https://acme-admin.okta.com/", "https://acme.okta.com"),
        ("https://acme-admin.oktapreview.com", "https://acme.oktapreview.com"),
        ("https://acme-admin.okta-emea.com:443", "https://acme.okta-emea.com:443"),
        ("https://dev-123456-admin.okta.com", "https://dev-123456.okta.com"),
        ("https://Acme-Admin.Okta.com", "https://Acme.Okta.com"),
    ],
)
def test_the_admin_console_url_is_refused_naming_the_org_url(admin_url: str, org_url: str) -> None:
    message = assert_single_problem_at(changed(minimal(), ("okta", "orgUrl"), admin_url), ("okta", "orgUrl"))
    assert message == (
        f"must be your Okta org URL, not the admin console: use {org_url} instead of {admin_url.rstrip('/')}"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://admin.okta.com",
        "https://acme-administration.okta.com",
        "https://acme-admin.example.com",
        "https://acme.okta.com",
    ],
)
def test_admin_in_other_places_is_an_org_url(url: str) -> None:
    assert parse_spec(changed(minimal(), ("okta", "orgUrl"), url)).okta.org_url == url


def test_a_badly_shaped_admin_url_gets_the_shape_message_only() -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("okta", "orgUrl"), "acme-admin.okta.com"), ("okta", "orgUrl")
    )
    assert message.startswith("'acme-admin.okta.com' must be the https URL of your Okta org")


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.okta.com",
        "https://acme.okta.com/oauth2/default",
        "acme.okta.com",
        "https://acme.okta.com:0",
    ],
)
def test_org_url_shape_message(url: str) -> None:
    message = assert_single_problem_at(changed(minimal(), ("okta", "orgUrl"), url), ("okta", "orgUrl"))
    assert message == (
        f"{url!r} must be the https URL of your Okta org like https://acme.okta.com: no path, query or "
        "spaces (plain http only for a sandbox on 127.0.0.1, localhost or ::1)"
    )


# --------------------------------------------------------------------------------------------------------
# Environment names
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dev", "a", "1", "prod-1", "eu-west-2", "a" * 63])
def test_valid_environment_names(name: str) -> None:
    assert parse_spec(changed(minimal(), ("environments", 0, "name"), name)).environments[0].name == name


INVALID_ENV_NAMES = {
    "upper": "Dev",
    "underscore": "dev_1",
    "dot": "dev.eu",
    "leading-hyphen": "-dev",
    "trailing-hyphen": "dev-",
    "space": "dev env",
    "non-ascii": "dév",
    "64-chars": "a" * 64,
    "empty": "",
}


@pytest.mark.parametrize("name", list(INVALID_ENV_NAMES.values()), ids=list(INVALID_ENV_NAMES))
@pytest.mark.parametrize("index", [0, 1])
def test_invalid_environment_names(index: int, name: str) -> None:
    assert_single_problem_at(
        changed(two_envs(), ("environments", index, "name"), name), ("environments", index, "name")
    )


# --------------------------------------------------------------------------------------------------------
# Cross-field rules: duplicates and LifeTime repeated
# --------------------------------------------------------------------------------------------------------


def test_duplicate_environment_name() -> None:
    raw = changed(two_envs(), ("environments", 1, "name"), "dev")
    assert problems_of(raw) == ["spec.environments[1].name: 'dev' is listed twice"]


def test_duplicate_environment_hostname() -> None:
    raw = two_envs()
    raw["environments"].append({"name": "qa", "hostname": "dev.acme.com"})
    assert problems_of(raw) == ["spec.environments[2].hostname: 'dev.acme.com' is listed twice"]


@pytest.mark.parametrize("index", [0, 1])
def test_lifetime_hostname_repeated_among_environments(index: int) -> None:
    raw = changed(two_envs(), ("environments", index, "hostname"), "lifetime.acme.com")
    problems = problems_of(raw)
    assert len(problems) == 1
    assert problems[0].startswith(f"spec.environments[{index}].hostname: 'lifetime.acme.com' ")
    assert "LifeTime" in problems[0]


def test_every_cross_field_problem_is_reported_at_once() -> None:
    raw = minimal()
    raw["environments"] = [
        {"name": "dev", "hostname": "dev.acme.com"},
        {"name": "dev", "hostname": "qa.acme.com"},
        {"name": "qa", "hostname": "lifetime.acme.com"},
        {"name": "prod", "hostname": "qa.acme.com"},
        {"name": "prod", "hostname": "dev.acme.com"},
    ]
    problems = problems_of(raw)
    assert [p.split(":")[0] for p in problems] == [
        "spec.environments[1].name",
        "spec.environments[2].hostname",
        "spec.environments[3].hostname",
        "spec.environments[4].name",
        "spec.environments[4].hostname",
    ]
    assert "LifeTime" in problems[1]
    assert "'qa.acme.com' is listed twice" in problems[2]


def test_same_name_different_case_hostnames_cannot_occur() -> None:
    # Upper case is rejected, so "DEV.acme.com" can never slip past the duplicate check.
    raw = changed(two_envs(), ("environments", 1, "hostname"), "DEV.acme.com")
    assert_single_problem_at(raw, ("environments", 1, "hostname"))


def test_duplicate_groups_are_rejected() -> None:
    raw = changed(minimal(), ("access",), {"groups": ["OutSystems IT", "Admins", "OutSystems IT"]})
    problems = problems_of(raw)
    assert len(problems) == 1
    assert problems[0].startswith("spec.access")
    assert "'OutSystems IT' is listed twice" in problems[0]


def test_duplicate_group_names_its_item() -> None:
    raw = changed(minimal(), ("access",), {"groups": ["OutSystems IT", "Admins", "OutSystems IT"]})
    assert problems_of(raw) == ["spec.access.groups[2]: 'OutSystems IT' is listed twice"]


# --------------------------------------------------------------------------------------------------------
# Okta org URL
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "org_url",
    [
        "https://acme.okta.com",
        "https://acme.okta.com/",
        "https://acme.oktapreview.com",
        "https://acme.okta-emea.com",
        "https://login.acme.com",
        "https://acme.okta.com:443",
        "https://acme.okta.com:8443/",
        "https://ACME.okta.com",
        "http://127.0.0.1",
        "http://127.0.0.1:8443",
        "http://localhost",
        "http://localhost:8443/",
        "http://[::1]",
        "http://[::1]:8443",
    ],
)
def test_valid_org_urls(org_url: str) -> None:
    assert parse_spec(changed(minimal(), ("okta", "orgUrl"), org_url)).okta.org_url == org_url


INVALID_ORG_URLS = {
    "http-public": "http://acme.okta.com",
    "http-public-port": "http://acme.okta.com:8080",
    "http-other-loopback": "http://127.0.0.2:8443",
    "http-localhost-suffix": "http://localhost.evil.com",
    "http-loopback-prefix": "http://127.0.0.1.nip.io",
    "http-ipv6-other": "http://[::2]",
    "no-scheme": "acme.okta.com",
    "ftp": "ftp://acme.okta.com",
    "upper-scheme": "HTTPS://acme.okta.com",
    "scheme-only": "https://",
    "path": "https://acme.okta.com/oauth2/default",
    "path-on-loopback": "http://localhost:8443/api",
    "double-slash": "https://acme.okta.com//",
    "query": "https://acme.okta.com?x=1",
    "query-after-slash": "https://acme.okta.com/?x=1",
    "fragment": "https://acme.okta.com#top",
    "user-info": "https://admin:pw@acme.okta.com",
    "space": "https://acme okta.com",
    "leading-space": " https://acme.okta.com",
    "empty-port": "https://acme.okta.com:",
    "port-6-digits": "https://acme.okta.com:123456",
    "leading-hyphen": "https://-acme.okta.com",
    "too-long": "https://" + "a" * 260 + ".com",
    "empty": "",
}


@pytest.mark.parametrize("org_url", list(INVALID_ORG_URLS.values()), ids=list(INVALID_ORG_URLS))
def test_invalid_org_urls(org_url: str) -> None:
    assert_single_problem_at(changed(minimal(), ("okta", "orgUrl"), org_url), ("okta", "orgUrl"))


def test_http_org_url_message_says_https() -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("okta", "orgUrl"), "http://acme.okta.com"), ("okta", "orgUrl")
    )
    assert "https" in message and "'http://acme.okta.com'" in message


@pytest.mark.parametrize(
    "org_url",
    ["https://acme..okta.com", "https://acme.okta.com:99999", "https://acme-.okta.com"],
    ids=["empty-label", "port-over-65535", "label-ends-with-hyphen"],
)
def test_org_url_host_and_port_are_really_valid(org_url: str) -> None:
    assert_single_problem_at(changed(minimal(), ("okta", "orgUrl"), org_url), ("okta", "orgUrl"))


# --------------------------------------------------------------------------------------------------------
# Other single-field rules
# --------------------------------------------------------------------------------------------------------

SINGLE_FIELD_ERRORS: dict[str, tuple[Path, Any]] = {
    "deletionPolicy-unknown": (("deletionPolicy",), "Destroy"),
    "deletionPolicy-lower-case": (("deletionPolicy",), "orphan"),
    "deletionPolicy-upper-case": (("deletionPolicy",), "DELETE"),
    "deletionPolicy-empty": (("deletionPolicy",), ""),
    "authServer-hyphen": (("okta", "authorizationServerId"), "aus-1"),
    "authServer-slash": (("okta", "authorizationServerId"), "default/"),
    "authServer-space": (("okta", "authorizationServerId"), "my server"),
    "authServer-empty": (("okta", "authorizationServerId"), ""),
    "authServer-65": (("okta", "authorizationServerId"), "a" * 65),
    "secretRef-name-upper": (("okta", "credentialsSecretRef", "name"), "Okta-api"),
    "secretRef-name-underscore": (("okta", "credentialsSecretRef", "name"), "okta_api"),
    "secretRef-name-empty": (("okta", "credentialsSecretRef", "name"), ""),
    "secretRef-name-254": (("okta", "credentialsSecretRef", "name"), HOST_254),
    "secretRef-key-space": (("okta", "credentialsSecretRef", "key"), "api token"),
    "secretRef-key-slash": (("okta", "credentialsSecretRef", "key"), "a/b"),
    "secretRef-key-empty": (("okta", "credentialsSecretRef", "key"), ""),
    "secretRef-key-254": (("okta", "credentialsSecretRef", "key"), "k" * 254),
    "secretName-upper": (("secretName",), "Factory-lifetime"),
    "secretName-underscore": (("secretName",), "factory_lifetime"),
    "secretName-empty": (("secretName",), ""),
    "secretName-254": (("secretName",), HOST_254),
    "appLabels-consoles-empty": (("appLabels", "consoles"), ""),
    "appLabels-consoles-101": (("appLabels", "consoles"), "c" * 101),
    "appLabels-tools-empty": (("appLabels", "developmentTools"), ""),
    "appLabels-tools-101": (("appLabels", "developmentTools"), "t" * 101),
    "groups-51": (("access", "groups"), [f"group {i}" for i in range(51)]),
    "group-empty": (("access", "groups"), [""]),
    "group-256": (("access", "groups"), ["g" * 256]),
    "group-not-string": (("access", "groups"), [42]),
    "groups-not-list": (("access", "groups"), "OutSystems IT"),
    "environments-empty": (("environments",), []),
    "environments-not-list": (("environments",), {"name": "dev", "hostname": "dev.acme.com"}),
    "hostname-not-string": (("environments", 0, "hostname"), 123),
    "name-not-string": (("environments", 0, "name"), 7),
    "orgUrl-not-string": (("okta", "orgUrl"), ["https://acme.okta.com"]),
    "okta-not-object": (("okta",), "https://acme.okta.com"),
    "lifetime-not-object": (("lifetime",), "lifetime.acme.com"),
    "access-not-object": (("access",), ["OutSystems IT"]),
}

# Where each error is reported when it is not the changed field itself.
ERROR_AT: dict[str, Path] = {
    "group-empty": ("access", "groups", 0),
    "group-256": ("access", "groups", 0),
    "group-not-string": ("access", "groups", 0),
}


@pytest.mark.parametrize(
    ("field", "value"), list(SINGLE_FIELD_ERRORS.values()), ids=list(SINGLE_FIELD_ERRORS)
)
def test_single_field_errors(request: pytest.FixtureRequest, field: Path, value: Any) -> None:
    case = request.node.callspec.id
    assert_single_problem_at(changed(minimal(), field, value), ERROR_AT.get(case, field))


def test_unknown_deletion_policy_lists_the_allowed_values() -> None:
    message = assert_single_problem_at(
        changed(minimal(), ("deletionPolicy",), "Destroy"), ("deletionPolicy",)
    )
    assert "'Orphan'" in message and "'Delete'" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("appLabels", "consoles"), "c" * 100),
        (("appLabels", "developmentTools"), "t" * 100),
        (("access", "groups"), [f"group {i}" for i in range(50)]),
        (("access", "groups"), ["g" * 255]),
        (("okta", "authorizationServerId"), "a" * 64),
        (("okta", "credentialsSecretRef", "key"), "k" * 253),
        (("secretName",), HOST_253),
        (("secretName",), None),
        (("deletionPolicy",), "Orphan"),
        (("access", "groups"), []),
    ],
    ids=[
        "consoles-100",
        "tools-100",
        "groups-50",
        "group-255",
        "authServer-64",
        "key-253",
        "secretName-253",
        "secretName-null",
        "orphan",
        "no-groups",
    ],
)
def test_values_at_the_limits_are_accepted(field: Path, value: Any) -> None:
    assert isinstance(parse_spec(changed(minimal(), field, value)), IntegrationSpec)


def test_one_hundred_environments_are_accepted() -> None:
    raw = changed(
        minimal(), ("environments",), [{"name": f"e{i}", "hostname": f"e{i}.acme.com"} for i in range(100)]
    )
    assert len(parse_spec(raw).environments) == 100


def test_more_than_one_hundred_environments_are_rejected() -> None:
    raw = changed(
        minimal(), ("environments",), [{"name": f"e{i}", "hostname": f"e{i}.acme.com"} for i in range(101)]
    )
    message = assert_single_problem_at(raw, ("environments",))
    assert "at most 100" in message


def test_empty_environments_message() -> None:
    message = assert_single_problem_at(changed(minimal(), ("environments",), []), ("environments",))
    assert "at least 1" in message


@pytest.mark.parametrize("value", ["yes", "true", "on", 1, 0], ids=["yes", "true", "on", "one", "zero"])
def test_everyone_must_be_a_real_boolean(value: Any) -> None:
    assert_single_problem_at(changed(minimal(), ("access", "everyone"), value), ("access", "everyone"))


# --------------------------------------------------------------------------------------------------------
# Required fields and unknown fields
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        ("okta",),
        ("lifetime",),
        ("environments",),
        ("okta", "orgUrl"),
        ("okta", "credentialsSecretRef"),
        ("okta", "credentialsSecretRef", "name"),
        ("lifetime", "hostname"),
        ("environments", 0, "name"),
        ("environments", 0, "hostname"),
    ],
    ids=lambda p: ".".join(map(str, p)),
)
def test_missing_required_field(field: Path) -> None:
    assert assert_single_problem_at(without(minimal(), field), field) == "Field required"


@pytest.mark.parametrize(
    "field",
    [
        ("secretNme",),
        ("deletionpolicy",),
        ("status",),
        ("okta", "orgURL2"),
        ("okta", "credentialsSecretRef", "namespace"),
        ("lifetime", "hostName"),
        ("environments", 0, "host"),
        ("access", "group"),
        ("appLabels", "console"),
    ],
    ids=lambda p: ".".join(map(str, p)),
)
def test_unknown_field_is_named(field: Path) -> None:
    assert assert_single_problem_at(changed(minimal(), field, "x"), field) == "unknown field"


def test_typo_of_a_required_field_reports_both_the_typo_and_the_missing_field() -> None:
    raw = minimal()
    raw["okta"]["orgURL"] = raw["okta"].pop("orgUrl")
    assert sorted(problems_of(raw)) == ["spec.okta.orgURL: unknown field", "spec.okta.orgUrl: Field required"]


def test_cross_namespace_secret_reference_is_refused() -> None:
    raw = changed(minimal(), ("okta", "credentialsSecretRef", "namespace"), "kube-system")
    assert problems_of(raw) == ["spec.okta.credentialsSecretRef.namespace: unknown field"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("secret_name",), "custom"),
        (("deletion_policy",), "Delete"),
        (("app_labels",), {"consoles": "X"}),
        (("okta", "authorization_server_id"), "aus1"),
    ],
    ids=["secret_name", "deletion_policy", "app_labels", "authorization_server_id"],
)
def test_snake_case_field_names_are_unknown(field: Path, value: Any) -> None:
    assert assert_single_problem_at(changed(minimal(), field, value), field) == "unknown field"


def test_problems_in_several_places_are_all_listed() -> None:
    raw = two_envs()
    raw["okta"]["orgUrl"] = "http://acme.okta.com"
    raw["environments"][1]["hostname"] = "prod.acme.com:443"
    raw["environments"][0]["name"] = "Dev"
    raw["colour"] = "blue"
    problems = problems_of(raw)
    assert sorted(p.split(":")[0] for p in problems) == [
        "spec.colour",
        "spec.environments[0].name",
        "spec.environments[1].hostname",
        "spec.okta.orgUrl",
    ]
