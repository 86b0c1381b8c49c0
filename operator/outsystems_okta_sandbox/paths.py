"""Where the demo and the sandbox keep their files, and how they name them to the user."""

from __future__ import annotations

from pathlib import Path

# Relative to the working directory (the checkout, under make), and git-ignored there.
SANDBOX_DIR = Path(".sandbox")
# Beside `make sandbox`'s files, under a name of its own so both can run at once.
DEMO_LOG = SANDBOX_DIR / "demo-operator.log"


def shown(path: Path) -> str:
    """`path` relative to the working directory when it lies under it (`.sandbox/env`), else absolute.

    What we print is meant to be copied into a shell opened in the same directory, so the short form
    is used only where it means the same file there.
    """
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
