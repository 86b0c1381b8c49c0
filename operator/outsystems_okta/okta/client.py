"""`OktaClient`: the handful of Okta Management API calls the operator makes, over httpx.

Apps stay raw JSON dicts on purpose: `PUT /api/v1/apps/{id}` is a full replace, so whatever we GET
must go back unchanged except for the fields we own (SDK models drop unknown fields). Access policies
and rules come and go as our own typed models (`access_policies`), which keep unknown fields for the
same reason.

Safety rules this module enforces:
- the credentials (an SSWS token or an OAuth service app, `credentials` and `auth`) are attached per
  request, only to URLs on the configured org (scheme, host, port);
  redirects are never followed and pagination links to another origin are refused;
- the token never appears in an exception message, a repr or a log line (no request headers are logged);
- `create_app` and `create_client_secret` (the non-idempotent calls) are not retried once the request may
  have reached Okta:
  it fails with `OktaUnavailableError(maybe_applied=True)` and the caller looks before creating again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from outsystems_okta import __version__

from .access_policies import AccessPolicy, AccessPolicyRule
from .auth import TOKEN_PATH, DPoPKey, TokenCache, auth_for
from .buckets import bucket_for
from .credentials import Credentials, SswsToken, as_credentials
from .errors import (
    OktaAmbiguousError,
    OktaError,
    OktaProtocolError,
    OktaUnavailableError,
    OktaUnreachableError,
    error_from_response,
)
from .links import find_rel, same_origin
from .pacer import Pacer, Pacing
from .retry import RetryPolicy, parse_http_date, parse_int, parse_reset
from .telemetry import ResponseInfo

logger = logging.getLogger(__name__)
_ModelT = TypeVar("_ModelT", bound=BaseModel)

USER_AGENT = f"outsystems-okta-operator/{__version__} httpx/{httpx.__version__}"
MAX_PAGE_LIMIT = 200
_CONNECT_TIMEOUT_CAP = 10.0
_MIN_REDACTED_LEN = 8

# Transport failures that happen before a single byte of the request leaves this process.
_NOT_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# No connection to the org at all: DNS failure, refused, TLS failure (all ConnectError), or no answer to SYN.
_UNREACHABLE: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class _Op:
    name: str  # Okta operationId
    idempotent: bool = True


def _normalize_org_url(org_url: str) -> str:
    url = org_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"org_url must be an http(s) URL with a host, got {org_url!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("org_url must not carry credentials")
    if parts.path or parts.query or parts.fragment:
        raise ValueError(f"org_url must be just scheme://host[:port], got {org_url!r}")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ValueError(f"org_url has an invalid port: {org_url!r}") from exc
    return url


def _seg(value: str, what: str) -> str:
    """One URL path segment, percent-encoded; ids like '..' that would change the path are refused."""
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"invalid {what}: {value!r}")
    return quote(value, safe="")


def _search_literal(value: str) -> str:
    """A double-quoted string literal for Okta's filter/search expressions."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _transport_error_kind(exc: Exception) -> str:
    return type(exc).__name__


