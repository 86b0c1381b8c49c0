"""What every step of one reconcile pass shares: the resource, its spec, the clients, and the status
the pass has learned so far (kept even when a later step fails, so nothing done is forgotten)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outsystems_okta.api.spec import IntegrationSpec
from outsystems_okta.blueprint import Owner
from outsystems_okta.plan.access_policies import Verdict
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.ports import EventSink, OktaApi, Resource, SecretStore, StatusStore


class PassContext:
    def __init__(
        self,
        resource: Resource,
        spec: IntegrationSpec,
        okta: OktaApi,
        secrets: SecretStore,
        events: EventSink,
        options: Options,
        status_store: StatusStore | None = None,
        restored: list[tuple[str, str]] | None = None,
    ) -> None:
        self.resource = resource
        self.spec = spec
        self.okta = okta
        self.secrets = secrets
        self.events = events
        self.options = options
        # Writes status before the pass ends, for a step that must be on record before its next write.
        self.status_store = status_store
        self.owner = Owner(resource.namespace, resource.name, resource.uid)
        # The status fields this pass found out; merged into `.status` whatever the outcome.
        self.status: dict[str, Any] = {}
        # (app, field) of every write that put an existing Okta object back as the spec wants it
        # (not a create or an adoption): drift corrections when the spec did not change (plan/drift.py).
        self.restored: list[tuple[str, str]] = restored if restored is not None else []
        # Whether the assigned groups can sign in (AuthorizationServerReady); None until checked.
        self.sign_in: Verdict | None = None
        # Seconds until a step of a multi-step operation (a client secret rotation) wants the next
        # pass; None: no hurry.
        self.follow_up: float | None = None
        # Every app of the org, as the survey read it (apps.org_apps); None until read.
        self.org_apps: list[dict[str, Any]] | None = None

    def previous(self, role: str) -> Mapping[str, Any]:
        """What the last pass recorded in status for one app (`consoles`, `developmentTools`)."""
        previous = self.resource.status.get(role)
        return previous if isinstance(previous, Mapping) else {}
