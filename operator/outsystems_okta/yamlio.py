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


class YamlFileError(ValueError):
    """A file that cannot be read as YAML; the message is one line, meant for a person."""


def read_documents(path: Path) -> list[Any]:
    """Every YAML document in the file, as loaded (a document may be a list, a string, None...)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise YamlFileError(f"cannot read {path}: not UTF-8 text") from None
    try:
        return list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = " ".join(str(exc.problem or exc.context or "unreadable").split())
        raise YamlFileError(f"{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None


def load_all(path: Path) -> Iterator[dict[str, Any]]:
    """The documents of the file that are mappings (Kubernetes objects); raises `YamlFileError`."""
    for document in read_documents(path):
        if isinstance(document, dict):
            yield document
