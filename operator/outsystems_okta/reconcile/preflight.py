"""What the pass checks in Kubernetes before it opens the Okta client: a resource that can never
converge must not leave apps behind it (the spec itself is checked by parse_spec, the token by
credentials).

The output Secret is read here too: a Secret of that name that someone else owns would stop the pass
with SecretConflict only after both apps were made, so it stops it before the first Okta call instead.
The pass reads it again when it writes it (output_secret.read_current), whatever happened in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from outsystems_okta.api.names import name_problems
from outsystems_okta.api.spec import IntegrationSpec
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY
from outsystems_okta.reconcile.output_secret import conflict_message, owned_secret
from outsystems_okta.reconcile.ports import Resource, SecretStore


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    message: str
    retry_after: float | None


def check_names(resource: Resource, spec: IntegrationSpec) -> Refusal | None:
    """The CRD's root rules again (metadata.name, the output Secret's name): a spec change fixes it."""
    problems = name_problems(resource.name, spec)
    if problems:
        return Refusal(Reason.INVALID_SPEC, f"Invalid spec: {'; '.join(problems)}", None)
    return None


async def check_output_secret(
    resource: Resource, spec: IntegrationSpec, secrets: SecretStore
) -> Refusal | None:
    """A foreign Secret under the output name: fixed by its owner or a new spec.secretName (polled)."""
    name = spec.output_secret_name(resource.name)
    existing = await secrets.read(resource.namespace, name)
    if existing is not None and not owned_secret(existing, resource.uid):
        return Refusal(Reason.SECRET_CONFLICT, conflict_message(name), EXTERNAL_FIX_DELAY)
    return None
