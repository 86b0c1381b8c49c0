"""Who may sign in: resolve the spec's Okta groups, assign them to an app, unassign only our own."""

from __future__ import annotations

from outsystems_okta.blueprint import DesiredApp
from outsystems_okta.okta.errors import OktaNotFoundError
from outsystems_okta.plan.access import (
    AssignmentPlan,
    assigned_group_names,
    describe_group,
    managed_after,
    plan_assignments,
)
from outsystems_okta.reconcile.context import PassContext

EVERYONE = "Everyone"


class GroupAccess:
    """The access step of one pass; remembers group names (for messages) and groups it had to keep."""

    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        # Okta group names by id, for messages: from the spec's lookups and the assignments' listing.
        self.group_names: dict[str, str] = {}
        # Groups left assigned, though no longer wanted, because a listed group was not found.
        self.kept_groups: dict[str, None] = {}
        # The apps of each group, as this pass read them before its writes (only membership of the
        # app being surveyed is asked, and no write of this pass changes another app's).
        self._group_apps: dict[str, set[str]] = {}

    async def resolve(self) -> tuple[list[str], list[str]]:
        """Ids of the spec's groups, and the names of those Okta does not have."""
        ids: list[str] = []
        missing: list[str] = []
        okta, access = self.ctx.okta, self.ctx.spec.access
        if access.everyone:
            # Okta's own Everyone group, not a group an admin happened to call "Everyone".
            group = await okta.find_group(EVERYONE, type_="BUILT_IN")
            if group is None:
                missing.append(EVERYONE)
            else:
                ids.append(str(group["id"]))
                self.group_names[str(group["id"])] = EVERYONE
        for name in access.groups:
            group = await okta.find_group(name)
            if group is None:
                missing.append(name)
            else:
                ids.append(str(group["id"]))
                self.group_names[str(group["id"])] = name
        return ids, missing

    async def survey(
        self, app_id: str | None, previous: list[str], group_ids: list[str], complete: bool
    ) -> AssignmentPlan:
        """The assignments to add to and remove from an app; `app_id` None: an app about to be created,
        which has none yet (no need to ask Okta)."""
        current: set[str] = set()
        if app_id is not None:
            # Per group, not per app: one listing of a group's apps serves both apps of this pass and
            # every integration of the org sharing the read (okta.shared_reads). Only the spec's groups
            # and ours from before matter: nothing else is ever assigned or unassigned.
            for gid in dict.fromkeys([*group_ids, *previous]):
                if app_id in await self._apps_of(gid):
                    current.add(gid)
        plan = plan_assignments(group_ids, current, previous, complete=complete)
        unnamed = [gid for gid in (*plan.unassign, *plan.kept) if gid not in self.group_names]
        if unnamed and app_id is not None:
            # A group that left the spec: its name, for the messages (expand=group embeds it).
            listed = await self.ctx.okta.list_app_groups(app_id, expand="group")
            self.group_names = {**assigned_group_names(listed), **self.group_names}
        return plan

    async def _apps_of(self, group_id: str) -> set[str]:
        """The apps a group is assigned to, read once per pass (both apps' surveys ask)."""
        if group_id not in self._group_apps:
            try:
                apps = await self.ctx.okta.list_group_apps(group_id)
            except OktaNotFoundError:
                apps = []  # the group is gone from Okta, and its assignments with it
            self._group_apps[group_id] = {str(app["id"]) for app in apps}
        return self._group_apps[group_id]

    async def ensure(
        self, want: DesiredApp, app_id: str, group_ids: list[str], complete: bool, *, created: bool = False
    ) -> None:
        """Assign the desired groups; unassign ours that left the spec.

        When a listed group could not be resolved (`complete` is False) nothing is unassigned: the
        assignment we can no longer tell apart may be that very group's, and removing it would lock
        its users out. Status records each change as it happens, so a failure halfway loses nothing.
        `created`: the app was created in this pass, so it has no assignments yet.
        """
        ctx = self.ctx
        entry = ctx.status[want.role]
        previous = list(entry["assignedGroupIds"])
        managed = list(previous)
        plan = await self.survey(None if created else app_id, previous, group_ids, complete)
        for gid in plan.assign:
            await ctx.okta.assign_group(app_id, gid)
            ctx.restored.append((want.role, "groups"))
            managed.append(gid)
            entry["assignedGroupIds"] = list(dict.fromkeys(managed))
            group = describe_group(gid, self.group_names)
            ctx.events("Normal", "OktaGroupAssigned", f"Assigned group {group} to Okta app {want.label!r}")
        for gid in plan.unassign:
            await ctx.okta.unassign_group(app_id, gid)
            ctx.restored.append((want.role, "groups"))
            managed.remove(gid)
            entry["assignedGroupIds"] = list(dict.fromkeys(managed))
            group = describe_group(gid, self.group_names)
            ctx.events(
                "Normal", "OktaGroupUnassigned", f"Unassigned group {group} from Okta app {want.label!r}"
            )
        self.kept_groups.update(dict.fromkeys(plan.kept))
        if complete:
            entry["assignedGroupIds"] = managed_after(plan, group_ids, previous)
