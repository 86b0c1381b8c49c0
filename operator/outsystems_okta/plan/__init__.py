"""Pure: compare what must be with what Okta and Kubernetes have, and say what to do.

Nothing here performs I/O; the reconcile routine feeds observations in and carries the verdicts out.
"""
