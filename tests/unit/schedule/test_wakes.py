"""schedule/wakes.py and observed.py: which Secret events wake which integration."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.schedule import ObservedSecrets, Wakes, fingerprint, watched_secrets

NS = "outsystems"
CREDS = (NS, "okta-api")
OUTPUT = (NS, "factory-lifetime")
FACTORY = (NS, "factory")
OTHER = (NS, "other")


def secret(name: str, **data: str) -> dict[str, Any]:
    return {"metadata": {"namespace": NS, "name": name}, "data": dict(data)}


def test_watched_secrets_are_the_credentials_and_the_default_output() -> None:
    spec = {"okta": {"credentialsSecretRef": {"name": "okta-api"}}}
    assert watched_secrets(NS, "factory", spec) == [CREDS, OUTPUT]


def test_watched_secrets_follow_spec_secret_name_and_drop_duplicates() -> None:
    spec = {"okta": {"credentialsSecretRef": {"name": "same"}}, "secretName": "same"}
    assert watched_secrets(NS, "factory", spec) == [(NS, "same")]


@pytest.mark.parametrize("spec", [{}, {"okta": "x"}, {"okta": {"credentialsSecretRef": {"name": ""}}}])
def test_watched_secrets_of_a_broken_spec_is_the_output_only(spec: dict[str, Any]) -> None:
    assert watched_secrets(NS, "factory", spec) == [OUTPUT]


def test_fingerprint_is_of_data_only() -> None:
    assert fingerprint(None) is None
    a = secret("x", k="dg==")
    b = {**secret("x", k="dg=="), "metadata": {"labels": {"team": "a"}}}
    assert fingerprint(a) == fingerprint(b) != fingerprint(secret("x", k="dw=="))
    assert fingerprint({"metadata": {}}) == fingerprint(secret("x"))
    assert "dg==" not in str(fingerprint(a))


def test_a_secret_no_pass_has_seen_wakes_an_idle_integration() -> None:
    wakes = Wakes()
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eA=="), [FACTORY, OTHER]) == [
        FACTORY,
        OTHER,
    ]
    assert wakes.slot(FACTORY).wake.is_set() and wakes.slot(OTHER).wake.is_set()


def test_a_secret_as_last_seen_wakes_nobody() -> None:
    wakes = Wakes()
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eA=="), [FACTORY]) == []
    assert not wakes.slot(FACTORY).wake.is_set()


def test_a_changed_or_deleted_secret_wakes() -> None:
    wakes = Wakes()
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eQ=="), [FACTORY]) == [FACTORY]
    wakes.slot(FACTORY).wake.clear()
    assert wakes.secret_event(CREDS, None, [FACTORY]) == [FACTORY]


def test_a_deletion_of_a_secret_seen_absent_wakes_nobody() -> None:
    wakes = Wakes()
    wakes.saw(FACTORY, OUTPUT, None)
    assert wakes.secret_event(OUTPUT, None, [FACTORY]) == []


def test_an_unseen_secret_does_not_wake_a_running_pass() -> None:
    # The pass reads it later and sees the new state.
    wakes = Wakes()
    wakes.slot(FACTORY).running = True
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eA=="), [FACTORY]) == []


def test_a_seen_secret_that_changed_wakes_even_a_running_pass() -> None:
    # The pass already read the old state: the next one must read the new.
    wakes = Wakes()
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    wakes.slot(FACTORY).running = True
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eQ=="), [FACTORY]) == [FACTORY]


def test_a_listing_wakes_only_for_a_secret_seen_otherwise() -> None:
    # At startup nothing was seen: the first pass (or the back-off in status) decides, not the listing.
    wakes = Wakes()
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eA=="), [FACTORY], listed=True) == []
    # A re-listing after a lost watch shows a change made in the gap.
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eQ=="), [FACTORY], listed=True) == [FACTORY]


def test_forget_drops_the_slot() -> None:
    wakes = Wakes()
    slot = wakes.slot(FACTORY)
    assert wakes.slot(FACTORY) is slot
    wakes.forget(FACTORY)
    assert wakes.slot(FACTORY) is not slot


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.fail = fail

    async def read(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self.secrets.get((namespace, name))

    async def write(self, body: dict[str, Any]) -> None:
        if self.fail:
            raise RuntimeError("API server said no")
        self.secrets[body["metadata"]["namespace"], body["metadata"]["name"]] = body

    async def delete(self, namespace: str, name: str) -> None:
        if self.fail:
            raise RuntimeError("API server said no")
        self.secrets.pop((namespace, name), None)


async def test_observed_reads_and_writes_are_not_changes() -> None:
    wakes, store = Wakes(), Store()
    store.secrets[CREDS] = secret("okta-api", apiToken="eA==")
    observed = ObservedSecrets(store, wakes, FACTORY)
    assert await observed.read(*CREDS) == store.secrets[CREDS]
    assert await observed.read(*OUTPUT) is None
    await observed.write(secret("factory-lifetime", metadataUri="T2t0YQ=="))
    # The watch events of the read state and of the operator's own write.
    assert wakes.secret_event(CREDS, store.secrets[CREDS], [FACTORY]) == []
    assert wakes.secret_event(OUTPUT, secret("factory-lifetime", metadataUri="T2t0YQ=="), [FACTORY]) == []
    await observed.delete(*OUTPUT)
    assert wakes.secret_event(OUTPUT, None, [FACTORY]) == []


async def test_a_failed_write_or_delete_wakes_on_the_next_event_even_during_a_pass() -> None:
    # The write may or may not have happened: whatever the Secret now holds, a pass must look at it, and
    # the pass that failed has read it already.
    wakes = Wakes()
    wakes.slot(FACTORY).running = True
    observed = ObservedSecrets(Store(fail=True), wakes, FACTORY)
    with pytest.raises(RuntimeError):
        await observed.write(secret("factory-lifetime", metadataUri="T2t0YQ=="))
    assert wakes.secret_event(OUTPUT, secret("factory-lifetime", metadataUri="T2t0YQ=="), [FACTORY]) == [
        FACTORY
    ]
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    with pytest.raises(RuntimeError):
        await observed.delete(*CREDS)
    assert wakes.secret_event(CREDS, None, [FACTORY]) == [FACTORY]


def test_integrations_sharing_a_credentials_secret_each_wake_for_a_change_they_have_not_seen() -> None:
    # FACTORY's pass read the new token before the watch event came; OTHER still holds the old one.
    wakes = Wakes()
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    wakes.saw(OTHER, CREDS, secret("okta-api", apiToken="eA=="))
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eQ=="))
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eQ=="), [FACTORY, OTHER]) == [OTHER]


def test_forget_drops_what_the_integration_saw() -> None:
    wakes = Wakes()
    wakes.saw(FACTORY, CREDS, secret("okta-api", apiToken="eA=="))
    wakes.forget(FACTORY)
    # A new scheduler for the same name has seen nothing: a listing does not wake it, a change does.
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eA=="), [FACTORY], listed=True) == []
    assert wakes.secret_event(CREDS, secret("okta-api", apiToken="eA=="), [FACTORY]) == [FACTORY]
