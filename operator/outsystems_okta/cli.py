"""`outsystems-okta`: run the operator, preview a plan, print the CRD; and the `kubectl osokta` commands.

The emulators and the demo have their own command, `outsystems-okta-sandbox`, outside the product.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outsystems_okta import __version__, logcontext
from outsystems_okta.api.constants import KIND
from outsystems_okta.kubectl.commands import add_commands
from outsystems_okta.peering import DEFAULT_LIFETIME, MIN_LIFETIME, Peering, start_priority
from outsystems_okta.yamlio import YamlFileError, dump, read_documents

if TYPE_CHECKING:
    from outsystems_okta.okta import Pacing


def _cmd_crd(args: argparse.Namespace) -> int:
    from outsystems_okta.api.crd import custom_resource_definition

    sys.stdout.write(dump(custom_resource_definition()))
    return 0


class _BadInput(Exception):
    """The file given to `plan` cannot be used at all (exit 2, unlike an invalid spec's exit 1)."""


_YAML_TYPES = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}


def _resources(file: str) -> list[dict[str, Any]]:
    """The OutSystemsOktaIntegration documents in the file, or `_BadInput` saying in one line why not."""
    try:
        documents = [d for d in read_documents(Path(file)) if d is not None]
    except YamlFileError as exc:
        raise _BadInput(str(exc)) from None
    objects = [d for d in documents if isinstance(d, dict)]
    if documents and not objects:
        found = _YAML_TYPES.get(type(documents[0]), "scalar")
        raise _BadInput(f"{file} holds a YAML {found}, not a Kubernetes object (kind: {KIND})")
    resources = [d for d in objects if d.get("kind") == KIND]
    if not resources:
        kinds = ", ".join(dict.fromkeys(str(d.get("kind") or "an object without kind") for d in objects))
        raise _BadInput(f"no {KIND} in {file}" + (f" (found {kinds})" if kinds else " (it is empty)"))
    for index, doc in enumerate(resources, start=1):
        if not isinstance(doc.get("metadata") or {}, dict):
            raise _BadInput(f"{file}: the metadata of {KIND} number {index} is not a mapping")
    return resources


# `plan --live` exit codes beyond 0 (planned), 1 (invalid spec, or a reconcile would stop) and 2 (a
# file or an option it cannot use): 3 when Okta differs from the spec, with --detailed-exitcode only.
CHANGES_PENDING = 3
TOKEN_VARIABLE = "OKTA_API_TOKEN"
# Or an OAuth service app (README "Signing in as an OAuth 2.0 service app"): its client id, the path of
# its PEM private key (a file: a PEM does not fit in a shell variable comfortably), optionally its kid.
CLIENT_ID_VARIABLE = "OKTA_CLIENT_ID"
PRIVATE_KEY_FILE_VARIABLE = "OKTA_PRIVATE_KEY_FILE"
KEY_ID_VARIABLE = "OKTA_KEY_ID"


def _parse_specs(resources: list[dict[str, Any]]) -> list[Any] | None:
    """Each resource's parsed spec, or None after one `error:` line per problem on stderr."""
    from outsystems_okta.api.names import name_problems
    from outsystems_okta.api.spec import SpecError, parse_spec

    specs = []
    for doc in resources:
        name = (doc.get("metadata") or {}).get("name")
        try:
            spec = parse_spec(doc.get("spec"))
            # The CRD's root rules (metadata.name, the output Secret's name), as the pass repeats them.
            problems = name_problems(name, spec) if isinstance(name, str) else []
            if problems:
                raise SpecError(problems)
            specs.append(spec)
        except SpecError as exc:
            for problem in exc.problems:
                print(f"error: {name}: {problem}", file=sys.stderr)
            return None
    return specs


