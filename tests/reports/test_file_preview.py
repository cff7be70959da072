"""A handler looks at a source's photo or PDF as pages drawn to PNG in the isolated worker,
instead of opening a possibly hostile file on their own machine. Access is a download's,
each look is audited, nothing is written to disk, and a decompression bomb is refused."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image

from sealbox.web.security import SEALED_OFF
from tests import staff_kit, support

PREVIEW_PAGE = re.compile(
    r'<img src="(/staff/reports/[0-9a-f]{32}/files/[0-9a-f]{32}/preview/\d+\.png)"'
)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3200, 2000), "teal").save(out, "JPEG", quality=70)
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    first, *rest = [Image.new("RGB", (300, 420), (40 * n % 255, 90, 160)) for n in range(pages)]
    first.save(out, "PDF", save_all=True, append_images=rest)
    return out.getvalue()


def _bomb() -> bytes:
    """A PNG that says it is 40,000 × 40,000 pixels (1.6 G) in a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 40_001 * 8, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.fixture
def case(services, client, other_client):
    """(handler's browser, report id, {file name: file id}) of a report with three files."""
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    files = [("till.jpg", _photo()), ("ledger.pdf", _pdf(7)), ("huge.png", _bomb())]
    sent = support.submit(client, "fraud", "photos of the till and the ledger", files)
    assert sent.status_code == 200, sent.text
    support.decide_held(client, sent.text, "send")  # what the cleaner could not clean
    support.staff_login(other_client, services, hana)
    report_id = staff_kit.report_id_of(services, "fraud")
    page = other_client.get(f"/staff/reports/{report_id}").text
    names = dict(
        (name, file_id)
        for file_id, name in re.findall(r'/files/([0-9a-f]{32})" download>([^<]+)</a>', page)
    )
    assert set(names) == {"till.jpg", "ledger.pdf", "huge.png"}, page
    return other_client, report_id, names


def _data_files(services) -> dict[str, int]:
    root = services.settings.data_dir
    return {
        str(path.relative_to(root)): path.stat().st_size
        for path in root.rglob("*")
        if path.is_file() and "sealbox.db" not in path.name
    }


def test_a_photo_and_the_first_pages_of_a_pdf_are_drawn_to_png(services, case):
    browser, report_id, files = case
    report_page = browser.get(f"/staff/reports/{report_id}").text
    assert report_page.count('<details class="preview">') == 3
    before = _data_files(services)

    photo = browser.get(f"/staff/reports/{report_id}/files/{files['till.jpg']}/preview")
    assert photo.status_code == 200 and "drawn on the server" in photo.text
    [photo_url] = PREVIEW_PAGE.findall(photo.text)
    drawn = browser.get(photo_url)
    assert drawn.status_code == 200
    assert drawn.headers["content-type"] == "image/png"
    assert drawn.headers["content-disposition"].startswith("inline")
    assert drawn.headers["cache-control"] == "no-store"
    assert drawn.headers["content-security-policy"] == SEALED_OFF
    assert drawn.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(drawn.content))
    assert image.format == "PNG" and max(image.size) == 1600 and not image.info.get("exif")

    ledger = browser.get(f"/staff/reports/{report_id}/files/{files['ledger.pdf']}/preview")
    assert "The first 5 of 7 pages are shown" in ledger.text
    urls = PREVIEW_PAGE.findall(ledger.text)
    assert len(urls) == 5
    for url in urls:
        page = browser.get(url)
        assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
        assert Image.open(io.BytesIO(page.content)).size[1] == 1600
    assert browser.get(urls[-1].replace("/5.png", "/6.png")).status_code == 404

    assert _data_files(services) == before, "nothing of a preview is written to disk"
    looks = [
        details
        for _, action, details in support.audit_entries(services, f"report:{report_id}")
        if action == "file_previewed"
    ]
    assert [d["page"] for d in looks] == [0, 1, 0, 1, 2, 3, 4, 5]
    assert not any(file_id in str(looks) for file_id in files.values())


def test_a_decompression_bomb_is_refused_with_a_clear_message(case):
    browser, report_id, files = case
    base = f"/staff/reports/{report_id}/files/{files['huge.png']}"
    page = browser.get(f"{base}/preview")
    assert page.status_code == 413
    assert "too large to draw safely" in page.text
    assert browser.get(f"{base}/preview/1.png").status_code == 413
    assert browser.get(base).status_code == 200, "the download remains"


def test_only_a_holder_of_the_report_key_sees_a_preview(services, case):
    browser, report_id, files = case
    ivan = staff_kit.account(services, "ivan", "handler")
    staff_kit.channel(services, "safety", ["ivan"])
    admin = staff_kit.account(services, "root", "admin")
    photo = f"/staff/reports/{report_id}/files/{files['till.jpg']}"
    for account in (ivan, admin):
        with staff_kit.browser(services) as other:
            support.staff_login(other, services, account)
            assert other.get(f"{photo}/preview").status_code == 404
            assert other.get(f"{photo}/preview/1.png").status_code == 404
    # A file id of one report under another report's address: not found either.
    staff_kit.channel(services, "hr", ["hana"])
    with staff_kit.browser(services) as source:
        support.submit(source, "hr", "another report")
    other_report = staff_kit.report_id_of(services, "hr")
    crossed = f"/staff/reports/{other_report}/files/{files['till.jpg']}/preview/1.png"
    assert browser.get(crossed).status_code == 404
    assert browser.get(f"/staff/reports/{report_id}/files/{'0' * 32}/preview").status_code == 404
