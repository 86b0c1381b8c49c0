"""The shape of every string a user types into the spec: one regular expression, one message in plain
words and one length bound, shared by the pydantic models (`parse_spec`) and the generated CRD.

The CRD checks a shape with a CEL rule, `self.matches('<pattern>')` with `message`, never with the
OpenAPI `pattern` keyword: an API server reports a failed `pattern` by printing the regular expression
("should match '^[a-z0-9]([-a-z0-9]{0,61}...'"), which tells a user nothing. A failed CEL rule prints its
message instead, and `parse_spec` prints the same words after the offending value, so `kubectl apply`,
the operator's Events and `outsystems-okta plan` all say the same thing.

The patterns mean the same in RE2 (CEL's `matches`, on the API server) and Python's `re` (pydantic here,
always with `fullmatch`): no look-arounds, no back-references, no `\\d`/`\\w` (their Unicode meaning
differs), dots written `[.]`, and `(?i)` only at the very start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


def cel_string(text: str) -> str:
    """`text` as a single-quoted CEL string literal (CEL unescapes `\\\\` and `\\'` like Go)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class Shape:
    """A string field's shape: the pattern it must match and what to tell a user when it does not."""

    pattern: str
    message: str
    max_length: int

    def cel_rule(self) -> dict[str, str]:
        return {"rule": f"self.matches({cel_string(self.pattern)})", "message": self.message}

    def fits(self, value: str) -> bool:
        # fullmatch: Python's `$` also matches before a final newline, RE2's (the API server's) does not.
        return re.fullmatch(self.pattern, value) is not None


_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_DOTTED = f"^{_LABEL}([.]{_LABEL})*$"  # an RFC 1123 subdomain in lower case, as Kubernetes spells it

# What a user types where LifeTime or an environment lives: dev.acme.com, never https://dev.acme.com/.
HOSTNAME = Shape(
    pattern=_DOTTED,
    message="must be a lower-case host name like dev.acme.com: no scheme, path, port or spaces",
    max_length=253,
)

# An environment's short name (a DNS label): it ends up in Okta and in the output Secret's keys.
ENV_NAME = Shape(
    pattern=f"^{_LABEL}$",
    message=(
        "must be a short lower-case name like dev or prod-eu: letters, digits and hyphens, "
        "starting and ending with a letter or digit, at most 63 characters"
    ),
    max_length=63,
)

# An Okta org URL: https, a host and an optional port, nothing after. Plain http is accepted by the
# schema only on loopback, and the operator refuses even that unless started with
# --allow-insecure-loopback.
_ANY_CASE_LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
_PORT = "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
ORG_URL = Shape(
    pattern=(
        f"^(https://{_ANY_CASE_LABEL}([.]{_ANY_CASE_LABEL})*{_PORT}"
        f"|http://(127[.]0[.]0[.]1|localhost|\\[::1\\]){_PORT})/?$"
    ),
    message=(
        "must be the https URL of your Okta org like https://acme.okta.com: no path, query or spaces "
        "(plain http only for a sandbox on 127.0.0.1, localhost or ::1)"
    ),
    max_length=270,
)

# Okta serves the admin console on <org>-admin.okta.com (and the preview and EMEA cells alike); its
# APIs answer there too, but the OAuth apps and the metadata URI LifeTime needs belong to the org URL,
# and an API token minted for one is refused by the other. Checked only once the URL has the org shape.
ADMIN_CONSOLE_PATTERN = "(?i)^https://[-.a-z0-9]+-admin[.](okta|oktapreview|okta-emea)[.]com(:[0-9]{1,5})?/?$"
_ADMIN_HOST = re.compile(r"(?i)-admin(?=\.(okta|oktapreview|okta-emea)\.com)")
ADMIN_CONSOLE = "must be your Okta org URL, not the admin console"


def admin_console_message(admin_url: str = "https://acme-admin.okta.com") -> str:
    """What to say about an admin-console URL: with the exact org URL when the value is known.

    The CRD's message must be static (`messageExpression` needs Kubernetes 1.27 and we support 1.25), so
    it shows an example; `parse_spec` names the user's own org URL.
    """
    org_url = _ADMIN_HOST.sub("", admin_url.rstrip("/"), count=1)
    return f"{ADMIN_CONSOLE}: use {org_url} instead of {admin_url.rstrip('/')}"


