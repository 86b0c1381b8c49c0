"""Kubernetes I/O besides what Kopf does itself: Secrets (read the token, write LifeTime's values)."""

from outsystems_okta.kube.client import load_kubernetes_config
from outsystems_okta.kube.namespaces import KubeNamespaces
from outsystems_okta.kube.secrets import KubeSecrets

__all__ = ["KubeNamespaces", "KubeSecrets", "load_kubernetes_config"]
