"""The warm server behind ``k39docs render``: Python, LibreOffice and the last render's parsed
PDFs kept between commands.

A ``k39docs render`` in a fresh process spends about 3 s starting Python (pydantic, pypdf,
pyHanko …) and LibreOffice before the first document is back, which is most of a re-render
after one fix. So the first ``render`` starts this server in the background and hands it the
command; later ones find it on a Unix socket and only wait for the documents that changed.
This is the Gradle daemon's model:

* one server per user, k39docs installation and environment (:func:`identity`): another
  Python or another ``K39_SOFFICE`` … gets a server of its own; a changed k39docs file gets a
  new one, which stops the one it replaces;
* it runs one command at a time, in the caller's folder and with the caller's environment
  (the PIN variables, ``K39_NO_CACHE``) and umask, and sends back what the command prints and
  its exit status: to the clerk it is the same command;
* it stops after ``K39_SERVER_IDLE`` seconds without a command (default 600), at
  ``k39docs server --stop``, or when its socket is gone;
* ``K39_NO_SERVER=1`` or ``render --no-server`` render in the command's own process, as do
  systems other than POSIX ones, and any failure to reach or start the server.

The protocol is one JSON object per line. The client sends ``{"run": argv, "cwd": …, "env":
{…}, "umask": …}``, ``{"status": true}`` or ``{"stop": true}``; the server answers
``{"out": text}`` and ``{"err": text}`` as the command prints, then ``{"exit": code}`` (or
one status object).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

from . import __version__

__all__ = ["identity", "socket_path", "wanted", "run_remote", "status", "stop", "serve"]

IDLE_S = float(os.environ.get("K39_SERVER_IDLE", "600"))
LOOK_S = 5.0  # how often an idle server looks whether it should stop
SETTLE_S = 1.0  # this long after a command (if no other came), the server collects its garbage
START_TIMEOUT_S = 60.0  # for a new server to listen: its imports take about a second
_PACKAGE = Path(__file__).resolve().parent

# the environment a server starts in, and only that (LibreOffice and the fonts are found and
# started then): the caller's whole environment, secrets included, is applied to each command
# while it runs, not kept by the server
_SERVER_ENV = ("HOME", "PATH", "LANG", "LANGUAGE", "TMPDIR", "LD_LIBRARY_PATH", "VIRTUAL_ENV",
               "K39_SOFFICE", "K39_UNO_PYTHON", "K39_FONT_DIRS", "K39_CACHE_DIR",
               "K39_LOCK_TIMEOUT", "K39_SERVER_IDLE",
               # a PKCS#11 library reads its configuration once, when first loaded
               "SOFTHSM2_CONF")
_SERVER_ENV_PREFIXES = ("LC_", "XDG_", "SAL_", "FONTCONFIG", "PYTHON")


def _server_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items()
            if name in _SERVER_ENV or name.startswith(_SERVER_ENV_PREFIXES)}


# fonts installed system-wide since a server started (apt runs fc-cache, which writes here):
# its LibreOffice would not see them. (Not the user's own font cache: fontconfig may write that
# when LibreOffice starts, which would make every next command start another server.)
_FONT_CACHE = Path("/var/cache/fontconfig")


def identity() -> str:
    """What a server must share with the command that uses it, as ``<setting>-<code>``:
    the setting is the Python, the installation's folder, the user and the environment
    LibreOffice starts in; the code is k39docs's version and files (an upgrade or an edit means
    another server, and :func:`_start` stops the one it replaces). About a millisecond: the
    files are only stat'ed."""
    setting, code = hashlib.sha256(), hashlib.sha256()
    # the Python by what it is, not by the name it was called by (`python` and `python3` of one
    # virtualenv share a server; two virtualenvs do not)
    for part in (sys.prefix, os.path.realpath(sys.executable), str(_PACKAGE), str(os.getuid())):
        setting.update(part.encode() + b"\0")
    with contextlib.suppress(OSError):
        setting.update(f"fonts:{_FONT_CACHE.stat().st_mtime_ns}\0".encode())
    for name, value in sorted(_server_env().items()):
        setting.update(f"{name}={value}\0".encode())
    code.update(__version__.encode() + b"\0")
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".docx", ".json", ".ttf", ".png") and "__pycache__" not in path.parts:
            stat = path.stat()
            code.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return f"{setting.hexdigest()[:12]}-{code.hexdigest()[:8]}"


def _folder() -> Path:
    """A folder only this user can use: ``$XDG_RUNTIME_DIR/k39docs`` or ``/tmp/k39docs-<uid>``.
    (A socket path must stay under about 100 bytes, so not the cache folder.)"""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "k39docs" if runtime else Path("/tmp") / f"k39docs-{os.getuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = base.lstat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{base} is not this user's private folder")
    return base


