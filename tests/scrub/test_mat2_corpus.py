"""Coverage against a peer's own test suite: every file like those of MAT2's `tests/data` is
cleaned through the isolated worker, except the deliberately damaged ones, which are held with
a reason; exiftool and MAT2's own inspector find nothing identifying in what comes out."""

import io
import zipfile

import pytest

from sealbox.scrub import CleanOptions, Outcome, WorkerLimits, clean_isolated

from .mat2_corpus import CASES, available
from .oracle import check_clean, mat2_findings

LIMITS = WorkerLimits(memory_bytes=1024**3, cpu_seconds=30, wall_seconds=60)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cleaned_or_held_as_damaged(case, tmp_path):
    if not available(case):
        pytest.skip(f"{case.needs} is needed to make {case.name} (scripts/install-test-deps)")
    result = clean_isolated(case.build(tmp_path), CleanOptions(), LIMITS)
    if case.expected == "damaged":
        assert result.outcome is Outcome.CANNOT_CLEAN and result.data is None
        assert result.reason.code in ("damaged", "member"), result.reason
        assert "damaged" in result.reason.text()
        return
    assert result.outcome is not Outcome.CANNOT_CLEAN, result.reason
    suffix = "." + case.name.rsplit(".", 1)[1]
    check_clean(result.data, tmp_path, suffix)
    out = tmp_path / f"clean{suffix}"
    out.write_bytes(result.data)
    assert mat2_findings(out) in (None, []), mat2_findings(out)
    if result.data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
            assert {i.create_system for i in zf.infolist()} == {3}
