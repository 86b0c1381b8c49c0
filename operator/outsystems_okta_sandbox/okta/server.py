"""`OktaSandbox`: the emulator as a real HTTP server on loopback, plus `serve_forever` for the CLI."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable, Sequence
from typing import Any

from aiohttp import web

from .app import build_app
from .org_features import OrgFeatures
from .recording import OAuthExchange, RecordedRequest
from .runtime import Runtime
from .service_apps import OrgAuthServer
from .state import SandboxState
from .users import SeedUser


class OktaSandbox:
    """A stateful Okta Management API emulator, with custom authorization servers users sign in to.

    >>> sandbox = OktaSandbox(token="t0ken", groups=["OutSystems Developers"],
    ...                       users=[SeedUser("dev@example.com", groups=["OutSystems Developers"])])
    >>> url = await sandbox.start()          # http://127.0.0.1:<port>
    >>> ...                                   # call it with `Authorization: SSWS t0ken`
    >>> await sandbox.stop()
    """

    def __init__(
        self,
        *,
        token: str,
        rate_limit_per_minute: int | None = None,
        groups: Iterable[str] = (),
        rate_limit_window_seconds: float = 60.0,
        public_url: str | None = None,
        users: Iterable[SeedUser] = (),
        api_access_management: bool = True,
        identity_engine: bool = True,
    ) -> None:
        self._runtime = Runtime(
            token=token,
            groups=groups,
            users=users,
            rate_limit_per_minute=rate_limit_per_minute,
            window_seconds=rate_limit_window_seconds,
            features=OrgFeatures(api_access_management, identity_engine),
        )
        self._public_url = public_url.rstrip("/") if public_url else None
        self._runner: web.AppRunner | None = None

    # ---- what tests inspect ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL (``http://127.0.0.1:43123``); empty until `start()`."""
        return self._runtime.base_url

    @property
    def token(self) -> str:
        return self._runtime.token

    @property
    def state(self) -> SandboxState:
        return self._runtime.state

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every `/api/v1` call in order (cleared by `clear_requests()`/`reset()`)."""
        return self._runtime.requests

    @property
    def oauth_requests(self) -> list[OAuthExchange]:
        """Every call to the `/oauth2/` endpoints in order, secrets redacted (cleared with the log)."""
        return self._runtime.oauth_requests

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        actual_port = sock.getsockname()[1]
        runner = web.AppRunner(build_app(self._runtime), access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._runtime.base_url = self._public_url or _base_url(host, actual_port)
        return self._runtime.base_url

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> OktaSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- test hooks (same as the /__sandbox/ endpoints) -----------------------------------------

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
        """The next `count` matching `/api/v1` calls answer `status` with an Okta error; state untouched."""
        self._runtime.inject_fault(
            status,
            count,
            method=method,
            path_prefix=path_prefix,
            error_code=error_code,
            error_summary=error_summary,
            rate_limit_headers=rate_limit_headers,
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
        """The next `count` matching calls are applied, then the connection drops without a response;
        with `apply_after`, the connection drops at once and the call is applied that many seconds later;
        with `answer`, the applied call is answered with that error status instead."""
        self._runtime.lose_responses(
            count, method=method, path_prefix=path_prefix, apply_after=apply_after, answer=answer
        )

    def set_latency(self, seconds: float) -> None:
        self._runtime.set_latency(seconds)

    def slow_down(
        self, seconds: float, count: int = 1, *, method: str | None = None, path_prefix: str | None = None
    ) -> None:
        """The next `count` matching calls wait `seconds`, then are applied and answered."""
        self._runtime.slow_down(seconds, count, method=method, path_prefix=path_prefix)

    def set_rate_limit(
        self, per_minute: int | None, *, window_seconds: float | None = None, bucket: str | None = None
    ) -> None:
        """Enforce `per_minute` calls per window (every bucket, or just `bucket`); None lifts it."""
        self._runtime.set_rate_limit(per_minute, window_seconds=window_seconds, bucket=bucket)

    def clear_requests(self) -> None:
        self._runtime.clear_requests()

    def reset(self) -> None:
        self._runtime.reset()

    def add_group(self, name: str, description: str | None = None) -> dict[str, Any]:
        """Create an OKTA_GROUP (same rules as `POST /api/v1/groups`); returns the Group JSON."""
        return self._runtime.add_group(name, description)

    def add_user(
        self,
        login: str,
        *,
        groups: Sequence[str] = (),
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """An ACTIVE user in `groups` (names or ids); returns the User JSON (with `groupIds`)."""
        return self._runtime.add_user(
            login, groups=groups, email=email, first_name=first_name, last_name=last_name
        )

    def replace_policies(self, server_id: str, policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace every access policy of a server with `policies` (bodies, each with `rules`)."""
        return self._runtime.replace_policies(server_id, policies)

    def set_auth_server_status(self, server_id: str, status: str) -> dict[str, Any]:
        """ACTIVE or INACTIVE, without a logged API call."""
        return self._runtime.set_auth_server_status(server_id, status)

    def set_features(
        self, *, api_access_management: bool | None = None, identity_engine: bool | None = None
    ) -> dict[str, bool]:
        """An org without API Access Management (custom authorization servers answer 401 E0000015) or
        without Identity Engine (no app sign-in policies); None keeps a feature as it is."""
        return self._runtime.set_features(
            api_access_management=api_access_management, identity_engine=identity_engine
        )

    @property
    def org_auth(self) -> OrgAuthServer:
        """The org authorization server: service apps, issued tokens, nonces."""
        return self._runtime.org_auth

    def add_service_app(self, client_id: str, jwk: dict[str, Any], scopes: Sequence[str]) -> dict[str, Any]:
        """Register an API service app (public JWK, granted `okta.*` scopes) for `private_key_jwt`;
        another call for the same client adds a key and replaces the scopes."""
        return self._runtime.add_service_app(client_id, jwk, scopes)

    def add_sign_in_policy(self, name: str, description: str = "") -> dict[str, Any]:
        """A new app sign-in policy (ACCESS_POLICY, id rst...); returns its Policy JSON."""
        return self._runtime.add_sign_in_policy(name, description)

    def dump_state(self) -> dict[str, Any]:
        return self._runtime.dump_state()


def _base_url(host: str, port: int) -> str:
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def serve_forever(
    host: str,
    port: int,
    token: str,
    groups: Iterable[str] = (),
    rate_limit_per_minute: int | None = None,
    *,
    public_url: str | None = None,
) -> None:
    """Run the sandbox until cancelled (the `outsystems-okta sandbox` command)."""
    sandbox = OktaSandbox(
        token=token, groups=groups, rate_limit_per_minute=rate_limit_per_minute, public_url=public_url
    )
    url = await sandbox.start(host, port)
    print(f"Okta sandbox listening on {url} (Authorization: SSWS <token>)", flush=True)
    try:
        await asyncio.Event().wait()  # until cancelled (Ctrl-C under asyncio.run)
    finally:
        await sandbox.stop()
