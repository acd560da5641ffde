"""A LibreOffice worker: one warm ``soffice`` driven over UNO, fed documents on stdin.

This file runs under a Python that can ``import uno`` (Debian's ``/usr/bin/python3`` with
python3-uno, or LibreOffice's bundled Python), which is usually not the Python running k39docs,
so it imports nothing from k39docs. Protocol, one JSON object per line:

    → {"src": "/abs/a.docx", "dst": "/abs/a.pdf"}
    ← {"ok": true, "ms": 61}      or   {"ok": false, "error": "…"}

The first line it prints is ``{"ready": true, "soffice_pid": N}`` once soffice accepts UNO
calls. End of stdin closes LibreOffice. The caller starts it in a new process group and kills
the whole group on timeout, so a hung soffice never outlives the run.
"""

import json
import subprocess
import sys
import time

import uno  # noqa: E402  (only available under LibreOffice's Python)
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402


def _props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(soffice, profile_url, pipe_name):
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile_url}", "--headless", "--invisible",
         "--nologo", "--norestore", "--nolockcheck", "--nodefault",
         f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 120
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                _reply({"ready": False, "error": "LibreOffice did not start"})
                return 1
            time.sleep(0.05)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    _reply({"ready": True, "soffice_pid": office.pid})
    load = _props(Hidden=True)
    store = _props(FilterName="writer_pdf_Export")
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        try:
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(request["src"]), "_blank", 0, load)
            if doc is None:
                raise RuntimeError("LibreOffice could not open the document")
            try:
                doc.storeToURL(uno.systemPathToFileUrl(request["dst"]), store)
            finally:
                doc.close(True)
            _reply({"ok": True, "ms": round((time.monotonic() - started) * 1000)})
        except Exception as exc:  # report and keep serving: one bad document is not fatal
            # unless the connection to LibreOffice is gone (it crashed or was killed): then say
            # so and exit, and the caller starts a fresh worker and retries the document
            fatal = "Disposed" in type(exc).__name__ or "disposed" in str(exc)
            if not fatal:
                time.sleep(0.2)
                fatal = office.poll() is not None
            _reply({"ok": False, "fatal": fatal, "error": f"{type(exc).__name__}: {exc}"})
            if fatal:
                return 3
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=10)
    except subprocess.TimeoutExpired:
        office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
