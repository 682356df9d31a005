"""The PDF renderer fetches nothing a user chose, and the running header shows names exactly as typed, on one line."""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.reports import renderer, service
from tests.pdf_text import pdf_pages

pytestmark = pytest.mark.pdf

TOP_MARGIN_PT = 22 / 25.4 * 72  # the reports' @page top margin, where the running header sits


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append(self.path)
            body = b"body { color: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


# Names that end a CSS string the header would be written into (a newline ends a CSS string; quotes would be escaped
# by the templates), close its rules and point at {url}.
BREAKOUTS = {
    "import": "X\n;}}}} @import url({url}/import.css); @page {{ background: url({url}/page.png) }} .a {{",
    "page-background": "X\n;}}}} @page {{ background-image: url({url}/page-background.png) }} .b {{",
    "font-face": "X\n}}}} @font-face {{ font-family: Leak; src: url({url}/font.woff) }} html {{ font-family: Leak }} .c {{",
    "body-background": "X\n}}}} body {{ background: url({url}/body.png) }} .d {{",
    "margin-box-image": "X\n;}} @top-right {{ content: url({url}/margin.png) }} .e {{",
}


def page_text(pdf: bytes, index: int) -> str:
    return pdf_pages(pdf)[index]


def header_lines(pdf: bytes, page: int, tmp_path: Path) -> list[str]:
    """The lines of text in the top margin of a page (1-based), where the running header sits, as pdftotext reads them."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: scripts/test installs poppler-utils")
    path = tmp_path / "header.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-x", "0", "-y", "0", "-W", "3000",
                          "-H", str(int(TOP_MARGIN_PT)), "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("form", BREAKOUTS)
def test_a_report_fetches_no_url_that_a_name_points_at(db, catalogue, settings, world, listener, form):
    """A partner's name (in its report) and a cycle's name (in the summary) that would break out of CSS."""
    port, seen = listener
    world["a"].name = BREAKOUTS[form].format(url=f"http://127.0.0.1:{port}/partner")
    world["follow"].name = BREAKOUTS[form].format(url=f"http://127.0.0.1:{port}/cycle")
    db.flush()
    assert service.partner_report(db, catalogue, settings, world["fa"], "en").content.startswith(b"%PDF")
    assert service.cycle_summary(db, catalogue, settings, world["follow"], "es").content.startswith(b"%PDF")
    assert not seen, seen


def test_a_report_reads_no_file_that_a_name_points_at(db, catalogue, settings, world, tmp_path):
    from PIL import Image

    picture = tmp_path / "private.png"
    Image.new("RGB", (40, 40), "red").save(picture)
    for url in (picture.as_uri(), "file:///etc/passwd"):
        world["a"].name = f"X\n;}}}} body {{ background: url({url}) }} .a {{"[:200]  # a name holds 200 characters
        db.flush()
        pdf = service.partner_report(db, catalogue, settings, world["fa"], "en").content
        assert pdf.startswith(b"%PDF") and b"/Image" not in pdf  # rendered, without the file
        with pytest.raises(renderer.RefusedURL):
            renderer.asset_fetcher()(url)


def test_the_renderer_fetches_nothing_outside_the_apps_assets(tmp_path, listener):
    """Whatever the HTML asks for (a stylesheet, an image, an @import, a font): no request leaves the renderer, no
    file outside the app's assets is read, and the PDF is made all the same."""
    port, seen = listener
    url = f"http://127.0.0.1:{port}"
    from PIL import Image

    secret = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), "red").save(secret)
    html = (f'<html><head><link rel="stylesheet" href="{url}/link.css"><style>@import url("{url}/import.css");'
            f'@font-face {{ font-family: Leak; src: url({url}/font.woff) }} p {{ font-family: Leak }}'
            f'body {{ background: url({url}/bg.png) }}</style></head><body><p>Informe</p>'
            f'<img src="{url}/img.png" alt="a"><img src="{secret.as_uri()}" alt="b"><img src="file:///etc/passwd" alt="c">'
            f'<img src="../../../../../../../{secret}" alt="d"></body></html>')
    pdf = renderer.write_pdf(html, str(service.HERE))
    assert pdf.startswith(b"%PDF") and seen == []
    assert b"/Subtype /Image" not in pdf and b"/Image" not in pdf  # the local PNG was not read


def test_the_fetcher_refuses_everything_but_the_apps_assets(tmp_path):
    fetcher = renderer.asset_fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.org/font.woff", "ftp://example.org/x",
                (tmp_path / "x.css").as_uri(), (service.ROOT / "app" / "config.py").as_uri(),
                (renderer.ASSET_DIRS[0] / ".." / ".." / "config.py").as_uri(), "data:text/css,body{}"):
        with pytest.raises(renderer.RefusedURL):
            fetcher(url)
    css = renderer.ASSET_DIRS[0] / "app.css"
    response = fetcher(css.as_uri())
    try:
        assert response.read() == css.read_bytes()
    finally:
        response.close()


def render(db, catalogue, settings, world, kind: str, name: str, lang: str = "es") -> bytes:
    """The partner report of a partner called `name`, or the summary of a cycle called `name`."""
    if kind == "partner":
        world["a"].name = name
        db.flush()
        return service.partner_report(db, catalogue, settings, world["fa"], lang).content
    world["follow"].name = name
    db.flush()
    return service.cycle_summary(db, catalogue, settings, world["follow"], lang).content


@pytest.mark.parametrize("kind", ["partner", "summary"])
def test_the_running_header_shows_names_exactly_as_typed(db, catalogue, settings, world, tmp_path, kind):
    name = "Niños & Familias O'Neil <b> a\\b"
    pdf = render(db, catalogue, settings, world, kind, name)
    text = page_text(pdf, 1)  # page 2: the first with the running header
    assert name in text, text[:300]
    for escaped in ("&amp;", "&#39;", "&lt;", "&gt;", "&#34;", "&quot;"):
        assert escaped not in text, escaped
    (header,) = header_lines(pdf, 2, tmp_path)
    assert name in header


@pytest.mark.parametrize("kind", ["partner", "summary"])
def test_a_long_name_keeps_the_running_header_on_one_line(db, catalogue, settings, world, tmp_path, kind):
    words = "Regional Community Partnership for Youth Education and Workforce Opportunity"
    name = " ".join([words] * 3)[:200].strip()
    assert len(name) >= 195
    pdf = render(db, catalogue, settings, world, kind, name, "en")
    lines = header_lines(pdf, 2, tmp_path)
    assert len(lines) == 1, lines
    assert name[:40] in lines[0] and "…" in lines[0] and len(lines[0]) < len(name), lines[0]


def test_an_emoji_in_a_name_is_printed_with_the_emoji_font(db, catalogue, settings, world, tmp_path):
    """Debian's color emoji font is installed with the other fonts; fontconfig's fallback takes it for the emoji alone.

    Not named in the reports' font stack: named there, WeasyPrint took it for digits, spaces and dashes too (wide
    monospaced figures, and text extraction in pieces)."""
    for script in ("test", "demo"):
        installs = [line for line in (service.ROOT / "scripts" / script).read_text().splitlines() if line.startswith("apt_install ")]
        assert any("fonts-noto-color-emoji" in line.split() for line in installs), script
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: scripts/test installs poppler-utils")
    name = "Alder 🌱 School District 2026"
    pdf = render(db, catalogue, settings, world, "partner", name, "en")
    path = tmp_path / "emoji.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "NotoColorEmoji" in fonts.replace("-", ""), fonts
    assert name in page_text(pdf, 0)
    assert header_lines(pdf, 2, tmp_path) == [f"{name} · Follow-up"]
