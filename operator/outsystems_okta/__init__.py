"""outsystems-okta-operator: an OutSystems 11 factory wired to Okta, kept right by a Kubernetes operator."""

__version__ = "0.1.0"
OPERATOR_NAME = "outsystems-okta-operator"
