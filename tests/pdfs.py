"""Reading a produced PDF back as a person would: it opens, how many pages, the text on them."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader

# Kangxi radicals and the CJK radicals supplement, to the ideographs they stand for.
RADICALS = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in range(0x2E80, 0x2FE0)
    if unicodedata.normalize("NFKC", chr(code)) != chr(code)
}


def open_pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), data[:40]
    return PdfReader(io.BytesIO(data))


def pdf_pages_text(data: bytes) -> list[str]:
    """The extracted text of each page (real text, not pictures of it), spaces removed: CJK extraction
    puts spaces between some glyphs. Some fonts map a glyph to its Kangxi radical (⽀ for 支): those are
    read as the character they stand for."""
    return ["".join(page.extract_text().split()).translate(RADICALS) for page in open_pdf(data).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages_text(data))