class OktaClient:
    """Async client for the parts of the Okta Management API the operator needs.

    Use as `async with OktaClient(url, token) as okta: ...` or call `aclose()` when done.
    `sleep`, `rng` (uniform [0, 1)) and `clock` (epoch seconds) are injectable for tests.
    With `pacing`, every request first waits for its share of Okta's rate-limit bucket and for one of
    the org's concurrency slots (pacer.py); without it, requests go at once and only a 429 slows them.
    """

    def __init__(
        self,
        org_url: str,
        token: str | Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008  (frozen dataclass: safe default)
        on_response: Callable[[ResponseInfo], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
        token_cache: TokenCache | None = None,
        dpop_key: DPoPKey | None = None,
        pacing: Pacing | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be > 0")
        self._org_url = _normalize_org_url(org_url)
        try:
            self._credentials = as_credentials(token)  # a bare string is an SSWS token
        except ValueError:
            raise ValueError("token must be a non-empty printable ASCII string without whitespace") from None
        options: dict[str, Any] = {"clock": clock, "dpop_key": dpop_key}
        if token_cache is not None:
            options["cache"] = token_cache
        self._auth = auth_for(
            self._credentials, self._org_url, **({} if isinstance(self._credentials, SswsToken) else options)
        )
        self._retry = retry
        self._on_response = on_response
        self._sleep = sleep
        self._rng = rng
        self._clock = clock
        self._remaining: dict[str, int] = {}
        self._pacer = None if pacing is None else Pacer(pacing, clock=clock, sleep=sleep)
        self._http = httpx.AsyncClient(
            base_url=self._org_url,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(
                connect=min(timeout, _CONNECT_TIMEOUT_CAP), read=timeout, write=timeout, pool=timeout
            ),
            # Okta's concurrency limit is org-wide and shared with every other integration.
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
            follow_redirects=False,
            transport=transport,
        )

    # -- lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> OktaClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"OktaClient(org_url={self._org_url!r})"

    @property
    def org_url(self) -> str:
        return self._org_url

    @property
    def rate_limit_remaining(self) -> Mapping[str, int]:
        """The latest `X-Rate-Limit-Remaining` seen per Okta rate-limit bucket (a snapshot copy)."""
        return dict(self._remaining)

    # -- applications ------------------------------------------------------------------------------

    async def create_app(self, body: dict[str, Any], *, activate: bool = True) -> dict[str, Any]:
        """`POST /api/v1/apps`. Never retried once the request may have reached Okta (see module doc)."""
        response = await self._call(
            _Op("createApplication", idempotent=False),
            "POST",
            "/api/v1/apps",
            params={"activate": "true" if activate else "false"},
            body=body,
        )
        return _json_object(response, "createApplication")

    async def get_app(self, app_id: str) -> dict[str, Any]:
        """`GET /api/v1/apps/{id}`; raises `OktaNotFoundError` when it does not exist."""
        response = await self._call(_Op("getApplication"), "GET", f"/api/v1/apps/{_seg(app_id, 'app id')}")
        return _json_object(response, "getApplication")

    async def list_apps(
        self, *, q: str | None = None, filter: str | None = None, limit: int = MAX_PAGE_LIMIT
    ) -> list[dict[str, Any]]:
        """`GET /api/v1/apps`, all pages. `q` is a prefix match on name or label: compare exactly yourself."""
        params: dict[str, str] = {"limit": str(_check_limit(limit))}
        if q is not None:
            params["q"] = q
        if filter is not None:
            params["filter"] = filter
        return await self._paginate(_Op("listApplications"), "/api/v1/apps", params)

    async def replace_app(self, app_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """`PUT /api/v1/apps/{id}`: a full replace. Send back everything you read, minus `client_secret`."""
        credentials = body.get("credentials")
        oauth_client = credentials.get("oauthClient") if isinstance(credentials, Mapping) else None
        if isinstance(oauth_client, Mapping) and "client_secret" in oauth_client:
            raise ValueError(
                "refusing to PUT an app body carrying credentials.oauthClient.client_secret: "
                "Okta would set the secret to it; remove the key"
            )
        response = await self._call(
            _Op("replaceApplication"), "PUT", f"/api/v1/apps/{_seg(app_id, 'app id')}", body=body
        )
        return _json_object(response, "replaceApplication")

    async def activate_app(self, app_id: str) -> None:
        await self._call(
            _Op("activateApplication"), "POST", f"/api/v1/apps/{_seg(app_id, 'app id')}/lifecycle/activate"
        )

    async def deactivate_app(self, app_id: str) -> None:
        await self._call(
            _Op("deactivateApplication"),
            "POST",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/lifecycle/deactivate",
        )

    async def delete_app(self, app_id: str) -> None:
        """`DELETE /api/v1/apps/{id}`; already gone (404) counts as success. Active apps: 403 E0000056."""
        await self._call(
            _Op("deleteApplication"), "DELETE", f"/api/v1/apps/{_seg(app_id, 'app id')}", missing_ok=True
        )

    async def list_client_secrets(self, app_id: str) -> list[dict[str, Any]]:
        """`GET /api/v1/apps/{id}/credentials/secrets` (includes the secret values)."""
        response = await self._call(
            _Op("listOAuth2ClientSecrets"),
            "GET",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/credentials/secrets",
        )
        return _json_list(response, "listOAuth2ClientSecrets")

    async def create_client_secret(self, app_id: str) -> dict[str, Any]:
        """`POST .../credentials/secrets`: a new ACTIVE, system-generated secret. Okta keeps at most two
        per app (400 E0000001 OAuth2ClientSecretMediated). Not retried once the request may have reached
        Okta: a blind retry could make a second secret (or hit the limit)."""
        response = await self._call(
            _Op("createOAuth2ClientSecret", idempotent=False),
            "POST",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/credentials/secrets",
            body={},
        )
        return _json_object(response, "createOAuth2ClientSecret")

    async def deactivate_client_secret(self, app_id: str, secret_id: str) -> None:
        """`POST .../credentials/secrets/{id}/lifecycle/deactivate` (Okta refuses the only ACTIVE one)."""
        await self._call(
            _Op("deactivateOAuth2ClientSecret"),
            "POST",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/credentials/secrets/"
            f"{_seg(secret_id, 'secret id')}/lifecycle/deactivate",
        )

    async def delete_client_secret(self, app_id: str, secret_id: str) -> None:
        """`DELETE .../credentials/secrets/{id}` (INACTIVE ones only); gone already (404) is success."""
        await self._call(
            _Op("deleteOAuth2ClientSecret"),
            "DELETE",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/credentials/secrets/{_seg(secret_id, 'secret id')}",
            missing_ok=True,
        )

    # -- groups ------------------------------------------------------------------------------------

    async def find_group(self, name: str, *, type_: str | None = None) -> dict[str, Any] | None:
        """The group whose `profile.name` is exactly `name` (and whose `type` is `type_`, if given).

        Okta's `eq` search may match case-insensitively, so the result is filtered exactly here. When
        several groups carry the name, Okta groups (OKTA_GROUP, BUILT_IN) win over APP_GROUPs imported
        from directories; if that still leaves more than one, `OktaAmbiguousError` is raised. Ask for
        `type_="BUILT_IN"` to find the real Everyone group even when an admin made another one.
        """
        if not name:
            raise ValueError("group name must not be empty")
        found = await self._paginate(
            _Op("listGroups"), "/api/v1/groups", {"search": f"profile.name eq {_search_literal(name)}"}
        )
        exact = [g for g in found if _profile_name(g) == name and (type_ is None or g.get("type") == type_)]
        if len(exact) > 1:
            exact = [g for g in exact if g.get("type") != "APP_GROUP"] or exact
        if len(exact) > 1:
            ids = ", ".join(str(g.get("id")) for g in exact)
            raise OktaAmbiguousError(
                f"Okta: {len(exact)} groups are named {name!r} ({ids})", operation="listGroups"
            )
        return exact[0] if exact else None

    async def list_group_apps(self, group_id: str) -> list[dict[str, Any]]:
        """`GET /api/v1/groups/{groupId}/apps`, every page: the apps assigned to a group.

        One read tells which of many apps a group is assigned to (instead of one listing per app), and it
        is counted in the `/api/v1/groups` bucket, not the small `/api/v1/apps` one.
        """
        return await self._paginate(
            _Op("listAssignedApplicationsForGroup"),
            f"/api/v1/groups/{_seg(group_id, 'group id')}/apps",
            {"limit": str(MAX_PAGE_LIMIT)},
        )

    async def list_app_groups(self, app_id: str, *, expand: str | None = None) -> list[dict[str, Any]]:
        """`GET /api/v1/apps/{id}/groups`, every page; `expand="group"` embeds each group (`_embedded`)."""
        params = {"limit": str(MAX_PAGE_LIMIT)}
        if expand is not None:
            params["expand"] = expand
        return await self._paginate(
            _Op("listApplicationGroupAssignments"), f"/api/v1/apps/{_seg(app_id, 'app id')}/groups", params
        )

    async def assign_group(self, app_id: str, group_id: str) -> dict[str, Any]:
        """`PUT /api/v1/apps/{id}/groups/{groupId}` with `{}` (Okta answers 411 to a body-less PUT)."""
        response = await self._call(
            _Op("assignGroupToApplication"),
            "PUT",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/groups/{_seg(group_id, 'group id')}",
            body={},
        )
        return _json_object(response, "assignGroupToApplication")

    async def unassign_group(self, app_id: str, group_id: str) -> None:
        """`DELETE /api/v1/apps/{id}/groups/{groupId}`; not assigned (404) counts as success."""
        await self._call(
            _Op("unassignApplicationFromGroup"),
            "DELETE",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/groups/{_seg(group_id, 'group id')}",
            missing_ok=True,
        )

    # -- app sign-in policies (Identity Engine) ---------------------------------------------------

    async def get_policy(self, policy_id: str) -> dict[str, Any]:
        """`GET /api/v1/policies/{policyId}`; raises `OktaNotFoundError` when it does not exist."""
        response = await self._call(
            _Op("getPolicy"), "GET", f"/api/v1/policies/{_seg(policy_id, 'policy id')}"
        )
        return _json_object(response, "getPolicy")

    async def assign_app_policy(self, app_id: str, policy_id: str) -> None:
        """`PUT /api/v1/apps/{appId}/policies/{policyId}` (204): the app's sign-in policy becomes this one."""
        await self._call(
            _Op("assignApplicationPolicy"),
            "PUT",
            f"/api/v1/apps/{_seg(app_id, 'app id')}/policies/{_seg(policy_id, 'policy id')}",
        )

    # -- authorization servers ---------------------------------------------------------------------

    async def get_authorization_server(self, server_id: str) -> dict[str, Any]:
        response = await self._call(
            _Op("getAuthorizationServer"),
            "GET",
            f"/api/v1/authorizationServers/{_seg(server_id, 'authorization server id')}",
        )
        return _json_object(response, "getAuthorizationServer")

    # -- access policies and rules (bucket /api/v1, not the small apps one) --------------------------

    async def list_access_policies(self, server_id: str) -> list[AccessPolicy]:
        """`GET .../policies`: every access policy of the server (Okta lists them all, no paging)."""
        items = await self._paginate(_Op("listAuthorizationServerPolicies"), _policies_path(server_id), {})
        return [_model(AccessPolicy, item, "listAuthorizationServerPolicies") for item in items]

    async def list_access_policy_rules(self, server_id: str, policy_id: str) -> list[AccessPolicyRule]:
        items = await self._paginate(
            _Op("listAuthorizationServerPolicyRules"), _policy_path(server_id, policy_id) + "/rules", {}
        )
        return [_model(AccessPolicyRule, item, "listAuthorizationServerPolicyRules") for item in items]

    async def create_access_policy(self, server_id: str, policy: AccessPolicy) -> AccessPolicy:
        # Not idempotent: a lost answer may have created it; the caller finds it by its marker next pass.
        response = await self._call(
            _Op("createAuthorizationServerPolicy", idempotent=False),
            "POST",
            _policies_path(server_id),
            body=policy.body(),
        )
        return _model(AccessPolicy, _json_object(response, "createAuthorizationServerPolicy"), "create")

    async def replace_access_policy(
        self, server_id: str, policy_id: str, policy: AccessPolicy
    ) -> AccessPolicy:
        response = await self._call(
            _Op("replaceAuthorizationServerPolicy"),
            "PUT",
            _policy_path(server_id, policy_id),
            body=policy.body(),
        )
        return _model(AccessPolicy, _json_object(response, "replaceAuthorizationServerPolicy"), "replace")

    async def activate_access_policy(self, server_id: str, policy_id: str) -> None:
        await self._call(
            _Op("activateAuthorizationServerPolicy"),
            "POST",
            _policy_path(server_id, policy_id) + "/lifecycle/activate",
        )

    async def delete_access_policy(self, server_id: str, policy_id: str) -> None:
        """`DELETE .../policies/{id}` (its rules go with it); already gone (404) counts as success."""
        await self._call(
            _Op("deleteAuthorizationServerPolicy"),
            "DELETE",
            _policy_path(server_id, policy_id),
            missing_ok=True,
        )

    async def create_access_policy_rule(
        self, server_id: str, policy_id: str, rule: AccessPolicyRule
    ) -> AccessPolicyRule:
        response = await self._call(
            _Op("createAuthorizationServerPolicyRule", idempotent=False),
            "POST",
            _policy_path(server_id, policy_id) + "/rules",
            body=rule.body(),
        )
        return _model(
            AccessPolicyRule, _json_object(response, "createAuthorizationServerPolicyRule"), "create"
        )

    async def replace_access_policy_rule(
        self, server_id: str, policy_id: str, rule_id: str, rule: AccessPolicyRule
    ) -> AccessPolicyRule:
        response = await self._call(
            _Op("replaceAuthorizationServerPolicyRule"),
            "PUT",
            _rule_path(server_id, policy_id, rule_id),
            body=rule.body(),
        )
        return _model(
            AccessPolicyRule, _json_object(response, "replaceAuthorizationServerPolicyRule"), "replace"
        )

    async def activate_access_policy_rule(self, server_id: str, policy_id: str, rule_id: str) -> None:
        await self._call(
            _Op("activateAuthorizationServerPolicyRule"),
            "POST",
            _rule_path(server_id, policy_id, rule_id) + "/lifecycle/activate",
        )

    # -- machinery ---------------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        if not isinstance(self._credentials, SswsToken):
            return text  # a service app's key never goes on the wire; its access tokens stay in auth
        token = self._credentials.token
        if len(token) >= _MIN_REDACTED_LEN and token in text:
            return text.replace(token, "<redacted>")
        return text

    async def _paginate(self, op: _Op, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str = path
        query: dict[str, str] | None = params
        seen: set[str] = set()
        while True:
            response = await self._call(op, "GET", url, params=query)
            items.extend(_json_list(response, op.name))
            link = find_rel(response.headers.get_list("link"), "next")
            if not link:
                return items
            next_url = str(response.request.url.join(link))
            if not same_origin(next_url, self._org_url):
                raise OktaProtocolError(
                    f"Okta {op.name}: refusing to follow a pagination link to another origin "
                    f"({httpx.URL(next_url).scheme}://{httpx.URL(next_url).host})",
                    operation=op.name,
                )
            if next_url in seen:
                raise OktaProtocolError(f"Okta {op.name}: pagination loops back on itself", operation=op.name)
            seen.add(next_url)
            url, query = next_url, None

    async def _call(
        self,
        op: _Op,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        missing_ok: bool = False,
    ) -> httpx.Response:
        """One logical API call with retries. Returns the 2xx response (or the 404 when `missing_ok`)."""
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        policy = self._retry
        may_mutate = method not in ("GET", "HEAD")
        maybe_applied = False
        retry_for: str | None = None
        attempt = 0
        while True:
            attempt += 1
            headers: dict[str, str] = {}
            if attempt > 1:
                headers["X-Okta-Retry-Count"] = str(attempt - 1)
                if retry_for:
                    headers["X-Okta-Retry-For"] = retry_for
            request = self._http.build_request(method, url, params=params, content=content, headers=headers)
            if not same_origin(str(request.url), self._org_url):  # belt and braces: token stays home
                raise OktaProtocolError(
                    f"Okta {op.name}: refusing to send to another origin", operation=op.name
                )
            path = request.url.path
            bucket = bucket_for(method, path)
            paced = 0.0 if self._pacer is None else await self._pacer.acquire(bucket, op.name)
            started = time.monotonic()
            try:
                # The auth flow adds Authorization (and DPoP), getting an access token first if need be.
                response = await self._send(request, bucket)
            except httpx.RequestError as exc:
                self._emit(
                    ResponseInfo(
                        op.name, method, None, None, time.monotonic() - started, bucket, attempt, paced=paced
                    )
                )
                sent = not isinstance(exc, _NOT_SENT)
                maybe_applied = maybe_applied or (sent and may_mutate)
                kind = _transport_error_kind(exc)
                detail = self._redact(str(exc))
                if sent and not op.idempotent:
                    raise OktaUnavailableError(
                        f"Okta {op.name}: {kind} after the request was sent ({detail}); it may have been "
                        "applied, so it was not retried: check Okta before repeating it",
                        maybe_applied=True,
                        operation=op.name,
                    ) from exc
                if attempt >= policy.max_attempts:
                    # A connect failure (DNS, refused, TLS) never got an HTTP answer: the org is unreachable.
                    unreachable = isinstance(exc, _UNREACHABLE) and not maybe_applied
                    raise (OktaUnreachableError if unreachable else OktaUnavailableError)(
                        f"Okta {op.name}: {kind} ({detail}) after {attempt} attempt(s)",
                        maybe_applied=maybe_applied,
                        operation=op.name,
                    ) from exc
                delay = policy.backoff_delay(attempt, self._rng())
                logger.warning(
                    "Okta %s %s: %s; retry %d/%d in %.2fs",
                    op.name, method, kind, attempt, policy.max_attempts - 1, delay,
                )  # fmt: skip
                retry_for = None
                await self._sleep(delay)
                continue

            # A token endpoint's failure carries its own bucket's headers: none of them are this bucket's.
            limits = response.headers if _answers(response, request) else httpx.Headers()
            remaining = parse_int(limits.get("x-rate-limit-remaining"))
            if remaining is not None:
                self._remaining[bucket] = remaining
            self._emit(
                ResponseInfo(
                    op.name,
                    method,
                    response.status_code,
                    remaining,
                    time.monotonic() - started,
                    bucket,
                    attempt,
                    rate_limit_limit=parse_int(limits.get("x-rate-limit-limit")),
                    paced=paced,
                )
            )
            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 404 and missing_ok:
                return response
            request_id = response.headers.get("x-okta-request-id")

            if status == 429:
                server_now = parse_http_date(response.headers.get("date"))
                delay = policy.rate_limit_delay(
                    parse_reset(response.headers.get("x-rate-limit-reset")),
                    server_now if server_now is not None else self._clock(),
                    self._rng(),
                )
                if delay > policy.max_rate_limit_wait or attempt >= policy.max_attempts:
                    raise self._error(op, response, retry_after=delay)
                logger.warning(
                    "Okta %s %s: rate limited (bucket %s); retry %d/%d in %.2fs",
                    op.name, method, bucket, attempt, policy.max_attempts - 1, delay,
                )  # fmt: skip
                retry_for = request_id
                await self._sleep(delay)
                continue

            if 500 <= status <= 599:
                # A service app's token request failed (auth.py returns its answer): the call itself was
                # never sent, so even a create may be retried and nothing may have been applied.
                token_only = response.request.url.path == TOKEN_PATH and response.request is not request
                maybe_applied = maybe_applied or (may_mutate and not token_only)
                if (not op.idempotent and not token_only) or attempt >= policy.max_attempts:
                    raise self._error(op, response, maybe_applied=maybe_applied)
                delay = policy.backoff_delay(attempt, self._rng())
                logger.warning(
                    "Okta %s %s: HTTP %d; retry %d/%d in %.2fs",
                    op.name, method, status, attempt, policy.max_attempts - 1, delay,
                )  # fmt: skip
                retry_for = request_id
                await self._sleep(delay)
                continue

            if 300 <= status <= 399:
                raise OktaProtocolError(
                    f"Okta {status}: unexpected redirect for {op.name} (redirects are never followed)",
                    status=status,
                    request_id=request_id,
                    operation=op.name,
                )
            raise self._error(op, response)

    async def _send(self, request: httpx.Request, bucket: str) -> httpx.Response:
        """Send, and tell the pacer (when there is one) what came back, or that nothing did."""
        if self._pacer is None:
            return await self._http.send(request, auth=self._auth)
        try:
            response = await self._http.send(request, auth=self._auth)
        except BaseException:  # cancellation included: the slot must come back
            self._pacer.release(bucket)
            raise
        if not _answers(response, request):
            # The token endpoint's answer (its 429 or 5xx ends the auth flow): this request never went,
            # and the rate-limit headers are the token endpoint's, not this bucket's.
            self._pacer.release(bucket)
            return response
        self._pacer.observe(
            bucket,
            limit=parse_int(response.headers.get("x-rate-limit-limit")),
            remaining=parse_int(response.headers.get("x-rate-limit-remaining")),
            reset=parse_reset(response.headers.get("x-rate-limit-reset")),
            server_now=parse_http_date(response.headers.get("date")),
        )
        return response

    def _error(
        self,
        op: _Op,
        response: httpx.Response,
        *,
        retry_after: float | None = None,
        maybe_applied: bool = False,
    ) -> OktaError:
        return error_from_response(
            response.status_code,
            response.content,
            reason=response.reason_phrase,
            request_id=response.headers.get("x-okta-request-id"),
            operation=op.name,
            redact=self._redact,
            retry_after=retry_after,
            maybe_applied=maybe_applied,
        )

    def _emit(self, info: ResponseInfo) -> None:
        if self._on_response is None:
            return
        try:
            self._on_response(info)
        except Exception:  # a metrics hook must never break an API call
            logger.exception("Okta on_response hook failed for %s", info.operation)


def _answers(response: httpx.Response, request: httpx.Request) -> bool:
    """Whether `response` is the answer to `request` itself, not to a token request its auth flow made."""
    return response.request.url.path == request.url.path


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")
    return limit


def _profile_name(group: Mapping[str, Any]) -> object:
    profile = group.get("profile")
    return profile.get("name") if isinstance(profile, Mapping) else None


def _decode(response: httpx.Response, operation: str) -> Any:
    if not response.content:
        raise OktaProtocolError(f"Okta {operation}: empty response body", operation=operation)
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise OktaProtocolError(
            f"Okta {response.status_code}: {operation} answered with a non-JSON body",
            status=response.status_code,
            operation=operation,
        ) from exc


def _json_object(response: httpx.Response, operation: str) -> dict[str, Any]:
    data = _decode(response, operation)
    if not isinstance(data, dict):
        raise OktaProtocolError(f"Okta {operation}: expected a JSON object", operation=operation)
    return data


def _policies_path(server_id: str) -> str:
    return f"/api/v1/authorizationServers/{_seg(server_id, 'authorization server id')}/policies"


def _policy_path(server_id: str, policy_id: str) -> str:
    return f"{_policies_path(server_id)}/{_seg(policy_id, 'policy id')}"


def _rule_path(server_id: str, policy_id: str, rule_id: str) -> str:
    return f"{_policy_path(server_id, policy_id)}/rules/{_seg(rule_id, 'rule id')}"


def _model(model: type[_ModelT], data: dict[str, Any], operation: str) -> _ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Field names and types only: Okta's answer stays out of the message.
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise OktaProtocolError(
            f"Okta {operation}: unexpected shape ({problems})", operation=operation
        ) from None


def _json_list(response: httpx.Response, operation: str) -> list[dict[str, Any]]:
    data = _decode(response, operation)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise OktaProtocolError(f"Okta {operation}: expected a JSON array of objects", operation=operation)
    return data


__all__ = ["MAX_PAGE_LIMIT", "USER_AGENT", "OktaClient"]
