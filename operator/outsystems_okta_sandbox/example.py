"""What `make demo` applies and `make sandbox` hands out: the packaged example and the checkout's CRDs.

The example ships inside the product package, so both work from a wheel as well as from a clone; it
is pointed at the Okta sandbox rather than copied, so there is one example to keep right.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import outsystems_okta
from outsystems_okta.api.constants import KIND
from outsystems_okta.yamlio import load_all

EXAMPLE = Path(outsystems_okta.__file__).resolve().parent / "examples" / "integration.yaml"
# A checkout's crds/ when run from one; elsewhere `Stack.install_crds` generates the CRD from the models.
REPO_CRDS = Path(__file__).resolve().parents[2] / "crds"


def load_example(path: Path = EXAMPLE, *, org_url: str | None = None) -> dict[str, Any]:
    """The first OutSystemsOktaIntegration in `path`, with `spec.okta.orgUrl` set to `org_url` if given."""
    for document in load_all(path):
        if document.get("kind") == KIND:
            resource = copy.deepcopy(document)
            if org_url is not None:
                resource["spec"]["okta"]["orgUrl"] = org_url
            resource.setdefault("metadata", {}).setdefault("namespace", "default")
            return resource
    raise SystemExit(f"no {KIND} in {path}")
