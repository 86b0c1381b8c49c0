"""When passes run: one scheduler per integration owns every pass (like controller-runtime's work
queue). A change of the resource or of a Secret it depends on wakes it; otherwise it waits for the
back-off deadline after a failure or the drift interval after a success. No Kopf here: handlers.py
wires it."""

from outsystems_okta.schedule.loop import Next, first_delay, run_schedule
from outsystems_okta.schedule.observed import ObservedSecrets, fingerprint
from outsystems_okta.schedule.status_view import StatusView
from outsystems_okta.schedule.wakes import Key, Slot, Wakes, watched_secrets

__all__ = [
    "Key",
    "Next",
    "ObservedSecrets",
    "Slot",
    "StatusView",
    "Wakes",
    "fingerprint",
    "first_delay",
    "run_schedule",
    "watched_secrets",
]
