"""The FastAPI application of ``k39docs serve``: the routes of interface.md ("HTTP service") over
one :class:`~k39docs.service.jobs.ServiceSession`, built by :func:`create_app`.

Every answer carries ``X-Request-ID`` (the caller's, or a new one) and so does every log line of
the request and of the job it started; the log says what happened to which job, never whose
dossier it was. A body is counted while it is read and refused (413) past ``K39_MAX_BODY_MB``;
with ``K39_API_TOKEN`` set every call but ``/health`` needs ``Authorization: Bearer <token>``.
Errors are ``application/problem+json`` (RFC 9457) with Vietnamese ``title`` and ``detail``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import importlib
import logging
import os
import re
import shutil
import tempfile
import time
import traceback
import uuid
import zipfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import DossierError
from ..render import RenderOptions
from .callbacks import Callbacks, callback_problem
from .intake import (
    UnsupportedMedia,
    dossier_suffix,
    parse_review,
    private_dir,
    read_dossier,
    safe_relative,
    write_private,
)
from .jobs import Checked, Job, JobQueue, QueueFull, ServiceSession
from .keys import KeyRing
from .problems import MEDIA_TYPE, dossier_problem, problem
from .settings import Settings

__all__ = ["create_app", "run", "configure_logging"]

log = logging.getLogger("k39docs.service")

API = "/api/v1"
MAX_WAIT_S = 60  # the longest a status request waits for its job to end (?wait=)
MAX_PARTS = 200  # a dossier, its images and scans
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Chưa sẵn sàng",
    413: "Dữ liệu quá lớn",
    415: "Kiểu dữ liệu không được hỗ trợ",
    422: "Yêu cầu không hợp lệ",
    429: "Hàng đợi đã đầy",
    503: "Dịch vụ chưa sẵn sàng",
}
DOSSIER_BODY = {
    "required": True,
    "content": {
        "application/yaml": {"schema": {"type": "string"}},
        "application/json": {"schema": {"$ref": "#/components/schemas/DossierRequest"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["dossier"],
                "properties": {
                    "dossier": {"type": "string", "format": "binary"},
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "Ảnh chữ ký, con dấu, bản quét: tên tệp "
                        "của mỗi phần là đường dẫn hồ sơ ghi.",
                    },
                    "review": {
                        "type": "string",
                        "description": 'JSON (tùy chọn) {mã ứng viên: {"reviewed": {mã điều '
                        'kiện: ý kiến}, "exception": {"rules": [...], '
                        '"reason": lý do}}}: ý kiến xem xét và ngoại lệ thêm '
                        "vào hồ sơ (ghi đè ý kiến cùng điều kiện, thay ngoại lệ "
                        "trong tệp).",
                    },
                },
            }
        },
    },
}
PDF_BODY = {
    "required": True,
    "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "trust_root": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                    },
                },
            }
        },
    },
}


class _Refused(Exception):
    """A request refused with a problem (raised where it is found, answered by a handler)."""

    def __init__(self, status: int, slug: str, detail: str, **extra: Any):
        super().__init__(detail)
        self.body = problem(status, slug, _TITLES.get(status, "Lỗi"), detail, **extra)
        self.status = status


class _BodyTooLarge(Exception):
    pass


def _problem_response(
    body: dict, request_id: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    if request_id:
        body = {**body, "request_id": request_id}
    return JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE, headers=headers)


class _Guard:
    """ASGI middleware: the request id, the token, the body limit and the access log line."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())
        }
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started, status, sent_start = time.perf_counter(), [500], [False]

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                sent_start[0] = True
                status[0] = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", ()),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            await send(message)

        async def refuse(status_code: int, slug: str, detail: str, extra_headers=None):
            body = problem(status_code, slug, _TITLES[status_code], detail)
            await _problem_response(body, request_id, extra_headers)(scope, receive, send_with_id)

        limit = self.settings.max_body_bytes
        read = [0]

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                read[0] += len(message.get("body", b""))
                if read[0] > limit:
                    raise _BodyTooLarge()
            return message

        path = scope.get("path", "")
        try:
            token = self.settings.api_token
            if (
                token
                and not _open_path(path)
                and not hmac.compare_digest(
                    headers.get("authorization", "").encode(), f"Bearer {token}".encode()
                )
            ):
                await refuse(
                    401,
                    "unauthorized",
                    "Cần mã truy cập: gửi tiêu đề `Authorization: Bearer <mã>` "
                    "(K39_API_TOKEN của máy chủ).",
                    {"WWW-Authenticate": "Bearer"},
                )
            elif _declared_length(headers) > limit:
                await refuse(413, "too-large", _too_large(self.settings))
            else:
                await self.app(scope, counted_receive, send_with_id)
        except _BodyTooLarge:
            if not sent_start[0]:
                await refuse(413, "too-large", _too_large(self.settings))
        finally:
            log.info(
                "%s %s %d %.0f ms",
                scope.get("method"),
                path,
                status[0],
                (time.perf_counter() - started) * 1000,
                extra={"request_id": request_id},
            )


