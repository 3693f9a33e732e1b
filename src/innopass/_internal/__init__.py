"""innopass's private engine: the lower layers shared by the issuer and the verifier.

Nothing here is public API; names may change between releases. The public
surface is :mod:`innopass` and its public packages (see ``docs/ARCHITECTURE.md``).
"""
