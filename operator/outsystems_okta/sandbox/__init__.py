"""Emulators that stand in for Okta and the Kubernetes API in `make demo` and the test suite.

Both speak real HTTP on loopback, so the operator under test runs unchanged.
"""
