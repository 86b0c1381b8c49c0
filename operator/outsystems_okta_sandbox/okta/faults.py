"""Test hooks that make the sandbox misbehave: injected errors, lost responses, latency."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Selector:
    """Which `/api/v1` calls a rule applies to (None = any)."""

    method: str | None = None
    path_prefix: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass
class FaultRule:
    status: int
    remaining: int
    selector: Selector
    error_code: str | None = None
    error_summary: str | None = None
    # False: a 429 without X-Rate-Limit-* headers (no reset to wait for), as a proxy in front may send.
    rate_limit_headers: bool = True


@dataclass
class LossRule:
    remaining: int
    selector: Selector
    # Seconds after the connection is dropped that the call is applied (0: applied, then dropped).
    # Okta may apply a call whose client gave up on it long before: a create that lands after the
    # client looked for it and found nothing.
    apply_after: float = 0.0
    # Applied, then answered with this error status instead of dropped (a gateway that timed out while
    # Okta applied the call); None: the connection is dropped.
    answer: int | None = None


@dataclass
class SlowRule:
    """The next matching calls wait this long before they are applied and answered: a client with a
    shorter timeout gives up on a call that Okta still applies."""

    seconds: float
    remaining: int
    selector: Selector


class FaultInjector:
    """Queues of one-shot rules; the first matching rule with calls left is used."""

    def __init__(self) -> None:
        self.faults: list[FaultRule] = []
        self.losses: list[LossRule] = []
        self.slow: list[SlowRule] = []
        self.latency: float = 0.0

    def add_fault(self, rule: FaultRule) -> None:
        if not 400 <= rule.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if rule.remaining < 1:
            raise ValueError("count must be >= 1")
        self.faults.append(rule)

    def add_loss(self, rule: LossRule) -> None:
        if rule.remaining < 1:
            raise ValueError("count must be >= 1")
        if rule.apply_after < 0:
            raise ValueError("apply_after must be >= 0")
        if rule.answer is not None and not 400 <= rule.answer <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if rule.answer is not None and rule.apply_after > 0:
            raise ValueError("a call applied later has no answer to give")
        self.losses.append(rule)

    def take_fault(self, method: str, path: str) -> FaultRule | None:
        for rule in self.faults:
            if rule.remaining > 0 and rule.selector.matches(method, path):
                rule.remaining -= 1
                self.faults = [item for item in self.faults if item.remaining > 0]
                return rule
        return None

    def take_loss(self, method: str, path: str) -> LossRule | None:
        for rule in self.losses:
            if rule.remaining > 0 and rule.selector.matches(method, path):
                rule.remaining -= 1
                self.losses = [item for item in self.losses if item.remaining > 0]
                return rule
        return None

    def add_slow(self, rule: SlowRule) -> None:
        if rule.remaining < 1:
            raise ValueError("count must be >= 1")
        if rule.seconds < 0:
            raise ValueError("seconds must be >= 0")
        self.slow.append(rule)

    def take_slow(self, method: str, path: str) -> float:
        for rule in self.slow:
            if rule.remaining > 0 and rule.selector.matches(method, path):
                rule.remaining -= 1
                self.slow = [item for item in self.slow if item.remaining > 0]
                return rule.seconds
        return 0.0

    def clear(self) -> None:
        self.faults.clear()
        self.losses.clear()
        self.slow.clear()
        self.latency = 0.0
