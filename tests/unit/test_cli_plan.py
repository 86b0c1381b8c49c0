"""`outsystems-okta plan -f FILE` and `outsystems-okta crd`, run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from outsystems_okta.api.crd import custom_resource_definition
from outsystems_okta.api.spec import parse_spec
from outsystems_okta.blueprint import Owner, desired_apps
from outsystems_okta.cli import main
from outsystems_okta.yamlio import dump, load_all

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "operator" / "outsystems_okta" / "examples" / "integration.yaml"
)

VALID = textwrap.dedent(
    """\
    apiVersion: okta.outsystems.dev/v1alpha1
    kind: OutSystemsOktaIntegration
    metadata:
      name: factory
      namespace: outsystems
      uid: 3f1c0e7a-0000-4000-8000-000000000001
    spec:
      okta:
        orgUrl: https://acme.okta.com
        credentialsSecretRef: {name: okta-api}
      lifetime: {hostname: lifetime.acme.com}
      environments:
        - {name: dev, hostname: dev.acme.com}
        - {name: prod, hostname: prod.acme.com}
    """
)

INVALID = textwrap.dedent(
    """\
    apiVersion: okta.outsystems.dev/v1alpha1
    kind: OutSystemsOktaIntegration
    metadata: {name: broken, namespace: outsystems}
    spec:
      okta:
        orgUrl: http://acme.okta.com
        credentialsSecretRef: {name: okta-api}
      lifetime: {hostname: lifetime.acme.com}
      environments:
        - {name: dev, hostname: dev.acme.com}
        - {name: prod, hostname: "https://prod.acme.com"}
      deletionPolicy: Destroy
    """
)


def write(tmp_path: Path, text: str, name: str = "resource.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_valid_prints_both_create_bodies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID))
    assert code == 0
    assert err == ""
    plan = json.loads(out)
    assert set(plan) == {"namespace", "name", "consoles", "developmentTools"}
    assert plan["namespace"] == "outsystems"
    assert plan["name"] == "factory"

    doc = yaml.safe_load(VALID)
    owner = Owner(namespace="outsystems", name="factory", uid=doc["metadata"]["uid"])
    apps = desired_apps(parse_spec(doc["spec"]), owner)
    assert plan["consoles"] == apps.consoles.create_body()
    assert plan["developmentTools"] == apps.development_tools.create_body()
    assert plan["consoles"]["settings"]["oauthClient"]["application_type"] == "web"
    assert plan["developmentTools"]["settings"]["oauthClient"]["application_type"] == "native"


def test_plan_long_option_and_placeholder_uid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("  uid: 3f1c0e7a-0000-4000-8000-000000000001\n", "").replace(
        "  namespace: outsystems\n", ""
    )
    code, out, _ = run(capsys, "plan", "--file", write(tmp_path, text))
    assert code == 0
    plan = json.loads(out)
    assert plan["namespace"] == "default"
    marker = plan["consoles"]["profile"]["outsystemsOktaOperator"]
    assert marker["namespace"] == "default"
    assert marker["uid"] == "<assigned by Kubernetes>"


def test_plan_on_the_packaged_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "-f", str(EXAMPLE))
    assert code == 0, err
    plan = json.loads(out)
    assert plan["consoles"]["label"] == "OutSystems Consoles"
    assert len(plan["consoles"]["settings"]["oauthClient"]["redirect_uris"]) == 4  # LifeTime + 3


def test_plan_invalid_exits_1_with_field_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, INVALID))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 3, err
    assert all(line.startswith("error: broken: spec.") for line in lines)
    paths = sorted(line.removeprefix("error: broken: ").split(":")[0] for line in lines)
    assert paths == ["spec.deletionPolicy", "spec.environments[1].hostname", "spec.okta.orgUrl"]


def test_plan_cross_field_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("{name: prod, hostname: prod.acme.com}", "{name: dev, hostname: lifetime.acme.com}")
    code, _, err = run(capsys, "plan", "-f", write(tmp_path, text))
    assert code == 1
    assert "error: factory: spec.environments[1].name: 'dev' is listed twice" in err
    assert (
        "error: factory: spec.environments[1].hostname: 'lifetime.acme.com' is the LifeTime hostname" in err
    )


def test_plan_refuses_a_name_the_crd_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_name = "f" * 64
    text = VALID.replace("name: factory", f"name: {long_name}").replace("{name: okta-api}", "{name: out}")
    text += "  secretName: out\n"
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, text))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"error: {long_name}: metadata.name must be at most 63 characters: the operator puts it in a label "
        "on the output Secret (64 characters)",
        f"error: {long_name}: the output Secret (spec.secretName, default <metadata.name>-lifetime) must not "
        "be the credentials Secret (spec.okta.credentialsSecretRef.name): both are 'out'",
    ]


def test_plan_without_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "apiVersion: okta.outsystems.dev/v1alpha1\nkind: OutSystemsOktaIntegration\nmetadata: {name: x}\n"
    code, _, err = run(capsys, "plan", "-f", write(tmp_path, text))
    assert code == 1
    assert "spec.okta: Field required" in err


def test_plan_without_the_kind_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: okta-api}\n---\n- just a list\n---\n"
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, text))
    assert code == 2
    assert out == ""
    assert "no OutSystemsOktaIntegration" in err


# -- a file that cannot be used: one line on stderr, exit 2, no traceback ---------------------------------


def one_error_line(capsys: pytest.CaptureFixture[str], file: str) -> str:
    code, out, err = run(capsys, "plan", "-f", file)
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("error: ")
    return err.strip()


def test_plan_on_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.yaml"
    assert one_error_line(capsys, str(missing)) == f"error: cannot read {missing}: No such file or directory"


def test_plan_on_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert one_error_line(capsys, str(tmp_path)) == f"error: cannot read {tmp_path}: Is a directory"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_plan_on_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(write(tmp_path, VALID))
    path.chmod(0)
    assert one_error_line(capsys, str(path)) == f"error: cannot read {path}: Permission denied"


def test_plan_on_a_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert one_error_line(capsys, str(path)) == f"error: cannot read {path}: not UTF-8 text"


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("kind: X\nmetadata: {name: a\n", "3:1", "expected ',' or '}', but got '<stream end>'"),
        ("kind: X\n  spec: 1\n", "2:7", "mapping values are not allowed here"),
        ("kind: X\n\tspec: 1\n", "2:1", "found character '\\t' that cannot start any token"),
        ("a: *nowhere\n", "1:4", "found undefined alias 'nowhere'"),
    ],
    ids=["unclosed-flow", "bad-indent", "tab", "undefined-alias"],
)
def test_plan_on_malformed_yaml_names_the_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, problem: str
) -> None:
    path = write(tmp_path, text)
    assert one_error_line(capsys, path) == f"error: {path}:{where}: not valid YAML: {problem}"


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "list"), ("just text\n", "string"), ("42\n", "number"), ("--- [1]\n--- x\n", "list")],
)
def test_plan_on_yaml_that_is_not_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, found: str
) -> None:
    path = write(tmp_path, text)
    assert one_error_line(capsys, path) == (
        f"error: {path} holds a YAML {found}, not a Kubernetes object (kind: OutSystemsOktaIntegration)"
    )


def test_plan_on_an_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "# nothing yet\n---\n")
    assert one_error_line(capsys, path) == f"error: no OutSystemsOktaIntegration in {path} (it is empty)"


def test_plan_on_other_kinds_says_what_it_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "kind: Secret\n---\nkind: ConfigMap\n---\nkind: Secret\n---\n{a: 1}\n")
    assert one_error_line(capsys, path) == (
        f"error: no OutSystemsOktaIntegration in {path} (found Secret, ConfigMap, an object without kind)"
    )


def test_plan_on_metadata_that_is_not_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "kind: OutSystemsOktaIntegration\nmetadata: factory\nspec: {}\n")
    assert one_error_line(capsys, path) == (
        f"error: {path}: the metadata of OutSystemsOktaIntegration number 1 is not a mapping"
    )


@pytest.mark.parametrize("bad", ["missing.yaml", ".", "list.yaml", "broken.yaml"])
def test_the_installed_command_prints_no_traceback(tmp_path: Path, bad: str) -> None:
    (tmp_path / "list.yaml").write_text("- a\n")
    (tmp_path / "broken.yaml").write_text("kind: X\n  spec: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "outsystems_okta.cli", "plan", "-f", bad],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_plan_skips_other_documents_and_lists_several(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = VALID.replace("name: factory", "name: factory-b")
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: okta-api}\n---\n" + VALID + "---\n" + second
    code, out, _ = run(capsys, "plan", "-f", write(tmp_path, text))
    assert code == 0
    plans = json.loads(out)
    assert isinstance(plans, list)
    assert [p["name"] for p in plans] == ["factory", "factory-b"]


def test_plan_stops_at_the_first_invalid_resource(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID + "---\n" + INVALID))
    assert code == 1
    assert out == ""
    assert "error: broken:" in err


def test_plan_requires_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["plan"])
    assert caught.value.code == 2
    assert "-f/--file" in capsys.readouterr().err


def test_plan_with_a_non_object_spec_reports_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "apiVersion: okta.outsystems.dev/v1alpha1\n"
        "kind: OutSystemsOktaIntegration\n"
        "metadata: {name: x}\n"
        "spec: oops\n"
    )
    code, _, err = run(capsys, "plan", "-f", write(tmp_path, text))
    assert code == 1
    assert "error: x: spec" in err


# --------------------------------------------------------------------------------------------------------
# crd
# --------------------------------------------------------------------------------------------------------


def test_crd_prints_the_generated_crd_without_anchors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "crd")
    assert code == 0
    assert err == ""
    assert yaml.safe_load(out) == custom_resource_definition()
    assert "&id" not in out
    assert "*id" not in out
    events = [type(e).__name__ for e in yaml.parse(out)]
    assert "AliasEvent" not in events
    assert all(getattr(e, "anchor", None) is None for e in yaml.parse(out))


def test_the_crd_really_reuses_objects_so_the_no_alias_dumper_matters() -> None:
    # consoles and developmentTools share AppRef's `required` list: a plain dump would emit an alias.
    crd = custom_resource_definition()
    assert "&id" in yaml.safe_dump(crd)


def test_dump_never_emits_aliases_and_keeps_key_order() -> None:
    shared = ["a", "b"]
    text = dump({"z": shared, "a": shared, "m": {"k": shared}})
    assert "&" not in text and "*" not in text
    assert [line.split(":")[0] for line in text.splitlines() if not line.startswith(("-", " "))] == [
        "z",
        "a",
        "m",
    ]
    assert yaml.safe_load(text) == {"z": ["a", "b"], "a": ["a", "b"], "m": {"k": ["a", "b"]}}


def test_load_all_yields_only_mappings(tmp_path: Path) -> None:
    path = tmp_path / "multi.yaml"
    path.write_text("a: 1\n---\n- x\n---\n\n---\njust text\n---\nb: 2\n")
    assert list(load_all(path)) == [{"a": 1}, {"b": 2}]


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert "outsystems-okta 0.1.0" in capsys.readouterr().out


def test_packaged_example_is_the_deploy_example() -> None:
    # The demo ships the example inside the package (it must work from a wheel); users read it in
    # deploy/examples/. One text, two places: they must not drift apart.
    repo = Path(__file__).resolve().parents[2]
    packaged = repo / "operator" / "outsystems_okta" / "examples" / "integration.yaml"
    assert packaged.read_text() == (repo / "deploy" / "examples" / "integration.yaml").read_text()


# -- plan --live: what is refused before anything is read (the live plans: tests/integration) -----------


def test_live_without_a_token_exits_2_and_reads_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OKTA_API_TOKEN", raising=False)
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID), "--live")
    assert (code, out) == (2, "")
    assert err == (
        "error: --live reads Okta with the API token in $OKTA_API_TOKEN (or a service app: "
        "$OKTA_CLIENT_ID and $OKTA_PRIVATE_KEY_FILE); set it\n"
    )


def test_live_with_a_client_id_needs_a_readable_pem_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OKTA_API_TOKEN", raising=False)
    monkeypatch.delenv("OKTA_PRIVATE_KEY_FILE", raising=False)
    monkeypatch.setenv("OKTA_CLIENT_ID", "0oaSERVICE")
    file = write(tmp_path, VALID)
    code, out, err = run(capsys, "plan", "-f", file, "--live")
    assert (code, out) == (2, "")
    assert err == "error: $OKTA_CLIENT_ID needs the PEM key's path in $OKTA_PRIVATE_KEY_FILE\n"

    monkeypatch.setenv("OKTA_PRIVATE_KEY_FILE", str(tmp_path / "missing.pem"))
    code, _, err = run(capsys, "plan", "-f", file, "--live")
    assert code == 2 and "cannot read" in err and "missing.pem" in err

    not_a_key = tmp_path / "key.pem"
    not_a_key.write_text("-----BEGIN PRIVATE KEY-----\nTOPSECRETBYTES\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv("OKTA_PRIVATE_KEY_FILE", str(not_a_key))
    code, out, err = run(capsys, "plan", "-f", file, "--live")
    assert (code, out) == (2, "")
    assert "$OKTA_PRIVATE_KEY_FILE: privateKey is not an unencrypted PEM private key" in err
    assert "TOPSECRETBYTES" not in err


def test_live_with_a_blank_token_is_no_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", "  ")
    code, _, err = run(capsys, "plan", "-f", write(tmp_path, VALID), "--live")
    assert code == 2 and "OKTA_API_TOKEN" in err


@pytest.mark.parametrize("option", [["--detailed-exitcode"], ["--org-url", "https://acme.okta.com"]])
def test_live_options_without_live_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID), *option)
    assert (code, out) == (2, "")
    assert err == f"error: {option[0]} goes with --live\n"


def test_live_with_an_invalid_spec_exits_1_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", "00not-used-0123456789")
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, INVALID), "--live")
    assert (code, out) == (1, "")
    assert err.count("error: broken: spec.") == 3


@pytest.mark.parametrize(
    "org_url", ["https://acme.okta.com/oauth2/default", "acme.okta.com", "http://acme.okta.com"]
)
def test_live_with_an_org_url_that_is_not_one_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, org_url: str
) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", "00not-used-0123456789")
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID), "--live", "--org-url", org_url)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: --org-url {org_url!r} must be the https URL of your Okta org")


def test_live_on_plain_http_needs_the_loopback_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", "00not-used-0123456789")
    text = VALID.replace("https://acme.okta.com", "http://127.0.0.1:9")
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, text), "--live")
    assert (code, out) == (2, "")
    assert err == (
        "error: http://127.0.0.1:9 is plain http: the token would travel in clear text; pass "
        "--allow-insecure-loopback for a sandbox on loopback\n"
    )


def test_live_with_a_token_the_client_cannot_send_exits_2_without_echoing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "00has a space-0123456789"
    monkeypatch.setenv("OKTA_API_TOKEN", token)
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID), "--live")
    assert (code, out) == (2, "")
    assert err == "error: $OKTA_API_TOKEN is not an Okta API token (it has spaces or control characters)\n"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("00token-é-0123456789", "it has characters that are not ASCII"),
        ("00" + "x" * 200_000, "200002 characters"),
    ],
)
def test_live_with_a_non_ascii_or_huge_token_exits_2_before_reading(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    token: str,
    problem: str,
) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", token)
    code, out, err = run(capsys, "plan", "-f", write(tmp_path, VALID), "--live")
    assert (code, out) == (2, "")
    assert problem in err and token not in err
