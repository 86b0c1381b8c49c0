"""Kubeconfig files pointing at the emulator (plain http, bearer token)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kube-sandbox"


def kubeconfig(url: str, namespace: str = "default", token: str | None = None) -> dict[str, Any]:
    user: dict[str, Any] = {"token": token} if token else {}
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": url}}],
        "users": [{"name": CONTEXT, "user": user}],
        "contexts": [
            {"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }


def write_kubeconfig(path: Path, url: str, namespace: str = "default", token: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(kubeconfig(url, namespace, token), sort_keys=False))
    path.chmod(0o600)
    return path
