"""Which Okta rate-limit bucket a request counts against.

Okta meters the Management API per endpoint family, one ~60 s window each. The mapping below follows
Okta's own classification as mirrored by the Terraform provider (`okta/internal/apimutex`): most
notably every `/api/v1/apps/{id}/...` sub-resource (groups, lifecycle, secrets) and the app list share
the small `/api/v1/apps` bucket, while `/api/v1/apps/{id}` itself has a larger one of its own.
"""

from __future__ import annotations

import re

APPS = "/api/v1/apps"
APP_BY_ID = "/api/v1/apps/{id}"
GROUPS = "/api/v1/groups"
GROUP_BY_ID = "/api/v1/groups/{id}"
OTHER = "/api/v1"

_APP_ID = re.compile(r"^/api/v1/apps/[^/]+/?$")
_GROUP_ID = re.compile(r"^/api/v1/groups/[^/]+/?$")


def bucket_for(method: str, path: str) -> str:
    """The rate-limit bucket for `method path` (path without query string)."""
    method = method.upper()
    if _APP_ID.match(path):
        return APP_BY_ID
    if path == APPS or path.startswith(APPS + "/"):
        return APPS
    if _GROUP_ID.match(path) and method in ("GET", "PUT", "DELETE"):
        return GROUP_BY_ID
    if path == GROUPS or path.startswith(GROUPS + "/"):
        return GROUPS
    return OTHER
