"""Structure: elements and attributes Icecast does not read where they stand.

Which element is the business of this family, of ``values`` and of
``dialect`` is decided by the views in :mod:`icecfg.lint.rules.common`.

One module per concern; importing the package registers every rule of the family.
"""

from __future__ import annotations

from icecfg.lint.rules.structure import attributes, elements, mounts, repeats

__all__ = ["attributes", "elements", "mounts", "repeats"]
