"""The service's settings: the ``K39_*`` environment variables, read once at start-up into one
frozen dataclass that is passed to whatever needs it (nothing reads the environment later)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import K39Error

__all__ = ["Settings", "SettingsError", "is_loopback"]


class SettingsError(K39Error):
    """A ``K39_*`` variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    api_token: str | None = None  # K39_API_TOKEN: Authorization: Bearer, on every call but /health
    max_body_mb: float = 50  # K39_MAX_BODY_MB: 413 past it
    queue_max: int = 20  # K39_QUEUE_MAX: jobs waiting; 429 past it
    job_keep_s: float = 86400  # K39_JOB_KEEP_S: a finished job's files are deleted after it
    callback_hosts: frozenset[str] = field(default_factory=frozenset)  # K39_CALLBACK_HOSTS
    callback_secret: str | None = None  # K39_CALLBACK_SECRET: HMAC-SHA256 of callback bodies
    jobs_dir: Path | None = None  # K39_JOBS_DIR: uploads and results (default: a temp folder)
    callback_delays: tuple[float, ...] = (1, 4, 15, 60, 300)  # back-off between callback attempts

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings from ``env`` (the process environment by default); a bad value is a
        :class:`SettingsError` naming the variable."""
        env = os.environ if env is None else env
        hosts = frozenset(
            h.strip().lower() for h in env.get("K39_CALLBACK_HOSTS", "").split(",") if h.strip()
        )
        jobs_dir = env.get("K39_JOBS_DIR", "").strip()
        return cls(
            api_token=env.get("K39_API_TOKEN") or None,
            max_body_mb=_number(env, "K39_MAX_BODY_MB", cls.max_body_mb, float),
            queue_max=_number(env, "K39_QUEUE_MAX", cls.queue_max, int),
            job_keep_s=_number(env, "K39_JOB_KEEP_S", cls.job_keep_s, float),
            callback_hosts=hosts,
            callback_secret=env.get("K39_CALLBACK_SECRET") or None,
            jobs_dir=Path(jobs_dir) if jobs_dir else None,
        )


def _number(env: Mapping[str, str], name: str, default, kind):
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise SettingsError(
            f"Biến môi trường {name}={text!r} không hợp lệ: phải là một số "
            f"{'nguyên ' if kind is int else ''}dương."
        )
    return value


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the service on this machine (127.0.0.1, ::1,
    localhost); ``0.0.0.0`` and a name or address of the network are not."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
