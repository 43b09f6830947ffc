"""The one build step pyproject.toml cannot say: ship the top-level ``packer/`` inside the package.

The Packer template and its provisioning scripts live in ``packer/`` at the top
of the repository, where Packer users look for them.  ``icecfg bake`` needs
them at run time, so the wheel carries them as ``icecfg/packer/``
(:func:`icecfg.bake.packer.default_template_dir` looks there first).
Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

#: packer/ and each folder below it, as packages of data files under icecfg.packer
PACKER = ["icecfg.packer", *(f"icecfg.packer.{name}" for name in find_namespace_packages(where="packer"))]

setup(
    packages=[*find_packages(include=["icecfg", "icecfg.*"]), *PACKER],
    package_dir={"icecfg.packer": "packer"},
    package_data={"icecfg": ["py.typed"], **{package: ["*"] for package in PACKER}},
)
