"""Configuration of the official `kubernetes` client: in-cluster first, then kubeconfig."""

from __future__ import annotations

import kubernetes


def load_kubernetes_config() -> kubernetes.client.ApiClient:
    try:
        kubernetes.config.load_incluster_config()
    except kubernetes.config.ConfigException:
        kubernetes.config.load_kube_config()
    return kubernetes.client.ApiClient()
