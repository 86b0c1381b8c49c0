"""Pure: from a validated spec to the two Okta apps exactly as the OutSystems page prescribes.

No I/O here (an import-linter contract keeps kopf, httpx and kubernetes out).
"""

from outsystems_okta.blueprint.apps import AppRole, DesiredApp, DesiredApps, desired_apps
from outsystems_okta.blueprint.ownership import MARKER_KEY, Owner, is_owned_by, marker_of, ownership_marker
from outsystems_okta.blueprint.uris import (
    consoles_post_logout_uris,
    consoles_redirect_uris,
    tools_post_logout_uris,
    tools_redirect_uris,
)

__all__ = [
    "MARKER_KEY",
    "AppRole",
    "DesiredApp",
    "DesiredApps",
    "Owner",
    "consoles_post_logout_uris",
    "consoles_redirect_uris",
    "desired_apps",
    "is_owned_by",
    "marker_of",
    "ownership_marker",
    "tools_post_logout_uris",
    "tools_redirect_uris",
]
