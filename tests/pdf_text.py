"""The text of a PDF, page by page, as poppler's pdftotext reads it.

pypdf's text extraction took about 0.15 s a page, half of the privacy harvest's time and much of the report tests';
pdftotext (a C program, installed by scripts/test with poppler-utils) reads a 27-page report in a few hundredths of a
second. Several tests read the same PDF: each one is read once.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile

import pytest


@functools.lru_cache(maxsize=16)
def pdf_pages(pdf: bytes) -> tuple[str, ...]:
    """Each page's text (pdftotext's reading order; the lines of a page end with newlines)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: scripts/test installs poppler-utils")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", file.name, "-"], check=True, capture_output=True).stdout
    pages = out.decode("utf-8").split("\f")
    return tuple(pages[:-1] if pages and not pages[-1].strip() else pages)


def page_words(pdf: bytes) -> tuple[str, ...]:
    """Each page's text with its runs of white space made one space."""
    return tuple(re.sub(r"\s+", " ", page).strip() for page in pdf_pages(pdf))


def pdf_words(pdf: bytes) -> str:
    """The whole text, its runs of white space made one space."""
    return " ".join(page_words(pdf))
