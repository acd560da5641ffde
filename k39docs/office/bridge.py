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
The next batch is handed over as soon as soffice is on the current one, so soffice never
waits for a call to start. soffice prints ``convert <file> -> …`` as it reaches each
document, so each reply goes out as soon as its document is done, not at the end of the batch.
A document the batch did not produce is tried once more over UNO, which also yields
LibreOffice's error message. A hidden empty document stays open: without it, soffice quits
after the first batch.

A short document that comes alone (nothing waiting, nothing on soffice: a re-render's few
documents, sent one by one as they are written) is loaded read-only and exported over UNO
instead, and its reply goes before LibreOffice closes it: no call to start and wait out (a Bản
cam kết's reply came 40 → 34 ms after its request, docs/performance.md).
"""

import collections
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

# how every soffice of k39docs runs: no window, no splash, no recovery or lock dialogs, no
# start centre (the batch converter, k39docs.office.batch, uses them too)
SOFFICE_FLAGS = (
    "--headless",
    "--invisible",
    "--nologo",
    "--norestore",
    "--nolockcheck",
    "--nodefault",
)

CHUNK = 8  # documents per batch: the fixed cost of a `--convert-to` call is shared by all of them
_PROGRESS = re.compile(r"^convert .*/c(\d+)/in/(\d+)\.docx")


def _props(**values):
    from com.sun.star.beans import PropertyValue

    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _pump(stream, events):
    """Each line soffice prints, as an event."""
    for line in iter(stream.readline, b""):
        events.put(("line", line.decode("utf-8", "replace")))


def _when_done(proc, events, event):
    proc.wait()
    events.put(event)


class Batch:
    """Documents handed to soffice by one ``--convert-to`` call."""

    def __init__(self, number, requests, folder):
        self.number, self.requests, self.folder = number, requests, folder
        self.reached = 0  # documents known to be done (the ones before the one soffice is on)
        self.replied = 0
        self.started = False  # soffice is on it: a next call queues behind it

    def reach(self, index):
        self.reached = max(self.reached, index)
        self.started = True


class RunningSoffice:
    """The soffice this worker drives, and the two ways to hand it documents. Everything that
    happens (a request, a line soffice prints, a call or soffice ending) is an event on
    ``events``, so the worker never polls."""

    def __init__(self, soffice, profile_url, pipe_name, events, export_options):
        self.soffice, self.profile_url, self.events = soffice, profile_url, events
        self.export_options = export_options  # the PDF filter's options: {name: value}
        # soffice first: it boots while this Python loads the UNO bridge
        self.proc = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation={profile_url}",
                *SOFFICE_FLAGS,
                f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._connect(profile_url, pipe_name)
        except BaseException:
            _kill_tree(self.proc)  # a LibreOffice this worker cannot use is not left running
            raise

    def _connect(self, profile_url, pipe_name):
        """Wait until soffice takes UNO calls, open the document that keeps it running, and turn
        what it prints and its end into events."""
        import uno  # only available under LibreOffice's Python
        from com.sun.star.connection import NoConnectException

        events = self.events
        threading.Thread(target=_pump, args=(self.proc.stdout, events), daemon=True).start()
        # beside the profile: whoever made the profile's folder removes it, even if this
        # process is killed
        beside = os.path.dirname(uno.fileUrlToSystemPath(profile_url))
        os.makedirs(beside, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="batches-", dir=beside)
        self.batches = 0
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if not self.alive() or time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.05)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )
        self.keep_open = self.desktop.loadComponentFromURL(
            "private:factory/swriter", "_blank", 0, _props(Hidden=True)
        )
        threading.Thread(
            target=_when_done, args=(self.proc, events, ("office-exit", None)), daemon=True
        ).start()

    def alive(self):
        return self.proc.poll() is None

    def launch(self, requests):
        """Hand ``requests`` to soffice with one ``--convert-to`` call; it queues behind the
        batch soffice is on, if any."""
        self.batches += 1
        folder = os.path.join(self.work, f"c{self.batches}")
        os.makedirs(os.path.join(folder, "in"))
        names = []  # plain ASCII names: what soffice prints is matched against them
        for i, request in enumerate(requests):
            name = os.path.join(folder, "in", f"{i}.docx")
            os.symlink(os.path.abspath(request["src"]), name)
            names.append(name)
        client = subprocess.Popen(
            [
                self.soffice,
                f"-env:UserInstallation={self.profile_url}",
                "--headless",
                "--convert-to",
                convert_to_arg(self.export_options),
                "--outdir",
                os.path.join(folder, "out"),
                *names,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        threading.Thread(
            target=_when_done, args=(client, self.events, ("call-exit", self.batches)), daemon=True
        ).start()
        return Batch(self.batches, requests, folder)

    def deliver(self, batch, index):
        """Move the batch's PDF into place; return None, or the error of a document LibreOffice
        could not convert (what the batch did not produce is tried once more over UNO, which
        also yields LibreOffice's reason)."""
        pdf = os.path.join(batch.folder, "out", f"{index}.pdf")
        request = batch.requests[index]
        if os.path.isfile(pdf) and os.path.getsize(pdf):
            shutil.move(pdf, request["dst"])
            return None
        if not self.alive():
            raise RuntimeError("LibreOffice exited")
        try:
            self.convert_one(request["src"], request["dst"])
        except Exception as exc:  # noqa: BLE001  (UNO's exceptions share no base to name; reported)
            if "Disposed" in type(exc).__name__ or "disposed" in str(exc):
                raise RuntimeError("LibreOffice exited") from None
            return f"{type(exc).__name__}: {exc}"
        return None

    def convert_one(self, src, dst):
        self.export(src, dst).close(True)

    def export(self, src, dst):
        """Load ``src`` over UNO and export it to ``dst``; the document stays open (closing a
        Tờ trình of six pages takes LibreOffice 10 ms: the caller replies first)."""
        import uno

        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(src), "_blank", 0, _props(Hidden=True, ReadOnly=True)
        )
        if doc is None:
            raise RuntimeError("LibreOffice could not open the document")
        try:
            options = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**self.export_options))
            uno.invoke(
                doc,
                "storeToURL",
                (
                    uno.systemPathToFileUrl(dst),
                    _props(FilterName="writer_pdf_Export", FilterData=options),
                ),
            )
        except BaseException:
            doc.close(True)
            raise
        return doc

    def close(self):
        try:
            self.keep_open.close(True)
            self.desktop.terminate()
        except Exception:  # noqa: BLE001  (a LibreOffice gone already raises anything: it's closed)
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.work, ignore_errors=True)


