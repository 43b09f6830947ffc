"""The rule families; importing this package registers every rule."""

from __future__ import annotations

import importlib

#: One module per family; each registers its rules when imported.
FAMILIES = (
    "structure",
    "values",
    "dialect",
    "tls",
    "security",
    "fallback",
    "fileserve",
    "headers",
    "logging",
    "network",
    "templates",
)

for _family in FAMILIES:
    importlib.import_module(f"icecfg.lint.rules.{_family}")
