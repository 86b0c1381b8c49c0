"""The sandbox's in-memory Okta org and the rules Okta applies to it (no HTTP here).

Every operation either returns records or raises `OktaError` exactly as the API answers.
Rendering to JSON (with links on the sandbox's base URL) lives in `render.py`.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import ids
from .access_policies import PolicyStore
from .errors import (
    ValidationErrors,
    delete_app_forbidden,
    field_error,
    malformed_body,
    not_found,
    secret_mediation,
    validation_failed,
)
from .filters import Expr, dotted, matches
from .grants import GrantStore
from .keys import SigningKey
from .oidc import check_client_secret, normalize_app, uses_secret
from .org_features import OrgFeatures, OrgPolicies, feature_not_enabled
from .users import SeedUser, UserRecord, check_user_fields, default_names, new_user_id

MAX_CLIENT_SECRETS = 2
EVERYONE = "Everyone"


@dataclass
class ClientSecretRecord:
    id: str
    value: str
    status: str
    created: str
    last_updated: str


@dataclass
class AssignmentRecord:
    group_id: str
    priority: int
    profile: dict[str, Any]
    last_updated: str
    seq: int


@dataclass
class AppRecord:
    id: str
    seq: int
    status: str
    created: str
    last_updated: str
    signing_kid: str
    link_id: str
    document: dict[str, Any]
    secrets: list[ClientSecretRecord] = field(default_factory=list)
    assignments: dict[str, AssignmentRecord] = field(default_factory=dict)
    # every group ever assigned → its assignment sequence (keeps `after` cursors valid after removal)
    assignment_cursors: dict[str, int] = field(default_factory=dict)
    # The app sign-in policy it uses (`_links.accessPolicy`); None in a Classic Engine org.
    access_policy_id: str | None = None

    @property
    def auth_method(self) -> str:
        return str(self.document["credentials"]["oauthClient"]["token_endpoint_auth_method"])

    @property
    def client_id(self) -> str:
        return str(self.document["credentials"]["oauthClient"]["client_id"])

    @property
    def label(self) -> str:
        return str(self.document["label"])

    @property
    def oauth_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.document["settings"]["oauthClient"]
        return settings

    @property
    def pkce_required(self) -> bool:
        return bool(self.document["credentials"]["oauthClient"].get("pkce_required", False))

    def active_secret(self) -> ClientSecretRecord | None:
        """The newest ACTIVE secret (what Okta echoes as `client_secret` on create/update)."""
        active = [secret for secret in self.secrets if secret.status == "ACTIVE"]
        return active[-1] if active else None

    def filter_value(self, attr: str) -> Any:
        """Values for the listApplications `filter` attributes."""
        if attr == "id":
            return self.id
        if attr == "status":
            return self.status
        if attr == "name":
            return "oidc_client"
        if attr == "credentials.signing.kid":
            return self.signing_kid
        return dotted(self.document, attr)


@dataclass
class GroupRecord:
    id: str
    seq: int
    type: str
    created: str
    last_updated: str
    last_membership_updated: str
    profile: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.profile.get("name", ""))

    def search_value(self, attr: str) -> Any:
        if attr == "id":
            return self.id
        if attr == "type":
            return self.type
        if attr == "created":
            return self.created
        if attr == "lastUpdated":
            return self.last_updated
        if attr == "lastMembershipUpdated":
            return self.last_membership_updated
        if attr.startswith("profile."):
            return self.profile.get(attr.removeprefix("profile."))
        return None


@dataclass
class AuthServerRecord:
    id: str
    name: str
    description: str
    audiences: list[str]
    status: str
    created: str
    last_updated: str
    key: SigningKey
    policies: PolicyStore
    issuer_mode: str = "ORG_URL"

    @property
    def kid(self) -> str:
        return self.key.kid


class SandboxState:
    """Apps, client secrets, groups, users, app-group assignments, authorization servers (with their
    access policies) and the grants those servers have issued."""

    def __init__(
        self,
        groups: Iterable[str] = (),
        users: Iterable[SeedUser] = (),
        features: OrgFeatures | None = None,
    ) -> None:
        self.org_id = ids.okta_id(ids.ORG_PREFIX)
        self._initial_features = features or OrgFeatures()
        self.features = OrgFeatures(**vars(self._initial_features))
        self.policies = OrgPolicies()
        self._seed_users = list(users)
        wanted = [*groups, *(name for user in self._seed_users for name in user.groups)]
        self._seed_groups = [name for name in dict.fromkeys(wanted) if name != EVERYONE]
        self._seed_ids: dict[str, str] = {}
        self._seed_user_ids: dict[str, str] = {}
        self.apps: dict[str, AppRecord] = {}
        self.groups: dict[str, GroupRecord] = {}
        self.users: dict[str, UserRecord] = {}
        self.auth_servers: dict[str, AuthServerRecord] = {}
        self.grants = GrantStore()
        self._seq = itertools.count(1)
        self._cursors: dict[str, int] = {}
        self.reset()

    # ---- lifecycle ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded org: Everyone, the constructor's groups, the `default` auth server.

        Seeded groups keep their ids across resets so tests may cache them.
        """
        self.apps.clear()
        self.groups.clear()
        self.users.clear()
        self.auth_servers.clear()
        self.grants.clear()
        self._cursors.clear()
        self.features = OrgFeatures(**vars(self._initial_features))
        self.policies.reset()
        self._add_group(EVERYONE, "All users in your organization", "BUILT_IN", seeded=True)
        for name in self._seed_groups:
            self._add_group(name, None, "OKTA_GROUP", seeded=True)
        for seed in self._seed_users:
            user = self.add_user(
                seed.login,
                groups=seed.groups,
                email=seed.email,
                first_name=seed.first_name,
                last_name=seed.last_name,
                user_id=self._seed_user_ids.get(seed.login),
            )
            self._seed_user_ids[seed.login] = user.id  # same id after a reset, like seeded groups
        created = ids.timestamp()
        default = AuthServerRecord(
            id="default",
            name="default",
            description="Default Authorization Server for your Applications",
            audiences=["api://default"],
            status="ACTIVE",
            created=created,
            last_updated=created,
            key=SigningKey(ids.key_id()),
            policies=PolicyStore("default", self),
        )
        default.policies.seed_default()
        self.auth_servers["default"] = default

    def _next(self, object_id: str) -> int:
        seq = next(self._seq)
        self._cursors[object_id] = seq
        return seq

    def cursor(self, object_id: str) -> int | None:
        """Position of an object (even a deleted one) for `after` cursors."""
        return self._cursors.get(object_id)

    # ---- apps -----------------------------------------------------------------------------------

    def create_app(self, body: Any, *, activate: bool = True) -> AppRecord:
        normalized = normalize_app(body)
        client_id = normalized.client_id
        if client_id is not None and any(app.client_id == client_id for app in self.apps.values()):
            raise validation_failed("client_id", ["client_id: An object with this field already exists."])
        app_id = ids.okta_id(ids.APP_PREFIX)
        creds = normalized.document["credentials"]["oauthClient"]
        creds.setdefault("client_id", app_id)
        now = ids.timestamp()
        app = AppRecord(
            id=app_id,
            seq=self._next(app_id),
            status="ACTIVE" if activate else "INACTIVE",
            created=now,
            last_updated=now,
            signing_kid=ids.key_id(),
            link_id=ids.okta_id(ids.APP_LINK_PREFIX),
            document=normalized.document,
            access_policy_id=self.policies.default_access_policy if self.features.identity_engine else None,
        )
        if uses_secret(normalized.auth_method):
            self._new_secret(app, normalized.client_secret or ids.client_secret(), "ACTIVE")
        self.apps[app_id] = app
        return app

    def get_app(self, app_id: str) -> AppRecord:
        app = self.apps.get(app_id)
        if app is None:
            raise not_found(app_id, "AppInstance")
        return app

    def list_apps(self, *, q: str | None = None, filter_expr: Expr | None = None) -> list[AppRecord]:
        apps = sorted(self.apps.values(), key=lambda app: app.seq)
        if q:
            prefix = q.lower()
            apps = [
                app
                for app in apps
                if app.label.lower().startswith(prefix) or "oidc_client".startswith(prefix)
            ]
        if filter_expr is not None:
            apps = [app for app in apps if matches(filter_expr, app.filter_value)]
        return apps

    def replace_app(self, app_id: str, body: Any) -> AppRecord:
        """Full replace: whatever the body omits is gone (system fields are kept)."""
        app = self.get_app(app_id)
        normalized = normalize_app(body, existing=app.document)
        old_method, new_method = app.auth_method, normalized.auth_method
        if not uses_secret(new_method):
            app.secrets.clear()
        elif normalized.client_secret is not None:
            current = app.active_secret()
            if current is None or current.value != normalized.client_secret:
                # A secret in the PUT body becomes the (only) active secret, as on Okta.
                app.secrets.clear()
                self._new_secret(app, normalized.client_secret, "ACTIVE")
        elif not uses_secret(old_method) or app.active_secret() is None:
            self._new_secret(app, ids.client_secret(), "ACTIVE")
        app.document = normalized.document
        app.last_updated = ids.timestamp()
        return app

    def activate_app(self, app_id: str) -> None:
        app = self.get_app(app_id)
        if app.status != "ACTIVE":
            app.status = "ACTIVE"
            app.last_updated = ids.timestamp()

    def deactivate_app(self, app_id: str) -> None:
        app = self.get_app(app_id)
        if app.status != "INACTIVE":
            app.status = "INACTIVE"
            app.last_updated = ids.timestamp()

    def delete_app(self, app_id: str) -> None:
        app = self.get_app(app_id)
        if app.status == "ACTIVE":
            raise delete_app_forbidden()
        del self.apps[app_id]

    def assign_app_policy(self, app_id: str, policy_id: str) -> AppRecord:
        """assignApplicationPolicy: the app now uses this app sign-in policy (see org_features)."""
        if not self.features.identity_engine:
            raise feature_not_enabled()
        app = self.get_app(app_id)
        app.access_policy_id = self.policies.access_policy(policy_id).id
        app.last_updated = ids.timestamp()
        return app

    # ---- client secrets -------------------------------------------------------------------------

    def _new_secret(self, app: AppRecord, value: str, status: str) -> ClientSecretRecord:
        now = ids.timestamp()
        secret_id = ids.okta_id(ids.SECRET_PREFIX)
        secret = ClientSecretRecord(secret_id, value, status, now, now)
        app.secrets.append(secret)
        return secret

    def list_secrets(self, app_id: str) -> list[ClientSecretRecord]:
        return list(self.get_app(app_id).secrets)

    def get_secret(self, app_id: str, secret_id: str) -> tuple[AppRecord, ClientSecretRecord]:
        app = self.get_app(app_id)
        for secret in app.secrets:
            if secret.id == secret_id:
                return app, secret
        raise not_found(secret_id, "OAuth2ClientSecret")

    def create_secret(self, app_id: str, body: Any) -> ClientSecretRecord:
        app = self.get_app(app_id)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise malformed_body("The request body must be a JSON object.")
        status = body.get("status", "ACTIVE")
        if status not in ("ACTIVE", "INACTIVE"):
            raise field_error("status", "Not one of the allowed values (ACTIVE, INACTIVE).")
        if not uses_secret(app.auth_method):
            raise secret_mediation(
                f"Client secrets can't be used when 'token_endpoint_auth_method' is '{app.auth_method}'."
            )
        if len(app.secrets) >= MAX_CLIENT_SECRETS:
            raise secret_mediation("You've reached the maximum number of client secrets per client.")
        value = body.get("client_secret")
        if value is not None:
            check_client_secret(value, app.auth_method)
        return self._new_secret(app, value if isinstance(value, str) else ids.client_secret(), str(status))

    def set_secret_created(self, app_id: str, secret_id: str, created: str) -> ClientSecretRecord:
        """Test hook: a secret made long ago (for a schedule that looks at a secret's age)."""
        _, secret = self.get_secret(app_id, secret_id)
        secret.created = ids.timestamp(datetime.fromisoformat(created.replace("Z", "+00:00")))
        return secret

    def activate_secret(self, app_id: str, secret_id: str) -> ClientSecretRecord:
        _, secret = self.get_secret(app_id, secret_id)
        if secret.status != "ACTIVE":
            secret.status = "ACTIVE"
            secret.last_updated = ids.timestamp()
        return secret

    def deactivate_secret(self, app_id: str, secret_id: str) -> ClientSecretRecord:
        app, secret = self.get_secret(app_id, secret_id)
        if secret.status == "ACTIVE":
            if sum(1 for other in app.secrets if other.status == "ACTIVE") == 1:
                raise secret_mediation("You can't deactivate the only active client secret.")
            secret.status = "INACTIVE"
            secret.last_updated = ids.timestamp()
        return secret

    def delete_secret(self, app_id: str, secret_id: str) -> None:
        app, secret = self.get_secret(app_id, secret_id)
        if secret.status == "ACTIVE":
            raise secret_mediation(
                "You can't delete an active client secret. Deactivate the secret before deleting it."
            )
        app.secrets.remove(secret)

    # ---- groups ---------------------------------------------------------------------------------

    def _add_group(
        self, name: str, description: str | None, group_type: str, *, seeded: bool = False
    ) -> GroupRecord:
        group_id = (self._seed_ids.get(name) if seeded else None) or ids.okta_id(ids.GROUP_PREFIX)
        if seeded:
            self._seed_ids[name] = group_id
        now = ids.timestamp()
        profile: dict[str, Any] = {"name": name}
        if description is not None:
            profile["description"] = description
        group = GroupRecord(group_id, self._next(group_id), group_type, now, now, now, profile)
        self.groups[group_id] = group
        return group

    def create_group(self, body: Any) -> GroupRecord:
        """addGroup: ``{"profile": {"name": ..., "description": ...}}`` → an OKTA_GROUP."""
        if not isinstance(body, dict):
            raise malformed_body("The request body must be a JSON object.")
        profile = body.get("profile")
        if not isinstance(profile, dict):
            raise field_error("profile", "The field cannot be left blank")
        errors = ValidationErrors()
        name = profile.get("name")
        description = profile.get("description")
        if not isinstance(name, str) or not name.strip():
            errors.blank("name")
        elif any(group.name == name for group in self.groups.values()):
            errors.add("name", "An object with this field already exists in the current organization")
        if description is not None and not isinstance(description, str):
            errors.add("description", "must be a string")
        errors.raise_if_any()
        group = self._add_group(str(name), description, "OKTA_GROUP")
        extra = {
            key: copy.deepcopy(value) for key, value in profile.items() if key not in ("name", "description")
        }
        group.profile.update(extra)
        return group

    def add_group(self, name: str, description: str | None = None) -> GroupRecord:
        """Convenience for tests/hooks: same rules as addGroup."""
        profile: dict[str, Any] = {"name": name}
        if description is not None:
            profile["description"] = description
        return self.create_group({"profile": profile})

    def get_group(self, group_id: str) -> GroupRecord:
        group = self.groups.get(group_id)
        if group is None:
            raise not_found(group_id, "UserGroup")
        return group

    def list_groups(
        self,
        *,
        q: str | None = None,
        search: Expr | None = None,
        filter_expr: Expr | None = None,
    ) -> list[GroupRecord]:
        groups = sorted(self.groups.values(), key=lambda group: group.seq)
        if q:
            groups = [group for group in groups if group.name.lower().startswith(q.lower())]
        for expr in (search, filter_expr):
            if expr is not None:
                groups = [group for group in groups if matches(expr, group.search_value)]
        return groups

    # ---- app ↔ group assignments ----------------------------------------------------------------

    def list_assignments(self, app_id: str, *, q: str | None = None) -> list[AssignmentRecord]:
        app = self.get_app(app_id)
        assignments = sorted(app.assignments.values(), key=lambda item: item.seq)
        if q:
            prefix = q.lower()
            assignments = [
                item
                for item in assignments
                if item.group_id in self.groups and self.groups[item.group_id].name.lower().startswith(prefix)
            ]
        return assignments

    def assign_group(self, app_id: str, group_id: str, body: Any) -> AssignmentRecord:
        app = self.get_app(app_id)
        self.get_group(group_id)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise malformed_body("The request body must be a JSON object.")
        errors = ValidationErrors()
        priority = body.get("priority")
        if priority is not None and (
            not isinstance(priority, int) or isinstance(priority, bool) or priority < 0
        ):
            errors.add("priority", "must be a non-negative integer")
        profile = body.get("profile")
        if profile is not None and not isinstance(profile, dict):
            errors.add("profile", "must be a JSON object")
        errors.raise_if_any()
        now = ids.timestamp()
        existing = app.assignments.get(group_id)
        if existing is not None:
            if priority is not None:
                existing.priority = priority
            if profile is not None:
                existing.profile = copy.deepcopy(profile)
            existing.last_updated = now
            return existing
        if priority is None:
            priority = max((item.priority for item in app.assignments.values()), default=-1) + 1
        seq = next(self._seq)
        app.assignment_cursors[group_id] = seq
        record = AssignmentRecord(group_id, priority, copy.deepcopy(profile or {}), now, seq)
        app.assignments[group_id] = record
        return record

    def get_assignment(self, app_id: str, group_id: str) -> AssignmentRecord:
        app = self.get_app(app_id)
        record = app.assignments.get(group_id)
        if record is None:
            raise not_found(group_id, "ApplicationGroupAssignment")
        return record

    def unassign_group(self, app_id: str, group_id: str) -> None:
        app = self.get_app(app_id)
        if group_id not in app.assignments:
            raise not_found(group_id, "ApplicationGroupAssignment")
        del app.assignments[group_id]

    # ---- authorization servers ------------------------------------------------------------------

    def get_auth_server(self, server_id: str) -> AuthServerRecord:
        server = self.auth_servers.get(server_id)
        if server is None:
            raise not_found(server_id, "AuthorizationServer")
        return server

    def set_auth_server_status(self, server_id: str, status: str) -> AuthServerRecord:
        """activate/deactivateAuthorizationServer: "Make a Custom Authorization Server unavailable to
        clients. An inactive Custom Authorization Server can be returned to ACTIVE status by
        activating it again." (API reference, Deactivate Authorization Server)."""
        if status not in ("ACTIVE", "INACTIVE"):
            raise field_error("status", "Not one of the allowed values (ACTIVE, INACTIVE).")
        server = self.get_auth_server(server_id)
        if server.status != status:
            server.status = status
            server.last_updated = ids.timestamp()
        return server

    # ---- users ----------------------------------------------------------------------------------

    def _group_ref(self, ref: str) -> GroupRecord:
        """A group by id or exact name (what hooks and seeds accept)."""
        if ref in self.groups:
            return self.groups[ref]
        for group in self.groups.values():
            if group.name == ref:
                return group
        raise not_found(ref, "UserGroup")

    def add_user(
        self,
        login: str,
        *,
        groups: Iterable[str] = (),
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: str | None = None,
    ) -> UserRecord:
        """An ACTIVE user in `groups` (ids or names; Everyone is implied). Logins are unique,
        case-insensitively, as Okta's are."""
        check_user_fields(login, email, first_name, last_name)
        if self.user_by_login(login) is not None:
            raise validation_failed("login", ["login: An object with this field already exists."])
        members = [self._group_ref(ref) for ref in groups]
        default_first, default_last = default_names(login)
        user = UserRecord(
            id=user_id or new_user_id(),
            login=login,
            email=email or login,
            first_name=default_first if first_name is None else first_name,
            last_name=default_last if last_name is None else last_name,
            created=ids.timestamp(),
            group_ids=[group.id for group in members if group.type != "BUILT_IN"],
        )
        self.users[user.id] = user
        return user

    def user_by_login(self, login: str) -> UserRecord | None:
        wanted = login.lower()
        for user in self.users.values():
            if user.login.lower() == wanted:
                return user
        return None

    def in_group(self, user: UserRecord, group_id: str) -> bool:
        group = self.groups.get(group_id)
        if group is not None and group.type == "BUILT_IN" and group.name == EVERYONE:
            return True
        return group_id in user.group_ids

    def assigned(self, app: AppRecord, user: UserRecord) -> bool:
        """Assigned to the app through one of its groups (Everyone included)."""
        return any(self.in_group(user, group_id) for group_id in app.assignments)

    def app_by_client_id(self, client_id: str) -> AppRecord | None:
        for app in self.apps.values():
            if app.client_id == client_id:
                return app
        return None

    # ---- what policies may reference (access_policies.Directory) -------------------------------

    def client_exists(self, client_id: str) -> bool:
        return self.app_by_client_id(client_id) is not None

    def group_exists(self, group_id: str) -> bool:
        return group_id in self.groups

    def user_exists(self, user_id: str) -> bool:
        return user_id in self.users