def socket_path() -> Path:
    return _folder() / f"{identity()}.sock"


def wanted(argv: list[str]) -> bool:
    """Whether this command goes to the server: a ``render`` (the command that starts
    LibreOffice), unless turned off, asking for help, or not on a POSIX system (Unix sockets,
    file locks and user ids)."""
    return (bool(argv) and argv[0] == "render" and os.name == "posix"
            and os.environ.get("K39_NO_SERVER", "") not in ("1", "true", "yes")
            and not {"--no-server", "--help"} & set(argv[1:]))


def _connect(path: Path) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def _start(path: Path) -> socket.socket | None:
    """Start a server for ``path`` in its own session (it outlives this command) and wait for
    it. Two commands starting one at once: a lock lets one start it, the other waits."""
    import fcntl

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = _connect(path)  # started by the other command while this one waited
        if sock is not None:
            return sock
        _stop_replaced(path)
        env = _server_env()
        # the very k39docs this command runs (a source checkout run from its folder, too)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(_PACKAGE.parent),
                                                          env.get("PYTHONPATH"))))
        log = open(path.with_suffix(".log"), "ab")
        with log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "k39docs.server", str(path)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                cwd="/", env=env,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            sock = _connect(path)
            if sock is not None:
                return sock
            time.sleep(0.02)
        return None


def _stop_replaced(path: Path) -> None:
    """Ask the servers of this setting running older code (k39docs upgraded or edited since)
    to stop, without waiting: one busy with a command stops after it. Their files go too."""
    setting = path.stem.split("-")[0]
    for old in path.parent.glob(f"{setting}-*.sock"):
        if old != path:
            sock = _connect(old)
            if sock is not None:
                with sock, contextlib.suppress(OSError):
                    sock.sendall(b'{"stop": true}\n')
    for old in path.parent.glob(f"{setting}-*"):
        if old.stem != path.stem and old.suffix in (".log", ".lock"):
            with contextlib.suppress(OSError):
                old.unlink()


def _exchange(sock: socket.socket, request: dict):
    """Send ``request``; yield each answer."""
    with sock, sock.makefile("rb") as answers:
        sock.sendall(json.dumps(request).encode() + b"\n")
        for line in answers:
            yield json.loads(line)


def run_remote(argv: list[str]) -> int | None:
    """Run ``k39docs <argv>`` in the server (started if there is none); return its exit status,
    or None when no server could be reached or it ended mid-command: the caller then runs the
    command itself (a render writes its output only once it succeeded, so that is safe)."""
    umask = os.umask(0o022)
    os.umask(umask)
    request = {"run": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask}
    try:
        path = socket_path()
        sock = _connect(path) or _start(path)
        if sock is None:
            return None
        code, heard = _run_on(sock, request)
        if code is None and not heard:
            # a server stopping (idle, or replaced) as this command came: it closed without a
            # word; a new one takes the command
            sock = _start(path)
            if sock is None:
                return None
            code, _ = _run_on(sock, request)
    except OSError:
        return None
    return code


def _run_on(sock: socket.socket, request: dict) -> tuple[int | None, bool]:
    """Send the command; print what comes back. (exit status or None, whether it answered)"""
    answers = _exchange(sock, request)
    heard = False
    try:
        for answer in answers:
            heard = True
            if "exit" in answer:
                return answer["exit"], heard
            stream = sys.stdout if "out" in answer else sys.stderr
            try:
                stream.write(answer.get("out", answer.get("err", "")))
                stream.flush()
            except OSError:  # our own output closed (`| head`): stop, as the command would
                return 1, heard
    except (OSError, ValueError):
        pass
    except KeyboardInterrupt:  # Ctrl-C
        return 130, heard
    finally:
        answers.close()  # the socket closes: a render still running in the server stops
    return None, heard


def status() -> dict | None:
    """The running server's pid, age, commands served and peak memory; None if none runs."""
    path = socket_path()
    sock = _connect(path)
    if sock is None:
        return None
    return next(_exchange(sock, {"status": True}), None)


def stop() -> bool:
    """Stop the server of this environment; False if none was running."""
    sock = _connect(socket_path())
    if sock is None:
        return False
    for _answer in _exchange(sock, {"stop": True}):
        pass
    return True


class _ClientGone(BaseException):
    """The command's caller went away (Ctrl-C): the command stops, its output is not swapped in.
    Not an Exception, so that no error handler of the command takes it for its own."""