def _cmd_plan(args: argparse.Namespace) -> int:
    from outsystems_okta.blueprint import Owner, desired_apps

    try:
        resources = _resources(args.file)
    except _BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.live:
        return _plan_live(args, resources)
    if args.detailed_exitcode or args.org_url:
        option = "--detailed-exitcode" if args.detailed_exitcode else "--org-url"
        print(f"error: {option} goes with --live", file=sys.stderr)
        return 2
    parsed = _parse_specs(resources)
    if parsed is None:
        return 1
    plans = []
    for doc, spec in zip(resources, parsed, strict=True):
        meta = doc.get("metadata") or {}
        owner = Owner(
            namespace=str(meta.get("namespace") or "default"),
            name=str(meta.get("name")),
            uid=str(meta.get("uid") or "<assigned by Kubernetes>"),
        )
        apps = desired_apps(spec, owner)
        plans.append(
            {
                "namespace": owner.namespace,
                "name": owner.name,
                "consoles": apps.consoles.create_body(),
                "developmentTools": apps.development_tools.create_body(),
            }
        )
    print(json.dumps(plans[0] if len(plans) == 1 else plans, indent=2))
    return 0


def _plan_live(args: argparse.Namespace, resources: list[dict[str, Any]]) -> int:
    """Read the org (GET only) and print what a reconcile of each resource would change."""
    import asyncio
    import os

    from outsystems_okta.api import patterns
    from outsystems_okta.okta.credentials import InvalidCredentials, service_app
    from outsystems_okta.reconcile.credentials import read_scopes_for

    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    client_id = os.environ.get(CLIENT_ID_VARIABLE, "").strip()
    pem = ""
    if client_id:
        key_file = os.environ.get(PRIVATE_KEY_FILE_VARIABLE, "").strip()
        try:
            pem = Path(key_file).read_text() if key_file else ""
        except OSError as exc:
            print(
                f"error: ${PRIVATE_KEY_FILE_VARIABLE}: cannot read {key_file}: {exc.strerror}",
                file=sys.stderr,
            )
            return 2
        except UnicodeDecodeError:
            print(f"error: ${PRIVATE_KEY_FILE_VARIABLE}: {key_file} is not a PEM text file", file=sys.stderr)
            return 2
        if not pem:
            print(
                f"error: ${CLIENT_ID_VARIABLE} needs the PEM key's path in ${PRIVATE_KEY_FILE_VARIABLE}",
                file=sys.stderr,
            )
            return 2
    elif not token:
        # Never a command-line option: it would land in the shell history and in `ps`.
        print(
            f"error: --live reads Okta with the API token in ${TOKEN_VARIABLE} (or a service app: "
            f"${CLIENT_ID_VARIABLE} and ${PRIVATE_KEY_FILE_VARIABLE}); set it",
            file=sys.stderr,
        )
        return 2
    from outsystems_okta.reconcile.credentials import token_problem

    problem = token_problem(token)
    if problem is not None:
        # As the operator says it (never quoting the token): a 200 KB value must not reach Okta.
        print(f"error: ${TOKEN_VARIABLE} is not an Okta API token ({problem})", file=sys.stderr)
        return 2
    if args.org_url is not None and not patterns.ORG_URL.fits(args.org_url):
        print(f"error: --org-url {args.org_url!r} {patterns.ORG_URL.message}", file=sys.stderr)
        return 2
    parsed = _parse_specs(resources)
    if parsed is None:
        return 1
    jobs = []
    for doc, spec in zip(resources, parsed, strict=True):
        org_url = (args.org_url or spec.okta.org_url).rstrip("/")
        if org_url.startswith("http://") and not args.allow_insecure_loopback:
            print(
                f"error: {org_url} is plain http: the token would travel in clear text; "
                "pass --allow-insecure-loopback for a sandbox on loopback",
                file=sys.stderr,
            )
            return 2
        try:
            credentials = (
                service_app(client_id, pem, os.environ.get(KEY_ID_VARIABLE) or None, read_scopes_for(spec))
                if client_id
                else token
            )
        except InvalidCredentials as exc:  # its message names the problem, never the key
            print(f"error: ${PRIVATE_KEY_FILE_VARIABLE}: {exc}", file=sys.stderr)
            return 2
        jobs.append((doc, org_url, credentials))
    try:
        previews = asyncio.run(_previews(jobs))
    except ValueError as exc:  # a token the client refuses to send; its message never holds the token
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from outsystems_okta.plan.preview import render

    sys.stdout.write("\n".join(render(p) for p in previews))
    if any(p.blocked for p in previews):
        return 1
    if args.detailed_exitcode and any(p.has_changes for p in previews):
        return CHANGES_PENDING
    return 0


