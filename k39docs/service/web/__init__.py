"""The clerks' web page at ``/``: one Jinja2 template and a little plain JavaScript over the
service's own API (``/api/v1/…``), shipped in the wheel with the package; no build step, nothing
fetched from elsewhere (the service works offline).

The page and its static files are answered without the token: they hold no data. When
``K39_API_TOKEN`` is set the page asks the clerk for it once (kept in the tab's sessionStorage)
and sends it as ``Authorization: Bearer`` with every API call and download.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ... import __version__
from ..settings import Settings

__all__ = ["mount_web", "WEB_DIR"]

WEB_DIR = Path(__file__).resolve().parent
# everything the page loads is its own: no inline script, no other origin
_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def mount_web(app: FastAPI, settings: Settings) -> None:
    """Add ``GET /`` (the page) and ``/static/…`` (its script and style) to ``app``."""
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def page(request: Request):
        answer = templates.TemplateResponse(
            request,
            "index.html",
            {
                "version": __version__,
                "token_needed": bool(settings.api_token),
                "max_mb": f"{settings.max_body_mb:g}",
                "keep_hours": f"{settings.job_keep_s / 3600:g}",
            },
        )
        answer.headers["Content-Security-Policy"] = _CSP
        answer.headers["X-Content-Type-Options"] = "nosniff"
        answer.headers["Referrer-Policy"] = "no-referrer"
        answer.headers["Cache-Control"] = "no-cache"
        return answer

    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
