from sealbox.scrub import CleanResult, Finding, Notice, Outcome
from sealbox.scrub.messages import known_codes
from sealbox.scrub.model import merge_findings


def test_texts_go_through_gettext_and_count():
    assert Finding("dates", 3).text() == "3 dates"
    assert Finding("dates", 1).text() == "1 date"
    assert Finding("gps").text(lambda s: s.upper()) == "GPS POSITION"
    assert Notice("unsupported", subject="x/y").text() == (
        "Cannot be cleaned: this type of file (x/y) is not supported."
    )


def test_every_code_renders():
    for code in known_codes():
        assert Notice(code, 2, "name").text()


def test_summary_and_json():
    result = CleanResult(
        Outcome.CLEANED,
        "image/jpeg",
        b"x",
        (Finding("gps"), Finding("camera_serial"), Finding("dates", 3), Finding("thumbnail")),
        (Notice("image_content"),),
    )
    assert result.summary() == (
        "Removed: GPS position; camera make, model and serial number; 3 dates; embedded thumbnail"
    )
    js = result.to_json()
    assert js["outcome"] == "cleaned" and js["removed"][2] == {
        "code": "dates",
        "text": "3 dates",
        "count": 3,
    }
    assert "data" not in js


def test_merge_adds_counts_and_folds_repeats():
    merged = merge_findings(
        [Finding("gps"), Finding("dates", 2), Finding("gps"), Finding("dates", 1)]
    )
    assert merged == (Finding("gps"), Finding("dates", 3))