def _kill_tree(proc):
    """Kill oosplash and the soffice.bin it started (its children, found in /proc on Linux)."""
    pids = [proc.pid]
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        if int(stat.read().rsplit(")", 1)[1].split()[1]) == proc.pid:
                            pids.append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
    except OSError:
        pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()


def convert_to_arg(options):
    """``--convert-to``'s argument: the PDF filter and its options, in LibreOffice's JSON."""
    typed = {
        name: {
            "type": "boolean" if isinstance(value, bool) else "string",
            "value": str(value).lower() if isinstance(value, bool) else str(value),
        }
        for name, value in options.items()
    }
    return "pdf:writer_pdf_Export:" + json.dumps(typed)


def main(soffice, profile_url, pipe_name, export_options="{}", seed=""):
    events: queue.Queue[tuple[str, Any]] = queue.Queue()  # (kind, value), see _serve
    try:
        if seed:
            _copy_profile(seed, profile_url)
        office = RunningSoffice(soffice, profile_url, pipe_name, events, json.loads(export_options))
    except Exception as exc:  # noqa: BLE001  (whatever failed is the caller's "ready" error)
        _reply({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    try:
        return _serve(office, events)
    finally:
        # however this ends (the caller gone, so stdout broken, or anything unforeseen), its
        # LibreOffice goes too; after a normal end it has stopped already
        if office.alive():
            _kill_tree(office.proc)


def _copy_profile(seed, profile_url):
    """Start from a copy of the started profile ``seed`` (LibreOffice sets a new profile up
    on its first start, which takes longer); without it, from a new profile."""
    import uno

    profile = uno.fileUrlToSystemPath(profile_url)
    try:
        shutil.copytree(seed, profile, symlinks=True)
    except OSError:
        shutil.rmtree(profile, ignore_errors=True)


def _serve(office, events):
    _reply({"ready": True, "soffice_pid": office.proc.pid})

    def read_requests():
        for line in sys.stdin:
            events.put(("request", json.loads(line)))
        events.put(("end", None))

    threading.Thread(target=read_requests, daemon=True).start()
    # requests not handed to soffice yet
    waiting: collections.deque[dict[str, Any]] = collections.deque()
    # handed to soffice, oldest first: at most two
    batches: collections.deque[Batch] = collections.deque()
    ending = False
    started = time.monotonic()
    while True:
        if len(waiting) == 1 and not batches and _small(waiting[0]["src"]):
            # a lone short document (a re-render's, sent as it is written) goes over UNO: no
            # call to start, and its reply goes before LibreOffice closes it
            if not _export_alone(office, waiting.popleft(), started):
                return 3
            started = time.monotonic()
            continue
        # a second batch is handed over as soon as soffice is on the first, so that soffice
        # goes straight from one to the next
        while waiting and (not batches or (len(batches) == 1 and batches[0].started)):
            take = [waiting.popleft() for _ in range(min(CHUNK, len(waiting)))]
            batches.append(office.launch(take))
        if ending and not waiting and not batches:
            break
        kind, value = events.get()
        if kind == "request":
            waiting.append(value)
        elif kind == "end":
            ending = True
        elif kind == "office-exit":  # LibreOffice is gone: the caller starts a fresh worker
            _reply({"ok": False, "fatal": True, "error": "LibreOffice exited"})
            return 3
        elif kind == "line":
            match = _PROGRESS.match(value)
            if match:  # soffice is on that document: every one before it is done
                number, index = int(match.group(1)), int(match.group(2))
                for batch in batches:
                    if batch.number <= number:
                        batch.reach(index if batch.number == number else len(batch.requests))
        elif kind == "call-exit":  # the call returned: its batch (and the ones before) are done
            for batch in batches:
                if batch.number <= value:
                    batch.reach(len(batch.requests))
        try:
            while batches:
                batch = batches[0]
                while batch.replied < batch.reached:
                    error = office.deliver(batch, batch.replied)
                    batch.replied += 1
                    ms = round((time.monotonic() - started) * 1000)
                    started = time.monotonic()
                    _reply(
                        {"ok": True, "ms": ms}
                        if error is None
                        else {"ok": False, "fatal": False, "error": error}
                    )
                if batch.replied < len(batch.requests):
                    break
                shutil.rmtree(batch.folder, ignore_errors=True)
                batches.popleft()
        except Exception as exc:  # noqa: BLE001  (whatever it raised, the worker is done)
            # LibreOffice is gone: the caller starts a fresh worker
            _reply({"ok": False, "fatal": True, "error": f"{type(exc).__name__}: {exc}"})
            return 3
    office.close()
    return 0


ALONE_MAX_BYTES = 32 * 1024  # a DOCX this small (a page or a few) converts alone over UNO


def _small(path):
    """Whether a document is short enough to go alone over UNO: loading a long one that way
    takes LibreOffice more CPU than ``--convert-to`` does (a 100-row list: 0.24 → 0.26 s)."""
    try:
        return os.path.getsize(path) <= ALONE_MAX_BYTES
    except OSError:
        return False  # (missing: the batch reports it, as for any document)


def _export_alone(office, request, started):
    """Convert one document over UNO and reply; False when LibreOffice is gone (the fatal reply
    sent)."""
    try:
        doc = office.export(request["src"], request["dst"])
    except Exception as exc:  # noqa: BLE001  (UNO's exceptions share no base to name; reported)
        if not office.alive() or "Disposed" in type(exc).__name__ or "disposed" in str(exc):
            _reply({"ok": False, "fatal": True, "error": "LibreOffice exited"})
            return False
        _reply({"ok": False, "fatal": False, "error": f"{type(exc).__name__}: {exc}"})
        return True
    _reply({"ok": True, "ms": round((time.monotonic() - started) * 1000)})
    try:
        doc.close(True)
    except Exception:  # noqa: BLE001  (LibreOffice gone: the next request is told)
        pass
    return True


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
