"""Check the sandbox's OAuth 2.0 / OIDC exchanges (`OktaSandbox.oauth_requests`) against Okta's
`oauth-minimal.yaml` (the custom authorization server operations).

- requests: every query parameter must be one the operation declares, with a valid value, and the
  required ones present; a `/token` form is validated against the `TokenRequestCustomAs`
  discriminator's subtype for its `grant_type` (JSON-Schema validators ignore discriminators);
- responses: declared statuses with their JSON schemas. `/authorize` declares only 429: "Example
  responses are intentionally omitted, but include displaying a sign-in prompt, redirecting to the
  client app, or displaying an error", so its 200/302/400 are checked for being one of those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from outsystems_okta_sandbox.okta import OAuthExchange

from .openapi_conformance import OAUTH, Problem, Schemas, _load, spec_dir

OAUTH_OPERATIONS = (
    "authorizeCustomAS",
    "tokenCustomAS",
    "oauthKeysCustomAS",
    "userinfoCustomAS",
    "getWellKnownOpenIDConfigurationCustomAS",
    "getWellKnownOAuthConfigurationCustomAS",
)
AUTHORIZE_OUTCOMES = (200, 302, 400)  # sign-in prompt, redirect to the client, error page


@dataclass(frozen=True)
class OAuthOperation:
    operation_id: str
    method: str
    pattern: re.Pattern[str]
    definition: dict[str, Any]
    parameters: list[dict[str, Any]]


class OAuthSpec:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas = Schemas(spec)
        self.operations: dict[str, OAuthOperation] = {}
        for template, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if isinstance(op, dict) and op.get("operationId") in OAUTH_OPERATIONS:
                    regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
                    params = [self.resolve(p) for p in [*shared, *op.get("parameters", [])]]
                    self.operations[op["operationId"]] = OAuthOperation(
                        op["operationId"], method.upper(), re.compile(regex), op, params
                    )
        missing = set(OAUTH_OPERATIONS) - set(self.operations)
        assert not missing, f"operations not in the OAuth spec: {sorted(missing)}"

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def operation_for(self, method: str, path: str) -> OAuthOperation | None:
        for op in self.operations.values():
            if op.method == method.upper() and op.pattern.match(path):
                return op
        return None

    def check(self, exchange: OAuthExchange) -> Iterator[Problem]:
        where = f"{exchange.method} {exchange.path} → {exchange.status}"
        op = self.operation_for(exchange.method, exchange.path)
        if op is None:
            yield Problem(where, "no operation in the OAuth spec for this call")
            return
        where = f"{op.operation_id} ({where})"
        yield from self._query(where, op, exchange.query)
        if op.operation_id == "tokenCustomAS":
            yield from self._token_form(where, exchange.form)
        yield from self._response(where, op, exchange)

    def _query(self, where: str, op: OAuthOperation, query: dict[str, str]) -> Iterator[Problem]:
        declared = {p["name"]: p for p in op.parameters if p.get("in") == "query"}
        for name in query:
            if name not in declared:
                yield Problem(where, f"query parameter {name!r} is not declared")
        for name, param in declared.items():
            if name not in query:
                if param.get("required"):
                    yield Problem(where, f"required query parameter {name!r} is missing")
                continue
            schema = param.get("schema", {})
            value: Any = query[name]
            if self.resolve(schema).get("type") == "integer" and value.lstrip("-").isdigit():
                value = int(value)
            for message in self.schemas.errors(schema, value, response=False):
                yield Problem(where, f"query parameter {name!r}: {message}")

    def _token_form(self, where: str, form: dict[str, str] | None) -> Iterator[Problem]:
        if form is None:
            yield Problem(where, "no form body")
            return
        base = self.spec["components"]["schemas"]["TokenRequestCustomAs"]
        target = base["discriminator"]["mapping"].get(form.get("grant_type", ""))
        schema = {"$ref": target} if target else {"$ref": "#/components/schemas/TokenRequestCustomAs"}
        for message in self.schemas.errors(schema, form, response=False):
            yield Problem(where + " form", message)

    def _response(self, where: str, op: OAuthOperation, exchange: OAuthExchange) -> Iterator[Problem]:
        responses = op.definition.get("responses", {})
        declared = responses.get(str(exchange.status))
        if declared is None:
            if op.operation_id == "authorizeCustomAS" and exchange.status in AUTHORIZE_OUTCOMES:
                yield from self._authorize_outcome(where, exchange)
                return
            if exchange.status == 404 and exchange.response_body is not None:
                schema = {"$ref": "#/components/schemas/Error"}  # an unavailable server
                for message in self.schemas.errors(schema, exchange.response_body, response=True):
                    yield Problem(where + " response", message)
                return
            yield Problem(where, f"status {exchange.status} is not declared")
            return
        content = self.resolve(declared).get("content") or {}
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            if exchange.response_body is not None:
                yield Problem(where, "a body where the spec declares none")
            return
        if exchange.content_type != "application/json":
            yield Problem(where, f"content type {exchange.content_type!r}, not application/json")
            return
        for message in self.schemas.errors(schema, exchange.response_body, response=True):
            yield Problem(where + " response", message)

    @staticmethod
    def _authorize_outcome(where: str, exchange: OAuthExchange) -> Iterator[Problem]:
        if exchange.status == 302:
            if not exchange.location:
                yield Problem(where, "a redirect without Location")
        elif exchange.content_type != "text/html":
            yield Problem(where, f"a page as {exchange.content_type!r}, not text/html")


@cache
def oauth_spec() -> OAuthSpec | None:
    if not (spec_dir() / OAUTH).is_file():
        return None
    return OAuthSpec(_load(OAUTH))