def _open_path(path: str) -> bool:
    """The paths answered without the token: the probes' ``/health``, and the web page's HTML,
    script and style (no data: the page asks the clerk for the token and sends it with every
    API call)."""
    return path in ("/health", "/") or path.startswith("/static/")


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


def _too_large(settings: Settings) -> str:
    return (
        f"Dữ liệu gửi lên vượt quá {settings.max_body_mb:g} MB (K39_MAX_BODY_MB); gửi bản quét "
        "nhỏ hơn hoặc chia hồ sơ."
    )


def create_app(
    settings: Settings, session: ServiceSession, *, keys: KeyRing | None = None
) -> FastAPI:
    """The service's application over ``session`` (its LibreOffice kept warm). Jobs start when
    the application starts and their files are deleted when it stops."""
    keys = keys or KeyRing()
    own_root = settings.jobs_dir is None
    root = private_dir(
        settings.jobs_dir
        if settings.jobs_dir is not None
        else Path(tempfile.mkdtemp(prefix="k39-jobs-"))
    )
    callbacks = Callbacks(
        settings.callback_hosts, settings.callback_secret, settings.callback_delays
    )

    # GET …/renders/{id}?wait=S: the requests waiting for a job to end, woken when it does
    waiters: dict[str, asyncio.Event] = {}
    loop: list[asyncio.AbstractEventLoop] = []  # the application's, once it runs

    def ended(job: Job) -> None:
        waiting = waiters.pop(job.id, None)
        if waiting is not None and loop:
            loop[0].call_soon_threadsafe(waiting.set)
        if job.callback_url and job.status in ("done", "failed"):
            callbacks.send(job.callback_url, job.to_dict(), job.request_id)

    jobs = JobQueue(
        session, root, queue_max=settings.queue_max, keep_s=settings.job_keep_s, on_ended=ended
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        loop.append(asyncio.get_running_loop())
        jobs.start()
        try:
            yield
        finally:
            await run_in_threadpool(jobs.stop)
            callbacks.close()
            if own_root:
                shutil.rmtree(root, ignore_errors=True)

    app = FastAPI(
        title="k39docs",
        version=__version__,
        lifespan=lifespan,
        description="Hồ sơ cử cán bộ đi bồi dưỡng ở nước ngoài theo Kết luận 39-KL/TW: kiểm tra, "
        "tạo và ký số hồ sơ, kiểm tra chữ ký số.",
    )
    app.add_middleware(_Guard, settings=settings)
    app.state.jobs = jobs

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused):
        return _problem_response(exc.body, _rid(request))

    @app.exception_handler(DossierError)
    async def bad_dossier(request: Request, exc: DossierError):
        return _problem_response(dossier_problem(exc), _rid(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException):
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and not exc.detail.isascii()
            else _TITLES.get(exc.status_code, "Lỗi")
        )
        return _problem_response(
            problem(
                exc.status_code,
                f"http-{exc.status_code}",
                _TITLES.get(exc.status_code, "Lỗi"),
                detail,
            ),
            _rid(request),
            getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def bad_query(request: Request, exc: RequestValidationError):
        issues = [
            {
                "path": ".".join(str(p) for p in e.get("loc", ())),
                "line": None,
                "cell": None,
                "message": "giá trị không hợp lệ",
            }
            for e in exc.errors()
        ]
        return _problem_response(
            problem(
                422,
                "invalid-request",
                _TITLES[422],
                "Tham số của yêu cầu không hợp lệ.",
                issues=issues,
            ),
            _rid(request),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error(
            "unexpected %s\n%s",
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),  # frames, not the values
            extra={"request_id": _rid(request)},
        )
        return _problem_response(
            problem(
                500,
                "internal",
                "Lỗi bên trong dịch vụ",
                "Lỗi không lường trước; quản trị viên xem nhật ký của dịch vụ với mã yêu cầu này.",
            ),
            _rid(request),
        )

    async def receive_dossier(request: Request, folder: Path):
        upload = private_dir(folder / "upload")
        file, review = await _save_body(request, upload)
        return await run_in_threadpool(read_dossier, file, upload, keys, review)

    @app.post(
        f"{API}/validate",
        tags=["hồ sơ"],
        openapi_extra={"requestBody": DOSSIER_BODY},
        summary="Kiểm tra hồ sơ và điều kiện của từng ứng viên (không tạo văn bản)",
    )
    async def validate(request: Request, allow_ineligible: str | None = Query(None)):
        folder = private_dir(root / f"validate-{uuid.uuid4().hex}")
        try:
            dossier = await receive_dossier(request, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return await run_in_threadpool(_validated, dossier, allow_ineligible)

    @app.post(
        f"{API}/renders",
        status_code=202,
        tags=["hồ sơ"],
        openapi_extra={"requestBody": DOSSIER_BODY},
        summary="Tạo hồ sơ (một công việc trong hàng đợi)",
    )
    async def create_render(
        request: Request,
        allow_ineligible: str | None = Query(None),
        callback_url: str | None = Query(None),
    ):
        if callback_url is not None:
            why = callback_problem(callback_url, settings.callback_hosts)
            if why is not None:
                raise _Refused(
                    422,
                    "callback-refused",
                    why,
                    issues=[{"path": "callback_url", "line": None, "cell": None, "message": why}],
                )
        if jobs.waiting() >= settings.queue_max:
            raise _Refused(429, "queue-full", _queue_full(settings))
        job_id, folder = jobs.new_folder()
        try:
            dossier = await receive_dossier(request, folder)
            checked = await run_in_threadpool(_issuable, dossier, allow_ineligible)
            job = Job(
                job_id,
                dossier,
                RenderOptions(
                    allow_ineligible=allow_ineligible,
                    base_dir=folder / "upload",
                    linked_from_cache=True,  # a job's files are downloaded, never edited
                ),
                folder,
                _rid(request),
                callback_url,
                checked=checked,
            )
            jobs.submit(job)
        except QueueFull:
            shutil.rmtree(folder, ignore_errors=True)
            raise _Refused(429, "queue-full", _queue_full(settings)) from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        url = str(request.url_for("render_status", job_id=job_id))
        return JSONResponse(
            {"id": job_id, "status_url": url}, status_code=202, headers={"Location": url}
        )

    def job_or_404(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise _Refused(
                404,
                "no-such-job",
                f"Không có công việc {job_id} (đã xóa sau "
                f"{settings.job_keep_s:g} giây, hoặc sai mã).",
            )
        return job

    @app.get(
        f"{API}/renders/{{job_id}}",
        name="render_status",
        tags=["hồ sơ"],
        summary="Trạng thái, tiến độ và kết quả của một công việc",
    )
    async def render_status(
        request: Request,
        job_id: str,
        wait: float = Query(
            0,
            ge=0,
            le=MAX_WAIT_S,
            description="Chờ tối đa bấy nhiêu giây cho công việc kết thúc rồi mới trả lời "
            "(thay cho hỏi lại liên tục).",
        ),
    ):
        job = job_or_404(job_id)
        if wait and not job.ended:
            waiting = waiters.setdefault(job_id, asyncio.Event())
            if not job.ended:  # (it may have ended before the line above: then nobody wakes it)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(waiting.wait(), wait)
            if job.ended:
                waiters.pop(job_id, None)
        data = job.to_dict(str(request.url))
        if job.status == "done":
            data["files_url"] = str(request.url_for("render_zip", job_id=job_id))
        # plain JSON already: FastAPI's encoder would walk the manifest's hundreds of entries
        # (2 ms for a 100-candidate job's, against 0.4 ms) while the client waits for the end
        return JSONResponse(data)

    def finished_files(job_id: str) -> Job:
        job = job_or_404(job_id)
        if job.status != "done":
            raise _Refused(
                409,
                "not-done",
                f"Công việc đang ở trạng thái “{job.status}”: chỉ tải "
                "được tệp khi trạng thái là “done”.",
            )
        return job

    @app.get(
        f"{API}/renders/{{job_id}}/files.zip",
        name="render_zip",
        tags=["hồ sơ"],
        summary="Mọi tệp của hồ sơ trong một tệp zip (`?only=docx`: chỉ một thư mục)",
    )
    def render_zip(
        job_id: str,
        only: str | None = Query(
            None,
            pattern="^(docx|pdf|scans|xlsx)$",
            description="Chỉ các tệp của một thư mục: docx (văn bản Word để sửa), pdf, scans, xlsx",
        ),
    ):
        job = finished_files(job_id)
        top = job.out / only if only else job.out
        archive = job.folder / (f"files-{only}.zip" if only else "files.zip")
        if not archive.is_file():
            partial = job.folder / f".{archive.name}.part"
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(p for p in top.rglob("*") if p.is_file()):
                    zf.write(path, path.relative_to(top if only else job.out).as_posix())
            partial.chmod(0o600)
            partial.replace(archive)
        return FileResponse(
            archive,
            media_type="application/zip",
            filename=f"{job.name}{'-' + only if only else ''}.zip",
        )

    @app.get(
        f"{API}/renders/{{job_id}}/files/{{path:path}}",
        tags=["hồ sơ"],
        summary="Một tệp của hồ sơ (dossier.pdf, docx/…, manifest.json …)",
    )
    def render_file(job_id: str, path: str):
        job = finished_files(job_id)
        relative = safe_relative(path)
        file = job.out / relative if relative is not None else None
        if file is None or not file.is_file():
            raise _Refused(404, "no-such-file", f"Hồ sơ không có tệp “{path}”.")
        return FileResponse(file, media_type=_media_type(file), filename=file.name)

    @app.delete(
        f"{API}/renders/{{job_id}}",
        tags=["hồ sơ"],
        status_code=202,
        summary="Hủy công việc đang chờ hoặc đang chạy; xóa công việc đã xong",
    )
    async def delete_render(job_id: str):
        outcome = await run_in_threadpool(jobs.cancel, job_id)
        if outcome is None:
            job_or_404(job_id)
        if outcome == "forgotten":
            return Response(status_code=204)
        return JSONResponse({"id": job_id, "status": "cancelling"}, status_code=202)

    @app.post(
        f"{API}/verify",
        tags=["chữ ký số"],
        openapi_extra={"requestBody": PDF_BODY},
        summary="Kiểm tra mọi chữ ký số trong một tệp PDF",
    )
    async def verify(request: Request):
        folder = private_dir(root / f"verify-{uuid.uuid4().hex}")
        try:
            pdf, roots, name = await _save_pdf(request, folder)
            report = await run_in_threadpool(_verify, pdf, roots)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return {**report, "path": name}

    @app.get(
        f"{API}/schema",
        tags=["hồ sơ"],
        summary="Lược đồ JSON của hồ sơ gửi dịch vụ (nhãn tiếng Việt, để dựng biểu mẫu)",
    )
    async def schema():
        from ..schema import dossier_schema

        return JSONResponse(dossier_schema(service=True), media_type="application/schema+json")

    async def health():
        office = await run_in_threadpool(session.office.state)
        status = "up" if office == "up" else "down"
        return JSONResponse(
            {"status": status, "libreoffice": office, "queue": jobs.waiting()},
            status_code=200 if status == "up" else 503,
        )

    for method in ("GET", "HEAD"):
        app.add_api_route(
            "/health",
            health,
            methods=[method],
            tags=["vận hành"],
            operation_id=f"health_{method.lower()}",
            summary="LibreOffice và hàng đợi (không cần mã truy cập)",
        )

    from ..schema import dossier_schema

    def openapi() -> dict:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            request_schema = dossier_schema(service=True)
            defs = request_schema.pop("$defs")
            for key in ("$schema", "$id"):
                request_schema.pop(key)
            text = _reref(request_schema)
            spec.setdefault("components", {}).setdefault("schemas", {}).update(
                {"DossierRequest": text, **{k: _reref(v) for k, v in defs.items()}}
            )
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way
    from .web import mount_web

    mount_web(app, settings)
    return app


def _reref(node):
    """``#/$defs/X`` → ``#/components/schemas/X`` (the dossier schema inside OpenAPI)."""
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _reref(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_reref(v) for v in node]
    return node


def _rid(request: Request) -> str:
    return getattr(request.state, "request_id", "") or ""


def _queue_full(settings: Settings) -> str:
    return f"Đã có {settings.queue_max} hồ sơ chờ tạo (K39_QUEUE_MAX); gửi lại sau ít phút."


async def _save_body(request: Request, upload: Path) -> tuple[Path, dict | None]:
    """Save the request's dossier (and, multipart, its files) in ``upload``; the dossier's path
    and, multipart, the reviewer's notes and exceptions of its ``review`` field
    (:func:`~k39docs.service.intake.parse_review`). The dossier's name starts with a dot: no
    uploaded file can take it (:func:`safe_relative`)."""
    content_type = request.headers.get("content-type", "")
    try:
        if not content_type.lower().startswith("multipart/form-data"):
            file = upload / f".dossier{dossier_suffix(content_type)}"
            chunks = []
            async for chunk in request.stream():
                chunks.append(chunk)
            write_private(file, chunks)
            return file, None
        async with request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS) as form:
            part = form.get("dossier")
            if part is None:
                raise _Refused(
                    422,
                    "missing-dossier",
                    "Thiếu phần `dossier` (tệp hồ sơ) trong multipart/form-data.",
                )
            review = form.get("review")
            if isinstance(review, UploadFile):
                review = (await review.read()).decode("utf-8", "replace")
            notes = parse_review(review) if review else None
            for name, value in form.multi_items():
                if name in ("dossier", "review") or not isinstance(value, UploadFile):
                    continue
                relative = safe_relative(value.filename or "")
                if relative is None:
                    raise _Refused(
                        422,
                        "bad-file-name",
                        f"Tên tệp “{value.filename}” (phần "
                        f"`{name}`) phải là đường dẫn tương đối, không có `..`.",
                    )
                if (upload / relative).exists():
                    raise _Refused(422, "bad-file-name", f"Tệp “{value.filename}” gửi hai lần.")
                await run_in_threadpool(write_private, upload / relative, _chunks(value))
            if isinstance(part, UploadFile):
                file = upload / f".dossier{dossier_suffix(part.content_type, part.filename)}"
                await run_in_threadpool(write_private, file, _chunks(part))
            else:
                file = upload / ".dossier.yaml"
                write_private(file, [part.encode("utf-8")])
            return file, notes
    except UnsupportedMedia as error:
        raise _Refused(415, "unsupported-media", str(error)) from None


def _chunks(part: UploadFile, size: int = 1 << 20):
    part.file.seek(0)
    while chunk := part.file.read(size):
        yield chunk


async def _save_pdf(request: Request, folder: Path) -> tuple[Path, list[Path], str]:
    """The PDF of a verify request and the trust roots sent with it (multipart ``trust_root``)."""
    content_type = request.headers.get("content-type", "").lower()
    pdf = folder / "file.pdf"
    if content_type.startswith("application/pdf"):
        chunks = [chunk async for chunk in request.stream()]
        write_private(pdf, chunks)
        return pdf, [], "file.pdf"
    if not content_type.startswith("multipart/form-data"):
        raise _Refused(
            415,
            "unsupported-media",
            "Gửi tệp PDF dạng application/pdf, hoặc multipart/form-data có phần `file`.",
        )
    async with request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS) as form:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise _Refused(422, "missing-file", "Thiếu phần `file` (tệp PDF cần kiểm tra).")
        await run_in_threadpool(write_private, pdf, _chunks(part))
        roots = []
        for i, root in enumerate(form.getlist("trust_root")):
            if isinstance(root, UploadFile):
                path = folder / f"root-{i}.pem"
                await run_in_threadpool(write_private, path, _chunks(root))
                roots.append(path)
        return pdf, roots, Path(part.filename or "file.pdf").name


def _verify(pdf: Path, roots: list[Path]) -> dict:
    from ..errors import K39Error
    from ..signing import verify_pdf

    try:
        return verify_pdf(pdf, trust_roots=tuple(roots)).to_dict()
    except K39Error as error:
        raise _Refused(422, "bad-trust-root", str(error)) from None
    except ValueError as error:  # a trust root that is no certificate
        raise _Refused(
            422, "bad-trust-root", f"Chứng thư gốc gửi kèm không đọc được ({type(error).__name__})."
        ) from None


def _validated(dossier, allow_ineligible: str | None) -> dict:
    """What ``validate --format json`` prints for a valid dossier."""
    if dossier.purpose == "return":
        from ..documents.return_report import late_warning

        return {
            "purpose": "return",
            "ok": True,
            "eligible": None,
            "dossier": dossier.id,
            "warnings": [w for w in (late_warning(c) for c in dossier.candidates) if w],
        }
    from ..rules import check_eligibility

    report = check_eligibility(dossier, allow_ineligible=allow_ineligible)
    return {"purpose": "nomination", **report.to_dict()}


def _issuable(dossier, allow_ineligible: str | None) -> Checked | None:
    """Refuse (422) a nomination that would not be issued, before it waits in the queue; its
    eligibility, for the job (a return dossier has none)."""
    if dossier.purpose == "return":
        return None
    from ..rules import blocking_message, check_eligibility

    checked = Checked(check_eligibility(dossier, allow_ineligible=allow_ineligible))
    if not checked.report.issuable:
        raise _Refused(
            422,
            "ineligible",
            blocking_message(checked.report),
            eligibility=checked.report.to_dict(),
            issues=[],
        )
    return checked


_MEDIA = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pem": "application/x-pem-file",
}


