"""`POST /oauth2/v1/token`: the org authorization server's token endpoint, for API service apps
(`client_credentials`, `private_key_jwt`, DPoP; OAUTHSPEC operation `token` with `TokenRequestOrgAs`,
answers `TokenResponseOrgAs` or `OAuthError`). The checks live in `service_apps`."""

from __future__ import annotations

from aiohttp import web

from .errors import OAuthError
from .httpio import runtime
from .service_apps import TOKEN_PATH, NonceRequired

org_token_routes = web.RouteTableDef()

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@org_token_routes.post(TOKEN_PATH)
async def org_token(request: web.Request) -> web.Response:
    rt = runtime(request)
    if request.content_type != "application/x-www-form-urlencoded":
        error = OAuthError("invalid_request", "The request must be application/x-www-form-urlencoded.")
        return web.json_response(error.body(), status=400, headers=NO_STORE)
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        body = rt.org_auth.token(form, request.headers.get("DPoP"), rt.base_url + TOKEN_PATH)
    except OAuthError as error:
        headers = dict(NO_STORE)
        if isinstance(error, NonceRequired):
            headers["DPoP-Nonce"] = error.nonce
        elif error.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
        return web.json_response(error.body(), status=error.status, headers=headers)
    return web.json_response(body, headers=NO_STORE)