async def _previews(jobs: list[tuple[dict[str, Any], str, Any]]) -> list[Any]:
    from outsystems_okta.okta import read_only_client
    from outsystems_okta.reconcile import Options, Resource
    from outsystems_okta.reconcile.preview import preview

    results = []
    for doc, org_url, token in jobs:
        meta = doc.get("metadata") or {}
        resource = Resource(
            namespace=str(meta.get("namespace") or "default"),
            name=str(meta.get("name")),
            uid=str(meta.get("uid") or "<assigned by Kubernetes>"),
            generation=meta.get("generation"),
            spec=dict(doc.get("spec") or {}),
            # `kubectl get -o yaml` output carries status: the plan then starts from the apps it records.
            status=dict(doc.get("status") or {}),
        )
        async with read_only_client(org_url, token) as okta:
            results.append(await preview(resource, okta, org_url, Options()))
    return results


def _cmd_run(args: argparse.Namespace) -> int:
    import kopf

    LOG_FORMATS = {"json": kopf.LogFormat.JSON, "plain": kopf.LogFormat.PLAIN, "full": kopf.LogFormat.FULL}

    from outsystems_okta.handlers import OperatorConfig, build_registry

    if not args.all_namespaces and not args.namespace:
        print("error: give --namespace NS (repeatable) or --all-namespaces", file=sys.stderr)
        return 2
    peering = peering_option(args)
    if isinstance(peering, str):
        print(f"error: {peering}", file=sys.stderr)
        return 2
    pacing = pacing_option(args)
    if isinstance(pacing, str):
        print(f"error: {pacing}", file=sys.stderr)
        return 2
    if not args.okta_timeout > 0:  # also NaN
        print(f"error: --okta-timeout must be > 0 seconds, got {args.okta_timeout}", file=sys.stderr)
        return 2
    # JSON lines carry the resource under "object"; text lines get a "[namespace/name]" prefix.
    kopf.configure(
        verbose=args.verbose,
        log_format=LOG_FORMATS[args.log_format],
        log_refkey="object",
        log_prefix=args.log_format != "json",
    )
    # ... and so do the lines of the Okta client and the reconcile routine, not only Kopf's own.
    logcontext.install()
    if not args.verbose:
        # One line per Okta request is noise at INFO; failures surface as conditions and Events.
        logging.getLogger("httpx").setLevel(logging.WARNING)
    registry = build_registry(
        OperatorConfig(
            drift_interval=args.drift_interval,
            allow_insecure_loopback=args.allow_insecure_loopback,
            metrics_port=args.metrics_port,
            peering=peering,
            retry_delay=args.retry_delay,
            okta_pacing=pacing,
            okta_timeout=args.okta_timeout,
        )
    )
    kopf.run(
        registry=registry,
        # Without --peering, never Kopf's auto-detection of a peering named "default": one operator.
        standalone=peering is None,
        clusterwide=args.all_namespaces,
        namespaces=args.namespace or (),
        liveness_endpoint=args.liveness,
    )
    return 0


def peering_option(args: argparse.Namespace) -> Peering | str | None:
    """The peering to join (None: standalone), or a one-line reason why the options do not fit."""
    if args.peering is None:
        if args.priority is not None or args.peering_lifetime is not None:
            return "--priority and --peering-lifetime go with --peering"
        return None
    if args.standalone:
        return "--standalone and --peering exclude each other"
    lifetime = DEFAULT_LIFETIME if args.peering_lifetime is None else args.peering_lifetime
    if lifetime < MIN_LIFETIME:
        return f"--peering-lifetime must be at least {MIN_LIFETIME} seconds"
    priority = args.priority if args.priority is not None else start_priority(time.time_ns())
    return Peering(args.peering, priority, lifetime)


