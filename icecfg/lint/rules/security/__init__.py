"""Security: passwords, mount authentication, and the switch away from root.

No message of this family ever contains a password: findings name the
element and say what is wrong with its value.  One module per concern;
importing the package registers every rule of the family.
"""

from __future__ import annotations

from icecfg.lint.rules.security import (
    acls,
    authenticators,
    ownership,
    passwords,
    rolesettings,
    server25,
    stacks,
    urlauth,
    userlimits,
)

__all__ = [
    "acls",
    "authenticators",
    "ownership",
    "passwords",
    "rolesettings",
    "server25",
    "stacks",
    "urlauth",
    "userlimits",
]
