"""The plugin's command line: usage errors (exit 2, one line) and the kubeconfig's context and namespace.

Nothing here reaches an API server; the e2e tests (tests/e2e/test_plugin.py) run every command against
the emulators.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outsystems_okta import cli
from outsystems_okta.kubectl.cluster import Cluster
from outsystems_okta.kubectl.commands import COMMANDS, main, parser
from outsystems_okta.kubectl.errors import PluginError

CHOICES = "(choose from 'status', 'lifetime', 'reconcile', 'pause', 'resume', 'rotate', 'confirm-rotation')"


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        ([], "kubectl osokta: error: the following arguments are required: command"),
        (["bogus", "x"], f"kubectl osokta: error: argument command: invalid choice: 'bogus' {CHOICES}"),
        (["status"], "kubectl osokta status: error: the following arguments are required: name"),
        (
            ["lifetime", "x", "-o", "yaml"],
            "kubectl osokta lifetime: error: argument -o/--output: invalid choice: 'yaml' "
            "(choose from 'text', 'json')",
        ),
        (
            ["reconcile", "x", "--timeout", "0"],
            "kubectl osokta reconcile: error: argument --timeout: must be more than 0 seconds",
        ),
        (
            ["reconcile", "x", "--timeout", "nan"],
            "kubectl osokta reconcile: error: argument --timeout: 'nan' is not a finite number of seconds",
        ),
        (
            ["resume", "x", "--timeout", "inf"],
            "kubectl osokta resume: error: argument --timeout: 'inf' is not a finite number of seconds",
        ),
        (
            ["rotate", "x", "--timeout", "1e999"],
            "kubectl osokta rotate: error: argument --timeout: '1e999' is not a finite number of seconds",
        ),
        (
            ["pause", "x", "--timeout", "soon"],
            "kubectl osokta pause: error: argument --timeout: 'soon' is not a number of seconds",
        ),
        (
            ["rotate", "x", "--value", "v" * 257],
            "kubectl osokta rotate: error: argument --value: must be 1 to 256 characters",
        ),
        (
            ["confirm-rotation", "x", "--value", ""],
            "kubectl osokta confirm-rotation: error: argument --value: must be 1 to 256 characters",
        ),
        (["status", "x", "--show-secret"], "kubectl osokta: error: unrecognized arguments: --show-secret"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"{complaint} (see --help)\n"


def test_every_command_has_the_kubectl_style_options_and_waiting_ones_a_timeout() -> None:
    top = parser()
    for command in COMMANDS:
        args = top.parse_args([command, "factory", "-n", "outsystems", "--context", "c", "--kubeconfig", "k"])
        assert (args.name, args.namespace, args.context, args.kubeconfig) == (
            "factory",
            "outsystems",
            "c",
            "k",
        )
        assert callable(args.func)
        if command not in ("status", "lifetime"):
            assert args.timeout == 60.0
    assert top.parse_args(["reconcile", "f", "--timeout", "2.5"]).timeout == 2.5


def test_outsystems_okta_offers_the_same_commands() -> None:
    args = cli.parser().parse_args(["lifetime", "factory", "--show-secret", "-o", "json"])
    assert (args.command, args.name, args.show_secret, args.output) == ("lifetime", "factory", True, "json")
    same = parser().parse_args(["lifetime", "factory"])
    assert args.func.__qualname__ == same.func.__qualname__


def kubeconfig(path: Path, *, current: str = "one") -> Path:
    def context(name: str, namespace: str | None) -> dict[str, object]:
        body: dict[str, object] = {"cluster": "c", "user": "u"}
        if namespace is not None:
            body["namespace"] = namespace
        return {"name": name, "context": body}

    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:1"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [context("one", "team-a"), context("two", None)],
                "current-context": current,
            }
        )
    )
    return path


def test_the_namespace_is_the_current_contexts_unless_given(tmp_path: Path) -> None:
    config = str(kubeconfig(tmp_path / "config"))
    assert Cluster(kubeconfig=config, context=None, namespace=None).namespace == "team-a"
    assert Cluster(kubeconfig=config, context=None, namespace="other").namespace == "other"
    # A context without a namespace means `default`, as for kubectl.
    assert Cluster(kubeconfig=config, context="two", namespace=None).namespace == "default"
    current_two = str(kubeconfig(tmp_path / "config2", current="two"))
    assert Cluster(kubeconfig=current_two, context="one", namespace=None).namespace == "team-a"


def test_a_missing_kubeconfig_or_context_is_one_line_exit_1(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as missing:
        Cluster(kubeconfig=str(tmp_path / "absent"), context=None, namespace=None)
    assert missing.value.code == 1 and "cannot use the kubeconfig" in str(missing.value)
    with pytest.raises(PluginError, match="context 'three' is not in the kubeconfig"):
        Cluster(kubeconfig=str(kubeconfig(tmp_path / "config")), context="three", namespace=None)


def test_an_unreachable_api_server_is_one_line_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The network edge: port 1 on loopback refuses the connection (one attempt: no client retries).
    config = kubeconfig(tmp_path / "config")
    assert main(["status", "factory", "--kubeconfig", str(config)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: OutSystemsOktaIntegration team-a/factory: cannot reach the Kubernetes API "
        "(NewConnectionError)\n"
    )
