"""Kubernetes I/O besides what Kopf does itself: Secrets (read the token, write LifeTime's values) and
the status the scheduler writes."""

from outsystems_okta.kube.client import load_kubernetes_config
from outsystems_okta.kube.namespaces import KubeNamespaces
from outsystems_okta.kube.secrets import KubeSecrets
from outsystems_okta.kube.status import KubeStatus

__all__ = ["KubeNamespaces", "KubeSecrets", "KubeStatus", "load_kubernetes_config"]
