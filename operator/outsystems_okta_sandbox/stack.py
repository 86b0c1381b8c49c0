"""The whole product on one machine: both emulators, the CRD, and the real operator as a subprocess.

`outsystems-okta demo` and the end-to-end tests drive exactly this, so the demo users run is the path
the suite proves.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import kubernetes

from outsystems_okta.api.constants import GROUP, PLURAL, VERSION
from outsystems_okta.api.crd import custom_resource_definition
from outsystems_okta_sandbox.background import BackgroundLoop
from outsystems_okta_sandbox.kubernetes import KubeSandbox
from outsystems_okta_sandbox.okta import OktaSandbox, SeedUser

# Kopf's peering resources (crds/kopfpeerings.kopf.dev.yaml, crds/clusterkopfpeerings.kopf.dev.yaml).
PEERING_GROUP = "kopf.dev"


class OperatorProcess:
    """One `outsystems-okta run` process, its output appended to its own log file."""

    def __init__(self, command: list[str], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        self._stream: IO[bytes] | None = log.open("ab")
        self.process = subprocess.Popen(
            command, env=dict(env), stdout=self._stream, stderr=subprocess.STDOUT, start_new_session=True
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def check_alive(self) -> None:
        """Raise when it exited on its own: neither stopped (0) nor killed by a test (SIGKILL)."""
        code = self.process.poll()
        if code is not None and code not in (0, -signal.SIGKILL):
            raise RuntimeError(f"the operator exited with {code}; see {self.log}")

    def stop(self, *, kill: bool = False, timeout: float = 15.0) -> None:
        """SIGTERM (Kopf's graceful exit) or SIGKILL, then wait; its log is closed either way."""
        if self.running():
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class Stack:
    """Emulators on a background event loop, and the operator process on demand.

    `workdir` holds the kubeconfig and, unless `operator_log` says otherwise, `operator.log`. One
    stack, one log: it is emptied when the stack starts (the emulators start empty too, so an older
    log would name apps and ports that no longer exist) and appended to across operator restarts.
    `spawn_operator` runs more operator processes beside it (replicas in a Kopf peering), each with a
    log of its own.
    `namespace` is the kubeconfig context's, the one kubectl uses without `-n`. Port 0 is any free one.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        okta_token: str | None = None,
        groups: Iterable[str] = (),
        users: Iterable[SeedUser] = (),
        drift_interval: float = 600.0,
        operator_log: Path | None = None,
        namespace: str = "default",
        okta_port: int = 0,
        kube_port: int = 0,
    ) -> None:
        self.workdir = workdir
        self.okta_token = okta_token or "ssws-" + secrets.token_urlsafe(24)
        self.drift_interval = drift_interval
        self.namespace = namespace
        self.ports = (okta_port, kube_port)
        self.loop = BackgroundLoop()
        self.okta = OktaSandbox(token=self.okta_token, groups=list(groups), users=list(users))
        self.kube = KubeSandbox()
        self.okta_url = ""
        self.kube_url = ""
        self.kubeconfig = workdir / "kubeconfig"
        self.operator_log = operator_log or workdir / "operator.log"
        self.operator: OperatorProcess | None = None
        self.processes: list[OperatorProcess] = []
        self._api: kubernetes.client.ApiClient | None = None

    # --- emulators -------------------------------------------------------------------------------

    def start(self) -> Stack:
        okta_port, kube_port = self.ports
        self.okta_url = self.loop.run(self.okta.start("127.0.0.1", okta_port))
        self.kube_url = self.loop.run(self.kube.start("127.0.0.1", kube_port))
        self.kube.write_kubeconfig(self.kubeconfig, self.namespace)
        self.operator_log.parent.mkdir(parents=True, exist_ok=True)
        self.operator_log.write_bytes(b"")
        return self

    @property
    def api(self) -> kubernetes.client.ApiClient:
        if self._api is None:
            self._api = kubernetes.config.new_client_from_config(config_file=str(self.kubeconfig))
        return self._api

    def install_crds(self, crd_dir: Path | None = None) -> None:
        """Apply the CRDs from `crds/` (or the generated one) as `kubectl apply -f crds/` would."""
        from outsystems_okta.yamlio import load_all

        documents: list[dict[str, Any]] = []
        if crd_dir is not None and crd_dir.is_dir():
            for path in sorted(crd_dir.glob("*.yaml")):
                documents.extend(load_all(path))
        if not documents:
            documents = [custom_resource_definition()]
        ext = kubernetes.client.ApiextensionsV1Api(self.api)
        for crd in documents:
            ext.create_custom_resource_definition(crd)

    def ensure_namespace(self, name: str) -> None:
        core = kubernetes.client.CoreV1Api(self.api)
        try:
            core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        except kubernetes.client.exceptions.ApiException as exc:
            if exc.status != 409:
                raise

    def create_credentials(self, namespace: str, name: str = "okta-api", token: str | None = None) -> None:
        core = kubernetes.client.CoreV1Api(self.api)
        core.create_namespaced_secret(
            namespace,
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "namespace": namespace},
                "stringData": {"apiToken": token if token is not None else self.okta_token},
            },
        )

    # --- the custom resource -----------------------------------------------------------------------

    @property
    def custom(self) -> kubernetes.client.CustomObjectsApi:
        return kubernetes.client.CustomObjectsApi(self.api)

    def apply(self, resource: Mapping[str, Any]) -> dict[str, Any]:
        meta = resource["metadata"]
        result: dict[str, Any] = self.custom.create_namespaced_custom_object(
            GROUP, VERSION, meta["namespace"], PLURAL, dict(resource)
        )
        return result

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = self.custom.get_namespaced_custom_object(
                GROUP, VERSION, namespace, PLURAL, name
            )
        except kubernetes.client.exceptions.ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return result

    def patch_spec(self, namespace: str, name: str, spec: Mapping[str, Any]) -> None:
        self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, name, {"spec": dict(spec)}
        )

    def delete(self, namespace: str, name: str) -> None:
        self.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)

    def wait_for(
        self, namespace: str, name: str, predicate: Any, timeout: float = 30.0, interval: float = 0.1
    ) -> dict[str, Any] | None:
        """Poll the resource until `predicate(obj)` is true; return the object (None if it is gone)."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            last = self.get(namespace, name)
            if predicate(last):
                return last
            self.check_operator_alive()
            time.sleep(interval)
        raise TimeoutError(f"{namespace}/{name} did not reach the expected state in {timeout}s; last: {last}")

    def wait_ready(self, namespace: str, name: str, timeout: float = 30.0) -> dict[str, Any]:
        def ready(obj: dict[str, Any] | None) -> bool:
            if not obj:
                return False
            status = obj.get("status") or {}
            generation = (obj.get("metadata") or {}).get("generation")
            return status.get("observedGeneration") == generation and any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
            )

        obj = self.wait_for(namespace, name, ready, timeout)
        assert obj is not None
        return obj

    def read_secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        core = kubernetes.client.CoreV1Api(self.api)
        try:
            response = core.read_namespaced_secret(name, namespace, _preload_content=False)
        except kubernetes.client.exceptions.ApiException as exc:
            if exc.status == 404:
                return None
            raise
        import json

        data: dict[str, Any] = json.loads(response.data)
        return data

    # --- the operator process ----------------------------------------------------------------------

    def operator_command(
        self, *extra: str, namespaces: Iterable[str] = (), peering: str | None = None
    ) -> list[str]:
        """`outsystems-okta run`, watching the given namespaces, or all of them when none are given;
        standalone, or in the Kopf peering named `peering`."""
        scope = [arg for ns in namespaces for arg in ("--namespace", ns)] or ["--all-namespaces"]
        return [
            sys.executable,
            "-m",
            "outsystems_okta.cli",
            "run",
            *scope,
            *(["--standalone"] if peering is None else ["--peering", peering]),
            "--allow-insecure-loopback",
            "--drift-interval",
            str(self.drift_interval),
            *extra,
        ]

    def start_operator(
        self, *extra: str, namespaces: Iterable[str] = (), peering: str | None = None
    ) -> subprocess.Popen[bytes]:
        """The stack's operator, logging to `operator_log`; one at a time."""
        if self.operator is not None and self.operator.running():
            raise RuntimeError("the operator is already running")
        self.operator = self.spawn_operator(*extra, namespaces=namespaces, peering=peering)
        return self.operator.process

    def spawn_operator(
        self,
        *extra: str,
        namespaces: Iterable[str] = (),
        peering: str | None = None,
        log: Path | None = None,
        identity: str | None = None,
    ) -> OperatorProcess:
        """One more operator process (a replica), with its own `log` (default: `operator_log`).

        `identity` is the name it has in a peering (Kopf reads it from `POD_ID`, as in a pod); every
        process started here is stopped by `close`.
        """
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig), "PYTHONUNBUFFERED": "1"}
        env.pop("KUBERNETES_SERVICE_HOST", None)
        env.pop("POD_ID", None)
        if identity is not None:
            env["POD_ID"] = identity
        command = self.operator_command(*extra, namespaces=namespaces, peering=peering)
        process = OperatorProcess(command, env, log or self.operator_log)
        self.processes.append(process)
        return process

    def operator_watching(self) -> bool:
        """Whether the operator has opened its watch on the custom resources (so it sees every change)."""
        return self.kube_watching(PLURAL)

    def kube_watching(self, resource: str) -> bool:
        """Whether some client has opened a watch on `resource` (a plural)."""
        return any(r.verb == "watch" and r.resource == resource for r in list(self.kube.requests))

    def check_operator_alive(self) -> None:
        for process in self.processes:
            process.check_alive()

    def stop_operator(self, *, kill: bool = False, timeout: float = 15.0) -> None:
        operator, self.operator = self.operator, None
        if operator is not None:
            operator.stop(kill=kill, timeout=timeout)

    # --- Kopf peering (several operators, one acting) -----------------------------------------------

    def create_peering(self, name: str, namespace: str | None = None) -> None:
        """The peering object that `--peering NAME` joins: namespaced with --namespace, else cluster-wide."""
        body = {"apiVersion": f"{PEERING_GROUP}/v1", "metadata": {"name": name}}
        if namespace is None:
            body["kind"] = "ClusterKopfPeering"
            self.custom.create_cluster_custom_object(PEERING_GROUP, "v1", "clusterkopfpeerings", body)
        else:
            body["kind"] = "KopfPeering"
            self.custom.create_namespaced_custom_object(PEERING_GROUP, "v1", namespace, "kopfpeerings", body)

    def peers(self, name: str, namespace: str | None = None) -> dict[str, Any]:
        """The live entries of a peering object's status: identity -> {priority, lifetime, lastseen}."""
        if namespace is None:
            obj = self.custom.get_cluster_custom_object(PEERING_GROUP, "v1", "clusterkopfpeerings", name)
        else:
            obj = self.custom.get_namespaced_custom_object(
                PEERING_GROUP, "v1", namespace, "kopfpeerings", name
            )
        return dict(obj.get("status") or {})

    def stop_operators(self) -> None:
        """Stop every operator process this stack started (SIGTERM, as Kubernetes does)."""
        self.stop_operator()
        for process in self.processes:
            process.stop()

    def close(self) -> None:
        self.stop_operators()
        if self._api is not None:
            self._api.close()
        try:
            self.loop.run(self.kube.stop())
            self.loop.run(self.okta.stop())
        finally:
            self.loop.close()

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            # A port already taken, say: `__exit__` will not run, so stop what did start.
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()
