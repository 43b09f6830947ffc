"""Baking an Icecast server image on DigitalOcean and keeping its snapshots tidy.

- ``command``: the ``bake``, ``snapshots`` and ``prune`` commands;
- ``stage``: the config and its assets staged for the provisioning scripts, and
  the content hash that names the snapshot;
- ``packer``: runs the real ``packer`` binary (token only in the environment,
  machine-readable output, Ctrl-C forwarded, manifest read);
- ``snapshots``: the pure keep/prune policy and snapshot naming (no I/O);
- ``package_cache``: the Icecast 2.5 package a bake built, kept for later bakes;
- ``pricing``: a dated price table and the cost arithmetic for estimates;
- ``digitalocean``: the adapter around python-digitalocean, the only module that
  talks to the DigitalOcean API (timeouts, retries, pagination, action polling).

Nothing here is imported by ``icecfg lint``.
"""
