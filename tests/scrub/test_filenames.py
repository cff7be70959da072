from hypothesis import given
from hypothesis import strategies as st

from sealbox.scrub.filenames import MAX_LENGTH, sanitise_filename


def test_paths_and_control_characters_are_removed():
    assert sanitise_filename("../../etc/passwd") == "passwd"
    assert sanitise_filename("C:\\Users\\me\\report.docx") == "report.docx"
    assert sanitise_filename("a\x00b\x1b\n.txt") == "ab.txt"
    assert sanitise_filename("\u202egpj.exe") == "gpj.exe"
    assert sanitise_filename("ئۇيغۇرچە.docx") == "ئۇيغۇرچە.docx"
    assert sanitise_filename("") == "file" and sanitise_filename("..") == "file"


@given(st.text(max_size=400))
def test_any_name_becomes_safe(name):
    safe = sanitise_filename(name)
    assert safe and len(safe) <= MAX_LENGTH
    assert "/" not in safe and "\\" not in safe and safe not in (".", "..")
    assert all(ch.isprintable() for ch in safe)
