"""The shape of an extra redirect or sign-out URI (`spec.extraRedirectUris`, ...), as `patterns.py`
shapes every other string: one regular expression per rule, the same in RE2 (the CRD's CEL rules) and
Python's `re` (`parse_spec`), with a message in plain words.

What the rules follow:
- OAuth 2.0: "The redirection endpoint URI MUST be an absolute URI" and "MUST NOT include a fragment
  component" (RFC 6749 section 3.1.2).
- The Consoles app is a Web app that Service Center and LifeTime reach over https (every URI the
  OutSystems page lists for it is https), so its extra URIs are https only.
- The Development Tools app is a Native app: besides https, a native app may receive the code on a
  private-use URI scheme (the page's own `servicestudio://auth`) or on plain http to a loopback
  address (RFC 8252 sections 7.1 and 7.3); plain http anywhere else is refused.
- No wildcard: Okta refuses `*` in a redirect URI unless the app's `wildcard_redirect` is SUBDOMAIN,
  a setting the operator does not own (and the page never asks for).
"""

from __future__ import annotations

from outsystems_okta.api.patterns import Shape

_HOST_LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
_HOST = f"{_HOST_LABEL}([.]{_HOST_LABEL})*"
_PORT = "(:[0-9]{1,5})?"
# Printable ASCII but `#` (a fragment) and `*` (a wildcard): no spaces, no control characters.
_URI_CHAR = '[!"$-)+-~]'
_PATH = f"(/{_URI_CHAR}*)?"

MAX_LENGTH = 512
MAX_ITEMS = 20

# The Consoles (Web) app: https only.
WEB_URI = Shape(
    pattern=f"^https://{_HOST}{_PORT}{_PATH}$",
    message=(
        "must be an https URL like https://lifetime.acme.com/LifeTimeSDK/CentralizedLogoutPage.aspx: "
        "no wildcard (*), fragment (#) or spaces"
    ),
    max_length=MAX_LENGTH,
)

# The Development Tools (Native) app: any absolute URI with a lower-case scheme (servicestudio://auth,
# https://..., http://127.0.0.1:port/...); NATIVE_HTTP narrows down what http(s) may be.
NATIVE_URI = Shape(
    pattern=f"^[a-z][-+.a-z0-9]*:{_URI_CHAR}+$",
    message=(
        "must be an absolute URI like servicestudio://auth or https://tools.acme.com/callback: a "
        "lower-case scheme, no wildcard (*), fragment (#) or spaces"
    ),
    max_length=MAX_LENGTH,
)

# RE2 has no look-ahead, so "an http(s) URI must be https with a host name, or http on loopback" is a
# rule of its own: CEL `!self.matches(HTTP_SCHEME) || self.matches(NATIVE_HTTP)`.
HTTP_SCHEME = "^https?:"
# Only the scheme and authority: NATIVE_URI already refuses a wildcard, a fragment or a space after them.
NATIVE_HTTP = f"^(https://{_HOST}|http://(127[.]0[.]0[.]1|localhost|\\[::1\\])){_PORT}(/.*)?$"
NATIVE_HTTP_MESSAGE = (
    "must be https://<host>/..., or plain http only to a loopback address "
    "(http://127.0.0.1:<port>/..., http://localhost:<port>/... or http://[::1]:<port>/...)"
)
