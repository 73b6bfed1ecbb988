"""Checking uploaded photos (JPEG, PNG, WebP) and PDF documents by their content.

Used for pairing activities' attachments and for the evidence that a problem is fixed.

The browser's content type and the file name are both the sender's claim; the first bytes of the
file are not, so they decide what a file is. The stored name gets the extension of what was found,
and so does the name a download is offered under (the uploader's `report.exe` holding a PDF downloads
as `report.pdf`). Each field accepts only its kinds (`check_upload(..., kinds=)`): a PDF is no photo.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

HEADER_BYTES = 16
PHOTO, PDF = "photo", "pdf"


@dataclass(frozen=True)
class SniffedType:
    kind: str
    content_type: str
    extension: str


def sniff(header: bytes) -> SniffedType | None:
    """What the first bytes of a file say it is, among the accepted types; None for anything else."""
    if header.startswith(b"\xff\xd8\xff"):
        return SniffedType(PHOTO, "image/jpeg", "jpg")
    if header.startswith(b"\x89PNG\r\n\x1a\n"):
        return SniffedType(PHOTO, "image/png", "png")
    if header[:4] == b"RIFF" and header[8:12] == b"WEBP":
        return SniffedType(PHOTO, "image/webp", "webp")
    if header.startswith(b"%PDF-"):
        return SniffedType(PDF, "application/pdf", "pdf")
    return None


EXTENSION_BY_CONTENT_TYPE = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def download_filename(name: str, *, content_type: str) -> str:
    """The name a stored file is offered under: the uploader's name, with the extension of its sniffed type."""
    stem = PurePosixPath(name.replace("\\", "/")).name.rsplit(".", 1)[0] or "file"
    return f"{stem}.{EXTENSION_BY_CONTENT_TYPE.get(content_type, 'bin')}"


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f}"


def check_upload(uploaded, *, kinds: Collection[str] = (PHOTO, PDF)) -> SniffedType:
    """The sniffed type of an uploaded file, or a ValidationError naming the file and the reason.

    `kinds`: what the field accepts (PHOTO, PDF or both); anything else is refused by name.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": uploaded.name, "size": _megabytes(uploaded.size), "limit": _megabytes(limit)},
            code="too_large",
        )
    uploaded.seek(0)
    header = uploaded.read(HEADER_BYTES)
    uploaded.seek(0)
    found = sniff(header)
    if found is None or found.kind not in kinds:
        if set(kinds) == {PHOTO}:
            message = _("“%(name)s” is not a photo (JPEG, PNG, WebP).")
        elif set(kinds) == {PDF}:
            message = _("“%(name)s” is not a PDF document.")
        else:
            message = _("“%(name)s” is not a photo (JPEG, PNG, WebP) or a PDF document.")
        raise ValidationError(message % {"name": uploaded.name}, code="wrong_type")
    return found


def stored_file_response(field_file, *, content_type: str, filename: str) -> FileResponse:
    """A checked, stored file as a response: photos shown in the page, PDFs downloaded; 404 if gone.

    `content_type` is the one sniffed at upload; the browser is told not to second-guess it, and the
    download is named with that type's extension, whatever the uploader's name ended in.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=download_filename(filename, content_type=content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
