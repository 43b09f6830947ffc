"""Values: element text that the target Icecast reads differently from what it says.

Every rule here looks only at elements the target really reads (see
:func:`icecfg.lint.rules.common.read_leaves`) and derives what it checks
from the element table: the value kind, the per-dialect ranges, the
``crash_if_empty`` flag and the defaults.

One module per concern; importing the package registers every rule of the family.
"""

from __future__ import annotations

from icecfg.lint.rules.values import events, numbers, ranges, switches, text, words

__all__ = ["events", "numbers", "ranges", "switches", "text", "words"]
