"""Redirect URIs of both apps: exact lists and order, checked against the OutSystems page itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from outsystems_okta.api.spec import parse_spec
from outsystems_okta.blueprint import (
    Owner,
    consoles_post_logout_uris,
    consoles_redirect_uris,
    desired_apps,
    tools_post_logout_uris,
    tools_redirect_uris,
)

SEED = Path("/work/shared/seed/configuring-okta-authentication.md")
TEMPLATE = "<YOUR_ENV>"

LIFETIME = "lifetime.acme.com"
ONE = ["dev.acme.com"]
FIVE = ["dev.acme.com", "qa.acme.com", "uat.acme.com", "prod.acme.com", "dr.acme.com"]

# --------------------------------------------------------------------------------------------------------
# Hard-coded expectations (transcribed from the seed page; they run without it)
# --------------------------------------------------------------------------------------------------------

LOGIN = "/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
LOGOUT = "/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx"
TOOLS_FIXED = [
    "servicestudio://auth",
    "integrationstudio://auth",
    "servicestudiox11://auth",
    "https://experiencebuilder.outsystems.com/Authentication/OIDC_Callback",
    "https://workflowbuilder.outsystems.com/Authentication/OIDC_Callback",
    "https://integrationbuilder.outsystems.com/Authentication/OIDC_Callback",
    "https://aimentorstudio.outsystems.com/Authentication/OIDC_Callback",
]
TOOLS_LOGOUT = [
    "servicestudio://auth",
    "integrationstudio://auth",
    "servicestudiox11://auth",
    "https://www.outsystems.com",
]


def test_consoles_redirect_uris_one_environment() -> None:
    assert consoles_redirect_uris(LIFETIME, ONE) == [
        "https://lifetime.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
        "https://dev.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
    ]


def test_consoles_post_logout_uris_one_environment() -> None:
    assert consoles_post_logout_uris(LIFETIME, ONE) == [
        "https://lifetime.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
        "https://dev.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
    ]


def test_consoles_redirect_uris_five_environments_lifetime_first_then_spec_order() -> None:
    assert consoles_redirect_uris(LIFETIME, FIVE) == [
        "https://lifetime.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
        "https://dev.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
        "https://qa.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
        "https://uat.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
        "https://prod.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
        "https://dr.acme.com/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx",
    ]


def test_consoles_post_logout_uris_five_environments() -> None:
    assert consoles_post_logout_uris(LIFETIME, FIVE) == [
        "https://lifetime.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
        "https://dev.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
        "https://qa.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
        "https://uat.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
        "https://prod.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
        "https://dr.acme.com/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx",
    ]


def test_tools_redirect_uris_one_environment() -> None:
    assert tools_redirect_uris(ONE) == [
        "servicestudio://auth",
        "integrationstudio://auth",
        "servicestudiox11://auth",
        "https://experiencebuilder.outsystems.com/Authentication/OIDC_Callback",
        "https://workflowbuilder.outsystems.com/Authentication/OIDC_Callback",
        "https://integrationbuilder.outsystems.com/Authentication/OIDC_Callback",
        "https://aimentorstudio.outsystems.com/Authentication/OIDC_Callback",
        "https://dev.acme.com/OSIntegrationManager/OIDC_Callback",
    ]


def test_tools_redirect_uris_five_environments_exclude_lifetime() -> None:
    uris = tools_redirect_uris(FIVE)
    assert uris == [
        *TOOLS_FIXED,
        "https://dev.acme.com/OSIntegrationManager/OIDC_Callback",
        "https://qa.acme.com/OSIntegrationManager/OIDC_Callback",
        "https://uat.acme.com/OSIntegrationManager/OIDC_Callback",
        "https://prod.acme.com/OSIntegrationManager/OIDC_Callback",
        "https://dr.acme.com/OSIntegrationManager/OIDC_Callback",
    ]
    assert not any(LIFETIME in uri for uri in uris)


def test_tools_post_logout_uris_are_fixed() -> None:
    assert tools_post_logout_uris() == TOOLS_LOGOUT


def test_tools_post_logout_uris_is_a_fresh_list_each_time() -> None:
    first = tools_post_logout_uris()
    first.append("https://evil.example")
    assert tools_post_logout_uris() == TOOLS_LOGOUT


@pytest.mark.parametrize("environments", [ONE, FIVE], ids=["1-env", "5-envs"])
def test_no_duplicates_and_only_https_or_tool_schemes(environments: list[str]) -> None:
    for uris in (
        consoles_redirect_uris(LIFETIME, environments),
        consoles_post_logout_uris(LIFETIME, environments),
        tools_redirect_uris(environments),
        tools_post_logout_uris(),
    ):
        assert len(uris) == len(set(uris))
        for uri in uris:
            assert uri.startswith("https://") or re.fullmatch(r"[a-z0-9]+://auth", uri), uri


def test_desired_apps_follow_spec_order_not_alphabetical() -> None:
    spec = parse_spec(
        {
            "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
            "lifetime": {"hostname": LIFETIME},
            "environments": [
                {"name": "prod", "hostname": "prod.acme.com"},
                {"name": "dev", "hostname": "dev.acme.com"},
                {"name": "qa", "hostname": "qa.acme.com"},
            ],
        }
    )
    apps = desired_apps(spec, Owner(namespace="ns", name="factory", uid="u-1"))
    order = [LIFETIME, "prod.acme.com", "dev.acme.com", "qa.acme.com"]
    consoles = apps.consoles.oauth_settings
    tools = apps.development_tools.oauth_settings
    assert consoles["redirect_uris"] == [f"https://{h}{LOGIN}" for h in order]
    assert consoles["post_logout_redirect_uris"] == [f"https://{h}{LOGOUT}" for h in order]
    assert tools["redirect_uris"][len(TOOLS_FIXED) :] == [
        f"https://{h}/OSIntegrationManager/OIDC_Callback" for h in order[1:]
    ]
    assert tools["post_logout_redirect_uris"] == TOOLS_LOGOUT


# --------------------------------------------------------------------------------------------------------
# The same expectations, read from the seed page
# --------------------------------------------------------------------------------------------------------


def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed page {SEED} not present; the hard-coded lists above still cover the URIs")
    return SEED.read_text(encoding="utf-8")


def section(text: str, title_start: str) -> str:
    """The body of the `## ` section whose title starts with `title_start`."""
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    matching = [p for p in parts if p.startswith(title_start)]
    assert len(matching) == 1, f"expected one section titled {title_start!r} in the seed page"
    return matching[0]


def bullet(body: str, label: str) -> str:
    """The text of the `* **label**:` bullet up to the next bold bullet."""
    match = re.search(
        rf"^\s*\* \*\*{re.escape(label)}\*\*:(.*?)(?=^\s*\* \*\*|\Z)", body, flags=re.MULTILINE | re.DOTALL
    )
    assert match, f"no {label!r} bullet in the seed section"
    return match.group(1)


def code_spans(block: str) -> list[str]:
    return re.findall(r"``([^`]+)``", block)


def expand(block: str, hosts: list[str]) -> list[str]:
    """The URIs a seed bullet asks for, templates expanded for each host, in the page's order."""
    out: list[str] = []
    for uri in code_spans(block):
        if TEMPLATE in uri:
            out.extend(uri.replace(TEMPLATE, host) for host in hosts)
        else:
            out.append(uri)
    return out


