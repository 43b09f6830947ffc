"""Baking an Icecast server image on DigitalOcean and keeping its snapshots tidy.

- ``snapshots``: the pure keep/prune policy and snapshot naming (no I/O);
- ``pricing``: a dated price table and the cost arithmetic for estimates;
- ``digitalocean``: the adapter around python-digitalocean, the only module that
  talks to the DigitalOcean API (timeouts, retries, pagination, action polling).

Nothing here is imported by ``icecfg lint``.
"""
