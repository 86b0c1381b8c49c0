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
# status echoes a request's value (lastHandledReconcileAt, clientSecretRotation.requested) under a
# 256-character bound; a longer value would make every status write fail. The CRD cannot check
# annotations (CEL sees only metadata.name), so the operator reads at most this many characters.
MAX_REQUEST_LENGTH = 256
DAY2_ANNOTATIONS = (
    ANNOTATION_PAUSED,
    ANNOTATION_RECONCILE_REQUESTED_AT,
    ANNOTATION_ROTATE_CLIENT_SECRET,
    ANNOTATION_CONFIRM_ROTATION,
)

DEFAULT_CONSOLES_LABEL = "OutSystems Consoles"
DEFAULT_TOOLS_LABEL = "OutSystems Development Tools"
