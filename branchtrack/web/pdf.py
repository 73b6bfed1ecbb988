"""PDFs rendered from HTML templates by WeasyPrint: A4 portrait, the unit in the header, page numbers.

A PDF template extends `pdf/base.html` (running header with the unit's name, footer with the page
number and the generated date) and is styled by `static/css/pdf.css`, read once per process. Fonts
are the system's: Debian's fonts-noto-cjk (installed by `scripts/ensure_services.sh`), so Chinese text
is embedded as text, never as pictures.

Bounds, so one request or one job cannot take the machine:
- the renderer fetches nothing: no network, no file reads (`_fetcher`); images come in as
  data: URIs made here, downscaled (`image_data_uri`) before they reach the renderer;
- the callers cap what goes into one document (photos per report, rows per notice) and the
  year-end job renders one unit at a time into its zip, so memory follows one document, not the year.
"""

from __future__ import annotations

import base64
import io
import logging
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

logger = logging.getLogger(__name__)

STYLESHEET = "css/pdf.css"
PHOTO_MAX_PIXELS = 900  # the longer side of a photo in a PDF: ~7.5 cm at 300 dpi, plenty for A4
PHOTO_JPEG_QUALITY = 70
CONTENT_TYPE = "application/pdf"


@cache
def _fetcher():
    """Only data: URIs (the downscaled photos): no network, no file, no redirect, ever."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=5)


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find(STYLESHEET), url_fetcher=_fetcher())


@cache
def _fonts():
    # One font configuration per process: loading the CJK fonts is the slow part of a first render.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def generated_stamp() -> str:
    return date_format(timezone.localtime(), "Y-m-d H:i")


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """The PDF of `template` rendered with `context` (plus `generated_at`)."""
    from weasyprint import HTML

    html = render_to_string(template, {"generated_at": generated_stamp(), **context}, request=request)
    document = HTML(string=html, url_fetcher=_fetcher(), base_url="about:blank")
    return document.write_pdf(stylesheets=[_stylesheet()], font_config=_fonts())


def pdf_response(
    request, *, template: str, context: dict, filename: str, inline: bool = True
) -> HttpResponse:
    """A rendered PDF as the response; `filename` is what the browser saves it under."""
    from django.utils.http import content_disposition_header

    response = HttpResponse(render_pdf(template, context, request=request), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def image_data_uri(stored_file, *, max_pixels: int = PHOTO_MAX_PIXELS) -> str | None:
    """A stored photo downscaled to `max_pixels` on its longer side, as a JPEG data: URI.

    A missing or unreadable file gives None (the report says the photo is missing, never fails).
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with stored_file.open("rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (max_pixels, max_pixels))  # JPEG: decode at a smaller scale, less memory
            image.thumbnail((max_pixels, max_pixels))
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        logger.warning("Photo %s left out of a PDF: %s", getattr(stored_file, "name", "?"), exc)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(output.getvalue()).decode("ascii")
