"""The emulators and the demo: everything that stands in for Okta and Kubernetes on one machine.

Not part of the product: the operator's wheel and image never contain this package, and the product
never imports it (an import-linter contract). It may import the product, to reuse its constants and
the CRD.

- `okta/`: a stateful Okta Management API emulator over real HTTP.
- `kubernetes/`: a stateful Kubernetes API emulator (on kmock) that Kopf, the client and kubectl use.
- `stack`: both emulators plus the real operator process; `demo` and `session` (`make sandbox`) on it.
- `example`: the packaged example and the checkout's CRDs they install; `paths`: where their files go.
- `cli`: the `outsystems-okta-sandbox` command.
"""
