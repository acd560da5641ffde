"""Callbacks: the job's JSON POSTed to the ``callback_url`` a render named, once it is done or
failed (a cancelled job was cancelled by the caller: no callback).

Only hosts the operator lists in ``K39_CALLBACK_HOSTS`` (``host`` or ``host:port``) may be called,
checked when the render is asked for and again before each attempt, and redirects are not
followed (a redirect could lead anywhere). With ``K39_CALLBACK_SECRET`` the body carries
``X-K39-Signature: sha256=<hex HMAC-SHA256 of the body>``. A failed attempt (no answer, or not
2xx) is tried again after each delay of ``Settings.callback_delays``, in a thread of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

__all__ = ["callback_problem", "signature", "Callbacks"]

log = logging.getLogger("k39docs.service")

TIMEOUT_S = 10


def callback_problem(url: str, hosts: Iterable[str]) -> str | None:
    """Why ``url`` may not be called back (Vietnamese), or None when it may."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "callback_url không phải là một địa chỉ URL hợp lệ"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "callback_url phải là địa chỉ http:// hoặc https://"
    if parts.username or parts.password:
        return "callback_url không được chứa tên đăng nhập hay mật khẩu"
    host = parts.hostname.lower()
    allowed = set(hosts)
    if host not in allowed and (port is None or f"{host}:{port}" not in allowed):
        listed = ", ".join(sorted(allowed)) or "chưa có máy nào (K39_CALLBACK_HOSTS trống)"
        return (
            f"máy “{host}{f':{port}' if port else ''}” không nằm trong danh sách được gọi lại "
            f"của quản trị viên: {listed}"
        )
    return None


def signature(body: bytes, secret: str) -> str:
    """The ``X-K39-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer like any other that is not 2xx


class Callbacks:
    """Sends callbacks in the background: a few threads, each retrying with back-off."""

    def __init__(self, hosts: frozenset[str], secret: str | None, delays: tuple[float, ...]):
        self.hosts = hosts
        self.secret = secret
        self.delays = delays
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="k39-callback")
        self._stop = threading.Event()
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, url: str, payload: dict, request_id: str) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._pool.submit(self._deliver, url, body, request_id)

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _deliver(self, url: str, body: bytes, request_id: str) -> None:
        extra = {"request_id": request_id}
        headers = {
            "Content-Type": "application/json",
            "X-Request-ID": request_id,
            "User-Agent": "k39docs",
        }
        if self.secret:
            headers["X-K39-Signature"] = signature(body, self.secret)
        for attempt, delay in enumerate((0.0, *self.delays), start=1):
            if delay and self._stop.wait(delay):
                return
            if callback_problem(url, self.hosts) is not None:
                return
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with self._opener.open(request, timeout=TIMEOUT_S) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (OSError, ValueError) as error:
                status = None
                log.info(
                    "callback attempt %d failed: %s", attempt, type(error).__name__, extra=extra
                )
            if status is not None and 200 <= status < 300:
                log.info("callback delivered (attempt %d)", attempt, extra=extra)
                return
            if status is not None:
                log.info("callback attempt %d answered %d", attempt, status, extra=extra)
        log.warning("callback given up after %d attempts", len(self.delays) + 1, extra=extra)
