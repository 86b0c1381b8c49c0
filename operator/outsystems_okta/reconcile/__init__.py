"""The reconcile routine: observe Okta and Kubernetes, apply the pure plan, report the outcome.

It takes its clients as arguments (see `ports`), so it runs the same under Kopf, in tests and in
`outsystems-okta plan`; the Kopf handlers only wire it up. `reconcile` and `finalize` are those of
`control` (pause, Observe, drift corrections), which calls the routine's pass and the deletion.
"""

from outsystems_okta.reconcile.control import finalize, reconcile
from outsystems_okta.reconcile.options import Options
from outsystems_okta.reconcile.outcome import Outcome, unexpected_failure
from outsystems_okta.reconcile.ports import (
    EventSink,
    NamespaceReader,
    OktaApi,
    OktaConnector,
    Resource,
    SecretStore,
)

__all__ = [
    "EventSink",
    "NamespaceReader",
    "OktaApi",
    "OktaConnector",
    "Options",
    "Outcome",
    "Resource",
    "SecretStore",
    "finalize",
    "reconcile",
    "unexpected_failure",
]
