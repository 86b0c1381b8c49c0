"""Rules on the resource's own name and the names it derives, checked before the first Okta write.

Kubernetes accepts a custom resource name of up to 253 characters, but the operator puts the name in
the output Secret's `okta.outsystems.dev/integration` label, and a label value holds at most 63
(Kubernetes "Labels and Selectors": "must be 63 characters or less"). Found only when the Secret is
written, that is after both Okta apps were made: so the CRD refuses such a name at `kubectl apply` (a
CEL rule at the root, the only place that sees `metadata.name`) and the pass checks it again before it
calls Okta (a resource made before the rule existed, or an API server that skipped it).

The same goes for an output Secret that would be the credentials Secret itself: the pass would find a
Secret it does not own under its output name and stop with SecretConflict, after the apps were made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outsystems_okta.api.spec import IntegrationSpec

# Kubernetes' limit on a label value (apimachinery validation.LabelValueMaxLength).
MAX_NAME_LENGTH = 63
# The default output Secret's name is `<metadata.name>` and this suffix (IntegrationSpec.output_secret_name).
DEFAULT_SECRET_SUFFIX = "-lifetime"

NAME_TOO_LONG = (
    f"metadata.name must be at most {MAX_NAME_LENGTH} characters: the operator puts it in a label "
    "on the output Secret"
)
SECRET_IS_CREDENTIALS = (
    "the output Secret (spec.secretName, default <metadata.name>-lifetime) must not be the credentials "
    "Secret (spec.okta.credentialsSecretRef.name)"
)

_OUTPUT_SECRET = (
    f"(has(self.spec.secretName) ? self.spec.secretName : self.metadata.name + '{DEFAULT_SECRET_SUFFIX}')"
)


def cel_rules() -> list[dict[str, str]]:
    """The CRD's rules at the root of the object, where `self.metadata.name` is visible."""
    return [
        {"rule": f"size(self.metadata.name) <= {MAX_NAME_LENGTH}", "message": NAME_TOO_LONG},
        {
            # `has(self.spec)` first: a missing spec is reported by the schema, not as a CEL error.
            "rule": (
                "!has(self.spec) || !has(self.spec.okta) || "
                f"{_OUTPUT_SECRET} != self.spec.okta.credentialsSecretRef.name"
            ),
            "message": SECRET_IS_CREDENTIALS,
        },
    ]


def name_problems(name: str, spec: IntegrationSpec) -> list[str]:
    """What the CRD's root rules say about this name and spec (empty: nothing), for the pass to repeat."""
    problems: list[str] = []
    if len(name) > MAX_NAME_LENGTH:
        problems.append(f"{NAME_TOO_LONG} ({len(name)} characters)")
    if spec.output_secret_name(name) == spec.okta.credentials_secret_ref.name:
        problems.append(f"{SECRET_IS_CREDENTIALS}: both are {spec.okta.credentials_secret_ref.name!r}")
    return problems
