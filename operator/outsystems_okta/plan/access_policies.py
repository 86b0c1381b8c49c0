"""Can the assigned groups sign in? The authorization server's access policies, evaluated as Okta does.

Okta decides whether a sign-in gets tokens from the custom authorization server's access policies:
"Okta evaluates these policies and the rules within the policy in the given priority order. After the
first policy and rule match, Okta applies the client request and no further rule or policy processing
occurs" (help.okta.com, Create access policies). A rule matches when the grant type, the user (people
condition) and every requested scope match; a rule that does not cover every requested scope does not
match, "and policy/rule evaluation will move onto the next Access Rule and/or Access Policy"; with no
match at all the user sees "Policy evaluation failed for this request"
(support.okta.com, tokens-not-issued-with-lifetime-configured-in-access-rule-for-custom-authorization-server).
The Okta sandbox evaluates the same way (`outsystems_okta_sandbox/okta/evaluation.py`), so what this
module predicts is what a sign-in there does.

The question asked here: can a member of each assigned group sign in to both apps with the
authorization code flow and LifeTime's scopes `openid email profile offline_access`? Because a rule
matches only when it covers everything requested, "some ACTIVE rule of an ACTIVE policy that applies
to the client matches" is exactly Okta's "the first matching rule lets them in".

Refresh tokens: a rule names the grants that *create* tokens; Okta's own default rule lists
`implicit, client_credentials, authorization_code, password` and no `refresh_token`, and Terraform's
`okta_auth_server_policy_rule` accepts no `refresh_token` grant either. A refresh token comes with an
`authorization_code` sign-in when the rule allows the `offline_access` scope (or `*`) and the app's own
`grant_types` include `refresh_token` (developer.okta.com/docs/guides/refresh-tokens, "authorization_code
+ offline_access ... return a refresh token"); both our apps do. So "a rule that allows authorization_code
and refresh_token" is checked as: the rule allows `authorization_code` and its scopes cover
`offline_access`.

People: for each assigned group the check asks whether a member of that group gets in. A rule covers
the group when its `people.groups.include` holds `EVERYONE` or the group's id (for `access.everyone`,
Okta's Everyone group: `EVERYONE` or that group's id), and `people.groups.exclude` holds neither. Users
a rule includes by id do not cover a group (the check does not read group memberships, which would
cost a call per group and pass); a user who also belongs to a group the rule excludes is refused by
Okta though the check passes (the README says so). With no assigned group at all (assignments left to
Okta admins), any rule that includes someone will do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from outsystems_okta.plan.access import describe_group
from outsystems_okta.plan.outputs import SCOPES

AUTHORIZATION_SERVER_READY = "AuthorizationServerReady"
ACTIVE = "ACTIVE"
ALL_CLIENTS = "ALL_CLIENTS"
EVERYONE = "EVERYONE"
WILDCARD_SCOPE = "*"
# The grant LifeTime and Service Studio sign in with; refreshes need no grant in the rule (see above).
SIGN_IN_GRANT = "authorization_code"
SIGN_IN_SCOPES: tuple[str, ...] = tuple(SCOPES.split())


class SignInReason(StrEnum):
    """Reasons of the AuthorizationServerReady condition."""

    ALLOWED = "SignInAllowed"
    # Failures, most fundamental first: the condition reports the first that applies anywhere.
    AUTHORIZATION_SERVER_INACTIVE = "AuthorizationServerInactive"
    NO_POLICY_FOR_CLIENTS = "NoPolicyForClients"
    GRANT_NOT_ALLOWED = "GrantNotAllowed"
    SCOPE_NOT_ALLOWED = "ScopeNotAllowed"
    GROUP_NOT_ALLOWED = "GroupNotAllowed"
    # Unknown: the API token may not read the access policies.
    POLICIES_NOT_READABLE = "PoliciesNotReadable"


_SEVERITY = (
    SignInReason.AUTHORIZATION_SERVER_INACTIVE,
    SignInReason.NO_POLICY_FOR_CLIENTS,
    SignInReason.GRANT_NOT_ALLOWED,
    SignInReason.SCOPE_NOT_ALLOWED,
    SignInReason.GROUP_NOT_ALLOWED,
)

# How far a rule got before it failed to match, in the order the check looks (grant, scopes, people).
_STAGE_REASONS = (
    SignInReason.GRANT_NOT_ALLOWED,
    SignInReason.SCOPE_NOT_ALLOWED,
    SignInReason.GROUP_NOT_ALLOWED,
)
_MATCHED = len(_STAGE_REASONS)


@dataclass(frozen=True)
class RuleView:
    """What the check needs of an access policy rule (Okta's wire format stays in `okta/`)."""

    id: str
    name: str
    status: str
    priority: int
    grant_types: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    groups_include: tuple[str, ...] = ()
    groups_exclude: tuple[str, ...] = ()
    users_include: tuple[str, ...] = ()
    users_exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyView:
    """An access policy; `rules` is None until they have been read."""

    id: str
    name: str
    status: str
    priority: int
    clients: tuple[str, ...]
    description: str = ""
    rules: tuple[RuleView, ...] | None = None

    def applies_to(self, client_id: str) -> bool:
        return ALL_CLIENTS in self.clients or client_id in self.clients

    def with_rules(self, rules: Iterable[RuleView]) -> PolicyView:
        return replace(self, rules=tuple(rules))


@dataclass(frozen=True)
class Client:
    """One of our two apps, as messages name it."""

    label: str
    client_id: str

    def describe(self) -> str:
        return f"{self.label} ({self.client_id})"


@dataclass(frozen=True)
class Audience:
    """An assigned group (Okta's built-in Everyone group too: EVERYONE or its id names it in a rule)."""

    group_id: str
    name: str

    def describe(self) -> str:
        return describe_group(self.group_id, {self.group_id: self.name})


@dataclass(frozen=True)
class Verdict:
    """The AuthorizationServerReady condition: `allowed` None is Unknown."""

    allowed: bool | None
    reason: SignInReason
    message: str


def by_priority(policies: Iterable[PolicyView]) -> list[PolicyView]:
    return sorted(policies, key=lambda policy: (policy.priority, policy.id))


def policies_to_read(policies: Iterable[PolicyView], clients: Sequence[Client]) -> list[PolicyView]:
    """The policies whose rules can matter, in the order Okta evaluates them: ACTIVE ones that apply
    to one of our clients. Rules of any other policy are never read (each read is an Okta call)."""
    return [
        policy
        for policy in by_priority(policies)
        if policy.status == ACTIVE and any(policy.applies_to(c.client_id) for c in clients)
    ]


# ---- matching -----------------------------------------------------------------------------------


def _grant_allowed(rule: RuleView) -> bool:
    return SIGN_IN_GRANT in rule.grant_types


def missing_scopes(rule: RuleView) -> tuple[str, ...]:
    if WILDCARD_SCOPE in rule.scopes:
        return ()
    return tuple(scope for scope in SIGN_IN_SCOPES if scope not in rule.scopes)


def _excluded(rule: RuleView, member: Audience | None) -> bool:
    if EVERYONE in rule.groups_exclude:
        return True
    return member is not None and member.group_id in rule.groups_exclude


def people_allowed(rule: RuleView, member: Audience | None) -> bool:
    """Whether a member of the group (None: anyone the apps are assigned to) matches the rule."""
    if _excluded(rule, member):
        return False
    if member is None:
        return bool(rule.groups_include or rule.users_include)
    # EVERYONE, or the group's own id (for Everyone, the built-in group's id).
    return EVERYONE in rule.groups_include or member.group_id in rule.groups_include


def stage(rule: RuleView, member: Audience | None) -> int:
    """How far the rule gets for this member: 0 grant, 1 scopes, 2 people, 3 a match."""
    if not _grant_allowed(rule):
        return 0
    if missing_scopes(rule):
        return 1
    if not people_allowed(rule, member):
        return 2
    return _MATCHED


def _active_rules(policy: PolicyView) -> list[RuleView]:
    rules = [rule for rule in policy.rules or () if rule.status == ACTIVE]
    return sorted(rules, key=lambda rule: (rule.priority, rule.id))


def first_match(
    policies: Sequence[PolicyView], client: Client, member: Audience | None
) -> tuple[PolicyView, RuleView] | None:
    """The (policy, rule) Okta would use, among policies whose rules have been read."""
    for policy in by_priority(policies):
        if policy.status != ACTIVE or not policy.applies_to(client.client_id):
            continue
        for rule in _active_rules(policy):
            if stage(rule, member) == _MATCHED:
                return policy, rule
    return None


def _members(audience: Sequence[Audience]) -> list[Audience | None]:
    return list(audience) or [None]


def settled(policies: Sequence[PolicyView], clients: Sequence[Client], audience: Sequence[Audience]) -> bool:
    """Whether every client and member already has a match among the rules read so far.

    Rules are read policy by policy in priority order, so a match found now is the one Okta would
    use: no later policy can change the answer, and its rules need not be read.
    """
    return all(first_match(policies, c, m) is not None for c in clients for m in _members(audience))


# ---- the verdict --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Finding:
    reason: SignInReason
    detail: str  # the client part is added when findings are gathered


def _closest(policies: Sequence[PolicyView], client: Client, member: Audience | None) -> _Finding:
    """Why this member cannot sign in to this client, named after the rule that came closest."""
    applying = [p for p in by_priority(policies) if p.applies_to(client.client_id)]
    active = [p for p in applying if p.status == ACTIVE]
    if not active:
        inactive = ", ".join(_quoted(p.name) for p in applying)
        detail = "no ACTIVE access policy applies"
        if len(applying) == 1:
            detail += f" (policy {inactive} would, but is INACTIVE)"
        elif applying:
            detail += f" (policies {inactive} would, but are INACTIVE)"
        return _Finding(SignInReason.NO_POLICY_FOR_CLIENTS, detail)
    best: tuple[tuple[int, int], PolicyView, RuleView] | None = None
    for policy in active:
        for rule in _active_rules(policy):
            # Closest: got furthest in the order grant, scopes, people; then the fewest problems.
            closeness = (stage(rule, member), -len(_problems(rule, member)))
            if best is None or closeness > best[0]:
                best = (closeness, policy, rule)
    if best is None:
        names = ", ".join(_quoted(p.name) for p in active)
        return _Finding(SignInReason.GRANT_NOT_ALLOWED, f"policy {names} has no ACTIVE rule")
    _, policy, rule = best
    problems = _problems(rule, member)
    where = f"rule {_quoted(rule.name)} of policy {_quoted(policy.name)}"
    return _Finding(problems[0][0], f"{where} " + " and ".join(text for _, text in problems))


def _problems(rule: RuleView, member: Audience | None) -> list[tuple[SignInReason, str]]:
    """Everything that keeps the rule from matching, in the order the check looks: one fix at a time
    would otherwise take a pass (and a Warning) each."""
    problems: list[tuple[SignInReason, str]] = []
    if not _grant_allowed(rule):
        problems.append((SignInReason.GRANT_NOT_ALLOWED, f"does not allow the {SIGN_IN_GRANT} grant"))
    missing = " ".join(missing_scopes(rule))
    if missing:
        problems.append(
            (
                SignInReason.SCOPE_NOT_ALLOWED,
                f"does not allow {'scope' if ' ' not in missing else 'scopes'} {missing} "
                f"(LifeTime asks for {SCOPES})",
            )
        )
    if not people_allowed(rule, member):
        if member is None:
            text = "includes nobody"
        else:
            verb = "excludes" if _excluded(rule, member) else "does not include"
            text = f"{verb} group {member.describe()}"
        problems.append((SignInReason.GROUP_NOT_ALLOWED, text))
    return problems


def evaluate(
    *,
    server_id: str,
    server_status: str,
    policies: Sequence[PolicyView],
    clients: Sequence[Client],
    audience: Sequence[Audience],
) -> Verdict:
    """The AuthorizationServerReady verdict from the server and the policies (with the rules read)."""
    if server_status != ACTIVE:
        return Verdict(
            False,
            SignInReason.AUTHORIZATION_SERVER_INACTIVE,
            f"Authorization server {server_id!r} is {server_status or 'not ACTIVE'}: nobody can sign in "
            "(activate it in Okta under Security > API > Authorization Servers)",
        )
    # (client, member) -> finding, in the order clients and members are given.
    findings: dict[tuple[Client, Audience | None], _Finding] = {}
    allowed: dict[tuple[str, str], list[tuple[Client, Audience | None]]] = {}
    for client in clients:
        for member in _members(audience):
            match = first_match(policies, client, member)
            if match is None:
                findings[(client, member)] = _closest(policies, client, member)
            else:
                policy, rule = match
                allowed.setdefault((policy.name, rule.name), []).append((client, member))
    if not findings:
        return Verdict(True, SignInReason.ALLOWED, _allowed_message(server_id, allowed, clients))
    reason = min((f.reason for f in findings.values()), key=_SEVERITY.index)
    return Verdict(False, reason, _refused_message(server_id, findings, clients))


def _allowed_message(
    server_id: str,
    allowed: dict[tuple[str, str], list[tuple[Client, Audience | None]]],
    clients: Sequence[Client],
) -> str:
    parts: list[str] = []
    for (policy, rule), pairs in allowed.items():
        apps = _apps([client for client, _ in pairs], clients)
        members = [m for _, m in pairs if m is not None]
        who = ", ".join(dict.fromkeys(m.describe() for m in members)) if members else "assigned users"
        parts.append(f"rule {_quoted(rule)} of policy {_quoted(policy)} lets {who} sign in to {apps}")
    return f"Authorization server {server_id!r}: " + "; ".join(parts) + f" ({SIGN_IN_GRANT}; scopes {SCOPES})"


def _refused_message(
    server_id: str, findings: dict[tuple[Client, Audience | None], _Finding], clients: Sequence[Client]
) -> str:
    # Same finding for both apps: said once. Stable text (names and ids only): one Warning per problem.
    by_detail: dict[str, list[Client]] = {}
    for (client, _), finding in findings.items():
        owners = by_detail.setdefault(finding.detail, [])
        if client not in owners:
            owners.append(client)
    parts = [f"{_apps(owners, clients)}: {detail}" for detail, owners in by_detail.items()]
    return f"Sign-in through authorization server {server_id!r} would fail: " + "; ".join(parts)


def _apps(owners: Sequence[Client], clients: Sequence[Client]) -> str:
    unique = list(dict.fromkeys(owners))
    if len(unique) == len(clients) == 2:
        return "both apps"
    return " and ".join(client.describe() for client in unique)


def unreadable(server_id: str, error: str, roles: str) -> Verdict:
    """Unknown: the token may not read the access policies (Okta answered 403)."""
    return Verdict(
        None,
        SignInReason.POLICIES_NOT_READABLE,
        f"Cannot check who may sign in: the Okta API token may not read the access policies of "
        f"authorization server {server_id!r} ({error}); {roles}",
    )


def _quoted(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)
