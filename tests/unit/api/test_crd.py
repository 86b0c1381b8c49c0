"""The generated CRD: drift from crds/, structural-schema rules, CEL rules with plain-words messages and
their cost, and agreement with parse_spec."""

from __future__ import annotations

import copy
import functools
import itertools
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import celpy
import jsonschema
import pytest
import yaml
from pydantic import BaseModel, Field

from outsystems_okta.api import patterns, uri_shapes
from outsystems_okta.api.app_options import SIGN_IN_POLICY_ID
from outsystems_okta.api.crd import _schema_of, custom_resource_definition
from outsystems_okta.api.spec import SpecError, parse_spec
from outsystems_okta.yamlio import dump

REPO = Path(__file__).resolve().parents[3]
CRD_FILE = REPO / "crds" / "outsystemsoktaintegrations.okta.outsystems.dev.yaml"

GENERATED = custom_resource_definition()
VERSION = GENERATED["spec"]["versions"][0]
ROOT = VERSION["schema"]["openAPIV3Schema"]
SPEC_SCHEMA = ROOT["properties"]["spec"]
STATUS_SCHEMA = ROOT["properties"]["status"]

# The root fields every Kubernetes object has; the API server documents them itself.
ROOT_BUILTINS = {"apiVersion", "kind", "metadata"}

MAKE_HINT = "The checked-in CRD is stale: run `make crds` and commit crds/ together with the model change."


