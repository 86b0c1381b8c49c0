"""Check the sandbox's request/response bodies against Okta's official OpenAPI 3.0.3 spec.

The spec (`management-minimal.yaml`, 3.4 MB) lives outside the repo: `<repo>/../shared/okta-openapi/`,
or wherever `OKTA_OPENAPI_DIR` points. It is parsed once per test session.

Two layers:
- openapi-core validates each exchange at the operation level (path, query parameters, security,
  declared status codes, content types, bodies against the schemas as written);
- because `Application` polymorphism is a `discriminator` on the *base* schema (signOnMode →
  subtype), which JSON-Schema validators ignore, bodies typed `Application` are additionally
  validated explicitly against `OpenIdConnectApplication` (the OPENID_CONNECT mapping).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30ReadValidator, OAS30Validator, oas30_format_checker

from outsystems_okta_sandbox.okta import RecordedRequest

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_HOST = "https://subdomain.okta.com"  # matches the spec's server template default
MANAGEMENT = "management-minimal.yaml"
OAUTH = "oauth-minimal.yaml"

# Operations the operator uses (brief) plus the few extra the sandbox serves.
APP_OPERATIONS = (
    "createApplication",
    "listApplications",
    "getApplication",
    "replaceApplication",
    "deleteApplication",
    "activateApplication",
    "deactivateApplication",
    "listOAuth2ClientSecrets",
    "createOAuth2ClientSecret",
    "getOAuth2ClientSecret",
    "activateOAuth2ClientSecret",
    "deactivateOAuth2ClientSecret",
    "deleteOAuth2ClientSecret",
    "listApplicationGroupAssignments",
    "assignGroupToApplication",
    "getApplicationGroupAssignment",
    "unassignApplicationFromGroup",
    "listGroups",
    "addGroup",  # the brief's "createGroup"
    "getGroup",
    "listAssignedApplicationsForGroup",  # a group's apps: assignments per group (shared reads)
    "listAuthorizationServers",
    "getAuthorizationServer",
)
# An authorization server's lifecycle and its access policies and rules (issue 7).
POLICY_OPERATIONS = (
    "activateAuthorizationServer",
    "deactivateAuthorizationServer",
    "listAuthorizationServerPolicies",
    "createAuthorizationServerPolicy",
    "getAuthorizationServerPolicy",
    "replaceAuthorizationServerPolicy",
    "deleteAuthorizationServerPolicy",
    "activateAuthorizationServerPolicy",
    "deactivateAuthorizationServerPolicy",
    "listAuthorizationServerPolicyRules",
    "createAuthorizationServerPolicyRule",
    "getAuthorizationServerPolicyRule",
    "replaceAuthorizationServerPolicyRule",
    "deleteAuthorizationServerPolicyRule",
    "activateAuthorizationServerPolicyRule",
    "deactivateAuthorizationServerPolicyRule",
)
# App sign-in policies (Identity Engine): the policy an app is moved to, and the move.
SIGN_IN_POLICY_OPERATIONS = ("getPolicy", "assignApplicationPolicy")
OPERATIONS = APP_OPERATIONS + POLICY_OPERATIONS + SIGN_IN_POLICY_OPERATIONS

# The discriminator mapping we resolve by hand: Application + signOnMode OPENID_CONNECT.
DISCRIMINATED = {"#/components/schemas/Application": "#/components/schemas/OpenIdConnectApplication"}


def spec_dir() -> Path:
    override = os.environ.get("OKTA_OPENAPI_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "okta-openapi"


def spec_missing_reason() -> str | None:
    path = spec_dir() / MANAGEMENT
    if path.is_file():
        return None
    return f"Okta OpenAPI spec not found at {path} (set OKTA_OPENAPI_DIR to the folder holding {MANAGEMENT})"


@cache
def _load(name: str) -> dict[str, Any]:
    with (spec_dir() / name).open("rb") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    definition: dict[str, Any]


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class Schemas:
    """Validate instances against a spec's component schemas (OpenAPI 3.0 dialect)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._root = {"components": spec["components"]}

    def errors(self, ref_or_schema: dict[str, Any], instance: Any, *, response: bool) -> list[str]:
        """Errors of `instance`; `Application` is taken as `OpenIdConnectApplication`.

        Responses use the read validator (readOnly allowed, writeOnly forbidden); requests the
        plain one, since Okta ignores the read-only fields a GET→modify→PUT client sends back.
        """
        schema = _specialise(ref_or_schema)
        validator_cls = OAS30ReadValidator if response else OAS30Validator
        validator = validator_cls({**self._root, **schema}, format_checker=oas30_format_checker)
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
            for error in validator.iter_errors(instance)
        ]

    @staticmethod
    def component(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}


