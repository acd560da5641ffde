"""The images a dossier names (the signer's signature, the agency's seal): what they must be.

ND30 Phụ lục I wants transparent PNGs at the seal's real size; a photo of a few megabytes, let
alone a 100 MB file, only makes every dossier that large (a 100 MB signature image gave a 101 MB
dossier). Checked from the file's header, without decoding the whole picture, so ``validate``
refuses it at once.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "image_problem", "signing_image_issues"]

MAX_IMAGE_BYTES = 2 * 1024 * 1024  # a 36 mm seal at 600 dpi is well under 1 MB
MAX_IMAGE_SIDE = 4000  # pixels: 36 mm at 2,800 dpi
MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE

_IMAGES = (("signature_image", "chữ ký"), ("seal_image", "con dấu"))


def image_problem(path: Path) -> str | None:
    """Why ``path`` cannot serve as a signature or seal image (Vietnamese), or None."""
    from PIL import Image

    if not path.is_file():
        return f"không tìm thấy tệp hình `{path}`"
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return (
            f"tệp hình `{path.name}` nặng {size / 1024 / 1024:.1f} MB, quá giới hạn "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB; hãy lưu lại ảnh PNG nhỏ hơn (kích thước thật "
            "của chữ ký, con dấu)"
        )
    try:
        with Image.open(path) as img:  # reads the header only
            fmt, (width, height) = img.format, img.size
    except Exception:  # noqa: BLE001 — whatever the reason, the file is not a picture we can use
        return f"tệp `{path.name}` không đọc được như một ảnh"
    if fmt != "PNG":
        return f"hình `{path.name}` phải là tệp PNG nền trong suốt (Nghị định 30/2020), không phải {fmt}"
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        return (
            f"hình `{path.name}` {width}×{height} điểm ảnh, quá {MAX_IMAGE_SIDE} điểm ảnh mỗi "
            "chiều; hãy thu nhỏ ảnh"
        )
    return None


def signing_image_issues(dossier, base_dir: Path | None = None) -> list[tuple[str, str]]:
    """(field path, message) for each image under ``signing`` that would be refused."""
    issues = []
    for field, what in _IMAGES:
        path = getattr(dossier.signing, field)
        if path is None:
            continue
        path = Path(path)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        problem = image_problem(path)
        if problem is not None:
            issues.append((f"signing.{field}", f"hình {what}: {problem}"))
    return issues
