"""YAML in and out for the CLI (no anchors or aliases: Kubernetes tooling reads them poorly)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml


class _PlainDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, width=100)


def load_all(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as stream:
        for document in yaml.safe_load_all(stream):
            if isinstance(document, dict):
                yield document
