import json
import subprocess
import sys

from . import builders
from .oracle import markers


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sealbox.scrub", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_cleans_next_to_the_input_and_prints_findings(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(builders.jpeg())
    proc = run(photo)
    assert proc.returncode == 0, proc.stderr
    assert "GPS position" in proc.stdout
    clean_copy = tmp_path / "photo.clean.jpg"
    assert markers(clean_copy.read_bytes()) == set()


def test_json_output_dir_and_exit_code_for_uncleanable(tmp_path):
    photo, blob = tmp_path / "photo.jpg", tmp_path / "blob.bin"
    photo.write_bytes(builders.jpeg())
    blob.write_bytes(b"\x00\x01binary")
    proc = run("--json", "-o", tmp_path / "out", photo, blob)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert [r["outcome"] for r in report] == ["cleaned", "cannot_clean"]
    assert (tmp_path / "out" / "photo.jpg").exists() and not (
        tmp_path / "out" / "blob.bin"
    ).exists()
    assert report[1]["reason"]["code"] == "unsupported"


def test_missing_file_is_a_usage_error_without_traceback(tmp_path):
    proc = run(tmp_path / "nope.pdf")
    assert proc.returncode == 2
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_the_command_says_what_content_went(tmp_path):
    from .test_hidden_content import pptx_with_hidden_slide_and_notes

    deck = tmp_path / "deck.pptx"
    deck.write_bytes(pptx_with_hidden_slide_and_notes())
    proc = run(deck)
    assert proc.returncode == 0, proc.stderr
    assert (
        "1 hidden slide and the speaker notes were removed; "
        "paste them into your report if they matter." in proc.stdout
    )
