"""The test oracle: exiftool finds no identifying tag and no warning; no planted string survives."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

from .builders import MARK

IDENTIFYING = re.compile(
    r"GPS|Location|Make|Model|Serial|Owner|Artist|Author|Creator|LastModifiedBy|Company|Manager"
    r"|Software|Producer|CreatorTool|HostComputer|DocumentID|InstanceID|UniqueID|History|Date"
    r"|Comment|(?<!SampleGroup)Description|Title|Keywords|Subject|MakerNote|Thumbnail"
    r"|Preview(?!Time|Duration)|Copyright|By-?line|Caption|Printer|Template|Encoder|Writer"
    r"|ICC|ProfileDescription|ProfileCreator|DeviceManufacturer|DeviceModel|XMP|IPTC|Rsid|ParaId"
    r"|Revision"
    r"|Application|AppVersion|TotalEditTime|Lens|Camera|Person|Handler(?!Type|VendorID)",
    re.IGNORECASE,
)
# Values we write ourselves, the same for every file: normalised dates and muxer defaults.
NORMALISED = {
    "0000:00:00 00:00:00",
    "0000:00:00 00:00:00Z",
    "1980:01:01 00:00:00",
    "Lavf",
    "VideoHandler",
    "SoundHandler",
    "DataHandler",
    "Media Handler",
    "Data Handler",
    "",
}
_NOT_METADATA = re.compile(
    r"^(ExifTool|System|File|Composite):|:(FileType|MIMEType)$|ZipFileName$"
    r"|Zip(Modify)?Date$|ZipCRC$|ZipCompression"
)


def exiftool(path: Path) -> dict:
    out = subprocess.run(
        ["exiftool", "-j", "-a", "-u", "-G3:1", "-ee", str(path)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return json.loads(out)[0]


def problems(path: Path) -> list[str]:
    """Identifying tags and warnings exiftool reports for `path`."""
    found = []
    for key, value in exiftool(path).items():
        if key.endswith(("Warning", "Error")):
            found.append(f"{key}={value}")
            continue
        if key.startswith(("ExifTool:", "System:", "SourceFile")):
            continue
        tag = key.rsplit(":", 1)[-1]
        if "ICC" in key:
            found.append(f"{key}={value}")
            continue
        if tag.startswith("Zip") and not (
            tag == "ZipModifyDate" and value != "1980:01:01 00:00:00"
        ):
            continue
        if IDENTIFYING.search(tag) and value is not False and str(value) not in NORMALISED:
            found.append(f"{key}={value}")
    return found


def markers(data: bytes) -> set[str]:
    return {m.decode() for m in re.findall(re.escape(MARK).encode() + rb"\w*", data)}


def check_clean(data: bytes, tmp: Path, suffix: str) -> None:
    """Assert the oracle on a cleaned file (and every member if it is a ZIP)."""
    path = tmp / f"cleaned{suffix}"
    path.write_bytes(data)
    assert problems(path) == [], problems(path)
    assert markers(data) == set()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for i, info in enumerate(zf.infolist()):
                body = zf.read(info)
                assert markers(body) == set(), (info.filename, markers(body))
                assert info.date_time == (1980, 1, 1, 0, 0, 0)
                assert not info.comment
                if info.is_dir():
                    continue
                member = tmp / f"member{i}{Path(info.filename).suffix}"
                member.write_bytes(body)
                assert problems(member) == [], (info.filename, problems(member))
            assert not zf.comment
    if data.startswith(b"%PDF"):
        qdf = tmp / "cleaned.qdf.pdf"
        subprocess.run(
            ["qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf)], check=True
        )
        assert markers(qdf.read_bytes()) == set()


def mat2_findings(path: Path) -> list[str] | None:
    """Identifying entries `mat2 --show` lists for `path` (judged like exiftool's tags); None
    when MAT2 is missing or does not read this format."""
    import shutil

    if shutil.which("mat2") is None:
        return None
    proc = subprocess.run(
        ["mat2", "--show", str(path)], capture_output=True, text=True, check=False
    )
    text = proc.stdout + proc.stderr
    if "not supported" in text or "Traceback" in text:
        return None
    found = []
    for line in proc.stdout.splitlines()[1:]:
        key, sep, value = line.strip().partition(": ")
        if not sep or key.startswith("[++]") or value.strip() in (*NORMALISED, "-1"):
            continue
        if IDENTIFYING.search(key) or key in ("harmful data", "harmful metadata"):
            found.append(f"{key}={value}")
    if "something went wrong" in text:
        found.append(text.strip())
    return found
