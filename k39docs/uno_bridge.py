"""A LibreOffice worker: one warm ``soffice``, fed documents on stdin, converting them in batches.

This file runs under a Python that can ``import uno`` (Debian's ``/usr/bin/python3`` with
python3-uno, or LibreOffice's bundled Python), which is usually not the Python running k39docs,
so it imports nothing from k39docs. Protocol, one JSON object per line:

    → {"src": "/abs/a.docx", "dst": "/abs/a.pdf"}
    ← {"ok": true, "ms": 61}      or   {"ok": false, "fatal": false, "error": "…"}

Replies come in the order of the requests. The first line it prints is
``{"ready": true, "soffice_pid": N}`` once soffice accepts UNO calls. End of stdin closes
LibreOffice. The caller starts it in a new process group and kills the whole group on timeout,
so a hung soffice never outlives the run.

How a document is converted: the requests waiting on stdin (up to ``CHUNK``) are handed to the
running soffice by a second ``soffice --convert-to pdf`` call with the same profile, which passes
them over LibreOffice's own single-instance pipe and exits when they are done. That is the code
path of ``soffice --convert-to``, which takes about a tenth less CPU per document than loading
and storing each document over UNO (measured on the 204 documents of a 100-candidate dossier).
The running soffice prints ``convert <file> -> …`` as it reaches each document, so each reply
goes out as soon as its document is done, not at the end of the batch. A document the batch
did not produce is tried once more over UNO, which also yields LibreOffice's error message.
A hidden empty document stays open: without it, soffice quits after the first batch.
"""

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import uno  # noqa: E402  (only available under LibreOffice's Python)
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402

CHUNK = 8  # documents per batch: the ~20 ms of a `--convert-to` call are shared by all of them
_PROGRESS = re.compile(r"^convert .*/c(\d+)/in/(\d+)\.docx")


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


def _pump(stream, into):
    """Lines of ``stream`` into the queue ``into``, then None at its end."""
    for line in iter(stream.readline, b""):
        into.put(line.decode("utf-8", "replace"))
    into.put(None)


class Office:
    """The soffice this worker drives, and the two ways to hand it a document."""

    def __init__(self, soffice, profile_url, pipe_name):
        self.soffice, self.profile_url = soffice, profile_url
        self.proc = subprocess.Popen(
            [soffice, f"-env:UserInstallation={profile_url}", "--headless", "--invisible",
             "--nologo", "--norestore", "--nolockcheck", "--nodefault",
             f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.progress = queue.Queue()  # what soffice prints as it converts a batch
        threading.Thread(target=_pump, args=(self.proc.stdout, self.progress), daemon=True).start()
        self.work = tempfile.mkdtemp(prefix="k39-batch-")
        self.batches = 0
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 120
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if not self.alive() or time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.05)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        self.keep_open = self.desktop.loadComponentFromURL(
            "private:factory/swriter", "_blank", 0, _props(Hidden=True))

    def alive(self):
        return self.proc.poll() is None

    def convert_batch(self, requests):
        """Convert ``requests`` with one ``--convert-to`` call; yield (request, error or None)
        for each, in order, as soon as it is done."""
        self.batches += 1
        batch = os.path.join(self.work, f"c{self.batches}")
        os.makedirs(os.path.join(batch, "in"))
        names = []  # plain ASCII names: what soffice prints is matched against them
        for i, request in enumerate(requests):
            name = os.path.join(batch, "in", f"{i}.docx")
            os.symlink(os.path.abspath(request["src"]), name)
            names.append(name)
        out = os.path.join(batch, "out")
        client = subprocess.Popen(
            [self.soffice, f"-env:UserInstallation={self.profile_url}", "--headless",
             "--convert-to", "pdf:writer_pdf_Export", "--outdir", out, *names],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        done = 0  # requests answered
        try:
            while done < len(requests):
                reached = None
                try:
                    line = self.progress.get(timeout=0.05)
                except queue.Empty:
                    line = ""
                match = _PROGRESS.match(line or "")
                if match and int(match.group(1)) == self.batches:
                    reached = int(match.group(2))  # every document before it is done
                elif client.poll() is not None and self.progress.empty():
                    reached = len(requests)  # the call returned: all of them are done
                elif not self.alive():
                    raise RuntimeError("LibreOffice exited")
                while reached is not None and done < reached:
                    pdf = os.path.join(out, f"{done}.pdf")
                    yield requests[done], self._deliver(pdf, requests[done])
                    done += 1
        finally:
            if client.poll() is None:
                client.kill()
                client.wait()
            shutil.rmtree(batch, ignore_errors=True)

    def _deliver(self, pdf, request):
        """Move the batch's PDF into place; convert over UNO what the batch did not produce."""
        if os.path.isfile(pdf) and os.path.getsize(pdf):
            shutil.move(pdf, request["dst"])
            return None
        if not self.alive():
            raise RuntimeError("LibreOffice exited")
        try:
            self.convert_one(request["src"], request["dst"])
        except Exception as exc:
            if "Disposed" in type(exc).__name__ or "disposed" in str(exc):
                raise RuntimeError("LibreOffice exited") from None
            return f"{type(exc).__name__}: {exc}"
        return None

    def convert_one(self, src, dst):
        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(src), "_blank", 0, _props(Hidden=True))
        if doc is None:
            raise RuntimeError("LibreOffice could not open the document")
        try:
            doc.storeToURL(uno.systemPathToFileUrl(dst), _props(FilterName="writer_pdf_Export"))
        finally:
            doc.close(True)

    def close(self):
        try:
            self.keep_open.close(True)
            self.desktop.terminate()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.work, ignore_errors=True)


def main(soffice, profile_url, pipe_name):
    try:
        office = Office(soffice, profile_url, pipe_name)
    except Exception as exc:
        _reply({"ready": False, "error": str(exc)})
        return 1
    _reply({"ready": True, "soffice_pid": office.proc.pid})
    requests = queue.Queue()
    threading.Thread(target=lambda: [requests.put(json.loads(line)) for line in sys.stdin]
                     + [requests.put(None)], daemon=True).start()
    ending = False
    while not ending:
        batch = [requests.get()]
        while batch[-1] is not None and len(batch) < CHUNK:
            try:
                batch.append(requests.get_nowait())
            except queue.Empty:
                break
        if batch[-1] is None:
            ending = True
            batch.pop()
        if not batch:
            break
        started = time.monotonic()
        try:
            for _request, error in office.convert_batch(batch):
                ms = round((time.monotonic() - started) * 1000)
                started = time.monotonic()
                _reply({"ok": True, "ms": ms} if error is None
                       else {"ok": False, "fatal": False, "error": error})
        except Exception as exc:  # LibreOffice is gone: the caller starts a fresh worker
            _reply({"ok": False, "fatal": True, "error": f"{type(exc).__name__}: {exc}"})
            return 3
    office.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
