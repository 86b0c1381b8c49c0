"""A stateful Kubernetes API emulator over real HTTP, built on kmock, for tests and the demo.

Kopf, the official `kubernetes` client and kubectl run against it unchanged::

    with background_sandbox() as sandbox:                     # or: await KubeSandbox().start()
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        ...  # KUBECONFIG=<kubeconfig> python -m kopf run --standalone -A handlers.py
        assert sandbox.get("secrets", "x", "default") is not None
        rules = sandbox.rbac_rules()                          # what the calls so far needed

Modules: `cluster` (the API server's write rules), `schema` (CRD structural schemas), `cel` (CRD
validation rules, `x-kubernetes-validations`, evaluated with cel-python), `garbage`
(ownerReference GC, namespace and CRD cleanup), `watching` (watch streams), `store` (kmock's object
array + the change log), `emulator` (HTTP, the kmock subclass), `server` (`KubeSandbox`).

Known gaps, on purpose: validation ratcheting is not done; CEL rules run without a cost budget and
without the Kubernetes CEL libraries cel-python lacks (a rule calling one fails with a 500 naming it);
no RBAC/authorization (any bearer token or none; `require_token=True` checks one token),
no admission webhooks, no built-in controllers beyond GC/namespaces/CRDs (no Pods, Deployments...);
server-side apply is approximated (no managedFields, no field ownership conflicts); protobuf bodies
are decoded only for what `kubectl create secret|configmap|namespace|serviceaccount` sends; CRD
conversion is `None` only (versions share the storage, only apiVersion differs).
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
