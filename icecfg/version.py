"""icecfg's version, written in one place.

``pyproject.toml`` reads it from here when the package is built
(``[tool.setuptools.dynamic]``), so the wheel's metadata, ``icecfg --version``,
the SARIF report and the DigitalOcean User-Agent cannot disagree.  A plain
string rather than ``importlib.metadata``: that import alone costs more than
the rest of ``icecfg lint``'s start-up.
"""

__version__ = "0.1.0"
