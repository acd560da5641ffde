"""The ``k39docs`` command: parses arguments, calls the library, prints, maps errors to exit codes.

Nothing here decides anything about documents; every command is one library call another
application can make directly (``k39docs.render``, ``check_eligibility``, ``verify_pdf`` …).
Exit codes (interface.md): 0 done, 1 ineligible / invalid signature / format findings,
2 bad input or a missing dependency.
"""

from __future__ import annotations

import json
import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .clitext import VietnameseCommand, VietnameseGroup, usage_error_message
from .errors import DossierError, K39Error

__all__ = ["app", "main"]

app = typer.Typer(
    name="k39docs",
    help="Hồ sơ cử cán bộ đi bồi dưỡng ở nước ngoài theo Kết luận 39-KL/TW: rà soát điều kiện, "
    "lập văn bản (DOCX, PDF), đóng gói, ký số và kiểm tra hồ sơ.",
    cls=VietnameseGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(error: K39Error) -> typer.Exit:
    _err(f"Lỗi: {error}")
    return typer.Exit(error.exit_code)


class OutputFormat(str, Enum):
    all = "all"
    docx = "docx"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


def _load(path: Path, *, signing: bool | None = None):
    """The dossier at ``path``, refused now for what would fail later (a signer's line; the
    images, when this run signs: ``signing``, None for whenever the dossier sets it up)."""
    from .dossier.loader import load_dossier
    from .preflight import check_dossier

    dossier = load_dossier(path)
    check_dossier(dossier, path, signing=signing)
    return dossier


OutdirOption = Annotated[
    Path | None, typer.Option("-o", "--outdir", help="Thư mục kết quả [output/<mã hồ sơ>/].")
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format", help="all: DOCX, PDF và dossier.pdf; docx: chỉ DOCX (không cần LibreOffice)."
    ),
]
SignOption = Annotated[
    bool, typer.Option("--sign/--no-sign", help="Ký số dossier.pdf khi hồ sơ có mục `signing`.")
]
AllowIneligibleOption = Annotated[
    str | None,
    typer.Option(
        "--allow-ineligible",
        metavar="LÝ_DO",
        help="Vẫn lập hồ sơ khi có người chưa đủ điều kiện: các văn bản nêu rõ trường hợp đó và lý do này, đề nghị Ban Chỉ đạo xem xét.",
    ),
]
TemplatesOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        metavar="THƯ_MỤC",
        help="Thư mục mẫu DOCX riêng của tỉnh, tên như mẫu có sẵn "
        "(cover_letter.docx …); mẫu nào không có thì dùng mẫu có sẵn. "
        "Mẫu riêng chạy trong hộp cát Jinja.",
    ),
]
CacheOption = Annotated[
    bool,
    typer.Option(
        "--cache/--no-cache", help="Dùng lại văn bản có mẫu và dữ liệu không đổi (bộ nhớ đệm)."
    ),
]
# DOCX in OUTDIR the clerk edited since the last render: without either, the render stops
KeepEditsOption = Annotated[
    bool,
    typer.Option(
        "--keep-edits",
        help="Giữ văn bản DOCX đã sửa tay trong thư mục kết quả: chuyển sang PDF "
        "đúng như đã sửa, đưa vào dossier.pdf (không có tùy chọn này thì lệnh "
        "dừng lại, nêu tên các tệp đã sửa; bản sửa đã giữ lần trước, chưa sửa thêm và "
        "dữ liệu không đổi, thì được giữ tiếp).",
    ),
]
DiscardEditsOption = Annotated[
    bool,
    typer.Option(
        "--discard-edits", help="Bỏ các chỗ sửa tay trong văn bản DOCX, tạo lại từ dữ liệu."
    ),
]


def _edits(keep: bool, discard: bool) -> str:
    if keep and discard:
        raise typer.BadParameter("chỉ chọn một trong hai: --keep-edits hoặc --discard-edits.")
    return "keep" if keep else "discard" if discard else "stop"


