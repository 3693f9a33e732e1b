"""The service's parts that need no server: tokens, settings, the application's routes, start-up."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from innopass.errors import ConfigurationError, MalformedInputError
from innopass.issuer import AuditEntry, OrganisationHome
from innopass.serve import Scope, TokenStore
from innopass.serve._config import ServiceConfig

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "serve unit passphrase"
WEB_STACK = ("starlette", "uvicorn", "gunicorn", "limits", "anyio", "uvicorn_worker")


@pytest.fixture
def home(tmp_path: Path) -> OrganisationHome:
    return OrganisationHome.init(
        tmp_path / "home", ods_code="RF4", name="Barking", passphrase=PASS, did_web="rf4.example"
    )


def test_tokens_are_stored_hashed_private_and_audited(home: OrganisationHome) -> None:
    with home.open_ledger() as ledger:
        store = TokenStore(home.path, ledger=ledger)
        info, secret = store.create("ci", [Scope.ISSUE])
        assert secret.startswith(f"ipt_{info.id}_")
        text = store.path.read_text()
        assert secret not in text
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
        known = store.authenticate(secret)
        assert known is not None
        assert (known.id, known.scopes) == (info.id, frozenset({Scope.ISSUE}))
        assert store.authenticate(secret + "x") is None
        assert store.authenticate(f"ipt_{'0' * 16}_{secret.split('_', 2)[2]}") is None
        assert store.authenticate("Bearer nonsense") is None
        store.revoke(info.id)
        assert store.authenticate(secret) is None
        assert [t.active for t in store.tokens()] == [False]
        actions = [(e.action, e.subject) for e in ledger.audit_entries()]
    assert ("token-create", f"token:{info.id}") in actions
    assert ("token-revoke", f"token:{info.id}") in actions
    assert secret not in json.dumps([e.details for e in ledger_entries(home)])


def ledger_entries(home: OrganisationHome) -> list[AuditEntry]:
    with home.open_ledger() as ledger:
        return list(ledger.audit_entries())


def test_token_names_scopes_and_unknown_ids_are_refused(home: OrganisationHome) -> None:
    store = TokenStore(home.path)
    with pytest.raises(MalformedInputError):
        store.create("", ["issue"])
    with pytest.raises(MalformedInputError):
        store.create("ci", [])
    with pytest.raises(MalformedInputError):
        store.revoke("0123456789abcdef")


def test_a_damaged_token_file_is_a_configuration_error(home: OrganisationHome) -> None:
    store = TokenStore(home.path)
    store.create("ci", ["status"])
    store.path.write_text('{"tokens": [{"id": 1}]}')
    with pytest.raises(ConfigurationError):
        store.tokens()


def test_settings_file(tmp_path: Path) -> None:
    assert ServiceConfig.load(tmp_path).credential_types == frozenset()
    config = ServiceConfig.from_mapping({"issue": {"credential_types": ["*"]}})
    assert config.credential_types is None
    bad: dict[str, Any]
    for bad in (
        {"issues": {}},
        {"issue": {"credential_type": ["A"]}},
        {"limits": {"rate": "lots"}},
        {"limits": {"max_request_bytes": 10}},
        {"status": {"list_validity_hours": 1, "list_refresh_minutes": 120}},
        {"issue": {"credential_validity_days": -1}},
    ):
        with pytest.raises(ConfigurationError):
            ServiceConfig.from_mapping(bad)


def test_openapi_describes_every_route_and_is_valid(home: OrganisationHome) -> None:
    from openapi_spec_validator import validate

    from innopass.serve import create_app, open_organisation

    app = create_app(open_organisation(home, PASS))
    document = app.state.openapi
    validate(document)
    routes = {getattr(r, "path", "") for r in app.routes}
    documented = {p.replace("{number}", "{number:int}") for p in document["paths"]}
    assert routes == documented


def test_other_commands_do_not_load_the_web_stack(tmp_path: Path) -> None:
    passport = tmp_path / "p.json"
    passport.write_text("{}")
    code = (
        "import sys\n"
        "from innopass.cli import main\n"
        "for argv in (['--help'], ['verify', sys.argv[1]], ['serve', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {WEB_STACK!r})\n"
        "print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(passport)], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"
