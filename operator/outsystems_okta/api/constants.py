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

DEFAULT_CONSOLES_LABEL = "OutSystems Consoles"
DEFAULT_TOOLS_LABEL = "OutSystems Development Tools"