def _render_options(
    dossier: Path,
    format: OutputFormat,
    sign: bool,
    allow_ineligible: str | None,
    templates: Path | None,
    cache: bool,
    edits: str = "stop",
):
    from .docx.writer import TemplateError
    from .render import RenderOptions

    if templates is not None and not templates.is_dir():
        raise TemplateError(f"Không tìm thấy thư mục mẫu văn bản {templates}")
    formats = ("docx",) if format is OutputFormat.docx else ("docx", "pdf")
    return RenderOptions(
        formats=formats,
        sign=sign,
        allow_ineligible=allow_ineligible,
        base_dir=dossier.resolve().parent,
        templates=templates,
        cache=cache,
        edits=edits,
    )


def _write_failed(error: OSError, outdir) -> None:
    """An unwritable or full output folder: the clerk's to fix, not a bug."""
    _err(
        f"Lỗi: không ghi được kết quả ({error.strerror or error}: "
        f"{error.filename or outdir or 'output'}). Hồ sơ cũ (nếu có) vẫn giữ nguyên."
    )


@app.command(cls=VietnameseCommand)
def render(
    dossier: Annotated[
        Path,
        typer.Argument(metavar="TỆP_HỒ_SƠ", help="Tệp hồ sơ (.yaml, .json, .xlsx, .xls, .ods)."),
    ],
    outdir: OutdirOption = None,
    format: FormatOption = OutputFormat.all,
    sign: SignOption = True,
    allow_ineligible: AllowIneligibleOption = None,
    templates: TemplatesOption = None,
    cache: CacheOption = True,
    keep_edits: KeepEditsOption = False,
    discard_edits: DiscardEditsOption = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Chỉ in lỗi.")] = False,
) -> None:
    """Kiểm tra, lập mọi văn bản (DOCX, PDF), đóng gói và ký số dossier.pdf."""
    import gc

    from .office import ConvertOptions, Office
    from .progressbar import RenderProgress

    # One render, then the process ends: the cyclic garbage collector would only rescan the
    # bundle's many small objects again and again (what a run frees, it frees by reference
    # counting), a cost that grows with the dossier; docs/performance.md has the numbers.
    collecting = gc.isenabled()
    gc.disable()
    edits = _edits(keep_edits, discard_edits)
    office = Office(ConvertOptions(), keep=False)
    shown = RenderProgress(quiet=quiet)
    try:
        model = _load(dossier, signing=None if sign and format is OutputFormat.all else False)
        if format is OutputFormat.all and (templates is None or templates.is_dir()):
            # LibreOffice boots while the rendering code loads, the rules run and the DOCX are
            # written (only once the dossier has loaded: bad input starts nothing). One worker:
            # the render adds the others once it knows how many documents it converts (a
            # re-render converts few, which one LibreOffice does sooner than two starting)
            office.start(documents=1)
        options = _render_options(dossier, format, sign, allow_ineligible, templates, cache, edits)
        from .render import Session

        session = Session(office=office)
        target = outdir or Path("output") / model.id
        with shown:
            manifest = session.render(
                model, target, options=options, progress=shown.progress, say=shown.say
            )
    except K39Error as error:
        raise _fail(error) from None
    except OSError as error:
        _write_failed(error, outdir)
        raise typer.Exit(2) from None
    finally:
        office.shutdown()  # nothing of LibreOffice outlives the command, whatever happened
        if collecting:
            # what the render left is set aside first: the collector, turned on again, would
            # otherwise go through all of it at the next allocation (about a tenth of a second
            # at a hundred candidates) before the command is over; the process ends at once.
            gc.freeze()
            gc.enable()
    for warning in manifest.warnings:
        _err(f"Cảnh báo: {warning}")
    if quiet:
        return
    typer.echo(f"Đã tạo {len(manifest.files)} tệp trong {target}/")
    for entry in manifest.files:
        if entry.edited and entry.format == "docx":
            typer.echo(f"  Giữ bản sửa tay: {target}/{entry.path} (không tạo lại từ mẫu)")
    if any(f.path == "dossier.pdf" for f in manifest.files):
        state = (
            "đã ký số"
            if manifest.signed
            else "CHƯA KÝ SỐ (mục `signing` chưa cấu hình hoặc --no-sign)"
        )
        typer.echo(f"  {target}/dossier.pdf — {state}")
    typer.echo(f"  {target}/manifest.json")
    if manifest.allow_ineligible:
        typer.echo(
            f"  Phát hành dù có ứng viên không đủ điều kiện; lý do: {manifest.allow_ineligible}"
        )


