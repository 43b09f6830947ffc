"""Unrendered template placeholders in icecast.xml values: find them, render them.

The syntaxes are a table (:mod:`icecfg.placeholders.syntaxes`); this package
only scans text against it.  It works on plain strings, below the document
and the model, so any layer can ask whether a value is still a template.
"""

from __future__ import annotations

from icecfg.placeholders.scan import Placeholder, find, is_placeholder_only, may_contain, render
from icecfg.placeholders.syntaxes import SYNTAXES, Syntax

__all__ = ["SYNTAXES", "Placeholder", "Syntax", "find", "is_placeholder_only", "may_contain", "render"]