def is_admin_console(url: str) -> bool:
    return re.fullmatch(ADMIN_CONSOLE_PATTERN, url) is not None


def admin_console_cel_rule() -> dict[str, str]:
    return {"rule": f"!self.matches({cel_string(ADMIN_CONSOLE_PATTERN)})", "message": admin_console_message()}


# Okta authorization server ids are alphanumeric (`default` or `aus...`).
AUTH_SERVER_ID = Shape(
    pattern="^[A-Za-z0-9]+$",
    message=(
        "must be an Okta authorization server id like default or aus1a2b3c4d5e6f7g8h9: letters and digits "
        "only (Security > API > Authorization Servers in the Okta admin console)"
    ),
    max_length=64,
)

# A Secret's name: a Kubernetes object name (DNS-1123 subdomain).
SECRET_NAME = Shape(
    pattern=_DOTTED,
    message=(
        "must be a Kubernetes Secret name like okta-api: lower-case letters, digits, hyphens and dots, "
        "starting and ending with a letter or digit"
    ),
    max_length=253,
)

# A key in a Secret's data.
SECRET_KEY = Shape(
    pattern="^[-._a-zA-Z0-9]+$",
    message=(
        "must be a key of the Secret's data like apiToken: letters, digits, hyphens, underscores and dots"
    ),
    max_length=253,
)

# An Okta app id (`0oa` and letters and digits, 20 characters in every org seen), as the admin console
# shows it in the app page's address (.../admin/app/oidc_client/instance/0oa.../) and, unless someone chose
# a custom one, as the app's Client ID. The length is not pinned to 20: a wrong id is caught by Okta (404,
# reported as AdoptionRefused) while a too-strict rule could refuse a real one with no way around it.
APP_ID = Shape(
    pattern="^0oa[A-Za-z0-9]+$",
    message=(
        "must be an Okta app id like 0oa1b2c3d4e5f6g7h8i9: 0oa followed by letters and digits, as in the "
        "address of the app's page in the Okta admin console (after /instance/)"
    ),
    max_length=100,
)

# A name a person reads in the Okta admin console: an app's label, a group's name. Okta refuses a blank
# label ("The field cannot be left blank", E0000001) and a group name with a space around it is never
# the group an admin sees: refused here, so the second app's create cannot fail after the first's.
# Neither leading nor trailing whitespace, no control characters (a newline, a tab): [\x00-\x20\x7f]
# is written out because RE2's \s and Python's differ.
_PRINTED = "[^\\x00-\\x1f\\x7f]"
_PRINTED_NOT_SPACE = "[^\\x00-\\x20\\x7f]"
_DISPLAY_NAME = f"^{_PRINTED_NOT_SPACE}({_PRINTED}*{_PRINTED_NOT_SPACE})?$"

# Okta's limit on an app label: 1 to 100 characters (notes/okta-api.md: Apps API, `label`).
APP_LABEL = Shape(
    pattern=_DISPLAY_NAME,
    message=(
        "must be a label like OutSystems Consoles: not blank, no space at either end, no line breaks, "
        "tabs or other control characters, at most 100 characters"
    ),
    max_length=100,
)

# An Okta group name (profile.name), matched exactly: 1 to 255 characters.
GROUP_NAME = Shape(
    pattern=_DISPLAY_NAME,
    message=(
        "must be an Okta group name like OutSystems Developers: not blank, no space at either end, no "
        "line breaks, tabs or other control characters"
    ),
    max_length=255,
)

SHAPES: dict[str, Shape] = {
    "hostname": HOSTNAME,
    "environment name": ENV_NAME,
    "org URL": ORG_URL,
    "authorization server id": AUTH_SERVER_ID,
    "Secret name": SECRET_NAME,
    "Secret key": SECRET_KEY,
    "Okta app id": APP_ID,
    "app label": APP_LABEL,
    "group name": GROUP_NAME,
}


def shaped(shape: Shape, *extra_rules: dict[str, str]) -> dict[str, Any]:
    """`Field(...)` keywords for a string of this shape: its length bound and its CEL rules."""
    return {
        "max_length": shape.max_length,
        "json_schema_extra": {"x-kubernetes-validations": [shape.cel_rule(), *extra_rules]},
    }
