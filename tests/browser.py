"""Render a page in a real headless Chromium and read what it laid out (DevTools protocol).

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands on
file descriptor 3 and writes replies and events on 4, each message JSON ended by
a NUL byte. A shell maps the child's standard input and output onto those two
descriptors, so no port is opened and no WebSocket client is needed. The page is
loaded from a file with every network request refused, and a script evaluated
*by the browser* (DevTools evaluation is not subject to the page's Content
Security Policy) reports what was rendered: ``innerText`` (which follows CSS:
hidden text is absent, ``text-transform`` applies), boxes and computed styles,
once for the screen and once with the print media emulated.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from innopass.cli._show import chromium, chromium_command

__all__ = ["MEASURE", "render"]

#: What the tests read from a rendered page.
MEASURE = """
(() => {
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return {text: el.innerText, top: r.top, left: r.left, width: r.width, height: r.height,
            display: cs.display, visibility: cs.visibility, opacity: cs.opacity,
            color: cs.color, background: cs.backgroundColor, border: cs.borderTopColor};
  };
  const verdict = document.querySelector('#verdict .verdict');
  const title = document.querySelector('.qr svg title');
  return JSON.stringify({
    text: document.body.innerText,
    banner: box(document.getElementById('verdict')),
    verdict: box(verdict),
    claims: box(document.getElementById('claims')),
    qr: box(document.querySelector('.qr svg')),
    qr_title: title ? title.textContent : null,
    first_heading_below_banner: (() => {
      const h = document.querySelector('h1');
      const b = document.getElementById('verdict');
      return h && b ? h.getBoundingClientRect().top >= b.getBoundingClientRect().bottom : null;
    })(),
    viewport: {width: innerWidth, height: innerHeight},
    resources: performance.getEntriesByType('resource').map((e) => e.name),
  });
})()
"""


class _Pipe:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict[str, Any]] = []

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        while b"\0" not in self.buffer:
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        value: dict[str, Any] = json.loads(message)
        return value

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        assert self.process.stdin is not None
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._read()
            if event.get("method") == method:
                return event
            self.events.append(event)


def render(page: Path) -> dict[str, Any]:
    """Load ``page`` in headless Chromium; what :data:`MEASURE` reads, for screen and print."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("no headless Chromium installed")
    with tempfile.TemporaryDirectory(prefix="innopass-browser-") as work:
        args = [
            *chromium_command(binary, Path(work) / "profile"),
            "--remote-debugging-pipe",
            "--window-size=1000,1400",
            "about:blank",
        ]
        process = subprocess.Popen(
            ["/bin/sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        pipe = _Pipe(process)
        try:
            target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            pipe.send("Page.enable", session=session)
            pipe.send("Network.enable", session=session)
            pipe.send("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]}, session)
            pipe.send("Page.navigate", {"url": page.as_uri()}, session)
            pipe.wait_for("Page.loadEventFired")
            out: dict[str, Any] = {}
            for media in ("screen", "print"):
                pipe.send("Emulation.setEmulatedMedia", {"media": media}, session)
                value = pipe.send(
                    "Runtime.evaluate",
                    {"expression": MEASURE, "returnByValue": True},
                    session,
                )["result"]["value"]
                out[media] = json.loads(value)
            with contextlib.suppress(RuntimeError):
                pipe.send("Browser.close")
            return out
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