class _Stream(io.TextIOBase):
    """What the command prints, sent to its caller as it is printed."""

    def __init__(self, conn: socket.socket, key: str):
        self._conn, self._key = conn, key

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        try:
            self._conn.sendall(json.dumps({self._key: text}).encode() + b"\n")
        except OSError:
            raise _ClientGone from None
        return len(text)


@contextlib.contextmanager
def _as_caller(cwd: str, env: dict[str, str], umask: int):
    """Run in the caller's folder, environment and umask, then put the server's back."""
    saved_env, saved_cwd, saved_umask = dict(os.environ), os.getcwd(), os.umask(umask)
    os.environ.clear()
    os.environ.update(env)
    try:
        os.chdir(cwd)
        yield
    finally:
        os.chdir(saved_cwd)
        os.umask(saved_umask)
        os.environ.clear()
        os.environ.update(saved_env)


class _Server:
    def __init__(self, path: Path, session, unlisten) -> None:
        self.path = path
        self.session = session
        self.unlisten = unlisten  # stop taking callers (the socket goes)
        self.started = time.time()
        self.served = 0
        self.settle_at: float | None = None  # when the last command's garbage is collected

    def handle(self, conn: socket.socket) -> bool:
        """Answer one request; False when it asks the server to stop."""
        with conn, conn.makefile("rb") as lines:
            request = json.loads(lines.readline() or b"{}")
            if request.get("stop"):
                # the socket goes before the answer: whoever comes next starts a new server
                # instead of queueing at this one, which would close without answering
                self.unlisten()
                with contextlib.suppress(OSError):  # (a replacing server does not wait for it)
                    conn.sendall(b'{"stopping": true}\n')
                return False
            if request.get("status"):
                conn.sendall(json.dumps(self._status()).encode() + b"\n")
                return True
            if "run" in request:
                self._run(conn, request)
        return True

    def _status(self) -> dict:
        import resource

        return {"pid": os.getpid(), "version": __version__, "package": str(_PACKAGE),
                "socket": str(self.path),
                "uptime_s": round(time.time() - self.started, 1), "commands": self.served,
                "objects_set_aside": gc.get_freeze_count(),  # the last command's, until settled
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}

    def _run(self, conn: socket.socket, request: dict) -> None:
        from . import cli

        self.served += 1
        code: int | None = 1
        try:
            with _as_caller(request["cwd"], request["env"], request.get("umask", 0o022)), \
                    contextlib.redirect_stdout(_Stream(conn, "out")), \
                    contextlib.redirect_stderr(_Stream(conn, "err")), \
                    cli.in_session(self.session):
                try:
                    cli.app(args=request["run"], prog_name="k39docs")
                except SystemExit as done:
                    code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
                except Exception:  # a bug: the caller sees it as from its own process
                    traceback.print_exc()
            conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
        except _ClientGone:
            pass
        except OSError:
            pass  # the caller is gone after the command ended
        # its garbage is collected between commands, not in the middle of the next render,
        # nor while the next command waits: once the server has been idle for SETTLE_S
        self.session.put_off_settling()
        self.settle_at = time.monotonic() + SETTLE_S


def serve(path: Path, idle: float = IDLE_S) -> None:
    """Listen on ``path`` until ``idle`` seconds pass without a command, or a stop request."""
    from .convert import ConvertOptions, Office
    from .errors import K39Error

    office = Office(ConvertOptions(), keep=True)
    try:
        office.start()  # LibreOffice boots while the rest of k39docs is imported
    except K39Error:
        pass  # no LibreOffice: each render says so, as it would in its own process
    from . import cli  # noqa: F401  (the commands, imported before the first one is waited for)
    from .render import Session

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a server that died without cleaning up (a live one was checked first)
    listener.bind(str(path))
    ours = path.stat().st_ino
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # LibreOffice stops with it
    look = min(LOOK_S, idle) if idle > 0 else LOOK_S

    def unlisten() -> None:
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_ino == ours:  # not a newer server's socket
                path.unlink()

    try:
        with Session(office=office) as session:
            server = _Server(path, session, unlisten)
            last = time.monotonic()
            while True:
                if server.settle_at is not None and time.monotonic() >= server.settle_at:
                    session.settle()
                    server.settle_at = None
                listener.settimeout(look if server.settle_at is None
                                    else max(0.01, server.settle_at - time.monotonic()))
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    if server.settle_at is not None:
                        continue
                    # stop when idle, or when the socket is gone (its folder cleaned at logout)
                    if 0 < idle <= time.monotonic() - last or not path.exists():
                        break
                    continue
                conn.settimeout(None)
                if not server.handle(conn):
                    break
                last = time.monotonic()
            unlisten()  # before LibreOffice stops, which takes a while
    finally:
        unlisten()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
