#!/usr/bin/env python3
"""Stand-in for ``docker compose run`` in the vc-jose-cose suite: runs innopass over its VC-API.

The suite runs, per test::

    docker compose -f ./implementations/compose.yml run --rm innopass FN \\
        --input /tests/input/FILE --key /tests/input/KEY --feature FEATURE \\
        [--sd JSON] --output /tests/output/N-innopass.json

and reads ``{"result": "success" | "failure" | "indeterminate", "data": …}`` from the
output file (``/tests`` is the suite's ``tests`` folder). innopass signs only with
the organisation's own keys, never with a key handed to it, so:

- ``issue``: the credential is issued as ``vc+jwt`` by the ``innopass serve`` whose
  organisation key has the type of the suite's key file (Ed25519, P-256, P-384), with
  ``issuer`` set to that organisation (it signs only as itself); other key types
  (P-521) are ``failure``: innopass has no such key.
- ``verify``: the input (a compact JWS, or JSON for the unsecured cases) is posted to
  ``/credentials/verify`` with ``checks: ["proof"]``: 200 is success, 400 failure,
  422 indeterminate. The suite's key file is not used: keys come from the issuer's
  DID, never from the request.

``INNOPASS_JOSE_SERVERS`` names a JSON file ``{key type: {base, token, did, ca}}``
(written by conformance/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import requests


def _local(path: str) -> Path:
    """``/tests/...`` inside the would-be container is the suite's ``tests/...``."""
    return Path.cwd() / path.removeprefix("/")


def _write(output: Path, result: str, data: str = "") -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"result": result, "data": data}))


def _key_type(key_file: Path) -> str:
    method = json.loads(key_file.read_text())
    jwk = method.get("publicKeyJwk") or {}
    return str(jwk.get("crv", ""))


def main(argv: list[str]) -> int:
    # compose -f FILE run --rm IMPL FN ARGS...
    if len(argv) < 6 or argv[:2] != ["compose", "-f"] or argv[3:5] != ["run", "--rm"]:
        print(f"jose_docker: unexpected arguments {argv}", file=sys.stderr)
        return 2
    fn, rest = argv[6], argv[7:]
    parser = argparse.ArgumentParser(prog="innopass-jose")
    for name in ("--input", "--key", "--feature", "--output", "--sd"):
        parser.add_argument(name)
    args = parser.parse_args(rest)
    output = _local(args.output)
    servers = json.loads(Path(os.environ["INNOPASS_JOSE_SERVERS"]).read_text())
    key_type = _key_type(_local(args.key))
    if args.feature != "credential_jose":
        _write(output, "failure")
        return 0
    text = _local(args.input).read_text().strip()
    if fn == "issue":
        server = servers.get(key_type)
        if server is None:  # P-521: no organisation key of that type
            _write(output, "failure")
            return 0
        credential = json.loads(text)
        credential["issuer"] = server["did"]
        answer = requests.post(
            f"{server['base']}/credentials/issue",
            json={"credential": credential, "options": {"format": "jwt"}},
            headers={"Authorization": f"Bearer {server['token']}"},
            verify=server["ca"],
            timeout=60,
        )
        if answer.status_code != 201:
            print(f"jose_docker: issue refused: {answer.text}", file=sys.stderr)
            _write(output, "failure")
            return 0
        envelope = answer.json()["verifiableCredential"]
        _write(output, "success", str(envelope["id"]).removeprefix("data:application/vc+jwt,"))
        return 0
    server = servers.get(key_type) or next(iter(servers.values()))
    document: object = text
    if text.startswith("{"):
        document = json.loads(text)
    answer = requests.post(
        f"{server['base']}/credentials/verify",
        json={"verifiableCredential": document, "options": {"checks": ["proof"]}},
        verify=server["ca"],
        timeout=60,
    )
    result = {200: "success", 400: "failure", 422: "indeterminate"}.get(answer.status_code)
    if result is None:
        print(f"jose_docker: verify answered {answer.status_code}: {answer.text}", file=sys.stderr)
        result = "error"
    elif result != "success":
        print(f"jose_docker: {answer.json().get('detail')}", file=sys.stderr)
    _write(output, result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
