"""`KubeSandbox`: the emulator served over real HTTP on loopback, with read access for tests."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp.web

from ..background import BackgroundLoop
from .emulator import KubeEmulator
from .kubeconfig import write_kubeconfig
from .recording import RecordedKubeRequest, rbac_rules

T = TypeVar("T")


class KubeSandbox:
    """A Kubernetes API emulator on `http://127.0.0.1:<port>`.

    Start and stop it on the event loop that should serve it (`await sandbox.start()`); code on
    other threads (tests with blocking clients, subprocesses) may then use `url`, `objects()`,
    `get()`, `create()` and `delete()`, which hop onto the serving loop. `background_sandbox()`
    runs one on its own thread.

    `objects()` / `get()` return deep copies of the stored objects in their served form; resources
    are named as kubectl names them: `secrets`, `secret`, `Secret`, `crd`, `osokta`,
    `widgets.example.com`, or `example.com/v1/widgets` for a specific version.

    `token` goes into kubeconfigs; only with `require_token=True` must requests carry it.
    The `emulator` (a kmock `KubernetesEmulator`) accepts kmock's DSL to script faults, e.g.
    `sandbox.emulator["get /api/v1/namespaces/default/secrets/x"][:1] << 503`.

    kmock's own `Server` is not used: its DNS interceptor patches aiohttp process-wide and must be
    exited in LIFO order, which breaks when several emulators start and stop independently.
    """

    def __init__(
        self,
        *,
        token: str | None = "kube-sandbox",
        require_token: bool = False,
        bookmark_interval: float = 15.0,
        watch_timeout: float = 1800.0,
    ) -> None:
        self.token = token
        self.emulator = KubeEmulator(
            token=token if require_token else None,
            bookmark_interval=bookmark_interval,
            watch_timeout=watch_timeout,
        )
        self.url = ""
        self._runner: aiohttp.web.BaseRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None

    # --- lifecycle ----------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._runner is not None:
            raise RuntimeError("The sandbox is already started.")
        self.emulator.cluster.store.reopen()
        await self.emulator.__aenter__()
        server = aiohttp.web.Server(self.emulator, handler_cancellation=True)
        runner = aiohttp.web.ServerRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await aiohttp.web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            await self.emulator.__aexit__(None, None, None)
            raise
        bound_host, bound_port = runner.addresses[0][:2]
        self._runner = runner
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self.emulator.server_address = f"{bound_host}:{bound_port}"
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is None:
            return
        self.emulator.cluster.store.close()  # ends the watch streams
        await self._runner.cleanup()
        await self.emulator.__aexit__(None, None, None)
        self._runner = None

    def write_kubeconfig(self, path: Path, namespace: str = "default") -> Path:
        """Write a kubeconfig for `url` (plain http, the bearer token if any) and return its path."""
        if not self.url:
            raise RuntimeError("Start the sandbox before writing a kubeconfig.")
        return write_kubeconfig(path, self.url, namespace, self.token)

    # --- records ------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedKubeRequest]:
        """Every API call served so far, in order (watches are recorded when they start)."""
        return self.emulator.recorded

    def rbac_rules(self) -> list[dict[str, Any]]:
        """ClusterRole rules covering the resource requests served so far."""
        return rbac_rules(self.requests)

    # --- state access for tests ---------------------------------------------------------------------

    def _call(self, fn: Callable[[], T]) -> T:
        """Run on the serving loop: directly if on its thread or not started, else via the loop."""
        loop = self._loop
        if loop is None or self._thread == threading.get_ident() or not loop.is_running():
            return fn()

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=30)

    def objects(
        self, resource: str, namespace: str | None = None, *, label_selector: str | None = None
    ) -> list[dict[str, Any]]:
        """Objects of a resource (all namespaces unless `namespace`), sorted by namespace and name."""
        cluster = self.emulator.cluster

        def read() -> list[dict[str, Any]]:
            rt = cluster.resolve(resource)
            return cluster.list_objects(rt, namespace, label_selector)

        return self._call(read)

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """One object, or None if it does not exist (for namespaced resources, `namespace` is needed)."""
        cluster = self.emulator.cluster

        def read() -> dict[str, Any] | None:
            rt = cluster.resolve(resource)
            stored = cluster.store.get(*cluster.key(rt, namespace, name))
            return None if stored is None else cluster.to_served(rt, stored)

        return self._call(read)

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create an object by its apiVersion/kind, with all the API rules (namespace defaults to
        `default` for namespaced kinds). Raises `ApiError` as the API would answer."""
        cluster = self.emulator.cluster

        def write() -> dict[str, Any]:
            rt = cluster.registry.by_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
            if rt is None:
                raise KeyError(f"Unknown kind: {obj.get('apiVersion')} {obj.get('kind')}")
            namespace = (obj.get("metadata") or {}).get("namespace") or "default" if rt.namespaced else None
            created, _ = cluster.create(rt, namespace, obj)
            return created

        return self._call(write)

    def delete(self, resource: str, name: str, namespace: str | None = None) -> None:
        """Delete an object as `DELETE` would (finalizers respected)."""
        cluster = self.emulator.cluster

        def write() -> None:
            cluster.delete(cluster.resolve(resource), namespace, name)

        self._call(write)


@contextlib.contextmanager
def background_sandbox(
    host: str = "127.0.0.1", port: int = 0, sandbox: KubeSandbox | None = None
) -> Iterator[KubeSandbox]:
    """Serve a sandbox from a daemon thread of its own for the duration of the `with` block."""
    sandbox = sandbox if sandbox is not None else KubeSandbox()
    with BackgroundLoop("kube-sandbox") as loop:
        loop.run(sandbox.start(host, port))
        try:
            yield sandbox
        finally:
            loop.run(sandbox.stop())