@app.command(cls=VietnameseCommand)
def watch(
    dossier: Annotated[
        Path,
        typer.Argument(metavar="TỆP_HỒ_SƠ", help="Tệp hồ sơ (.yaml, .json, .xlsx, .xls, .ods)."),
    ],
    outdir: OutdirOption = None,
    format: FormatOption = OutputFormat.all,
    sign: SignOption = True,
    allow_ineligible: AllowIneligibleOption = None,
    templates: TemplatesOption = None,
    cache: CacheOption = True,
    keep_edits: KeepEditsOption = False,
    discard_edits: DiscardEditsOption = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Số giây giữa hai lần xem tệp.")
    ] = 0.5,
) -> None:
    """Lập hồ sơ, rồi lập lại mỗi khi tệp hồ sơ được lưu; LibreOffice chạy sẵn giữa các lần
    (Ctrl-C để dừng). Lỗi được in ra và lệnh vẫn theo dõi tiếp."""
    import signal
    import time

    from .render import Session

    try:
        options = _render_options(
            dossier,
            format,
            sign,
            allow_ineligible,
            templates,
            cache,
            _edits(keep_edits, discard_edits),
        )
    except K39Error as error:
        raise _fail(error) from None
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as cleanly as on Ctrl-C
    typer.echo(f"Theo dõi {dossier}: lưu tệp để tạo lại hồ sơ; Ctrl-C để dừng.")
    seen = None
    try:
        with Session() as session:
            if format is OutputFormat.all:
                try:  # LibreOffice boots while the first render checks and writes
                    session.warm_up()
                except K39Error as error:  # no soffice: say so once, and stop
                    raise _fail(error) from None
            while True:
                stamp = _file_stamp(dossier)
                if stamp is not None and stamp != seen:
                    seen = stamp
                    started = time.perf_counter()
                    try:
                        model = _load(
                            dossier, signing=None if sign and format is OutputFormat.all else False
                        )
                        target = outdir or Path("output") / model.id
                        manifest = session.render(model, target, options=options)
                    except K39Error as error:
                        _err(f"Lỗi: {error}")
                    except OSError as error:
                        _write_failed(error, outdir)
                    else:
                        for warning in manifest.warnings:
                            _err(f"Cảnh báo: {warning}")
                        typer.echo(
                            f"{time.strftime('%H:%M:%S')} Đã tạo {len(manifest.files)} tệp trong "
                            f"{target}/ ({time.perf_counter() - started:.1f} giây; "
                            f"{manifest.cache_hits} văn bản không đổi)"
                        )
                    session.settle()  # while the clerk reads and edits, not in the next render
                time.sleep(interval)
    except KeyboardInterrupt:
        typer.echo("Đã dừng theo dõi.")


