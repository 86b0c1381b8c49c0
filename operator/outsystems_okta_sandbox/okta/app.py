"""The aiohttp application: Okta API routes, the OAuth endpoints and test hooks."""

from __future__ import annotations

from aiohttp import web

from .hooks import hook_errors, hooks
from .httpio import RUNTIME
from .middleware import okta_api
from .oauth_routes import oauth_log, oauth_routes
from .org_token_routes import org_token_routes
from .policy_routes import policy_routes
from .routes import routes
from .runtime import Runtime


def build_app(runtime: Runtime) -> web.Application:
    app = web.Application(middlewares=[hook_errors, okta_api, oauth_log], client_max_size=8 * 1024 * 1024)
    app[RUNTIME] = runtime
    app.add_routes(routes)
    app.add_routes(policy_routes)
    app.add_routes(org_token_routes)  # before /oauth2/{authServerId}/...: the org server has no id
    app.add_routes(oauth_routes)
    app.add_routes(hooks)
    return app
