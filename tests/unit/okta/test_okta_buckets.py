"""Rate-limit bucket classification (Okta's own mapping, as mirrored by the Terraform provider)."""

from __future__ import annotations

import pytest

from outsystems_okta.okta import bucket_for


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("GET", "/api/v1/apps", "/api/v1/apps"),
        ("POST", "/api/v1/apps", "/api/v1/apps"),
        ("GET", "/api/v1/apps/0oa1", "/api/v1/apps/{id}"),
        ("PUT", "/api/v1/apps/0oa1", "/api/v1/apps/{id}"),
        ("DELETE", "/api/v1/apps/0oa1", "/api/v1/apps/{id}"),
        ("POST", "/api/v1/apps/0oa1/lifecycle/deactivate", "/api/v1/apps"),
        ("GET", "/api/v1/apps/0oa1/groups", "/api/v1/apps"),
        ("PUT", "/api/v1/apps/0oa1/groups/00g1", "/api/v1/apps"),
        ("GET", "/api/v1/apps/0oa1/credentials/secrets", "/api/v1/apps"),
        ("GET", "/api/v1/groups", "/api/v1/groups"),
        ("GET", "/api/v1/groups/00g1", "/api/v1/groups/{id}"),
        ("POST", "/api/v1/groups/00g1", "/api/v1/groups"),
        ("GET", "/api/v1/authorizationServers/default", "/api/v1"),
        ("get", "/api/v1/applications", "/api/v1"),
    ],
)
def test_bucket_for(method: str, path: str, bucket: str) -> None:
    assert bucket_for(method, path) == bucket
