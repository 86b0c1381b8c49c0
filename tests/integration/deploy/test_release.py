"""Releases, checked without an image builder: the release workflow's triggers and build settings, one
version everywhere (pyproject, the pinned image tag, the Dockerfile, the workflow's tag scheme, the
README's URLs), and deploy/release/ being exactly what `make release-manifests` writes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.integration.deploy.kustomize import KUBECTL, REPO, kustomize

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
RELEASE = REPO / "deploy" / "release"
IMAGE = "ghcr.io/outsystems-okta/outsystems-okta-operator"
DOWNLOAD = "https://github.com/outsystems-okta/outsystems-okta-operator/releases/download/"

needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (kubectl kustomize)")


def version() -> str:
    value: str = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    return value


def workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def step(job: str, uses: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = workflow()["jobs"][job]["steps"]
    (found,) = [s for s in steps if str(s.get("uses", "")).startswith(f"{uses}@")]
    return found


def runs(job: str) -> str:
    return "\n".join(str(s.get("run", "")) for s in workflow()["jobs"][job]["steps"])


def release_targets() -> list[str]:
    """The Makefile's RELEASE_TARGETS: kustomization directories under deploy/."""
    (line,) = [ln for ln in (REPO / "Makefile").read_text().splitlines() if ln.startswith("RELEASE_TARGETS")]
    return line.partition("=")[2].split()


def dockerfile_final_stage() -> tuple[str | None, str]:
    """The default build target (the last stage): its name and its text."""
    text = (REPO / "Dockerfile").read_text()
    *_, last = re.split(r"^FROM ", text, flags=re.MULTILINE)
    header, _, body = last.partition("\n")
    alias = re.search(r"\bAS\s+(\S+)", header, flags=re.IGNORECASE)
    return (alias.group(1) if alias else None), body


# --- the workflow --------------------------------------------------------------------------------------


def test_runs_on_version_tags_only() -> None:
    # PyYAML reads the bare key `on` as the boolean True.
    triggers = workflow()[True]
    assert triggers == {"push": {"tags": ["v*.*.*"]}}


def test_image_job_builds_the_default_target_for_amd64_and_arm64_with_sbom_and_provenance() -> None:
    job = workflow()["jobs"]["image"]
    assert job["permissions"] == {
        "contents": "read",
        "packages": "write",
        "id-token": "write",
        "attestations": "write",
    }
    for action in (
        "docker/setup-qemu-action",
        "docker/setup-buildx-action",
        "actions/attest-build-provenance",
    ):
        step("image", action)
    login = step("image", "docker/login-action")["with"]
    assert login["registry"] == "ghcr.io"
    assert login["password"] == "${{ secrets.GITHUB_TOKEN }}"
    build = step("image", "docker/build-push-action")["with"]
    assert set(build["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert build["push"] is True
    assert build["sbom"] is True
    assert build["provenance"] == "mode=max"
    assert "target" not in build, "the default target is the operator image; `sandbox` is never pushed"
    name, _ = dockerfile_final_stage()
    assert name != "sandbox"


def test_build_args_are_the_arguments_the_image_stage_declares() -> None:
    build = step("image", "docker/build-push-action")["with"]
    passed = {line.partition("=")[0] for line in build["build-args"].split("\n") if line.strip()}
    _, stage = dockerfile_final_stage()
    declared = set(re.findall(r"^ARG (\w+)", stage, flags=re.MULTILINE))
    assert passed == {"VERSION", "REVISION", "CREATED"}
    assert passed <= declared


def test_the_workflow_pushes_the_image_the_manifests_name() -> None:
    assert workflow()["env"]["IMAGE"] == IMAGE
    assert step("image", "docker/metadata-action")["with"]["images"] == "${{ env.IMAGE }}"
    deployment = yaml.safe_load((REPO / "deploy" / "base" / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == IMAGE


def test_one_version_everywhere() -> None:
    # The git tag is "v" + the version; the image tag is the version itself (metadata-action's semver
    # {{version}} drops the "v"), which is what deploy/base pins and the Dockerfile labels by default.
    tags = step("image", "docker/metadata-action")["with"]["tags"].split()
    assert "type=semver,pattern={{version}}" in tags
    kustomization = yaml.safe_load((REPO / "deploy" / "base" / "kustomization.yaml").read_text())
    (pin,) = [i for i in kustomization["images"] if i["name"] == IMAGE]
    _, stage = dockerfile_final_stage()
    (default,) = re.findall(r"^ARG VERSION=(\S+)", stage, flags=re.MULTILINE)
    assert {pin["newTag"], default} == {version()}
    assert 'test "${GITHUB_REF_NAME}" = "v${version}"' in runs("verify"), "the tag is checked"


def test_the_release_attaches_every_release_manifest_after_checking_they_are_current() -> None:
    verify = runs("verify")
    assert "make release-manifests" in verify and "git diff --exit-code -- deploy/release" in verify
    attached = set(re.findall(r"deploy/release/[\w.-]+\.yaml", runs("release")))
    assert attached == {f"deploy/release/{p.name}" for p in RELEASE.glob("*.yaml")}
    assert workflow()["jobs"]["release"]["needs"] == "image"
    assert workflow()["jobs"]["image"]["needs"] == "verify"


# --- deploy/release -------------------------------------------------------------------------------------


def test_one_release_file_per_target() -> None:
    assert {"overlays/cluster-wide", "overlays/single-namespace", "monitoring"} <= set(release_targets())
    assert {p.name for p in RELEASE.glob("*.yaml")} == {f"{Path(t).name}.yaml" for t in release_targets()}


@needs_kubectl
@pytest.mark.parametrize("target", release_targets())
def test_release_file_is_what_make_release_manifests_writes(target: str) -> None:
    path = RELEASE / f"{Path(target).name}.yaml"
    header: list[str] = []
    body: list[str] = []
    for line in path.read_text().splitlines(keepends=True):
        (body if body or not line.startswith("#") else header).append(line)
    assert "".join(body) == kustomize(f"deploy/{target}"), (
        f"{path.relative_to(REPO)} is out of date: run `make release-manifests` and commit the result"
    )
    text = "".join(header)
    assert "Generated by `make release-manifests`" in text and "do not edit" in text
    assert f"{DOWNLOAD}v{version()}/{path.name}" in text


@pytest.mark.parametrize("name", ["cluster-wide.yaml", "single-namespace.yaml"])
def test_release_files_run_the_released_image(name: str) -> None:
    documents = [d for d in yaml.safe_load_all((RELEASE / name).read_text()) if d]
    images = {
        c["image"]
        for d in documents
        if d["kind"] == "Deployment"
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    assert images == {f"{IMAGE}:{version()}"}


def test_readme_install_urls_name_this_version_and_an_attached_file() -> None:
    urls = re.findall(re.escape(DOWNLOAD) + r"(\S+?)/([\w.-]+\.yaml)", (REPO / "README.md").read_text())
    assert {asset for _, asset in urls} == {p.name for p in RELEASE.glob("*.yaml")}
    assert {tag for tag, _ in urls} == {f"v{version()}"}
