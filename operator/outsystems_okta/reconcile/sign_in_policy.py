"""The sign-in policy step of one pass: checked before the first Okta write, assigned after the apps.

A steady pass costs no call: the policy each app uses is in the app's JSON, which the pass reads
anyway. Only a pass that must assign the policy (a new app, or one an admin moved to another policy)
reads the policy first (`GET /api/v1/policies/{id}`, in Okta's large `/api/v1` rate-limit bucket), so
that a wrong id stops the pass before anything is written rather than after the apps were made.
"""

from __future__ import annotations

from collections.abc import Sequence

from outsystems_okta.okta.errors import OktaNotFoundError
from outsystems_okta.plan.conditions import Reason
from outsystems_okta.plan.sign_in_policy import (
    assigned_message,
    assigned_policy_id,
    needs_assignment,
    policy_refusal,
    unsupported_message,
)
from outsystems_okta.reconcile.apps import AppSurvey, EnsuredApp
from outsystems_okta.reconcile.context import PassContext
from outsystems_okta.reconcile.outcome import EXTERNAL_FIX_DELAY, Failure


class SignInPolicy:
    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.wanted = ctx.spec.okta.sign_in_policy_id
        self.policy_name: str | None = None

    async def check(self, surveys: Sequence[AppSurvey]) -> None:
        """Raise Failure, before any Okta write, when the wanted policy cannot be assigned."""
        wanted = self.wanted
        if wanted is None:
            return
        for survey in surveys:
            observed = survey.observed
            if observed is not None and assigned_policy_id(observed) is None:
                message = unsupported_message(wanted, observed.get("label"), str(observed["id"]))
                raise Failure(Reason.OKTA_FEATURE_NOT_ENABLED, message, None)
        if not any(needs_assignment(wanted, survey.observed) for survey in surveys):
            return
        try:
            policy = await self.ctx.okta.get_policy(wanted)
        except OktaNotFoundError:
            policy = None
        refusal = policy_refusal(wanted, policy)
        if refusal is not None:
            raise Failure(Reason.OKTA_SIGN_IN_POLICY_NOT_FOUND, refusal, EXTERNAL_FIX_DELAY)
        assert policy is not None
        name = policy.get("name")
        self.policy_name = name if isinstance(name, str) else None

    async def ensure(self, ensured: EnsuredApp) -> None:
        """Move the app to the wanted policy unless it uses it already (one PUT, only on change)."""
        wanted, app = self.wanted, ensured.app
        if wanted is None or not needs_assignment(wanted, app):
            return
        app_id, label = str(app["id"]), ensured.survey.want.label
        previous = assigned_policy_id(app)
        if previous is None:
            # A just-created app without the link: the org has no app sign-in policies to assign.
            raise Failure(Reason.OKTA_FEATURE_NOT_ENABLED, unsupported_message(wanted, label, app_id), None)
        await self.ctx.okta.assign_app_policy(app_id, wanted)
        self.ctx.restored.append((ensured.survey.want.role, "signInPolicy"))
        message = assigned_message(wanted, self.policy_name, label, app_id, previous)
        self.ctx.events("Normal", "OktaSignInPolicyAssigned", message)