def consoles_section() -> str:
    return section(seed_text(), "Create an application in the Okta portal for the OutSystems Consoles")


def tools_section() -> str:
    return section(
        seed_text(), "Create an application in the Okta portal for the OutSystems Development Tools"
    )


def test_seed_parser_finds_what_the_page_says() -> None:
    # Guards the parsing below: if the page is restructured, say so instead of comparing empty lists.
    consoles = consoles_section()
    tools = tools_section()
    assert code_spans(bullet(consoles, "Sign-in redirect URIs")) == [f"https://{TEMPLATE}{LOGIN}"]
    assert code_spans(bullet(consoles, "Sign-out redirect URIs")) == [f"https://{TEMPLATE}{LOGOUT}"]
    assert code_spans(bullet(tools, "Sign-in redirect URIs")) == [
        *TOOLS_FIXED,
        f"https://{TEMPLATE}/OSIntegrationManager/OIDC_Callback",
    ]
    assert code_spans(bullet(tools, "Sign-out redirect URIs")) == TOOLS_LOGOUT


def test_seed_says_consoles_include_lifetime_and_tools_exclude_it() -> None:
    consoles = consoles_section()
    tools = tools_section()
    for label in ("Sign-in redirect URIs", "Sign-out redirect URIs"):
        assert re.search(r"including\s+lifetime", bullet(consoles, label), flags=re.IGNORECASE)
    assert re.search(r"excluding\s+lifetime", bullet(tools, "Sign-in redirect URIs"), flags=re.IGNORECASE)


def test_seed_app_types_and_names() -> None:
    consoles = consoles_section()
    tools = tools_section()
    assert "**Application type**: Web Application" in consoles
    assert "**App integration name**: OutSystems Consoles" in consoles
    assert "**Application type**: Native Application" in tools
    assert "**App integration name**: OutSystems Development Tools" in tools
    for body in (consoles, tools):
        assert "**Grant type**: Refresh token" in body
        assert "OIDC - OpenID Connect" in body


@pytest.mark.parametrize("environments", [ONE, FIVE], ids=["1-env", "5-envs"])
def test_consoles_uris_match_the_seed(environments: list[str]) -> None:
    consoles = consoles_section()
    hosts = [LIFETIME, *environments]
    assert consoles_redirect_uris(LIFETIME, environments) == expand(
        bullet(consoles, "Sign-in redirect URIs"), hosts
    )
    assert consoles_post_logout_uris(LIFETIME, environments) == expand(
        bullet(consoles, "Sign-out redirect URIs"), hosts
    )


@pytest.mark.parametrize("environments", [ONE, FIVE], ids=["1-env", "5-envs"])
def test_tools_uris_match_the_seed(environments: list[str]) -> None:
    tools = tools_section()
    assert tools_redirect_uris(environments) == expand(bullet(tools, "Sign-in redirect URIs"), environments)
    assert tools_post_logout_uris() == expand(bullet(tools, "Sign-out redirect URIs"), environments)
