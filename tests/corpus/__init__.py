"""The bad-input corpus: one YAML file per bad resource or situation, with the outcome it must have.

Every case is either refused when it is applied (tier `apply`: the CRD's schema and CEL rules, checked
through the Kubernetes emulator, with the field and a fragment of the message `kubectl apply` shows)
or, when only the pass can see it (tier `pass`: the token, a Secret, Okta's answer), ends Ready=False
with a reason and a message fragment, before any Okta write. An `apply` case is also run through the
pass as if the API server had let it in (a resource stored before a rule existed): it must end
InvalidSpec, and Okta must not even be called.

A case file:

    description: what is wrong, in a line
    tier: apply | pass
    name: the resource's metadata.name (default factory)
    spec: merged into the base spec below; a null removes a key; lists are replaced
    credentials:          # pass tier: the token Secret `okta-api` (default: the sandbox's good token)
      absent: true        #   no Secret at all
      key: token          #   the key it is stored under (default apiToken)
      value: "..."        #   the text; {token} is the good token
      repeat: 1000        #   the value, this many times over
      base64: "..."       #   raw data (for bytes that are not text)
    secrets:              # pass tier: other Secrets in the namespace, none owned by the resource
      - name: factory-lifetime
    okta:                 # pass tier: how the Okta emulator answers
      fault: {status: 403, count: 100, method: GET, pathPrefix: /api/v1/authorizationServers}
    insecure: true        # pass tier: the operator runs without --allow-insecure-loopback
    expect:
      field: spec.okta.orgUrl          # apply tier: the cause's field
      message: [fragments]             # apply: in that cause's message; pass: in Ready's message
      reason: OktaAuthFailed           # pass tier
      okta: none | reads               # pass tier: no Okta request at all, or reads only (default none)
    e2e: true             # pass tier: also through the real operator process (tests/e2e)
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
NAMESPACE = "outsystems"
NAME = "factory"
CREDENTIALS = "okta-api"
MIN_CASES = 60


def base_spec(org_url: str) -> dict[str, Any]:
    return {
        "okta": {"orgUrl": org_url, "credentialsSecretRef": {"name": CREDENTIALS}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [
            {"name": "dev", "hostname": "dev.acme.com"},
            {"name": "prod", "hostname": "prod.acme.com"},
        ],
    }


def merged(base: Any, change: Any) -> Any:
    """`change` over `base` as a JSON merge patch (RFC 7386): null removes, lists are replaced."""
    if not isinstance(change, dict) or not isinstance(base, dict):
        return copy.deepcopy(change)
    out = copy.deepcopy(base)
    for key, value in change.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merged(out.get(key), value)
    return out


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    tier: str
    name: str
    spec_change: dict[str, Any]
    expect: dict[str, Any]
    credentials: dict[str, Any] = field(default_factory=dict)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    okta: dict[str, Any] = field(default_factory=dict)
    insecure: bool = False
    e2e: bool = False

    def spec(self, org_url: str) -> dict[str, Any]:
        result: dict[str, Any] = merged(base_spec(org_url), self.spec_change)
        return result

    def messages(self) -> list[str]:
        wanted = self.expect.get("message") or []
        return [wanted] if isinstance(wanted, str) else list(wanted)


def _case(path: Path) -> Case:
    raw = yaml.safe_load(path.read_text())
    known = {
        "description",
        "tier",
        "name",
        "spec",
        "credentials",
        "secrets",
        "okta",
        "insecure",
        "expect",
        "e2e",
    }
    unknown = set(raw) - known
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    tier = raw["tier"]
    assert tier in ("apply", "pass"), f"{path.name}: tier must be apply or pass"
    expect = raw["expect"]
    if tier == "apply":
        assert set(expect) <= {"field", "message"} and "field" in expect and "message" in expect, path.name
        assert not (set(raw) & {"credentials", "secrets", "okta", "insecure", "e2e"}), path.name
    else:
        assert "reason" in expect and "message" in expect, path.name
        assert expect.get("okta", "none") in ("none", "reads"), path.name
    return Case(
        id=path.stem,
        description=raw["description"],
        tier=tier,
        name=raw.get("name", NAME),
        spec_change=raw.get("spec") or {},
        expect=expect,
        credentials=raw.get("credentials") or {},
        secrets=raw.get("secrets") or [],
        okta=raw.get("okta") or {},
        insecure=bool(raw.get("insecure", False)),
        e2e=bool(raw.get("e2e", False)),
    )


def load() -> list[Case]:
    return [_case(path) for path in sorted(HERE.glob("*.yaml"))]


def of_tier(tier: str) -> list[Case]:
    return [case for case in load() if case.tier == tier]


def summary() -> str:
    cases = load()
    apply = sum(case.tier == "apply" for case in cases)
    passes = sum(case.tier == "pass" for case in cases)
    e2e = sum(case.e2e for case in cases)
    return (
        f"bad-input corpus: {len(cases)} cases: {apply} refused at apply (CRD schema/CEL, also re-checked "
        f"by the pass), {passes} refused by the pass before any Okta write, {e2e} of them also end to end"
    )


def token_value(case: Case, good_token: str) -> bytes | None:
    """The bytes stored in the credentials Secret (None: no Secret)."""
    creds = case.credentials
    if creds.get("absent"):
        return None
    if "base64" in creds:
        return base64.b64decode(creds["base64"])
    text = str(creds.get("value", "{token}")).replace("{token}", good_token)
    return (text * int(creds.get("repeat", 1))).encode()