def _file_stamp(path: Path) -> tuple[int, int] | None:
    """What changes when the file is saved; None while it is missing (an editor replacing it)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@app.command(cls=VietnameseCommand)
def validate(
    dossier: Annotated[
        Path,
        typer.Argument(metavar="TỆP_HỒ_SƠ", help="Tệp hồ sơ (.yaml, .json, .xlsx, .xls, .ods)."),
    ],
    format: Annotated[
        ReportFormat, typer.Option("--format", help="text (chữ) hoặc json.")
    ] = ReportFormat.text,
    allow_ineligible: AllowIneligibleOption = None,
) -> None:
    """Kiểm tra dữ liệu, ngày tháng và điều kiện, tiêu chuẩn của từng người; không lập văn bản."""
    from .rules import check_eligibility, format_eligibility_text

    try:
        model = _load(dossier)
        if model.purpose == "return":  # reports on a course that ended: no eligibility to check
            _validated_return(model, format)
            raise typer.Exit(0)
        report = check_eligibility(model, allow_ineligible=allow_ineligible)
    except DossierError as error:
        if format is ReportFormat.json:  # the service's problem details say the same
            from .service.problems import bad_input

            _err(f"Lỗi: {error}")  # for the person; the JSON on stdout is for programs
            typer.echo(json.dumps(bad_input(error), ensure_ascii=False, indent=2))
            raise typer.Exit(2) from None
        raise _fail(error) from None
    except K39Error as error:
        raise _fail(error) from None
    if format is ReportFormat.json:
        typer.echo(
            json.dumps({"purpose": "nomination", **report.to_dict()}, ensure_ascii=False, indent=2)
        )
    else:
        typer.echo(format_eligibility_text(report))
    raise typer.Exit(0 if report.issuable else 1)


def _validated_return(model, format: ReportFormat) -> None:
    """What ``validate`` says of a valid return dossier: the course, each report's dates, and
    the reports past the 15-day deadline (warnings); ``eligible`` is null, none was checked."""
    from .documents.return_report import late_warning

    warnings = [w for w in (late_warning(c) for c in model.candidates) if w]
    if format is ReportFormat.json:
        typer.echo(
            json.dumps(
                {
                    "purpose": "return",
                    "ok": True,
                    "eligible": None,
                    "dossier": model.id,
                    "course": {
                        "title": model.course.title,
                        "end_date": model.course.end_date.isoformat(),
                    },
                    "reports": [
                        {
                            "id": c.id,
                            "full_name": c.full_name,
                            "return_date": c.return_report.return_date.isoformat(),
                            "date": c.return_report.date.isoformat(),
                        }
                        for c in model.candidates
                    ],
                    "warnings": warnings,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    lines = [
        f"Hồ sơ báo cáo {model.id} (purpose: return) hợp lệ: {len(model.candidates):02d} báo "
        f"cáo về khóa {model.course.title}, kết thúc {model.course.end_date:%d/%m/%Y}."
    ]
    lines += [
        f"  - {c.full_name} ({c.id}): về nước {c.return_report.return_date:%d/%m/%Y}, "
        f"báo cáo ngày {c.return_report.date:%d/%m/%Y}"
        for c in model.candidates
    ]
    lines.append("Không rà soát điều kiện, tiêu chuẩn: việc này chỉ dành cho hồ sơ đề cử.")
    lines += [f"Cảnh báo: {w}" for w in warnings]
    typer.echo("\n".join(lines))


@app.command(cls=VietnameseCommand)
def verify(
    pdf: Annotated[Path, typer.Argument(help="Tệp PDF đã ký số.")],
    trust_root: Annotated[
        list[Path] | None,
        typer.Option("--trust-root", help="Chứng thư gốc tin cậy, tệp PEM (dùng nhiều lần được)."),
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="text (chữ) hoặc json.")
    ] = ReportFormat.text,
) -> None:
    """Kiểm tra mọi chữ ký số của tệp PDF: còn nguyên vẹn, tin cậy, chữ ký cuối bao trùm toàn bộ tệp."""
    from .signing import format_verify_report, verify_pdf

    try:
        report = verify_pdf(pdf, trust_roots=tuple(trust_root or ()))
    except K39Error as error:
        raise _fail(error) from None
    if format is ReportFormat.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_verify_report(report))
    raise typer.Exit(0 if report.ok else 1)


class SignRole(str, Enum):
    signer = "signer"
    agency = "agency"


@app.command("sign", cls=VietnameseCommand)
def sign_command(
    pdf: Annotated[
        Path,
        typer.Argument(
            help="dossier.pdf chưa ký (hoặc mới có chữ ký của người ký), "
            "trong thư mục kết quả của nó."
        ),
    ],
    as_: Annotated[
        SignRole,
        typer.Option(
            "--as",
            help="signer: người ký công văn (lãnh đạo, bằng khóa của mình); agency: văn thư "
            "ký số của cơ quan (con dấu), sau người ký.",
        ),
    ],
    demo: Annotated[
        bool, typer.Option("--demo", help="Khóa thử nghiệm dùng một lần, không có giá trị pháp lý.")
    ] = False,
    pkcs12: Annotated[
        Path | None, typer.Option("--pkcs12", help="Tệp khóa PKCS#12 (.p12, .pfx).")
    ] = None,
    passphrase_env: Annotated[
        str | None,
        typer.Option("--passphrase-env", help="Tên biến môi trường chứa mật khẩu tệp PKCS#12."),
    ] = None,
    pkcs11_library: Annotated[
        str | None,
        typer.Option("--pkcs11-library", help="Thư viện PKCS#11 của token USB (.so, .dll)."),
    ] = None,
    token: Annotated[str | None, typer.Option("--token", help="Nhãn token PKCS#11.")] = None,
    key_label: Annotated[
        str | None, typer.Option("--key-label", help="Nhãn khóa bí mật trên token.")
    ] = None,
    cert_label: Annotated[
        str | None,
        typer.Option(
            "--cert-label", help="Nhãn chứng thư số trên token (mặc định: như nhãn khóa)."
        ),
    ] = None,
    pin_env: Annotated[
        str | None, typer.Option("--pin-env", help="Tên biến môi trường chứa mã PIN của token.")
    ] = None,
    signature_image: Annotated[
        Path | None,
        typer.Option(
            "--signature-image",
            help="Hình chữ ký (PNG) của người ký; mặc định: hình khai ở mục signing khi tạo.",
        ),
    ] = None,
    seal_image: Annotated[
        Path | None,
        typer.Option(
            "--seal-image",
            help="Hình con dấu (PNG) của cơ quan; mặc định: hình khai ở mục signing khi tạo.",
        ),
    ] = None,
    tsa_url: Annotated[
        str | None, typer.Option("--tsa-url", help="Máy chủ dấu thời gian (RFC 3161).")
    ] = None,
) -> None:
    """Ký số hồ sơ đã tạo mà chưa ký: người ký trước (--as signer), văn thư ký số của cơ quan sau (--as agency)."""
    key: dict = {"demo": demo}
    if pkcs12 is not None:
        key.update(pkcs12=pkcs12, passphrase_env=passphrase_env)
    if pkcs11_library or token or key_label:
        key["pkcs11"] = {
            "library": pkcs11_library or "",
            "token": token or "",
            "key_label": key_label or "",
            "cert_label": cert_label,
            "pin_env": pin_env or "",
        }
    from .signing.later import sign

    try:
        done = sign(
            pdf,
            as_.value,
            key=key,
            signature_image=signature_image,
            seal_image=seal_image,
            tsa_url=tsa_url,
        )
    except K39Error as error:
        raise _fail(error) from None
    for warning in done.warnings:
        _err(f"Cảnh báo: {warning}")
    who = "người ký công văn" if done.role == "signer" else "cơ quan (con dấu)"
    typer.echo(
        f"Đã ký số {pdf} với tư cách {who}: {done.subject}, lúc {done.signing_time.isoformat()}."
    )
    if done.role == "signer":
        typer.echo(
            f"  Ghi thông tin ký số lên trang đầu {len(done.attachment_pages):02d} tài liệu "
            "kèm theo. Tiếp theo: văn thư ký số của cơ quan (--as agency)."
        )
    else:
        typer.echo("  Hồ sơ đã đủ chữ ký số của người ký và của cơ quan; kiểm tra: k39docs verify.")


@app.command(cls=VietnameseCommand)
def init(
    path: Annotated[
        Path, typer.Argument(help="Nơi ghi hồ sơ mẫu (.yaml, hoặc .xlsx cho bảng tính).")
    ] = Path("dossier.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có.")] = False,
) -> None:
    """Ghi hồ sơ mẫu có chú thích (và ảnh chữ ký, con dấu mẫu) để bắt đầu; tên .xlsx thì ghi
    bảng tính Excel cho văn thư, điền sẵn cùng hồ sơ mẫu."""
    from .resources import sample_dossier, sample_images

    if path.exists() and not force:
        _err(f"Lỗi: {path} đã tồn tại (dùng --force để ghi đè).")
        raise typer.Exit(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from .workbook.convert import init_workbook

        try:
            init_workbook(path, force=True)
        except K39Error as error:
            raise _fail(error) from None
    elif path.suffix.lower() in (".xls", ".ods", ".xlsm"):
        _err(f"Lỗi: chỉ tạo được bảng tính .xlsx, không phải {path.suffix}.")
        raise typer.Exit(2)
    else:
        path.write_text(sample_dossier(), encoding="utf-8")
    images = path.parent / "images"
    images.mkdir(exist_ok=True)
    for image in sample_images():
        target = images / image.name
        if not target.exists() or force:
            shutil.copyfile(image, target)
    typer.echo(f"Đã tạo {path} (và ảnh chữ ký, con dấu mẫu trong {images}/).")
    typer.echo(f"Tiếp theo: k39docs validate {path} && k39docs render {path}")


@app.command(cls=VietnameseCommand)
def convert(
    source: Annotated[
        Path, typer.Argument(help="Tệp hồ sơ vào: .yaml, .yml, .json, .xlsx, .xls, .ods.")
    ],
    out: Annotated[Path, typer.Argument(help="Tệp ra: .xlsx (bảng tính) hoặc .yaml.")],
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp ra đã có.")] = False,
) -> None:
    """Chuyển hồ sơ YAML ↔ bảng tính Excel theo đuôi tệp; không mất dữ liệu nào."""
    from .workbook.convert import convert_file

    try:
        dossier = convert_file(source, out, force=force)
    except K39Error as error:
        raise _fail(error) from None
    except OSError as error:
        _write_failed(error, out)
        raise typer.Exit(2) from None
    typer.echo(f"Đã ghi {out} ({len(dossier.candidates)} ứng viên).")


@app.command(cls=VietnameseCommand)
def merge(
    inputs: Annotated[list[Path], typer.Argument(help="Tệp của từng cơ quan (.xlsx, .yaml …).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Tệp hồ sơ ghép: .xlsx hoặc .yaml.")],
    base: Annotated[
        Path | None,
        typer.Option("--base", help="Tệp lấy các mục khác ngoài ứng viên [tệp đầu tiên]."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp ra đã có.")] = False,
) -> None:
    """Ghép danh sách đề cử của nhiều cơ quan (mỗi cơ quan một tệp) thành một hồ sơ."""
    from .workbook.merge import merge_files

    try:
        result = merge_files(inputs, out, base=base, force=force)
    except K39Error as error:
        raise _fail(error) from None
    except OSError as error:
        _write_failed(error, out)
        raise typer.Exit(2) from None
    for warning in result.warnings:
        _err(f"Cảnh báo: {warning}")
    typer.echo(f"Đã ghép {len(result.dossier.candidates)} ứng viên từ {len(inputs)} tệp vào {out}.")


@app.command(cls=VietnameseCommand)
def schema() -> None:
    """In JSON Schema của tệp hồ sơ (tiêu đề tiếng Việt, để dựng biểu mẫu)."""
    from .schema import dossier_schema

    typer.echo(json.dumps(dossier_schema(), ensure_ascii=False, indent=2))


@app.command(cls=VietnameseCommand)
def serve(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Cổng.")] = 8039,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            metavar="KEYS.yaml",
            help="Các khóa ký yêu cầu được phép gọi tên (signing: {key: TÊN}).",
        ),
    ] = None,
) -> None:
    """Chạy dịch vụ HTTP và trang web cho văn thư (LibreOffice giữ sẵn); cấu hình qua các biến K39_*."""
    from .service.keys import load_keys
    from .service.settings import Settings, is_loopback

    try:
        settings = Settings.from_env()
        keyring = load_keys(keys)
    except K39Error as error:
        raise _fail(error) from None
    if not is_loopback(host) and not settings.api_token:
        _err(
            f"Lỗi: không mở dịch vụ trên địa chỉ {host} khi chưa đặt K39_API_TOKEN: ai vào "
            "được mạng này cũng gửi và tải được hồ sơ cá nhân. Đặt K39_API_TOKEN (một chuỗi "
            "ngẫu nhiên dài), hoặc chạy trên 127.0.0.1 sau một reverse proxy."
        )
        raise typer.Exit(2)
    from .service.app import run

    run(settings, keyring, host, port)


@app.command("check-format", cls=VietnameseCommand)
def check_format(
    files: Annotated[
        list[Path], typer.Argument(help="Các tệp DOCX cần kiểm tra theo Nghị định 30/2020.")
    ],
) -> None:
    """Báo mọi chỗ sai thể thức Nghị định 30/2020; mã thoát 1 khi có."""
    from .nd30.checkformat import DocxReadError, check_files

    try:
        findings = check_files(files)
    except DocxReadError as error:
        _err(f"Lỗi: {error}")
        raise typer.Exit(2) from None
    for finding in findings:
        typer.echo(str(finding))
    if findings:
        raise typer.Exit(1)
    typer.echo(f"Đúng thể thức: {len(files)} tệp.")


@app.command(cls=VietnameseCommand)
def cache(
    clear: Annotated[
        bool, typer.Option("--clear", help="Xóa mọi văn bản trong bộ nhớ đệm.")
    ] = False,
) -> None:
    """Cho biết bộ nhớ đệm ở đâu (có dữ liệu của ứng viên), hoặc xóa nó."""
    from .cache import DocumentCache

    store = DocumentCache(producer="")
    if clear:
        removed = store.clear()
        typer.echo(f"Đã xóa {removed} tệp trong bộ nhớ đệm {store.root}.")
        return
    files = [p for p in store.root.rglob("*") if p.is_file()] if store.root.is_dir() else []
    size = sum(p.stat().st_size for p in files)
    typer.echo(
        f"Bộ nhớ đệm: {store.root} ({len(files)} tệp, {size / 1e6:.1f} MB). "
        "Xóa: k39docs cache --clear"
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"k39docs {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Hiện phiên bản.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "-v",
            "--verbose",
            help="In thêm những gì xảy ra bên trong (LibreOffice khởi động lại, "
            "một văn bản được chuyển đổi lại theo cách khác).",
        ),
    ] = False,
) -> None:
    """Hồ sơ cử cán bộ đi bồi dưỡng ở nước ngoài theo Kết luận 39-KL/TW."""
    if verbose:
        import logging

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("k39docs: %(message)s"))
        logger = logging.getLogger("k39docs")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def main() -> None:
    """The ``k39docs`` command: the command in this process, its usage errors in Vietnamese.

    Once the command has returned (its files written, every LibreOffice stopped), the exit
    handlers run and the process ends at once, without the interpreter's teardown: freeing a
    large render's objects one by one, with nothing left to do, is time the clerk waits for.
    """
    try:
        code = app(standalone_mode=False)
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:
        _err("Đã dừng.")
        code = 130
    except DossierError as error:  # raised outside a command (should not happen): still exit 2
        _err(f"Lỗi: {error}")
        code = 2
    except Exception as error:  # noqa: BLE001 — typer's usage errors; anything else goes on
        code = _usage_error(error)
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        _err(str(code))
        code = 1
    _exit_now(code or 0)


def _usage_error(error: Exception) -> int:
    """Print typer's usage error (a wrong option, a missing argument …) in Vietnamese and give
    its exit status; anything that is not one is raised again."""
    format_message = getattr(error, "format_message", None)
    exit_code = getattr(error, "exit_code", None)
    if format_message is None or exit_code is None:
        if type(error).__name__ == "Abort":
            _err("Đã dừng.")
            return 1
        raise error
    ctx = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return 0
    if ctx is not None:
        _err(ctx.get_usage())
    _err(f"Xem hướng dẫn: {ctx.command_path if ctx is not None else 'k39docs'} --help")
    message = format_message()
    _err("Lỗi: " + (usage_error_message(message) if exit_code == 2 else message))
    return int(exit_code)


def _exit_now(code: int) -> None:
    import atexit
    import os
    import threading

    if any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)  # a thread still working: leave it the usual way, which waits for it
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
