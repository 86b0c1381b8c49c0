"""`KubeEmulator`: kmock's `KubernetesEmulator` made to behave like kube-apiserver over HTTP.

kmock provides the request model, the DSL for scripted reactions (`emulator['get /api/v1/...'] << 503`
still overrides anything, e.g. to inject 429/5xx), and the `objects` array (with each object's history).
The emulator replaces kmock's own serving with the rules in `Cluster` (see cluster.py): it parses
paths itself, answers `Status` errors, lists with kind/resourceVersion/continue, streams watches as
`application/json` lines, and records every call as a `RecordedKubeRequest`.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp.web
import attrs
import kmock
import yaml
from multidict import CIMultiDict

from . import discovery, errors, openapi, patching, paths, protobuf, tables
from .cluster import Cluster
from .errors import ApiError
from .recording import RecordedKubeRequest
from .resources import ResourceType
from .store import ObjectStore
from .watching import Watch

logger = logging.getLogger(__name__)

_JSON_TYPES = ("application/json", "application/yaml")
_PATCH_TYPES = (
    patching.JSON_PATCH,
    patching.MERGE_PATCH,
    patching.STRATEGIC_MERGE_PATCH,
    patching.APPLY_PATCH,
)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _json_response(status: int, body: Any, warnings: list[str] | None = None) -> aiohttp.web.Response:
    headers: CIMultiDict[str] = CIMultiDict()
    for warning in warnings or []:
        headers.add("Warning", f"299 - {json.dumps(warning)}")
    return aiohttp.web.Response(
        status=status, body=_dumps(body), content_type="application/json", headers=headers
    )


@attrs.define
class _Call:
    """What is known about a request for its record."""

    verb: str
    path: paths.ApiPath
    recorded: bool = False


@attrs.define(kw_only=True)
class KubeEmulator(kmock.KubernetesEmulator):
    """A stateful Kubernetes API server in memory (an aiohttp handler; `KubeSandbox` serves it)."""

    bookmark_interval: float = 15.0  # seconds between BOOKMARK events of watches that allow them
    watch_timeout: float = 1800.0  # server-side watch timeout when the client sets no timeoutSeconds
    token: str | None = None  # if set, requests must carry `Authorization: Bearer <token>`
    server_address: str = "127.0.0.1"
    cluster: Cluster = attrs.field(init=False)
    recorded: list[RecordedKubeRequest] = attrs.field(factory=list, init=False)

    def __attrs_post_init__(self) -> None:
        # kmock's own post-init is skipped on purpose: its fallback reactions would serve
        # kmock's simplistic state; here, everything not scripted by the DSL goes to `Cluster`.
        self.cluster = Cluster(ObjectStore(self._objects))

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        body = await raw_request.read()
        path = paths.parse(raw_request.path)
        params = dict(raw_request.query)
        call = _Call(verb=raw_request.method.lower(), path=path)
        try:
            self._authenticate(raw_request)
            data = self._decode(raw_request, body)
            call.verb = self._verb(raw_request.method, path, params)
            scripted = await self._scripted(raw_request, path, params, body, data, call)
            if scripted is not None:
                response: aiohttp.web.StreamResponse = scripted
            else:
                response = await self._serve(raw_request, path, params, data, call)
        except ApiError as error:
            response = _json_response(error.code, error.status())
        except Exception as exc:
            logger.exception(
                "The Kubernetes emulator failed on %s %s", raw_request.method, raw_request.path_qs
            )
            response = _json_response(500, errors.internal(repr(exc)).status())
        self._record(raw_request, call, response.status)
        return response

    # --- plumbing -----------------------------------------------------------------------------------

    def _authenticate(self, raw_request: aiohttp.web.BaseRequest) -> None:
        if self.token is not None and raw_request.headers.get("Authorization") != f"Bearer {self.token}":
            raise errors.unauthorized()

    @staticmethod
    def _decode(raw_request: aiohttp.web.BaseRequest, body: bytes) -> Any:
        if not body:
            return None
        content_type = raw_request.content_type
        if content_type == "application/vnd.kubernetes.protobuf" and raw_request.method == "POST":
            return protobuf.decode(body, [*_JSON_TYPES, *_PATCH_TYPES])
        if "protobuf" in content_type or "cbor" in content_type:
            raise errors.unsupported_media_type(content_type, [*_JSON_TYPES, *_PATCH_TYPES])
        try:
            if "yaml" in content_type:
                return yaml.safe_load(body)
            return json.loads(body)
        except (ValueError, yaml.YAMLError) as exc:
            raise errors.bad_request(f"the request body could not be decoded: {exc}") from None

    @staticmethod
    def _verb(method: str, path: paths.ApiPath, params: Mapping[str, str]) -> str:
        if path.endpoint != "resource":
            return method.lower()
        if method == "GET":
            if path.watch_prefix or params.get("watch") in ("true", "1"):
                return "watch"
            return "get" if path.name else "list"
        if method == "POST":
            return "create"
        if method == "PUT":
            return "update"
        if method == "PATCH":
            return "patch"
        if method == "DELETE":
            return "delete" if path.name else "deletecollection"
        return method.lower()

    def _record(self, raw_request: aiohttp.web.BaseRequest, call: _Call, status: int) -> None:
        if call.recorded:
            return
        call.recorded = True
        path = call.path
        self.recorded.append(
            RecordedKubeRequest(
                verb=call.verb,
                method=raw_request.method,
                path=raw_request.path,
                status=status,
                group=path.group if path.endpoint == "resource" else None,
                version=path.version if path.endpoint == "resource" else None,
                resource=path.plural,
                subresource=path.subresource,
                namespace=path.namespace,
                name=path.name,
                user_agent=raw_request.headers.get("User-Agent", ""),
                query=dict(raw_request.query),
            )
        )

    async def _scripted(
        self,
        raw_request: aiohttp.web.BaseRequest,
        path: paths.ApiPath,
        params: dict[str, str],
        body: bytes,
        data: Any,
        call: _Call,
    ) -> aiohttp.web.StreamResponse | None:
        """Serve a reaction scripted with kmock's DSL, if any matches the request.

        Every request is also appended to kmock's request log, so that kmock's filters work
        for assertions too (e.g. `list(emulator["patch", emulator.resource("", "v1", "secrets")])`).
        """
        action = {
            "watch": kmock.action.WATCH,
            "list": kmock.action.LIST,
            "get": kmock.action.FETCH,
            "create": kmock.action.CREATE,
            "update": kmock.action.UPDATE,
            "patch": kmock.action.UPDATE,
            "delete": kmock.action.DELETE,
        }.get(call.verb)
        resource = (
            kmock.resource(path.group, path.version, path.plural) if path.endpoint == "resource" else None
        )
        request = kmock.Request(
            id=len(self._requests),
            raw_request=raw_request,
            url=raw_request.url,
            method=raw_request.method,
            params=params,
            headers=dict(raw_request.headers),
            cookies=dict(raw_request.cookies),
            body=body,
            text=body.decode(errors="replace"),
            data=data,
            action=action,
            resource=resource,
            namespace=path.namespace,
            name=path.name,
            subresource=path.subresource,
        )
        self._requests.append(request)
        if not self._payloads:
            return None
        try:
            return await kmock.RawHandler._handle(self, request)
        except NotImplementedError:
            return None  # no scripted reaction: serve the state

    # --- serving ------------------------------------------------------------------------------------

    async def _serve(
        self,
        raw_request: aiohttp.web.BaseRequest,
        path: paths.ApiPath,
        params: dict[str, str],
        data: Any,
        call: _Call,
    ) -> aiohttp.web.StreamResponse:
        registry = self.cluster.registry
        if path.endpoint == "resource":
            return await self._serve_resource(raw_request, path, params, data, call)
        if raw_request.method != "GET":
            raise errors.method_not_allowed()
        match path.endpoint:
            case "root":
                return _json_response(200, discovery.root_paths(registry))
            case "version":
                return _json_response(200, discovery.SERVER_VERSION)
            case "health":
                return aiohttp.web.Response(text="ok")
            case "api":
                return _json_response(200, discovery.api_versions(self.server_address))
            case "apis":
                return _json_response(200, discovery.group_list(registry))
            case "group":
                return _json_response(200, discovery.group(registry, path.group or ""))
            case "openapi":
                return _json_response(200, openapi.serve(registry, list(path.rest)))
            case "groupversion" if path.group or path.version == "v1":
                return _json_response(
                    200, discovery.resource_list(registry, path.group or "", path.version or "")
                )
        raise errors.path_not_found()

    def _resource_type(self, path: paths.ApiPath) -> ResourceType:
        rt = self.cluster.registry.lookup(path.group or "", path.version or "", path.plural or "")
        if rt is None:
            raise errors.path_not_found()
        if path.namespace is not None and not rt.namespaced:
            raise errors.path_not_found()
        if rt.namespaced and path.name is not None and path.namespace is None:
            raise errors.path_not_found()
        if path.subresource is not None and path.subresource not in rt.subresources:
            raise errors.path_not_found()
        return rt

    async def _serve_resource(
        self,
        raw_request: aiohttp.web.BaseRequest,
        path: paths.ApiPath,
        params: dict[str, str],
        data: Any,
        call: _Call,
    ) -> aiohttp.web.StreamResponse:
        rt = self._resource_type(path)
        cluster = self.cluster
        dry_run = params.get("dryRun") == "All"
        field_validation = params.get("fieldValidation", "")
        namespace = path.namespace
        name = path.name
        match call.verb:
            case "watch":
                return await self._watch_response(raw_request, rt, path, params, call)
            case "list":
                return self._list_response(raw_request, rt, namespace, params)
            case "get" if path.subresource in (None, "status"):
                obj = cluster.get(rt, namespace, name or "")
                return self._object_response(raw_request, rt, 200, obj, params)
            case "create" if name is None:
                if rt.namespaced and namespace is None:
                    raise errors.method_not_allowed()
                obj, warnings = cluster.create(
                    rt, namespace, data, dry_run=dry_run, field_validation=field_validation
                )
                return _json_response(201, obj, warnings)
            case "update" if name is not None:
                obj, warnings = cluster.replace(
                    rt,
                    namespace,
                    name,
                    data,
                    subresource=path.subresource,
                    dry_run=dry_run,
                    field_validation=field_validation,
                )
                return _json_response(200, obj, warnings)
            case "patch" if name is not None:
                obj, warnings, created = cluster.patch(
                    rt,
                    namespace,
                    name,
                    raw_request.content_type,
                    data,
                    subresource=path.subresource,
                    dry_run=dry_run,
                    field_validation=field_validation,
                    field_manager=params.get("fieldManager"),
                )
                return _json_response(201 if created else 200, obj, warnings)
            case "delete" if name is not None and path.subresource is None:
                options = self._delete_options(data, params)
                dry_run = dry_run or "All" in (options.get("dryRun") or [])
                return _json_response(200, cluster.delete(rt, namespace, name, options, dry_run=dry_run))
            case "deletecollection" if path.subresource is None:
                options = self._delete_options(data, params)
                dry_run = dry_run or "All" in (options.get("dryRun") or [])
                items = cluster.delete_collection(
                    rt,
                    namespace,
                    params.get("labelSelector"),
                    params.get("fieldSelector"),
                    options,
                    dry_run=dry_run,
                )
                return _json_response(200, self._list_body(rt, items, {}))
        if call.verb == "get":
            raise errors.path_not_found()
        raise errors.method_not_allowed()

    @staticmethod
    def _delete_options(data: Any, params: Mapping[str, str]) -> dict[str, Any]:
        options: dict[str, Any] = dict(data) if isinstance(data, dict) else {}
        if "propagationPolicy" in params:
            options["propagationPolicy"] = params["propagationPolicy"]
        if "orphanDependents" in params:
            options["orphanDependents"] = params["orphanDependents"] == "true"
        return options

    def _list_body(
        self, rt: ResourceType, items: list[dict[str, Any]], extra_meta: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "kind": rt.list_kind,
            "apiVersion": rt.api_version,
            "metadata": {"resourceVersion": str(self.cluster.store.resource_version), **extra_meta},
            "items": items,
        }

    def _list_response(
        self,
        raw_request: aiohttp.web.BaseRequest,
        rt: ResourceType,
        namespace: str | None,
        params: Mapping[str, str],
    ) -> aiohttp.web.Response:
        items = self.cluster.list_objects(
            rt, namespace, params.get("labelSelector"), params.get("fieldSelector")
        )
        if token := params.get("continue"):
            try:
                after = tuple(json.loads(base64.urlsafe_b64decode(token.encode())))
            except ValueError:
                raise errors.bad_request("continue key is not valid: illegal base64 data") from None
            items = [
                item
                for item in items
                if (item["metadata"].get("namespace", ""), item["metadata"]["name"]) > after
            ]
        extra: dict[str, Any] = {}
        try:
            limit = int(params.get("limit") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid limit: {params['limit']!r}") from None
        if limit > 0 and len(items) > limit:
            last = items[limit - 1]["metadata"]
            key = [last.get("namespace", ""), last["name"]]
            extra["continue"] = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
            extra["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        if tables.wants_table(raw_request.headers.get("Accept", "")):
            table = tables.table(rt, items, params.get("includeObject", "Metadata"))
            table["metadata"] = {"resourceVersion": str(self.cluster.store.resource_version), **extra}
            return _json_response(200, table)
        return _json_response(200, self._list_body(rt, items, extra))

    def _object_response(
        self,
        raw_request: aiohttp.web.BaseRequest,
        rt: ResourceType,
        status: int,
        obj: dict[str, Any],
        params: Mapping[str, str],
    ) -> aiohttp.web.Response:
        if tables.wants_table(raw_request.headers.get("Accept", "")):
            table = tables.table(rt, [obj], params.get("includeObject", "Metadata"))
            table["metadata"] = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            return _json_response(status, table)
        return _json_response(status, obj)

    async def _watch_response(
        self,
        raw_request: aiohttp.web.BaseRequest,
        rt: ResourceType,
        path: paths.ApiPath,
        params: Mapping[str, str],
        call: _Call,
    ) -> aiohttp.web.StreamResponse:
        watch = Watch(
            self.cluster,
            rt,
            path.namespace,
            path.name,
            params,
            bookmark_interval=self.bookmark_interval,
            default_timeout=self.watch_timeout,
        )
        response = aiohttp.web.StreamResponse(status=200)
        response.content_type = "application/json"
        response.headers["Cache-Control"] = "no-cache, private"
        response.enable_chunked_encoding()
        await response.prepare(raw_request)
        self._record(raw_request, call, 200)  # now, not when the stream ends

        async def write(event: dict[str, Any]) -> None:
            await response.write(_dumps(event) + b"\n")

        transform = None
        if tables.wants_table(raw_request.headers.get("Accept", "")):
            first = True
            include = params.get("includeObject", "Metadata")

            def transform(obj: dict[str, Any]) -> dict[str, Any]:
                nonlocal first
                table = tables.table(rt, [obj], include)
                table["metadata"] = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
                if not first:
                    table["columnDefinitions"] = []  # as the API server: definitions come once
                first = False
                return table

        try:
            await watch.run(write, transform)
            await response.write_eof()
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            pass  # the client went away
        return response
