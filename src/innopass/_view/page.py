"""The printable page of a passport: one self-contained HTML file, A4, no network.

Everything is inline: the styles (screen and print), and the QR code as an
inline SVG (``segno``) carrying the passport id and its digest, so a printed copy
can be matched to the file. No script, no font, no image is fetched. The verdict
banner comes first; when the verdict is not ``verified`` it says "not verified:
do not rely on this" and the content is shown only under that heading.
"""

from __future__ import annotations

from html import escape
from typing import Final

from innopass._view.passport import NOT_VERIFIED, DecisionView, PassportView, Row

__all__ = ["qr_payload", "render_html"]

_STYLE: Final = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
  color: #111; margin: 0 auto; max-width: 190mm; padding: 8mm 6mm; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; }
h2 { font-size: 12pt; margin: 5mm 0 1.5mm 0; padding-bottom: 1mm; border-bottom: 1px solid #999; }
.banner { border: 3px solid; padding: 3mm 4mm; margin: 0 0 4mm 0; }
.banner p { margin: 1mm 0; }
.banner .verdict { font-size: 15pt; font-weight: bold; margin: 0 0 1mm 0; }
.verified { border-color: #007f3b; background: #e8f5ec; }
.verified .verdict { color: #005a2a; }
.not-verified { border-color: #b00020; background: #fde8ea; }
.not-verified .verdict { color: #8a0018; text-transform: uppercase; }
.claims { border: 2px dashed #b00020; padding: 2mm 3mm; margin-top: 3mm; }
.claims > .claims-heading { color: #8a0018; font-weight: bold; font-size: 12pt; margin: 0; }
.head { display: flex; gap: 5mm; align-items: flex-start; }
.head .facts { flex: 1; }
.qr { width: 34mm; text-align: center; font-size: 7pt; color: #333; }
.qr svg { width: 34mm; height: 34mm; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.8mm 2mm 0.8mm 0; }
th { width: 42mm; font-weight: bold; color: #333; }
td { overflow-wrap: anywhere; }
.flag { color: #8a0018; font-weight: bold; }
.notice { color: #6a1b9a; font-weight: bold; }
.decision { border-width: 2px; }
.decision .verdict { font-size: 13pt; }
.decision-adopt { border-color: #007f3b; background: #f1faf4; }
.decision-refer { border-color: #b26a00; background: #fff6e5; }
.decision-refuse { border-color: #b00020; background: #fde8ea; }
.decision h3 { font-size: 10.5pt; margin: 2mm 0 0.5mm 0; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
.note { font-style: italic; color: #333; }
ul { margin: 1mm 0 1mm 5mm; padding: 0; }
footer { margin-top: 6mm; font-size: 8pt; color: #444; border-top: 1px solid #999;
  padding-top: 1.5mm; }
section { break-inside: auto; }
tr { break-inside: avoid; }
@media print {
  body { padding: 0; max-width: none; font-size: 10pt; }
  .banner, .claims { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
}
"""

_FLAGS: Final = {
    "overdue": "OVERDUE",
    "expired": "EXPIRED",
    "claimed": "CLAIMED",
    "excluded": "",
    "notice": "",
    "refuse": "",
}


def qr_payload(view: PassportView) -> str | None:
    """What the QR code carries: the passport id and the SHA-256 of the passport as signed."""
    if view.passport_id is None or view.digest is None:
        return None
    return f"innopass:{view.passport_id}?sha256={view.digest}"


def _qr_svg(payload: str) -> str:
    import segno

    code = segno.make(payload, error="m", micro=False)
    svg: str = code.svg_inline(scale=3, border=2, dark="#000", light="#fff", title=payload)
    return svg


def _row(row: Row) -> str:
    flag = _FLAGS.get(row.flag or "", "")
    value = escape(row.value)
    if row.label == "Passport digest" or row.value.startswith("sha256 "):
        value = f'<span class="mono">{value}</span>'
    # an overdue or expired value says so in its own words; a claimed one never does, and a
    # claimed name that says CLAIMED must not hide the marker
    shown = flag and (row.flag == "claimed" or flag not in row.value)
    marker = f' <span class="flag">[{flag}]</span>' if shown else ""
    classes = {"overdue": "flag", "expired": "flag", "refuse": "flag", "notice": "notice"}
    cls = f' class="{classes[row.flag]}"' if row.flag in classes else ""
    return f"<tr><th>{escape(row.label)}</th><td{cls}>{value}{marker}</td></tr>"


def _decision(decision: DecisionView) -> str:
    kind = "adopt" if decision.adopted else decision.outcome
    parts = [
        f'<div class="banner decision decision-{escape(kind)}" id="decision">'
        f'<p class="verdict">Decision: {escape(decision.title)}</p>'
    ]
    if decision.reasons:
        rows = "".join(_row(r) for r in decision.reasons)
        parts.append(f"<h3>Why</h3><table>{rows}</table>")
    if decision.actions:
        to_do = sum(1 for a in decision.actions if a.flag)
        rows = "".join(
            _row(Row(a.label, f"{'to do' if a.flag else 'done'}: {a.value}", a.flag))
            for a in decision.actions
        )
        done = len(decision.actions) - to_do
        parts.append(f"<h3>Local actions: {to_do} to do, {done} done</h3><table>{rows}</table>")
    parts.append(f"<p>Rules met: {decision.met}.</p>")
    if decision.reused:
        parts.append(f"<p>Assessments reused, not repeated: {escape(decision.reused)}.</p>")
    return "".join(parts) + "</div>"


def render_html(view: PassportView) -> str:
    """The page (a complete HTML document)."""
    parts: list[str] = []
    if view.verified:
        parts.append(
            '<div class="banner verified" id="verdict" role="status">'
            f'<p class="verdict">✔ Verified on {escape(view.checked_at or "?")}</p>'
            "<p>Signed by a trusted issuer; not revoked, not suspended, not expired, "
            "as of that time.</p></div>"
        )
    else:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in view.reasons) or "<li>unknown</li>"
        guidance = "".join(f"<p>{escape(g)}</p>" for g in view.guidance)
        when = f" (checked {escape(view.checked_at)})" if view.checked_at else ""
        parts.append(
            '<div class="banner not-verified" id="verdict" role="alert">'
            f'<p class="verdict">✖ {escape(NOT_VERIFIED)}</p>'
            f"<p>Verdict: <b>{escape(view.verdict)}</b>{when}. Why:</p><ul>{reasons}</ul>"
            f"{guidance}</div>"
        )
    if view.decision is not None:
        parts.append(_decision(view.decision))
    qr = qr_payload(view)
    qr_html = f'<div class="qr">{_qr_svg(qr)}<div>passport id and SHA-256</div></div>' if qr else ""
    facts = "".join(_row(r) for r in view.facts)
    head = (
        f'<div class="head"><div class="facts"><h1>{escape(view.title)}</h1>'
        f'<table class="passport-facts">{facts}</table></div>{qr_html}</div>'
    )
    body: list[str] = []
    for section in view.sections:
        rows = "".join(_row(r) for r in section.rows)
        note = f'<p class="note">{escape(section.note)}</p>' if section.note else ""
        table = f"<table>{rows}</table>" if rows else ""
        body.append(f"<section><h2>{escape(section.title)}</h2>{note}{table}</section>")
    content = head + "".join(body)
    if not view.verified:
        content = (
            '<div class="claims" id="claims"><p class="claims-heading">Not verified: what the '
            "file claims, vouched for by no trusted issuer</p>" + content + "</div>"
        )
    parts.append(content)
    parts.append(
        f"<footer>innopass passport view of {escape(view.name)}. The QR code carries the "
        "passport id and the SHA-256 of the passport as signed (RFC 8785 form, or the vc+jwt "
        "text): compare it with <code>innopass show FILE</code> to match this copy to the file. "
        "A printed page proves nothing by itself: verify the file.</footer>"
    )
    title = f"{view.title} — innovator passport" + ("" if view.verified else f" ({NOT_VERIFIED})")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )
