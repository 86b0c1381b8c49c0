"""Everything one running sandbox holds, and the test-hook operations on it.

Shared by the aiohttp layer (`middleware`, `routes`, `hooks`) and the Python API (`OktaSandbox`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import render
from .faults import FaultInjector, FaultRule, LossRule, Selector, SlowRule
from .org_features import OrgFeatures
from .ratelimit import RateLimiter
from .recording import OAuthExchange, RecordedRequest
from .service_apps import OrgAuthServer
from .state import SandboxState
from .users import SeedUser


class Runtime:
    def __init__(
        self,
        *,
        token: str,
        groups: Iterable[str] = (),
        users: Iterable[SeedUser] = (),
        rate_limit_per_minute: int | None = None,
        window_seconds: float = 60.0,
        features: OrgFeatures | None = None,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self.token = token
        self.state = SandboxState(groups, users, features)
        self.faults = FaultInjector()
        self._initial_rate = (rate_limit_per_minute, window_seconds)
        self.limiter = RateLimiter(rate_limit_per_minute, window_seconds)
        self.requests: list[RecordedRequest] = []
        self.oauth_requests: list[OAuthExchange] = []
        # API service apps and their tokens: configuration like `token`, so `reset()` keeps them.
        self.org_auth = OrgAuthServer()
        self.base_url = ""

    # ---- hooks ----------------------------------------------------------------------------------

    def inject_fault(
        self,
        status: int,
        count: int = 1,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        error_code: str | None = None,
        error_summary: str | None = None,
        rate_limit_headers: bool = True,
    ) -> None:
        self.faults.add_fault(
            FaultRule(
                status, count, Selector(method, path_prefix), error_code, error_summary, rate_limit_headers
            )
        )

    def lose_responses(
        self,
        count: int = 1,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        apply_after: float = 0.0,
        answer: int | None = None,
    ) -> None:
        self.faults.add_loss(LossRule(count, Selector(method, path_prefix), apply_after, answer))

    def slow_down(
        self, seconds: float, count: int = 1, *, method: str | None = None, path_prefix: str | None = None
    ) -> None:
        self.faults.add_slow(SlowRule(seconds, count, Selector(method, path_prefix)))

    def set_latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self.faults.latency = seconds

    def set_rate_limit(
        self, per_minute: int | None, *, window_seconds: float | None = None, bucket: str | None = None
    ) -> None:
        self.limiter.configure(per_minute, window_seconds=window_seconds, bucket=bucket)

    def clear_requests(self) -> None:
        self.requests.clear()
        self.oauth_requests.clear()

    def reset(self) -> None:
        """Seeded state, no faults/latency, empty log, the constructor's rate limit."""
        self.state.reset()
        self.faults.clear()
        self.clear_requests()
        per_minute, window = self._initial_rate
        self.limiter.configure(per_minute, window_seconds=window)

    def add_service_app(self, client_id: str, jwk: dict[str, Any], scopes: Sequence[str]) -> dict[str, Any]:
        record = self.org_auth.register(client_id, jwk, list(scopes))
        return {"clientId": record.client_id, "keys": record.keys, "scopes": sorted(record.scopes)}

    def add_group(self, name: str, description: str | None = None) -> dict[str, Any]:
        return render.group(self.state.add_group(name, description), self.base_url)

    def add_user(
        self,
        login: str,
        *,
        groups: Sequence[str] = (),
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        user = self.state.add_user(
            login, groups=groups, email=email, first_name=first_name, last_name=last_name
        )
        return render.user(user, self.base_url)

    def replace_policies(self, server_id: str, policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        server = self.state.get_auth_server(server_id)
        return [
            {
                **render.policy(server_id, policy, self.base_url),
                "rules": [render.rule(server_id, policy.id, rule, self.base_url) for rule in policy.rules],
            }
            for policy in server.policies.replace_all(policies)
        ]

    def set_auth_server_status(self, server_id: str, status: str) -> dict[str, Any]:
        return render.auth_server(self.state.set_auth_server_status(server_id, status), self.base_url)

    def set_features(
        self, *, api_access_management: bool | None = None, identity_engine: bool | None = None
    ) -> dict[str, bool]:
        """Switch what the org's Okta plan includes (until the next reset)."""
        features = self.state.features
        if api_access_management is not None:
            features.api_access_management = api_access_management
        if identity_engine is not None:
            features.identity_engine = identity_engine
        return {
            "apiAccessManagement": features.api_access_management,
            "identityEngine": features.identity_engine,
        }

    def add_sign_in_policy(self, name: str, description: str = "") -> dict[str, Any]:
        return render.org_policy(self.state.policies.add_access_policy(name, description), self.base_url)

    def set_secret_created(self, app_id: str, secret_id: str, created: str) -> dict[str, Any]:
        return render.secret(app_id, self.state.set_secret_created(app_id, secret_id, created), self.base_url)

    def dump_state(self) -> dict[str, Any]:
        return render.state_dump(self.state, self.base_url)
