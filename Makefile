# Two commands: `make demo` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SANDBOX := operator/outsystems_okta_sandbox
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(SANDBOX)/pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: test demo sandbox bench lint typecheck architecture unit integration e2e crds clean

# The product and, beside it, the sandbox (its own distribution) and the test tools (a dependency group).
$(STAMP): pyproject.toml $(SANDBOX)/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e . -e $(SANDBOX) --group test
	rm -f $(VENV)/.installed-*; touch $(STAMP)

test: $(STAMP) lint typecheck architecture
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff format --check operator tests bench
	$(BIN)/ruff check operator tests bench
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy

architecture: $(STAMP)
	cd operator && ../$(BIN)/lint-imports --config ../pyproject.toml

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest -q tests/e2e

demo: $(STAMP)
	$(BIN)/outsystems-okta-sandbox demo

# The emulators and the operator in the foreground until Ctrl-C, for kubectl by hand (files in .sandbox/).
sandbox: $(STAMP)
	$(BIN)/outsystems-okta-sandbox up

# Figures, not pass/fail: N integrations converging and one drift pass (see bench/).
bench: $(STAMP)
	$(BIN)/python bench/convergence.py --integrations 50

# Regenerate the checked-in CRD from the pydantic models.
crds: $(STAMP)
	$(BIN)/outsystems-okta crd > crds/outsystemsoktaintegrations.okta.outsystems.dev.yaml

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
