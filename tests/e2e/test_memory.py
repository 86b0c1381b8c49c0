"""What the operator process loads: `cryptography` (about 8 MiB resident, bench/memory.py) only once a
credentials Secret names a service app; with an SSWS token it never does."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, resource
from tests.e2e.test_oauth import CLIENT_ID, pem_of, put_service_app_secret, register

pytestmark = pytest.mark.e2e


def cryptography_loaded(pid: int) -> bool:
    """Whether cryptography's native library is mapped into the process (its import maps it)."""
    return "/cryptography/" in Path(f"/proc/{pid}/maps").read_text()


def test_an_ssws_token_never_loads_cryptography(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    process = stack.start_operator()
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)
    assert not cryptography_loaded(process.pid)


def test_a_service_app_loads_it_when_needed(stack: Stack, okta: Okta) -> None:
    pem = pem_of(ec.generate_private_key(ec.SECP256R1()))
    register(okta, pem)
    put_service_app_secret(stack, {"clientId": CLIENT_ID, "privateKey": pem, "keyId": "operator-1"})
    process = stack.start_operator()
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)
    assert cryptography_loaded(process.pid)