def pacing_option(args: argparse.Namespace) -> Pacing | str:
    """The `Pacing` of each org's Okta client, or a one-line reason why the options do not fit."""
    from outsystems_okta.okta import Pacing

    try:
        return Pacing(
            budget=args.okta_budget, concurrency=args.okta_concurrency, max_wait=args.okta_max_budget_wait
        )
    except ValueError as exc:
        return str(exc)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="outsystems-okta",
        description="Wire an OutSystems 11 factory to Okta, kept right by a Kubernetes operator.",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the operator")
    run.add_argument(
        "-n", "--namespace", action="append", help="namespace to watch (repeatable; globs allowed)"
    )
    run.add_argument("-A", "--all-namespaces", action="store_true", help="watch every namespace")
    run.add_argument(
        "--standalone",
        action="store_true",
        help="no peering with other operator instances (the default without --peering)",
    )
    run.add_argument(
        "--peering",
        metavar="NAME",
        help="run beside other replicas, one acting at a time: join Kopf's peering object NAME "
        "(ClusterKopfPeering with --all-namespaces, else a KopfPeering in each watched namespace); "
        "paused until it exists",
    )
    run.add_argument(
        "--priority",
        type=int,
        metavar="N",
        help="with --peering: the highest live priority acts (default: from the start time, the "
        "oldest process first); equal priorities pause every operator that has them",
    )
    run.add_argument(
        "--peering-lifetime",
        type=int,
        metavar="SECONDS",
        help="with --peering: how long a keep-alive is valid, so how soon a killed operator is taken "
        f"over (default {DEFAULT_LIFETIME})",
    )
    run.add_argument(
        "--liveness", metavar="URL", help="serve a liveness probe, e.g. http://0.0.0.0:8080/healthz"
    )
    run.add_argument(
        "--drift-interval",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how often each resource is re-checked against Okta, jittered (default 600)",
    )
    run.add_argument(
        "--retry-delay",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="first delay after a transient failure; it doubles per consecutive failure of the same reason "
        "up to 600 s, and starts 4x higher for a failure a person must fix (default 15)",
    )
    run.add_argument(
        "--allow-insecure-loopback",
        action="store_true",
        help="accept a plain-http orgUrl on 127.0.0.1/localhost/[::1] (the sandbox); never elsewhere",
    )
    run.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        metavar="PORT",
        help="serve Prometheus metrics on this port at /metrics (default: off)",
    )
    run.add_argument(
        "--okta-budget",
        type=float,
        default=0.5,
        metavar="SHARE",
        help="the share of each Okta rate-limit bucket the operator may spend per window, counting "
        "everyone's calls as Okta reports them; it waits, rather than being refused, once that much is "
        "spent (0 < SHARE <= 1, default 0.5: the other half stays free for the org)",
    )
    run.add_argument(
        "--okta-concurrency",
        type=int,
        default=4,
        metavar="N",
        help="Okta requests in flight at once per org, whatever the number of integrations (default 4)",
    )
    run.add_argument(
        "--okta-max-budget-wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="the longest one Okta request waits for budget; past it the pass ends as OktaBudgetWait "
        "and is retried (default 300)",
    )
    run.add_argument(
        "--okta-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long the Okta client waits for each answer; a read that times out is retried, a create "
        "is looked for by its marker instead (default 30)",
    )
    run.add_argument(
        "--log-format",
        choices=("json", "plain", "full"),
        default="json",
        help="json lines (default), plain messages, or full text lines",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    run.set_defaults(func=_cmd_run)

    plan = sub.add_parser(
        "plan",
        help="print the two Okta app bodies a resource produces (no cluster, no Okta), or with --live "
        "what a reconcile would change in the org (reads only)",
    )
    plan.add_argument("-f", "--file", required=True, help="YAML file with an OutSystemsOktaIntegration")
    plan.add_argument(
        "--live",
        action="store_true",
        help=f"read the Okta org (GET only, token from ${TOKEN_VARIABLE}, or a service app from "
        f"${CLIENT_ID_VARIABLE}, ${PRIVATE_KEY_FILE_VARIABLE} and ${KEY_ID_VARIABLE}) and print, per app, "
        "what a "
        "reconcile would create or change, field by field, and the group assignments; feed it "
        "`kubectl get osokta NAME -o yaml` to start from the apps the resource already manages",
    )
    plan.add_argument(
        "--org-url", metavar="URL", help="with --live: the org to read (default: spec.okta.orgUrl)"
    )
    plan.add_argument(
        "--allow-insecure-loopback",
        action="store_true",
        help="with --live: accept a plain-http org URL on loopback (the sandbox)",
    )
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help=f"with --live: exit {CHANGES_PENDING} when a reconcile would change something (0: nothing)",
    )
    plan.set_defaults(func=_cmd_plan)

    crd = sub.add_parser("crd", help="print the CustomResourceDefinition")
    crd.set_defaults(func=_cmd_crd)

    # The kubectl plugin's commands (status, lifetime, reconcile, ...), for machines without kubectl.
    add_commands(sub)

    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
