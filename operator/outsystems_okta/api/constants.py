"""Names of the API: group, version, kind, and the keys the operator stamps on what it owns."""

GROUP = "okta.outsystems.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "OutSystemsOktaIntegration"
PLURAL = "outsystemsoktaintegrations"
SINGULAR = "outsystemsoktaintegration"
SHORT_NAME = "osokta"

FINALIZER = f"{GROUP}/finalizer"
# Prefix for Kopf's own bookkeeping annotations, so they never collide with another Kopf operator's.
ANNOTATION_PREFIX = GROUP

# Day-2 requests a person (or Argo CD, or `kubectl osokta`) sets on the resource; the pass reads them
# and compares them with status, so a request is handled once even across restarts.
ANNOTATION_PAUSED = f"{GROUP}/paused"
ANNOTATION_RECONCILE_REQUESTED_AT = f"{GROUP}/reconcile-requested-at"
ANNOTATION_ROTATE_CLIENT_SECRET = f"{GROUP}/rotate-client-secret"
ANNOTATION_CONFIRM_ROTATION = f"{GROUP}/confirm-client-secret-rotation"
DAY2_ANNOTATIONS = (
    ANNOTATION_PAUSED,
    ANNOTATION_RECONCILE_REQUESTED_AT,
    ANNOTATION_ROTATE_CLIENT_SECRET,
    ANNOTATION_CONFIRM_ROTATION,
)

DEFAULT_CONSOLES_LABEL = "OutSystems Consoles"
DEFAULT_TOOLS_LABEL = "OutSystems Development Tools"
