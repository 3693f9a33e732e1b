"""What a person reads about a passport, built once for every human output.

:mod:`.passport` builds the view model (the verdict, the passport's facts, the record
in words, an adoption decision), read defensively and escaped; :mod:`.page` renders
it as one self-contained printable HTML page. The command line (``innopass verify``,
``innopass show``, ``innopass decide``) and the service (``GET /passports/{id}``) use
them alike. This package reads the verifier's results and the adoption decision; it
imports neither at run time, nor the issuer, the command line or the service.
"""
