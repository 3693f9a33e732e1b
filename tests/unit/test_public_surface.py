"""The public surface is deliberate: ``innopass.__all__`` is pinned, and every name works."""

from __future__ import annotations

import subprocess
import sys

import innopass

PUBLIC = [
    "AssessmentRecord",
    "Bundle",
    "CheckName",
    "Decision",
    "Ed25519PrivateKey",
    "Failure",
    "FailureCode",
    "Fetcher",
    "Holder",
    "InnopassError",
    "IssuedPassport",
    "Issuer",
    "KeyType",
    "Limits",
    "OrganisationDescription",
    "OrganisationHome",
    "P256PrivateKey",
    "P384PrivateKey",
    "PassportFormat",
    "Policy",
    "PresentationResult",
    "PrivateKey",
    "PublicKey",
    "RequestsFetcher",
    "TrustAnchor",
    "TrustStore",
    "Verdict",
    "VerificationFailed",
    "VerificationResult",
    "Verifier",
    "VerifierHome",
    "__version__",
]


def test_the_facade_exports_exactly_these_names() -> None:
    """Growth is deliberate: adding a name means adding it here too."""
    assert innopass.__all__ == PUBLIC


def test_every_name_resolves_and_is_documented() -> None:
    for name in PUBLIC:
        value = getattr(innopass, name)
        if name != "__version__":
            assert value.__doc__, f"innopass.{name} has no docstring"
            assert value.__name__ == name


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(innopass, "TrustResolver")


def test_importing_innopass_loads_no_library_code() -> None:
    """The facade is lazy: ``import innopass`` (and so the command line) stays fast."""
    code = (
        "import sys, innopass; "
        "print(sorted(m for m in sys.modules if m.startswith(('innopass.', 'requests', "
        "'cryptography', 'jsonschema', 'rich', 'segno'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_every_lazy_name_is_exported_and_every_export_is_lazy() -> None:
    assert sorted([*innopass._LAZY, "__version__"]) == sorted(innopass.__all__)


def test_a_user_type_checks_the_readme_names(tmp_path: object) -> None:
    """``__all__`` is a literal list, so mypy --strict sees the facade's names as exported."""
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    script = tmp_path / "user.py"
    script.write_text(
        "import innopass\n"
        "def f(trust: innopass.TrustStore) -> innopass.VerificationResult:\n"
        "    return innopass.Verifier(trust).verify(b'{}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
