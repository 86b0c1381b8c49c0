"""The generated CRD: drift from crds/, structural-schema rules, and agreement with parse_spec."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from outsystems_okta.api.crd import custom_resource_definition
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
    "pattern",
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
    assert props["appLabels"]["properties"]["consoles"]["default"] == "OutSystems Consoles"
    assert props["appLabels"]["properties"]["developmentTools"]["default"] == "OutSystems Development Tools"
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


def test_cel_rules_only_where_expected() -> None:
    with_rules = sorted(p for p, n in ALL_NODES if "x-kubernetes-validations" in n)
    assert with_rules == [".spec", ".spec.environments"]
    for _, node in ALL_NODES:
        for rule in node.get("x-kubernetes-validations") or []:
            assert set(rule) <= {"rule", "message", "messageExpression", "reason", "fieldPath"}
            assert rule["message"] and rule["rule"]


# --------------------------------------------------------------------------------------------------------
# The schema and parse_spec agree wherever no CEL is needed
# --------------------------------------------------------------------------------------------------------


def strip_kubernetes(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_kubernetes(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if isinstance(node, list):
        return [strip_kubernetes(v) for v in node]
    return node


def _re2_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """`pattern` as the API server evaluates it: Go RE2, where `$` means end of text.

    Python's `$` also matches before a final newline; `\\Z` is Go's `$`.
    """
    if not validator.is_type(instance, "string"):
        return
    assert not re.search(r"\[[^\]]*\$", pattern), "a `$` inside a character class would be mistranslated"
    if not re.search(re.sub(r"(?<!\\)\$", r"\\Z", pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


ApiServerLike = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _re2_pattern})
SCHEMA_VALIDATOR = ApiServerLike(strip_kubernetes(ROOT))


def crd_accepts(spec: Any) -> bool:
    document = {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": "factory", "namespace": "outsystems"},
        "spec": spec,
    }
    return bool(SCHEMA_VALIDATOR.is_valid(document))


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
    }


def edit(base: dict[str, Any], path: tuple[str | int, ...], value: Any = ...) -> dict[str, Any]:
    """A copy of base with path set to value, or removed when value is omitted."""
    doc = copy.deepcopy(base)
    node: Any = doc
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    if value is ...:
        del node[path[-1]]
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
    "empty-access": edit(minimal(), ("access",), {}),
    "empty-app-labels": edit(minimal(), ("appLabels",), {}),
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
    # other patterns and lengths
    "auth-server-hyphen": edit(minimal(), ("okta", "authorizationServerId"), "aus-1"),
    "auth-server-65": edit(minimal(), ("okta", "authorizationServerId"), "a" * 65),
    "secret-ref-upper": edit(minimal(), ("okta", "credentialsSecretRef", "name"), "Okta"),
    "secret-key-space": edit(minimal(), ("okta", "credentialsSecretRef", "key"), "api token"),
    "secret-name-underscore": edit(minimal(), ("secretName",), "a_b"),
    "label-101": edit(minimal(), ("appLabels", "developmentTools"), "x" * 101),
    "label-empty": edit(minimal(), ("appLabels", "consoles"), ""),
    "group-empty": edit(minimal(), ("access", "groups"), [""]),
    "group-256": edit(minimal(), ("access", "groups"), ["g" * 256]),
    # enum
    "policy-unknown": edit(minimal(), ("deletionPolicy",), "Destroy"),
    "policy-lower": edit(minimal(), ("deletionPolicy",), "delete"),
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
        edit(
            minimal(),
            ("environments",),
            [{"name": "dev", "hostname": "dev.acme.com"}, {"name": "qa", "hostname": "dev.acme.com"}],
        ),
        edit(minimal(), ("environments", 0, "hostname"), "lifetime.acme.com"),
        edit(minimal(), ("access", "groups"), ["Admins", "Admins"]),
    ],
    ids=["duplicate-name", "duplicate-hostname", "lifetime-repeated", "duplicate-group"],
)
def test_rules_left_to_list_types_and_cel_are_enforced_by_parse_spec(spec: dict[str, Any]) -> None:
    # The plain schema cannot say these (list-map keys, set semantics and CEL do, on the API server);
    # the operator must still refuse them.
    assert crd_accepts(spec), "the plain OpenAPI schema was not expected to catch this"
    assert not parse_accepts(spec)


def test_unknown_fields_are_pruned_by_the_schema_but_refused_by_parse_spec() -> None:
    spec = edit(minimal(), ("secretNme",), "typo")
    assert crd_accepts(spec), "structural schemas prune unknown fields rather than rejecting them"
    assert not parse_accepts(spec)


def test_pattern_helper_models_go_not_python() -> None:
    # Guard for the agreement test itself: the helper must reject what RE2 rejects.
    assert not ApiServerLike({"type": "string", "pattern": "^a$"}).is_valid("a\n")
    assert ApiServerLike({"type": "string", "pattern": "^a$"}).is_valid("a")
    assert jsonschema.Draft7Validator({"type": "string", "pattern": "^a$"}).is_valid("a\n")