def _media_type(path: Path) -> str:
    return _MEDIA.get(path.suffix.lower(), "application/octet-stream")


class _RequestIdDefault(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """One line per event on stderr, with the request id (``-`` outside a request)."""
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIdDefault())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)  # libraries' chatter (fontTools subsetting …) stays out
    for name in ("k39docs", "uvicorn"):
        logging.getLogger(name).setLevel(level)


# what a render imports on first use, imported before the service starts (see freeze_start_up)
RENDER_MODULES = (
    "k39docs.signing.sign",
    "k39docs.signing.verify",
    "k39docs.documents.list_workbook",
    "k39docs.preflight",
    "k39docs.workbook.read",
)


def freeze_start_up() -> None:
    """Leave what lives as long as the service (the modules a render uses, imported here, are
    most of the objects alive) out of every later garbage collection, so the one after each job
    (:meth:`~k39docs.render.Session.settle`) goes through that job's objects only. Only for a
    process that is the service's own: it changes the whole interpreter."""
    for name in RENDER_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()


def run(settings: Settings, keys: KeyRing, host: str, port: int) -> None:
    """Serve until stopped: LibreOffice starts now and stays warm; files are private to the
    service's user (umask 077)."""
    import uvicorn

    from ..errors import K39Error

    os.umask(0o077)
    configure_logging()
    session = ServiceSession(freeze=True)  # frozen start-up (freeze_start_up below)
    with session:
        try:
            session.warm_up()
        except K39Error as error:
            log.warning("LibreOffice chưa chạy được: %s", str(error).splitlines()[0])
        app = create_app(settings, session, keys=keys)
        freeze_start_up()
        uvicorn.run(
            app, host=host, port=port, access_log=False, log_config=None, server_header=False
        )
