"""The redirect URIs of the two apps, in the order `seed/configuring-okta-authentication.md` lists them."""

from __future__ import annotations

from collections.abc import Sequence

# Service Center's login and logout pages, registered for every environment including LifeTime.
CONSOLES_LOGIN_PATH = "/ServiceCenter/CentralizedLogin_AuthCodeFlow_TokenPart.aspx"
CONSOLES_LOGOUT_PATH = "/ServiceCenter/CentralizedLogout_CallbackEndpoint.aspx"

# The desktop tools' custom schemes and the OutSystems-hosted builders, the same for every factory.
TOOLS_SCHEMES = ("servicestudio://auth", "integrationstudio://auth", "servicestudiox11://auth")
TOOLS_HOSTED_CALLBACKS = tuple(
    f"https://{host}.outsystems.com/Authentication/OIDC_Callback"
    for host in ("experiencebuilder", "workflowbuilder", "integrationbuilder", "aimentorstudio")
)
# Integration Manager's callback, registered for every environment excluding LifeTime.
TOOLS_ENV_PATH = "/OSIntegrationManager/OIDC_Callback"
TOOLS_POST_LOGOUT = (*TOOLS_SCHEMES, "https://www.outsystems.com")


def consoles_redirect_uris(lifetime: str, environments: Sequence[str]) -> list[str]:
    return [f"https://{host}{CONSOLES_LOGIN_PATH}" for host in (lifetime, *environments)]


def consoles_post_logout_uris(lifetime: str, environments: Sequence[str]) -> list[str]:
    return [f"https://{host}{CONSOLES_LOGOUT_PATH}" for host in (lifetime, *environments)]


def tools_redirect_uris(environments: Sequence[str]) -> list[str]:
    return [
        *TOOLS_SCHEMES,
        *TOOLS_HOSTED_CALLBACKS,
        *(f"https://{host}{TOOLS_ENV_PATH}" for host in environments),
    ]


def tools_post_logout_uris() -> list[str]:
    return list(TOOLS_POST_LOGOUT)
