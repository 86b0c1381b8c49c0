"""The rules on the resource's own name (api/names.py): the CRD's root rules and the pass's repeat of them
say the same, at the same limits."""

from __future__ import annotations

from typing import Any

import celpy
import pytest

from outsystems_okta.api import names
from outsystems_okta.api.crd import custom_resource_definition
from outsystems_okta.api.spec import parse_spec


def spec(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [{"name": "dev", "hostname": "dev.acme.com"}],
    }
    raw.update(changes)
    return raw


def root_rules() -> list[dict[str, str]]:
    (version,) = custom_resource_definition()["spec"]["versions"]
    rules: list[dict[str, str]] = version["schema"]["openAPIV3Schema"]["x-kubernetes-validations"]
    return rules


def cel_failures(name: str, raw_spec: dict[str, Any]) -> list[str]:
    obj = {"metadata": {"name": name}, "spec": raw_spec}
    failed = []
    for rule in root_rules():
        program = celpy.Environment().program(celpy.Environment().compile(rule["rule"]))
        if not bool(program.evaluate({"self": celpy.json_to_cel(obj)})):
            failed.append(rule["message"])
    return failed


CASES = [
    ("factory", spec(), []),
    ("f" * 63, spec(), []),
    ("f" * 64, spec(), [names.NAME_TOO_LONG]),
    ("a" * 253, spec(), [names.NAME_TOO_LONG]),
    ("factory", spec(secretName="okta-api"), [names.SECRET_IS_CREDENTIALS]),
    (
        "okta",
        spec(okta={"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-lifetime"}}),
        [names.SECRET_IS_CREDENTIALS],
    ),
    # The default name would clash, but spec.secretName moves the output elsewhere.
    (
        "okta",
        spec(
            secretName="out",
            okta={"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-lifetime"}},
        ),
        [],
    ),
    ("f" * 64, spec(secretName="okta-api"), [names.NAME_TOO_LONG, names.SECRET_IS_CREDENTIALS]),
]


@pytest.mark.parametrize(("name", "raw", "expected"), CASES)
def test_the_crd_and_the_pass_agree(name: str, raw: dict[str, Any], expected: list[str]) -> None:
    assert cel_failures(name, raw) == expected
    problems = names.name_problems(name, parse_spec(raw))
    assert len(problems) == len(expected)
    for problem, message in zip(problems, expected, strict=True):
        assert problem.startswith(message)


def test_the_pass_says_how_long_and_which_secret() -> None:
    assert names.name_problems("f" * 70, parse_spec(spec())) == [f"{names.NAME_TOO_LONG} (70 characters)"]
    assert names.name_problems("factory", parse_spec(spec(secretName="okta-api"))) == [
        f"{names.SECRET_IS_CREDENTIALS}: both are 'okta-api'"
    ]


def test_a_root_rule_leaves_a_missing_spec_to_the_schema() -> None:
    obj = {"metadata": {"name": "factory"}}
    for rule in root_rules():
        program = celpy.Environment().program(celpy.Environment().compile(rule["rule"]))
        assert bool(program.evaluate({"self": celpy.json_to_cel(obj)}))


def test_the_longest_name_still_makes_a_valid_default_secret_name() -> None:
    assert len("f" * names.MAX_NAME_LENGTH + names.DEFAULT_SECRET_SUFFIX) <= 253
    assert parse_spec(spec()).output_secret_name("factory") == "factory" + names.DEFAULT_SECRET_SUFFIX