def walk(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node with its JSON path (`.spec.environments[*].name`)."""
    yield path, node
    for name, sub in (node.get("properties") or {}).items():
        yield from walk(sub, f"{path}.{name}")
    if "items" in node:
        yield from walk(node["items"], f"{path}[*]")


def properties(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every named property (not list items) with its JSON path."""
    for node_path, sub in walk(node, path):
        for name, prop in (sub.get("properties") or {}).items():
            yield f"{node_path}.{name}", prop


ALL_NODES = list(walk(ROOT))


# --------------------------------------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------------------------------------


def test_checked_in_crd_exists() -> None:
    assert CRD_FILE.is_file(), f"{CRD_FILE} is missing. {MAKE_HINT}"


def test_checked_in_crd_equals_the_generated_one() -> None:
    checked_in = yaml.safe_load(CRD_FILE.read_text())
    differences = list(diff(checked_in, GENERATED))
    assert not differences, f"{MAKE_HINT}\nFirst differences (checked-in vs generated): {differences[:10]}"


def test_checked_in_crd_is_byte_for_byte_what_make_crds_writes() -> None:
    assert CRD_FILE.read_text() == dump(GENERATED), MAKE_HINT


def diff(old: Any, new: Any, path: str = "") -> Iterator[str]:
    """Paths where two YAML documents differ, for a readable drift message."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if key not in old:
                yield f"{path}.{key}: missing from crds/"
            elif key not in new:
                yield f"{path}.{key}: no longer generated"
            else:
                yield from diff(old[key], new[key], f"{path}.{key}")
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from diff(a, b, f"{path}[{index}]")
    elif old != new:
        yield f"{path}: {old!r} != {new!r}"


def test_diff_helper_names_the_changed_path() -> None:
    changed = copy.deepcopy(GENERATED)
    changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["required"] = ["okta"]
    assert list(diff(GENERATED, changed)) == [
        ".spec.versions[0].schema.openAPIV3Schema.properties.spec.required: "
        "['okta', 'lifetime', 'environments'] != ['okta']"
    ]


def test_generation_is_deterministic() -> None:
    assert custom_resource_definition() == GENERATED
    assert dump(custom_resource_definition()) == dump(GENERATED)


# --------------------------------------------------------------------------------------------------------
# Names, scope, subresources, printer columns
# --------------------------------------------------------------------------------------------------------


def test_names_scope_and_version() -> None:
    spec = GENERATED["spec"]
    assert GENERATED["apiVersion"] == "apiextensions.k8s.io/v1"
    assert GENERATED["kind"] == "CustomResourceDefinition"
    assert GENERATED["metadata"]["name"] == "outsystemsoktaintegrations.okta.outsystems.dev"
    assert spec["group"] == "okta.outsystems.dev"
    assert spec["scope"] == "Namespaced"
    assert spec["names"] == {
        "kind": "OutSystemsOktaIntegration",
        "listKind": "OutSystemsOktaIntegrationList",
        "plural": "outsystemsoktaintegrations",
        "singular": "outsystemsoktaintegration",
        "shortNames": ["osokta"],
        "categories": ["outsystems", "okta"],
    }
    assert [v["name"] for v in spec["versions"]] == ["v1alpha1"]
    assert VERSION["served"] is True and VERSION["storage"] is True


def test_status_subresource_is_enabled() -> None:
    assert VERSION["subresources"] == {"status": {}}


def test_printer_columns() -> None:
    columns = {c["name"]: c for c in VERSION["additionalPrinterColumns"]}
    assert list(columns) == ["Ready", "Reason", "Environments", "Web Client ID", "Age"]
    assert columns["Ready"]["jsonPath"] == '.status.conditions[?(@.type=="Ready")].status'
    assert columns["Reason"]["jsonPath"] == '.status.conditions[?(@.type=="Ready")].reason'
    assert columns["Environments"]["jsonPath"] == ".status.environments"
    assert columns["Web Client ID"]["jsonPath"] == ".status.consoles.clientId"
    assert columns["Age"]["jsonPath"] == ".metadata.creationTimestamp"
    assert {n: c["type"] for n, c in columns.items()} == {
        "Ready": "string",
        "Reason": "string",
        "Environments": "integer",
        "Web Client ID": "string",
        "Age": "date",
    }


def test_printer_columns_point_at_fields_the_status_schema_has() -> None:
    status_props = STATUS_SCHEMA["properties"]
    assert status_props["environments"]["type"] == "integer"
    assert status_props["consoles"]["properties"]["clientId"]["type"] == "string"
    condition = status_props["conditions"]["items"]["properties"]
    assert {"type", "status", "reason"} <= set(condition)


# --------------------------------------------------------------------------------------------------------
# Structural schema rules
# --------------------------------------------------------------------------------------------------------

ALLOWED_KEYS = {
    "type",
    "description",
    "properties",
    "items",
    "required",
    "enum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "default",
    "format",
}
SCALAR_TYPES = {"string", "integer", "number", "boolean"}


@pytest.mark.parametrize(("path", "node"), ALL_NODES, ids=[p or "<root>" for p, _ in ALL_NODES])
def test_node_is_structural(path: str, node: dict[str, Any]) -> None:
    unexpected = {k for k in node if k not in ALLOWED_KEYS and not k.startswith("x-kubernetes-")}
    assert not unexpected, f"{path or '<root>'} has keys a structural schema forbids: {sorted(unexpected)}"
    assert isinstance(node.get("type"), str), f"{path or '<root>'} needs exactly one type"
    assert node["type"] in SCALAR_TYPES | {"object", "array"}, f"{path}: type {node['type']!r}"
    if node["type"] == "array":
        assert "items" in node, f"{path}: an array needs items"
    if "properties" in node:
        assert node["type"] == "object"
    if "required" in node:
        assert set(node["required"]) <= set(node["properties"]), f"{path}: required names unknown fields"
        assert len(node["required"]) == len(set(node["required"]))


def all_keys(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from all_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_keys(value)


def test_no_forbidden_keyword_anywhere_in_the_schema() -> None:
    forbidden = {
        "$ref",
        "$defs",
        "definitions",
        "anyOf",
        "allOf",
        "oneOf",
        "not",
        "title",
        "const",
        "nullable",
    }
    found = {key for key, _ in all_keys(ROOT) if key in forbidden}
    assert not found, f"the schema has keywords a structural schema forbids: {sorted(found)}"
    types = [value for key, value in all_keys(ROOT) if key == "type" and not isinstance(value, dict)]
    assert types and all(isinstance(t, str) and t != "null" for t in types), "no null or union types"


@pytest.mark.parametrize(
    ("path", "node"),
    list(properties(ROOT)),
    ids=[p for p, _ in properties(ROOT)],
)
def test_every_property_has_a_description(path: str, node: dict[str, Any]) -> None:
    if path.lstrip(".") in ROOT_BUILTINS:
        return
    description = node.get("description")
    assert isinstance(description, str) and len(description.strip()) > 10, f"{path} needs a description"


def test_root_has_a_description_and_builtins_are_minimal() -> None:
    assert "OutSystemsOktaIntegration" in ROOT["description"]
    assert ROOT["required"] == ["spec"]
    assert ROOT["properties"]["apiVersion"] == {"type": "string"}
    assert ROOT["properties"]["kind"] == {"type": "string"}
    assert ROOT["properties"]["metadata"] == {"type": "object"}


BOUNDED = [(p, n) for p, n in ALL_NODES if p.lstrip(".") not in ROOT_BUILTINS]


@pytest.mark.parametrize(("path", "node"), BOUNDED, ids=[p or "<root>" for p, _ in BOUNDED])
def test_strings_and_arrays_are_bounded(path: str, node: dict[str, Any]) -> None:
    # The CEL cost estimator bounds a string by maxLength, or by its longest enum value.
    if node["type"] == "string":
        assert "maxLength" in node or "enum" in node, f"{path} is a string without maxLength"
    if node["type"] == "array":
        assert "maxItems" in node, f"{path} is an array without maxItems"


def test_the_bounds_the_cel_rules_rely_on() -> None:
    env = SPEC_SCHEMA["properties"]["environments"]
    assert env["maxItems"] == 100
    assert env["items"]["properties"]["hostname"]["maxLength"] == 253
    assert SPEC_SCHEMA["properties"]["lifetime"]["properties"]["hostname"]["maxLength"] == 253


@pytest.mark.parametrize(
    ("path", "node"),
    [(p, n) for p, n in ALL_NODES if "default" in n],
    ids=[p for p, n in ALL_NODES if "default" in n],
)
def test_defaults_are_valid_against_their_own_schema(path: str, node: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(strip_kubernetes(node)).validate(node["default"])


def test_defaults_match_the_models() -> None:
    props = SPEC_SCHEMA["properties"]
    assert props["okta"]["properties"]["authorizationServerId"]["default"] == "default"
    assert props["okta"]["properties"]["credentialsSecretRef"]["properties"]["key"]["default"] == "apiToken"
    assert props["deletionPolicy"]["default"] == "Orphan"
    assert props["deletionPolicy"]["enum"] == ["Orphan", "Delete"]
    assert props["access"]["properties"]["everyone"]["default"] is False
    assert props["missingAppPolicy"]["default"] == "Stop"
    assert props["missingAppPolicy"]["enum"] == ["Stop", "Recreate"]
    # The labels' defaults are the operator's, not the schema's: an API server would fill them into
    # the stored object, and an adopted app keeps its own label unless the spec names one.
    for role, label in (
        ("consoles", "OutSystems Consoles"),
        ("developmentTools", "OutSystems Development Tools"),
    ):
        node = props["appLabels"]["properties"][role]
        assert "default" not in node
        assert f"Default: {label} for an app the operator creates" in node["description"]
    # An absent secretName means <metadata.name>-lifetime, computed by the operator: no schema default.
    assert "default" not in props["secretName"]


def test_required_fields() -> None:
    props = SPEC_SCHEMA["properties"]
    assert SPEC_SCHEMA["required"] == ["okta", "lifetime", "environments"]
    assert props["okta"]["required"] == ["orgUrl", "credentialsSecretRef"]
    assert props["okta"]["properties"]["credentialsSecretRef"]["required"] == ["name"]
    assert props["lifetime"]["required"] == ["hostname"]
    assert props["environments"]["items"]["required"] == ["name", "hostname"]
    assert "required" not in props["access"]
    assert "required" not in props["appLabels"]


# --------------------------------------------------------------------------------------------------------
# List types and CEL rules
# --------------------------------------------------------------------------------------------------------


def test_environments_are_a_map_keyed_by_name() -> None:
    env = SPEC_SCHEMA["properties"]["environments"]
    assert env["x-kubernetes-list-type"] == "map"
    assert env["x-kubernetes-list-map-keys"] == ["name"]
    # A map key must be required (or defaulted) and scalar.
    assert "name" in env["items"]["required"]
    assert env["items"]["properties"]["name"]["type"] == "string"


def test_groups_are_a_set_of_scalars() -> None:
    groups = SPEC_SCHEMA["properties"]["access"]["properties"]["groups"]
    assert groups["x-kubernetes-list-type"] == "set"
    assert groups["items"]["type"] in SCALAR_TYPES
    assert "x-kubernetes-list-map-keys" not in groups


def test_status_conditions_are_a_map_keyed_by_type() -> None:
    conditions = STATUS_SCHEMA["properties"]["conditions"]
    assert conditions["x-kubernetes-list-type"] == "map"
    assert conditions["x-kubernetes-list-map-keys"] == ["type"]
    assert "type" in conditions["items"]["required"]


@pytest.mark.parametrize(("path", "node"), ALL_NODES, ids=[p or "<root>" for p, _ in ALL_NODES])
def test_list_type_annotations_are_consistent(path: str, node: dict[str, Any]) -> None:
    list_type = node.get("x-kubernetes-list-type")
    if list_type is None:
        assert "x-kubernetes-list-map-keys" not in node, path
        return
    assert node["type"] == "array", path
    assert list_type in ("atomic", "set", "map"), path
    if list_type == "map":
        keys = node["x-kubernetes-list-map-keys"]
        items = node["items"]
        for key in keys:
            assert key in items["required"] or "default" in items["properties"][key], path
            assert items["properties"][key]["type"] in SCALAR_TYPES, path
    if list_type == "set":
        assert node["items"]["type"] in SCALAR_TYPES, path


def validations(path: str) -> list[dict[str, str]]:
    node = dict(ALL_NODES)[path]
    return list(node.get("x-kubernetes-validations") or [])


def test_cel_rule_unique_environment_hostnames() -> None:
    assert validations(".spec.environments") == [
        {
            "rule": "self.all(e, self.filter(f, f.hostname == e.hostname).size() == 1)",
            "message": "environment hostnames must be unique",
        }
    ]


def test_cel_rule_lifetime_not_repeated() -> None:
    assert validations(".spec") == [
        {
            "rule": "!self.environments.exists(e, e.hostname == self.lifetime.hostname)",
            "message": "the LifeTime hostname must not be listed again among environments",
        }
    ]


# Every string a user types whose value has a shape, and the shape it has.
SHAPED_FIELDS = {
    ".spec.okta.orgUrl": patterns.ORG_URL,
    ".spec.okta.authorizationServerId": patterns.AUTH_SERVER_ID,
    ".spec.okta.credentialsSecretRef.name": patterns.SECRET_NAME,
    ".spec.okta.credentialsSecretRef.key": patterns.SECRET_KEY,
    ".spec.lifetime.hostname": patterns.HOSTNAME,
    ".spec.environments[*].name": patterns.ENV_NAME,
    ".spec.environments[*].hostname": patterns.HOSTNAME,
    ".spec.secretName": patterns.SECRET_NAME,
    ".spec.adopt.consolesAppId": patterns.APP_ID,
    ".spec.adopt.developmentToolsAppId": patterns.APP_ID,
    ".spec.okta.signInPolicyId": SIGN_IN_POLICY_ID,
    ".spec.appLabels.consoles": patterns.APP_LABEL,
    ".spec.appLabels.developmentTools": patterns.APP_LABEL,
    ".spec.access.groups[*]": patterns.GROUP_NAME,
    **{
        f".spec.{field}.{app}[*]": shape
        for field in ("extraRedirectUris", "extraPostLogoutRedirectUris")
        for app, shape in (("consoles", uri_shapes.WEB_URI), ("developmentTools", uri_shapes.NATIVE_URI))
    },
}


def test_cel_rules_only_where_expected() -> None:
    with_rules = sorted(p for p, n in ALL_NODES if "x-kubernetes-validations" in n)
    # "": the root, whose rules see metadata.name (api/names.py).
    assert with_rules == sorted(["", ".spec", ".spec.environments", ".spec.adopt", *SHAPED_FIELDS])
    for _, node in ALL_NODES:
        for rule in node.get("x-kubernetes-validations") or []:
            # `rule` and `message` only: messageExpression needs Kubernetes 1.27, reason and fieldPath
            # 1.28, and the README promises 1.25 (an older server would drop them, not fail).
            assert set(rule) == {"rule", "message"}
            assert rule["message"].strip() and rule["rule"].strip()


def test_no_pattern_anywhere_in_the_crd() -> None:
    # An API server reports a failed `pattern` by printing the regular expression.
    assert [key for key, _ in all_keys(GENERATED) if key == "pattern"] == []


@pytest.mark.parametrize(("path", "shape"), SHAPED_FIELDS.items(), ids=list(SHAPED_FIELDS))
def test_every_shaped_field_is_a_bounded_cel_match_with_its_message(path: str, shape: patterns.Shape) -> None:
    node = dict(ALL_NODES)[path]
    assert node["type"] == "string"
    assert "pattern" not in node
    assert node["maxLength"] == shape.max_length, "the bound the CEL cost estimate relies on"
    first = node["x-kubernetes-validations"][0]
    assert first == {"rule": f"self.matches({patterns.cel_string(shape.pattern)})", "message": shape.message}


def test_org_url_also_refuses_the_admin_console_with_a_static_message() -> None:
    rules = validations(".spec.okta.orgUrl")
    assert rules[1:] == [patterns.admin_console_cel_rule()]
    assert rules[1]["message"] == (
        "must be your Okta org URL, not the admin console: "
        "use https://acme.okta.com instead of https://acme-admin.okta.com"
    )


ALL_MESSAGES = [rule["message"] for _, n in ALL_NODES for rule in n.get("x-kubernetes-validations") or []]
# Sequences that only a regular expression has (a user's message may well contain `-`, `.`, `(`, `>`).
REGEX_TELLS = ("^", "$", "[a-z", "[A-Z", "[0-9", "[-", "]*", "]+", "]?", ")?", ")*", "{0,", "\\", "(?", "|")


@pytest.mark.parametrize("message", ALL_MESSAGES)
def test_messages_show_no_regular_expression(message: str) -> None:
    assert not [tell for tell in REGEX_TELLS if tell in message], message
    assert message == message.strip() and "\n" not in message


def test_regex_tells_would_catch_the_old_pattern_message() -> None:
    # Guard for the check above: what a `pattern` failure printed before these rules existed.
    old = "spec.lifetime.hostname in body should match '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'"
    assert [tell for tell in REGEX_TELLS if tell in old]


def test_the_generator_refuses_a_pattern() -> None:
    class WithPattern(BaseModel):
        code: str = Field(pattern="^[A-Z]+$", max_length=3)

    with pytest.raises(ValueError, match=r"patterns\.Shape"):
        _schema_of(WithPattern)


# --- cost: a real API server refuses a CRD whose rules it estimates too expensive ----------------------
#
# kube-apiserver estimates each rule when the CRD is written (cel-go's checker/cost.go) and refuses one
# above StaticEstimatedCostLimit (10,000,000), or rules together above StaticEstimatedCRDCostLimit
# (100,000,000) (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go). A rule's
# estimate is multiplied by how many times it may run: the maxItems of every list above it. For
# `s.matches(re)` cel-go estimates ceil((maxLength(s) + 1) * 0.1) * ceil(len(re) * 0.25): linear in the
# string (RE2 never backtracks), times the regex length. With today's bounds the dearest rule is an
# environment's hostname: 494 per item * 100 environments = 49,400; orgUrl's shape 2,324; all of them
# together about 60,000, so the budget leaves room for 100 times more. Without maxLength and maxItems
# the estimator assumes strings and lists as large as a whole request (3 MiB) and refuses the CRD.


def _matches_cost(rule: str, max_length: int) -> int:
    literal = re.fullmatch(r"!?self[.]matches\((.*)\)", rule)
    assert literal, rule
    regex_length = len(literal.group(1)) - 2  # the CEL literal's text, quotes excluded
    return math.ceil((max_length + 1) * 0.1) * math.ceil(regex_length * 0.25)


def _cardinality(path: str) -> int:
    """How many times a rule at `path` may run: the product of the maxItems of the lists above it."""
    product, node = 1, ROOT
    for part in re.findall(r"[.]([A-Za-z]+)|(\[[*]\])", path):
        if part[1]:
            product *= node["maxItems"]
            node = node["items"]
        else:
            node = node["properties"][part[0]]
    return product


def test_every_matches_rule_is_far_below_the_cost_limits() -> None:
    total = 0
    for path in SHAPED_FIELDS:
        node = dict(ALL_NODES)[path]
        for rule in node["x-kubernetes-validations"]:
            cost = _matches_cost(rule["rule"], node["maxLength"]) * _cardinality(path)
            assert cost < 10_000_000 // 100, f"{path}: estimated cost {cost} is too close to the limit"
            total += cost
    assert total < 100_000_000 // 100
    assert _cardinality(".spec.environments[*].hostname") == 100


# --------------------------------------------------------------------------------------------------------
# The schema with its CEL rules and parse_spec agree
# --------------------------------------------------------------------------------------------------------


def strip_kubernetes(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_kubernetes(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if isinstance(node, list):
        return [strip_kubernetes(v) for v in node]
    return node


SCHEMA_VALIDATOR = jsonschema.Draft7Validator(strip_kubernetes(ROOT))


@functools.cache
def _cel(rule: str) -> celpy.Runner:
    environment = celpy.Environment()
    return environment.program(environment.compile(rule))


def cel_failures(node: Any, schema: dict[str, Any]) -> list[str]:
    """Messages of the CEL rules that do not hold, each evaluated at the node declaring it.

    cel-python's `matches` is google-re2, the API server's regex engine (`$` is the end of the text).
    """
    failed = []
    for rule in schema.get("x-kubernetes-validations") or []:
        result = _cel(rule["rule"]).evaluate({"self": celpy.json_to_cel(node)})
        if not (isinstance(result, celpy.celtypes.BoolType) and bool(result)):
            failed.append(rule["message"])
    if isinstance(node, dict):
        for key, value in node.items():
            if key in (schema.get("properties") or {}):
                failed += cel_failures(value, schema["properties"][key])
    elif isinstance(node, list) and "items" in schema:
        for item in node:
            failed += cel_failures(item, schema["items"])
    return failed


def crd_accepts(spec: Any) -> bool:
    """What the API server accepts: the structural schema, then (only if it passed) the CEL rules."""
    document = {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": "factory", "namespace": "outsystems"},
        "spec": spec,
    }
    if not SCHEMA_VALIDATOR.is_valid(document):
        return False
    return cel_failures(spec, SPEC_SCHEMA) == []


def parse_accepts(spec: Any) -> bool:
    try:
        parse_spec(spec)
    except SpecError:
        return False
    return True


def minimal() -> dict[str, Any]:
    return {
        "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [{"name": "dev", "hostname": "dev.acme.com"}],
    }


def full() -> dict[str, Any]:
    return {
        "okta": {
            "orgUrl": "https://acme.okta.com/",
            "authorizationServerId": "aus1a2b3c4",
            "credentialsSecretRef": {"name": "okta-api", "key": "token"},
        },
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [
            {"name": "dev", "hostname": "dev.acme.com"},
            {"name": "qa", "hostname": "qa.acme.com"},
            {"name": "prod", "hostname": "prod.acme.com"},
        ],
        "access": {"everyone": True, "groups": ["OutSystems IT", "Admins"]},
        "appLabels": {"consoles": "A Consoles", "developmentTools": "A Tools"},
        "secretName": "factory-lifetime",
        "deletionPolicy": "Delete",
        "adopt": {"consolesAppId": "0oa1b2c3d4e5f6g7h8i9", "developmentToolsAppId": "0oa9h8g7f6e5d4c3b2a1"},
        "missingAppPolicy": "Recreate",
    }


def edit(base: dict[str, Any], path: tuple[str | int, ...], value: Any = ...) -> dict[str, Any]:
    """A copy of base with path set to value, or removed when value is omitted."""
    doc = copy.deepcopy(base)
    node: Any = doc
    for part, after in itertools.pairwise(path):
        # A list is made where the path goes on with an index (an extra URI list the spec lacks).
        node = (
            node.setdefault(part, [] if isinstance(after, int) else {})
            if isinstance(node, dict)
            else node[part]
        )
    if value is ...:
        del node[path[-1]]
    elif isinstance(node, list) and path[-1] == len(node):
        node.append(value)
    else:
        node[path[-1]] = value
    return doc


H253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
ENVS_100 = [{"name": f"e{i}", "hostname": f"e{i}.acme.com"} for i in range(100)]
ENVS_101 = [*ENVS_100, {"name": "e100", "hostname": "e100.acme.com"}]

GOOD: dict[str, dict[str, Any]] = {
    "minimal": minimal(),
    "full": full(),
    "loopback-http": edit(minimal(), ("okta", "orgUrl"), "http://127.0.0.1:8443"),
    "localhost-http": edit(minimal(), ("okta", "orgUrl"), "http://localhost"),
    "ipv6-loopback-http": edit(minimal(), ("okta", "orgUrl"), "http://[::1]:8443/"),
    "https-port": edit(minimal(), ("okta", "orgUrl"), "https://acme.okta.com:8443"),
    "hostname-253": edit(minimal(), ("lifetime", "hostname"), H253),
    "label-63": edit(minimal(), ("environments", 0, "hostname"), "a" * 63 + ".acme.com"),
    "single-label-host": edit(minimal(), ("environments", 0, "hostname"), "dev"),
    "env-name-63": edit(minimal(), ("environments", 0, "name"), "a" * 63),
    "env-name-digits": edit(minimal(), ("environments", 0, "name"), "2024"),
    "100-environments": edit(minimal(), ("environments",), ENVS_100),
    "50-groups": edit(minimal(), ("access", "groups"), [f"g{i}" for i in range(50)]),
    "group-255": edit(minimal(), ("access", "groups"), ["g" * 255]),
    "label-100": edit(minimal(), ("appLabels", "consoles"), "x" * 100),
    "auth-server-64": edit(minimal(), ("okta", "authorizationServerId"), "a" * 64),
    "key-dots": edit(minimal(), ("okta", "credentialsSecretRef", "key"), ".api_token-1"),
    "secret-name-dotted": edit(minimal(), ("secretName",), "factory.lifetime"),
    "org-admin-word-elsewhere": edit(minimal(), ("okta", "orgUrl"), "https://admin.okta.com"),
    "org-admin-prefix-longer": edit(minimal(), ("okta", "orgUrl"), "https://acme-administration.okta.com"),
    "org-admin-custom-domain": edit(minimal(), ("okta", "orgUrl"), "https://login-admin.acme.com"),
    "empty-access": edit(minimal(), ("access",), {}),
    "empty-app-labels": edit(minimal(), ("appLabels",), {}),
    "adopt-consoles-only": edit(minimal(), ("adopt",), {"consolesAppId": "0oa1b2c3d4e5f6g7h8i9"}),
    "adopt-tools-only": edit(minimal(), ("adopt",), {"developmentToolsAppId": "0oa1b2c3d4e5f6g7h8i9"}),
    "adopt-id-100": edit(minimal(), ("adopt",), {"consolesAppId": "0oa" + "a" * 97}),
    "missing-app-stop": edit(minimal(), ("missingAppPolicy",), "Stop"),
}

BAD: dict[str, dict[str, Any]] = {
    # required
    "no-okta": edit(minimal(), ("okta",)),
    "no-lifetime": edit(minimal(), ("lifetime",)),
    "no-environments": edit(minimal(), ("environments",)),
    "no-org-url": edit(minimal(), ("okta", "orgUrl")),
    "no-secret-ref": edit(minimal(), ("okta", "credentialsSecretRef")),
    "no-secret-ref-name": edit(minimal(), ("okta", "credentialsSecretRef", "name")),
    "no-lifetime-hostname": edit(minimal(), ("lifetime", "hostname")),
    "no-env-name": edit(minimal(), ("environments", 0, "name")),
    "no-env-hostname": edit(minimal(), ("environments", 0, "hostname")),
    # hostname pattern and length
    "host-scheme": edit(minimal(), ("lifetime", "hostname"), "https://x"),
    "host-path": edit(minimal(), ("environments", 0, "hostname"), "x.com/a"),
    "host-port": edit(minimal(), ("environments", 0, "hostname"), "x.com:443"),
    "host-space": edit(minimal(), ("environments", 0, "hostname"), "dev acme.com"),
    "host-upper": edit(minimal(), ("environments", 0, "hostname"), "Dev.acme.com"),
    "host-empty": edit(minimal(), ("environments", 0, "hostname"), ""),
    "host-trailing-dot": edit(minimal(), ("environments", 0, "hostname"), "dev.acme.com."),
    "host-label-64": edit(minimal(), ("environments", 0, "hostname"), "a" * 64 + ".com"),
    "host-254": edit(minimal(), ("lifetime", "hostname"), H253 + "d"),
    "host-underscore": edit(minimal(), ("environments", 0, "hostname"), "dev_1.acme.com"),
    "host-trailing-newline": edit(minimal(), ("environments", 0, "hostname"), "dev.acme.com\n"),
    # environment names
    "env-name-upper": edit(minimal(), ("environments", 0, "name"), "Dev"),
    "env-name-dot": edit(minimal(), ("environments", 0, "name"), "dev.eu"),
    "env-name-64": edit(minimal(), ("environments", 0, "name"), "a" * 64),
    "env-name-empty": edit(minimal(), ("environments", 0, "name"), ""),
    "env-name-trailing-newline": edit(minimal(), ("environments", 0, "name"), "dev\n"),
    # org URL
    "org-http-public": edit(minimal(), ("okta", "orgUrl"), "http://acme.okta.com"),
    "org-path": edit(minimal(), ("okta", "orgUrl"), "https://acme.okta.com/oauth2/default"),
    "org-query": edit(minimal(), ("okta", "orgUrl"), "https://acme.okta.com?a=b"),
    "org-no-scheme": edit(minimal(), ("okta", "orgUrl"), "acme.okta.com"),
    "org-too-long": edit(minimal(), ("okta", "orgUrl"), "https://" + "a" * 262 + ".com"),
    "org-empty": edit(minimal(), ("okta", "orgUrl"), ""),
    "org-admin-console": edit(minimal(), ("okta", "orgUrl"), "https://acme-admin.okta.com"),
    "org-admin-preview": edit(minimal(), ("okta", "orgUrl"), "https://acme-admin.oktapreview.com/"),
    "org-admin-emea": edit(minimal(), ("okta", "orgUrl"), "https://acme-admin.okta-emea.com:443"),
    "org-admin-upper-case": edit(minimal(), ("okta", "orgUrl"), "https://ACME-ADMIN.OKTA.COM"),
    # other patterns and lengths
    "auth-server-hyphen": edit(minimal(), ("okta", "authorizationServerId"), "aus-1"),
    "auth-server-65": edit(minimal(), ("okta", "authorizationServerId"), "a" * 65),
    "secret-ref-upper": edit(minimal(), ("okta", "credentialsSecretRef", "name"), "Okta"),
    "secret-key-space": edit(minimal(), ("okta", "credentialsSecretRef", "key"), "api token"),
    "secret-name-underscore": edit(minimal(), ("secretName",), "a_b"),
    "secret-name-empty": edit(minimal(), ("secretName",), ""),
    "auth-server-empty": edit(minimal(), ("okta", "authorizationServerId"), ""),
    "auth-server-trailing-newline": edit(minimal(), ("okta", "authorizationServerId"), "default\n"),
    "label-101": edit(minimal(), ("appLabels", "developmentTools"), "x" * 101),
    "label-empty": edit(minimal(), ("appLabels", "consoles"), ""),
    "group-empty": edit(minimal(), ("access", "groups"), [""]),
    "group-256": edit(minimal(), ("access", "groups"), ["g" * 256]),
    # enum
    "policy-unknown": edit(minimal(), ("deletionPolicy",), "Destroy"),
    "policy-lower": edit(minimal(), ("deletionPolicy",), "delete"),
    "missing-app-unknown": edit(minimal(), ("missingAppPolicy",), "Ignore"),
    "missing-app-lower": edit(minimal(), ("missingAppPolicy",), "recreate"),
    # adopt
    "adopt-empty": edit(minimal(), ("adopt",), {}),
    "adopt-typo-only": edit(minimal(), ("adopt",), {"consolesAppID": "0oa1b2c3d4e5f6g7h8i9"}),
    "adopt-same-app-twice": edit(
        minimal(),
        ("adopt",),
        {"consolesAppId": "0oa1b2c3d4e5f6g7h8i9", "developmentToolsAppId": "0oa1b2c3d4e5f6g7h8i9"},
    ),
    "adopt-client-id-not-app-id": edit(minimal(), ("adopt",), {"consolesAppId": "my-lifetime-client"}),
    "adopt-id-prefix-only": edit(minimal(), ("adopt",), {"consolesAppId": "0oa"}),
    "adopt-id-101": edit(minimal(), ("adopt",), {"consolesAppId": "0oa" + "a" * 98}),
    "adopt-id-trailing-newline": edit(minimal(), ("adopt",), {"consolesAppId": "0oa1b2c3\n"}),
    "adopt-id-group-id": edit(minimal(), ("adopt",), {"consolesAppId": "00g1b2c3d4e5f6g7h8i9"}),
    # cross-field CEL rules
    "duplicate-hostname": edit(
        minimal(),
        ("environments",),
        [{"name": "dev", "hostname": "dev.acme.com"}, {"name": "qa", "hostname": "dev.acme.com"}],
    ),
    "lifetime-repeated": edit(minimal(), ("environments", 0, "hostname"), "lifetime.acme.com"),
    # list sizes
    "no-environment": edit(minimal(), ("environments",), []),
    "101-environments": edit(minimal(), ("environments",), ENVS_101),
    "51-groups": edit(minimal(), ("access", "groups"), [f"g{i}" for i in range(51)]),
    # types
    "environments-object": edit(minimal(), ("environments",), {"name": "dev"}),
    "hostname-number": edit(minimal(), ("lifetime", "hostname"), 42),
    "everyone-string": edit(minimal(), ("access", "everyone"), "yes"),
    "everyone-number": edit(minimal(), ("access", "everyone"), 1),
    "groups-string": edit(minimal(), ("access", "groups"), "Admins"),
    "okta-string": edit(minimal(), ("okta",), "https://acme.okta.com"),
}

KNOWN_DISAGREEMENTS: dict[str, str] = {}


def _cases(table: dict[str, dict[str, Any]], expected: bool) -> list[Any]:
    return [
        pytest.param(
            spec,
            expected,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_DISAGREEMENTS[name])]
            if name in KNOWN_DISAGREEMENTS
            else [],
        )
        for name, spec in table.items()
    ]


@pytest.mark.parametrize(("spec", "valid"), _cases(GOOD, True) + _cases(BAD, False))
def test_crd_schema_and_parse_spec_agree(spec: dict[str, Any], valid: bool) -> None:
    assert crd_accepts(spec) is valid, f"the CRD schema {'rejects' if valid else 'accepts'} this spec"
    assert parse_accepts(spec) is valid, f"parse_spec {'rejects' if valid else 'accepts'} this spec"


def test_the_packaged_example_is_valid_for_both() -> None:
    example = REPO / "operator" / "outsystems_okta" / "examples" / "integration.yaml"
    spec = yaml.safe_load(example.read_text())["spec"]
    assert crd_accepts(spec)
    assert parse_accepts(spec)


@pytest.mark.parametrize(
    "spec",
    [
        edit(
            minimal(),
            ("environments",),
            [{"name": "dev", "hostname": "dev.acme.com"}, {"name": "dev", "hostname": "qa.acme.com"}],
        ),
        edit(minimal(), ("access", "groups"), ["Admins", "Admins"]),
    ],
    ids=["duplicate-name", "duplicate-group"],
)
def test_rules_left_to_list_types_are_enforced_by_parse_spec(spec: dict[str, Any]) -> None:
    # Neither the schema nor CEL says these (list-map keys and set semantics do, on the API server);
    # the operator must still refuse them.
    assert crd_accepts(spec), "the schema and its CEL rules were not expected to catch this"
    assert not parse_accepts(spec)


# One bad value per shaped field: where parse_spec finds it, and the CRD node that checks it.
SHAPE_MISTAKES = [
    (".spec.okta.orgUrl", ("okta", "orgUrl"), "http://acme.okta.com"),
    (".spec.okta.authorizationServerId", ("okta", "authorizationServerId"), "aus-1"),
    (".spec.okta.credentialsSecretRef.name", ("okta", "credentialsSecretRef", "name"), "Okta API"),
    (".spec.okta.credentialsSecretRef.key", ("okta", "credentialsSecretRef", "key"), "api token"),
    (".spec.lifetime.hostname", ("lifetime", "hostname"), "https://lifetime.acme.com"),
    (".spec.environments[*].name", ("environments", 0, "name"), "Dev"),
    (".spec.environments[*].hostname", ("environments", 0, "hostname"), "dev.acme.com:443"),
    (".spec.secretName", ("secretName",), "factory_lifetime"),
    (".spec.adopt.consolesAppId", ("adopt", "consolesAppId"), "https://acme-admin.okta.com/admin/app/x"),
    (".spec.adopt.developmentToolsAppId", ("adopt", "developmentToolsAppId"), "servicestudio-client"),
    (".spec.okta.signInPolicyId", ("okta", "signInPolicyId"), "00p1a2b3c4d5e6f7g8h9"),
    (".spec.appLabels.consoles", ("appLabels", "consoles"), " OutSystems Consoles"),
    (".spec.appLabels.developmentTools", ("appLabels", "developmentTools"), "   "),
    (".spec.access.groups[*]", ("access", "groups", 0), "OutSystems\tDevelopers"),
    (".spec.extraRedirectUris.consoles[*]", ("extraRedirectUris", "consoles", 0), "https://*.acme.com/cb"),
    (
        ".spec.extraRedirectUris.developmentTools[*]",
        ("extraRedirectUris", "developmentTools", 0),
        "ServiceStudio://auth",
    ),
    (
        ".spec.extraPostLogoutRedirectUris.consoles[*]",
        ("extraPostLogoutRedirectUris", "consoles", 0),
        "http://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx",
    ),
    (
        ".spec.extraPostLogoutRedirectUris.developmentTools[*]",
        ("extraPostLogoutRedirectUris", "developmentTools", 0),
        "https://www.outsystems.com/#top",
    ),
]


@pytest.mark.parametrize(("schema_path", "path", "value"), SHAPE_MISTAKES, ids=[m[0] for m in SHAPE_MISTAKES])
def test_parse_spec_says_what_the_crd_says(schema_path: str, path: tuple[str | int, ...], value: str) -> None:
    crd_message = dict(ALL_NODES)[schema_path]["x-kubernetes-validations"][0]["message"]
    spec = edit(minimal(), path, value)
    assert cel_failures(spec, SPEC_SCHEMA) == [crd_message]
    with pytest.raises(SpecError) as caught:
        parse_spec(spec)
    where = "spec" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    assert caught.value.problems == [f"{where}: {value!r} {crd_message}"]


def test_shape_mistakes_cover_every_shaped_field() -> None:
    assert {m[0] for m in SHAPE_MISTAKES} == set(SHAPED_FIELDS)


def test_the_admin_console_message_is_the_crds_with_the_users_own_url() -> None:
    (crd_rule,) = validations(".spec.okta.orgUrl")[1:]
    spec = edit(minimal(), ("okta", "orgUrl"), "https://acme-admin.okta.com")
    assert cel_failures(spec, SPEC_SCHEMA) == [crd_rule["message"]]
    with pytest.raises(SpecError) as caught:
        parse_spec(spec)
    assert caught.value.problems == [f"spec.okta.orgUrl: {crd_rule['message']}"]
    spec = edit(minimal(), ("okta", "orgUrl"), "https://globex-admin.oktapreview.com")
    with pytest.raises(SpecError) as caught:
        parse_spec(spec)
    assert caught.value.problems == [
        "spec.okta.orgUrl: must be your Okta org URL, not the admin console: "
        "use https://globex.oktapreview.com instead of https://globex-admin.oktapreview.com"
    ]


def test_unknown_fields_are_pruned_by_the_schema_but_refused_by_parse_spec() -> None:
    spec = edit(minimal(), ("secretNme",), "typo")
    assert crd_accepts(spec), "structural schemas prune unknown fields rather than rejecting them"
    assert not parse_accepts(spec)


def test_the_cel_helper_matches_like_the_api_server() -> None:
    # Guard for the agreement test itself: `matches` must be RE2's, where `$` is the end of the text.
    assert cel_failures(
        "a\n", {"x-kubernetes-validations": [{"rule": "self.matches('^a$')", "message": "m"}]}
    )
    assert not cel_failures(
        "a", {"x-kubernetes-validations": [{"rule": "self.matches('^a$')", "message": "m"}]}
    )
    assert re.search("^a$", "a\n"), "Python's `$` would have let it pass"
