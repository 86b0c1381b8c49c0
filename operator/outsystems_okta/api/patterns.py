"""Regular expressions shared by the pydantic models and the generated CRD.

They avoid look-arounds: the API server evaluates `pattern` with Go's RE2, pydantic with Rust's regex,
and both must accept exactly the same strings.
"""

_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"

# RFC 1123 host name, lower case (as Kubernetes DNS-1123 subdomains): no scheme, path, port or spaces.
HOSTNAME = rf"^{_LABEL}(\.{_LABEL})*$"
HOSTNAME_MAX = 253

# An environment's short name, as a Kubernetes DNS-1123 label.
ENV_NAME = rf"^{_LABEL}$"
ENV_NAME_MAX = 63

# An Okta org URL: https, host and optional port, nothing after. Plain http is accepted by the schema
# only on loopback, and the operator refuses even that unless started with --allow-insecure-loopback.
_ANY_CASE_LABEL = r"[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
_PORT = r"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
ORG_URL = (
    rf"^(https://{_ANY_CASE_LABEL}(\.{_ANY_CASE_LABEL})*{_PORT}"
    rf"|http://(127\.0\.0\.1|localhost|\[::1\]){_PORT})/?$"
)
ORG_URL_MAX = 270

# Okta authorization server ids are alphanumeric (`default` or `aus...`).
AUTH_SERVER_ID = r"^[A-Za-z0-9]+$"
AUTH_SERVER_ID_MAX = 64

# A Kubernetes object name (DNS-1123 subdomain) for Secrets.
OBJECT_NAME = rf"^{_LABEL}(\.{_LABEL})*$"
OBJECT_NAME_MAX = 253

# A Secret data key.
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"
SECRET_KEY_MAX = 253
