"""A stateful Kubernetes API emulator over real HTTP, built on kmock, for tests and the demo.

Kopf, the official `kubernetes` client and kubectl (with `--validate=false`) run against it unchanged::

    with background_sandbox() as sandbox:
        sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        ...  # KUBECONFIG=... kopf run --standalone -A handlers.py
        assert sandbox.get("secrets", "x", "default") is not None

See cluster.py for the API rules implemented, schema.py for CRD schemas (CEL rules are ignored),
garbage.py for the controllers, watching.py for watch streams.
"""

from .emulator import KubeEmulator
from .errors import ApiError, FieldError
from .kubeconfig import kubeconfig
from .recording import RecordedKubeRequest, rbac_rules
from .resources import ResourceType
from .server import KubeSandbox, background_sandbox

__all__ = [
    "ApiError",
    "FieldError",
    "KubeEmulator",
    "KubeSandbox",
    "RecordedKubeRequest",
    "ResourceType",
    "background_sandbox",
    "kubeconfig",
    "rbac_rules",
]
