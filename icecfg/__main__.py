"""``python -m icecfg``: the same as the ``icecfg`` command."""

import sys

from icecfg.cli import main

sys.exit(main())