class OktaSpec:
    """The management spec, indexed for the sandbox's operations."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.api = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
        self.schemas = Schemas(spec)
        self.operations: dict[str, Operation] = {}
        for template, item in spec["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and op.get("operationId") in OPERATIONS:
                    regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
                    self.operations[op["operationId"]] = Operation(
                        op["operationId"], method.upper(), template, re.compile(regex), op
                    )
        missing = set(OPERATIONS) - set(self.operations)
        assert not missing, f"operations not in the spec: {sorted(missing)}"

    # ---- schema helpers -------------------------------------------------------------------------

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            parts = node["$ref"].removeprefix("#/").split("/")
            target: Any = self.spec
            for part in parts:
                target = target[part]
            node = target
        return node

    # ---- operations -----------------------------------------------------------------------------

    def operation_for(self, method: str, path: str) -> Operation | None:
        for op in self.operations.values():
            if op.method == method.upper() and op.pattern.match(path):
                return op
        return None

    def request_schema(self, op: Operation) -> dict[str, Any] | None:
        body = op.definition.get("requestBody")
        if body is None:
            return None
        content = self.resolve(body).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return schema if isinstance(schema, dict) else None

    def response_schema(self, op: Operation, status: int) -> tuple[bool, dict[str, Any] | None]:
        """(declared?, schema) for a status; undeclared errors fall back to `Error`."""
        responses = op.definition.get("responses", {})
        declared = responses.get(str(status))
        if declared is None:
            return False, Schemas.component("Error") if status >= 400 else None
        content = self.resolve(declared).get("content") or {}
        schema = content.get("application/json", {}).get("schema")
        return True, schema if isinstance(schema, dict) else None

    def check(self, record: RecordedRequest) -> Iterator[Problem]:
        """Every conformance problem of one recorded exchange."""
        where = f"{record.method} {record.path} → {record.status}"
        op = self.operation_for(record.method, record.path)
        if op is None:
            yield Problem(where, "no operation in the spec for this call")
            return
        where = f"{op.operation_id} ({where})"

        request_schema = self.request_schema(op)
        if record.request_body is not None:
            if request_schema is None:
                yield Problem(where, "request has a body but the operation takes none")
            else:
                for message in self.schemas.errors(request_schema, record.request_body, response=False):
                    yield Problem(where + " request", message)

        declared, response_schema = self.response_schema(op, record.status)
        if record.status >= 400 or response_schema is not None:
            if response_schema is None:
                yield Problem(where, f"status {record.status} has no JSON schema")
            else:
                for message in self.schemas.errors(response_schema, record.response_body, response=True):
                    yield Problem(where + " response", message)
        elif record.status == 204 and record.response_body is not None:
            yield Problem(where, "204 with a body")
        elif record.status in (200, 204) and record.response_body not in (None, {}):
            yield Problem(where, "content {} declared but a non-empty body was sent")
        if record.status < 400 and not declared:
            yield Problem(where, f"success status {record.status} not declared by the operation")

        yield from self._openapi_core(where, record, declared)

    def _openapi_core(self, where: str, record: RecordedRequest, declared: bool) -> Iterator[Problem]:
        headers = {"Authorization": "SSWS token"}
        data = None if record.request_body is None else json.dumps(record.request_body).encode()
        request = MockRequest(
            SPEC_HOST,
            record.method.lower(),
            record.path,
            args=dict(record.query),
            headers=headers,
            data=data,
            content_type="application/json",
        )
        try:
            self.api.validate_request(request)
        except Exception as exc:  # openapi-core raises a family of errors; report any
            if not _only_read_only_writes(exc):
                yield Problem(where + " request (openapi-core)", _describe(exc))
        op = self.operation_for(record.method, record.path)
        assert op is not None
        _, schema = self.response_schema(op, record.status)
        if not declared or schema is None:
            # Bodiless responses (204, and the lifecycle 200s whose spec content is `{}`) were
            # checked above; openapi-core has nothing to add for them.
            return
        body = json.dumps(record.response_body).encode()
        response = MockResponse(body, status_code=record.status, content_type="application/json")
        try:
            self.api.validate_response(request, response)
        except Exception as exc:
            yield Problem(where + " response (openapi-core)", _describe(exc))


def _only_read_only_writes(exc: BaseException) -> bool:
    """True when a request failed only because it echoed read-only properties (id, status, _links...).

    openapi-core validates request bodies in "write" mode, where readOnly properties are errors, but
    Okta documents for replaceApplication that such values "in the PUT request body are ignored",
    and a GET → modify → PUT client sends them back. The sandbox accepts them like Okta does.
    """
    errors = getattr(exc.__cause__, "schema_errors", None)
    if not errors:
        return False
    return all(str(error.message).startswith("Tried to write read-only property") for error in errors)


def _describe(exc: BaseException) -> str:
    parts = [repr(exc)]
    cause = exc.__cause__
    while cause is not None:
        parts.append(str(cause)[:500])
        cause = cause.__cause__
    return " ← ".join(parts)


def _specialise(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace `Application` refs (also as array items) with the OIDC subtype."""
    if "$ref" in schema and schema["$ref"] in DISCRIMINATED:
        return {"$ref": DISCRIMINATED[schema["$ref"]]}
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return {**schema, "items": _specialise(schema["items"])}
    return schema


@cache
def management_spec() -> OktaSpec:
    return OktaSpec(_load(MANAGEMENT))


@cache
def oauth_schemas() -> Schemas | None:
    """Schemas of the OAuth spec (discovery documents), or None when the file isn't there."""
    if not (spec_dir() / OAUTH).is_file():
        return None
    return Schemas(_load(OAUTH))
