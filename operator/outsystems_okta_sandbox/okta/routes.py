"""aiohttp handlers for the emulated Okta Management API (`/api/v1`): apps, client secrets, app
group assignments, groups and authorization servers. Policies are in `policy_routes.py`, the OAuth
endpoints (`/oauth2/{id}/...`) in `oauth_routes.py`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aiohttp import web

from . import render
from .errors import field_error, invalid_search
from .filters import Expr, FilterSyntaxError, parse
from .httpio import base_url, json_body, no_content, respond, runtime
from .paging import link_headers, page, parse_limit

routes = web.RouteTableDef()

APP_FILTER_ATTRIBUTES = frozenset({"id", "status", "name", "credentials.signing.kid", "settings.slo.enabled"})
GROUP_FILTER_ATTRIBUTES = frozenset({"id", "type", "lastUpdated", "lastMembershipUpdated"})
GROUP_SEARCH_TOP = frozenset({"id", "type", "created", "lastUpdated", "lastMembershipUpdated"})
MAX_APPS_PAGE = 200
MAX_GROUPS_PAGE = 10000
ASSIGNMENTS_DEFAULT_PAGE = 20  # SPEC queryGroupAssignmentLimit: default 20, maximum 200
MAX_ASSIGNMENTS_PAGE = 200
GROUP_APPS_DEFAULT_PAGE = 20  # SPEC listAssignedApplicationsForGroup limit: default 20


def _expression(raw: str | None, allow: Callable[[str, str], bool]) -> Expr | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse(raw, allow)
    except FilterSyntaxError as exc:
        raise invalid_search(str(exc)) from exc


def _allow_app_filter(attr: str, op: str) -> bool:
    return attr in APP_FILTER_ATTRIBUTES and op == "eq"


def _allow_group_filter(attr: str, op: str) -> bool:
    return attr in GROUP_FILTER_ATTRIBUTES and op in ("eq", "gt", "ge", "lt", "le")


def _allow_group_search(attr: str, op: str) -> bool:
    if op == "co":
        return attr in ("profile.name", "profile.description")
    if attr.startswith("profile.") or attr in GROUP_SEARCH_TOP:
        return op in ("eq", "sw", "ne", "gt", "ge", "lt", "le", "pr")
    return False


def _boolean(query: Mapping[str, str], name: str, default: bool) -> bool:
    raw = query.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise field_error(name, "must be a boolean (true or false)")
    return raw.lower() == "true"


def _paged(
    request: web.Request,
    items: list[render.Json],
    positions: list[int],
    cursors: list[str],
    *,
    after: int | None,
    limit: int | None,
) -> web.Response:
    indexes = list(range(len(items)))
    chunk, last = page(indexes, position=lambda i: positions[i], after=after, limit=limit)
    response = respond(request, [items[i] for i in chunk])
    next_cursor = cursors[last] if last is not None else None
    for value in link_headers(base_url(request), request.path, request.query, next_cursor):
        response.headers.add("Link", value)
    return response


# ---- apps ---------------------------------------------------------------------------------------


@routes.post("/api/v1/apps")
async def create_application(request: web.Request) -> web.Response:
    rt = runtime(request)
    activate = _boolean(request.query, "activate", True)
    app = rt.state.create_app(json_body(request), activate=activate)
    secret = app.active_secret()
    body = render.app(
        app, rt.base_url, org_id=rt.state.org_id, client_secret=secret.value if secret else None
    )
    return respond(request, body)


@routes.get("/api/v1/apps")
async def list_applications(request: web.Request) -> web.Response:
    rt = runtime(request)
    query = request.query
    expr = _expression(query.get("filter"), _allow_app_filter)
    apps = rt.state.list_apps(q=query.get("q"), filter_expr=expr)
    after = rt.state.cursor(query["after"]) if query.get("after") else None
    if query.get("after") and after is None:
        after = -1  # unknown cursor: Okta would answer from the start; keep it harmless
    limit = parse_limit(query.get("limit"), default=None, maximum=MAX_APPS_PAGE)
    items = [render.app(app, rt.base_url, org_id=rt.state.org_id) for app in apps]
    return _paged(request, items, [a.seq for a in apps], [a.id for a in apps], after=after, limit=limit)


@routes.get("/api/v1/apps/{appId}")
async def get_application(request: web.Request) -> web.Response:
    rt = runtime(request)
    app = rt.state.get_app(request.match_info["appId"])
    return respond(request, render.app(app, rt.base_url, org_id=rt.state.org_id))


@routes.put("/api/v1/apps/{appId}")
async def replace_application(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    rt.state.get_app(app_id)  # 404 before body validation, as Okta does
    app = rt.state.replace_app(app_id, json_body(request))
    secret = app.active_secret()
    body = render.app(
        app, rt.base_url, org_id=rt.state.org_id, client_secret=secret.value if secret else None
    )
    return respond(request, body)


@routes.delete("/api/v1/apps/{appId}")
async def delete_application(request: web.Request) -> web.Response:
    runtime(request).state.delete_app(request.match_info["appId"])
    return no_content(request)


@routes.post("/api/v1/apps/{appId}/lifecycle/activate")
async def activate_application(request: web.Request) -> web.Response:
    runtime(request).state.activate_app(request.match_info["appId"])
    return respond(request, {})


@routes.post("/api/v1/apps/{appId}/lifecycle/deactivate")
async def deactivate_application(request: web.Request) -> web.Response:
    runtime(request).state.deactivate_app(request.match_info["appId"])
    return respond(request, {})


@routes.put("/api/v1/apps/{appId}/policies/{policyId}")
async def assign_application_policy(request: web.Request) -> web.Response:
    runtime(request).state.assign_app_policy(request.match_info["appId"], request.match_info["policyId"])
    return no_content(request)


@routes.get("/api/v1/policies/{policyId}")
async def get_policy(request: web.Request) -> web.Response:
    rt = runtime(request)
    policy = rt.state.policies.get(
        request.match_info["policyId"], identity_engine=rt.state.features.identity_engine
    )
    return respond(request, render.org_policy(policy, rt.base_url))


# ---- client secrets -----------------------------------------------------------------------------


@routes.get("/api/v1/apps/{appId}/credentials/secrets")
async def list_client_secrets(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    secrets = rt.state.list_secrets(app_id)
    return respond(request, [render.secret(app_id, item, rt.base_url) for item in secrets])


@routes.post("/api/v1/apps/{appId}/credentials/secrets")
async def create_client_secret(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    secret = rt.state.create_secret(app_id, json_body(request, required=False))
    return respond(request, render.secret(app_id, secret, rt.base_url), status=201)


@routes.get("/api/v1/apps/{appId}/credentials/secrets/{secretId}")
async def get_client_secret(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    _, secret = rt.state.get_secret(app_id, request.match_info["secretId"])
    return respond(request, render.secret(app_id, secret, rt.base_url))


@routes.post("/api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/activate")
async def activate_client_secret(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    secret = rt.state.activate_secret(app_id, request.match_info["secretId"])
    return respond(request, render.secret(app_id, secret, rt.base_url))


@routes.post("/api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/deactivate")
async def deactivate_client_secret(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    secret = rt.state.deactivate_secret(app_id, request.match_info["secretId"])
    return respond(request, render.secret(app_id, secret, rt.base_url))


@routes.delete("/api/v1/apps/{appId}/credentials/secrets/{secretId}")
async def delete_client_secret(request: web.Request) -> web.Response:
    runtime(request).state.delete_secret(request.match_info["appId"], request.match_info["secretId"])
    return no_content(request)


# ---- app group assignments ----------------------------------------------------------------------


def _assignment_json(request: web.Request, app_id: str, group_id: str) -> render.Json:
    rt = runtime(request)
    record = rt.state.get_assignment(app_id, group_id)
    embedded = None
    if request.query.get("expand") == "group" and group_id in rt.state.groups:
        embedded = render.group(rt.state.groups[group_id], rt.base_url)
    return render.assignment(app_id, record, rt.base_url, embedded_group=embedded)


@routes.get("/api/v1/apps/{appId}/groups")
async def list_application_group_assignments(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id = request.match_info["appId"]
    query = request.query
    records = rt.state.list_assignments(app_id, q=query.get("q"))
    app = rt.state.get_app(app_id)
    after = app.assignment_cursors.get(query["after"], -1) if query.get("after") else None
    limit = parse_limit(query.get("limit"), default=ASSIGNMENTS_DEFAULT_PAGE, maximum=MAX_ASSIGNMENTS_PAGE)
    items = [_assignment_json(request, app_id, record.group_id) for record in records]
    return _paged(
        request, items, [r.seq for r in records], [r.group_id for r in records], after=after, limit=limit
    )


@routes.put("/api/v1/apps/{appId}/groups/{groupId}")
async def assign_group_to_application(request: web.Request) -> web.Response:
    rt = runtime(request)
    app_id, group_id = request.match_info["appId"], request.match_info["groupId"]
    rt.state.assign_group(app_id, group_id, json_body(request, required=False))
    return respond(request, _assignment_json(request, app_id, group_id))


@routes.get("/api/v1/apps/{appId}/groups/{groupId}")
async def get_application_group_assignment(request: web.Request) -> web.Response:
    app_id, group_id = request.match_info["appId"], request.match_info["groupId"]
    return respond(request, _assignment_json(request, app_id, group_id))


@routes.delete("/api/v1/apps/{appId}/groups/{groupId}")
async def unassign_application_from_group(request: web.Request) -> web.Response:
    runtime(request).state.unassign_group(request.match_info["appId"], request.match_info["groupId"])
    return no_content(request)


# ---- groups -------------------------------------------------------------------------------------


@routes.get("/api/v1/groups")
async def list_groups(request: web.Request) -> web.Response:
    rt = runtime(request)
    query = request.query
    groups = rt.state.list_groups(
        q=query.get("q"),
        search=_expression(query.get("search"), _allow_group_search),
        filter_expr=_expression(query.get("filter"), _allow_group_filter),
    )
    after = rt.state.cursor(query["after"]) if query.get("after") else None
    if query.get("after") and after is None:
        after = -1
    limit = parse_limit(query.get("limit"), default=None, maximum=MAX_GROUPS_PAGE)
    items = [render.group(group, rt.base_url) for group in groups]
    return _paged(request, items, [g.seq for g in groups], [g.id for g in groups], after=after, limit=limit)


@routes.post("/api/v1/groups")
async def add_group(request: web.Request) -> web.Response:
    rt = runtime(request)
    group = rt.state.create_group(json_body(request))
    return respond(request, render.group(group, rt.base_url))


@routes.get("/api/v1/groups/{groupId}")
async def get_group(request: web.Request) -> web.Response:
    rt = runtime(request)
    return respond(request, render.group(rt.state.get_group(request.match_info["groupId"]), rt.base_url))


@routes.get("/api/v1/groups/{groupId}/apps")
async def list_assigned_applications_for_group(request: web.Request) -> web.Response:
    """SPEC listAssignedApplicationsForGroup: the apps a group is assigned to, paged (default 20)."""
    rt = runtime(request)
    group_id = request.match_info["groupId"]
    rt.state.get_group(group_id)  # 404 for a group Okta does not have
    apps = [app for app in rt.state.list_apps() if group_id in app.assignments]
    after = rt.state.cursor(request.query["after"]) if request.query.get("after") else None
    if request.query.get("after") and after is None:
        after = -1
    limit = parse_limit(request.query.get("limit"), default=GROUP_APPS_DEFAULT_PAGE, maximum=MAX_APPS_PAGE)
    items = [render.app(app, rt.base_url, org_id=rt.state.org_id) for app in apps]
    return _paged(request, items, [a.seq for a in apps], [a.id for a in apps], after=after, limit=limit)


# ---- authorization servers --------------------------------------------------------------------


@routes.get("/api/v1/authorizationServers")
async def list_authorization_servers(request: web.Request) -> web.Response:
    rt = runtime(request)
    servers = [render.auth_server(server, rt.base_url) for server in rt.state.auth_servers.values()]
    return respond(request, servers)


@routes.get("/api/v1/authorizationServers/{authServerId}")
async def get_authorization_server(request: web.Request) -> web.Response:
    rt = runtime(request)
    server = rt.state.get_auth_server(request.match_info["authServerId"])
    return respond(request, render.auth_server(server, rt.base_url))
