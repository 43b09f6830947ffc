"""``python -m icecfg``: the same as the ``icecfg`` command."""

import sys

try:
    from icecfg.cli import run
except KeyboardInterrupt:  # Ctrl-C while the command line module loads: as run() reports it
    print("icecfg: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(run())
