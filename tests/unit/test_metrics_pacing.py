"""The pacing metrics: share of each bucket used (everyone's calls) and seconds waited for budget."""

from __future__ import annotations

from outsystems_okta.metrics import Metrics
from outsystems_okta.okta import ResponseInfo

APPS = "/api/v1/apps"


def value(metrics: Metrics, name: str, bucket: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"bucket": bucket})


def info(**kwargs: object) -> ResponseInfo:
    fields: dict[str, object] = {
        "operation": "listApplications",
        "method": "GET",
        "status": 200,
        "rate_limit_remaining": 30,
        "elapsed": 0.01,
        "bucket": APPS,
    }
    fields.update(kwargs)
    return ResponseInfo(**fields)  # type: ignore[arg-type]


def test_share_used_and_budget_wait_per_bucket() -> None:
    metrics = Metrics()
    metrics.observe_okta(info(rate_limit_limit=100, paced=2.5))
    metrics.observe_okta(info(rate_limit_limit=100, rate_limit_remaining=45, paced=1.0))
    assert value(metrics, "outsystems_okta_okta_rate_limit_used_ratio", APPS) == 0.55
    assert value(metrics, "outsystems_okta_okta_budget_wait_seconds_total", APPS) == 3.5


def test_no_limit_header_no_share_and_no_wait_no_series() -> None:
    metrics = Metrics()
    metrics.observe_okta(info(rate_limit_limit=None))
    assert value(metrics, "outsystems_okta_okta_rate_limit_used_ratio", APPS) is None
    assert value(metrics, "outsystems_okta_okta_budget_wait_seconds_total", APPS) is None
    # Okta reporting more left than the limit (it happens around a window's reset) is no negative share.
    metrics.observe_okta(info(rate_limit_limit=100, rate_limit_remaining=120))
    assert value(metrics, "outsystems_okta_okta_rate_limit_used_ratio", APPS) == 0.0
