"""Link header parsing and the same-origin rule for pagination."""

from __future__ import annotations

import pytest

from outsystems_okta.okta.links import find_rel, origin, parse_link_header, same_origin

OKTA_STYLE = (
    '<https://acme.okta.com/api/v1/apps?limit=2>; rel="self", '
    '<https://acme.okta.com/api/v1/apps?after=0oa2&limit=2>; rel="next"'
)


def test_parses_okta_style_header() -> None:
    assert parse_link_header(OKTA_STYLE) == [
        ("https://acme.okta.com/api/v1/apps?limit=2", {"rel": "self"}),
        ("https://acme.okta.com/api/v1/apps?after=0oa2&limit=2", {"rel": "next"}),
    ]
    assert find_rel(OKTA_STYLE, "next") == "https://acme.okta.com/api/v1/apps?after=0oa2&limit=2"


def test_separate_header_values_and_no_next() -> None:
    values = ['<https://a/x?limit=2>; rel="self"', '<https://a/x?after=b>; rel="next"']
    assert find_rel(values, "next") == "https://a/x?after=b"
    assert find_rel(['<https://a/x>; rel="self"'], "next") is None
    assert find_rel([], "next") is None


def test_commas_and_semicolons_inside_uri_or_quotes_do_not_split() -> None:
    header = '<https://a/x?f=a,b;c>; title="one, two; three"; rel="next"'
    assert parse_link_header(header) == [("https://a/x?f=a,b;c", {"title": "one, two; three", "rel": "next"})]


def test_rel_is_a_case_insensitive_space_separated_list() -> None:
    assert find_rel('<https://a/n>; REL="prev NEXT"', "next") == "https://a/n"
    assert find_rel("<https://a/n>; rel=next", "next") == "https://a/n"


def test_escaped_quotes_and_garbage() -> None:
    assert parse_link_header(r'<u>; title="say \"hi\""; rel="next"') == [
        ("u", {"title": 'say "hi"', "rel": "next"})
    ]
    assert parse_link_header("garbage, <unterminated; rel=next, ") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.okta.com/api/v1/apps?after=x", True),
        ("https://ACME.okta.com:443/api/v1/apps", True),
        ("http://acme.okta.com/api/v1/apps", False),
        ("https://acme.okta.com:8443/api/v1/apps", False),
        ("https://evil.example/api/v1/apps", False),
        ("https://acme.okta.com@evil.example/api/v1/apps", False),
        ("https://acme.okta.com.evil.example/", False),
        ("/api/v1/apps", False),
    ],
)
def test_same_origin(url: str, expected: bool) -> None:
    assert same_origin(url, "https://acme.okta.com") is expected


def test_origin_fills_default_ports() -> None:
    assert origin("http://127.0.0.1/x") == ("http", "127.0.0.1", 80)
    assert origin("http://127.0.0.1:8080/x") == ("http", "127.0.0.1", 8080)
    assert origin("https://[::1]/x") == ("https", "::1", 443)
