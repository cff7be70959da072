from sealbox.scrub import Outcome, clean

from .oracle import markers


def test_plain_text_csv_and_markdown_pass_through():
    for body in (b"hello\nworld\n", b"a,b\n1,2\n", "# Titel\n\n* ئۇيغۇر 中文\n".encode()):
        result = clean(body)
        assert result.outcome is Outcome.NOTHING_TO_REMOVE and result.kind == "text/plain"
        assert result.data == body
        assert result.summary() == "Nothing to remove."


def test_html_loses_meta_comments_and_title():
    page = (
        b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>PLANTEDXTITLE</title>"
        b"<meta name='author' content='PLANTEDXAUTHOR'>"
        b"<meta name='generator' content='PLANTEDXGEN'>"
        b"</head><body><!-- PLANTEDXCOMMENT -->"
        b"<p>Visible words</p></body></html>"
    )
    result = clean(page)
    assert result.kind == "text/html" and result.outcome is Outcome.CLEANED
    assert {"html_meta", "html_comments", "html_title"} == {f.code for f in result.removed}
    assert markers(result.data) == set() and b"Visible words" in result.data


def test_svg_and_rtf_are_not_mistaken_for_text():
    assert clean(b"<?xml version='1.0'?><svg/>").kind == "image/svg+xml"
    assert clean(b"<?xml version='1.0'?><note>words</note>").outcome is Outcome.CANNOT_CLEAN
    assert clean(b"{\\rtf1 {\\info{\\author x}}}").outcome is Outcome.CANNOT_CLEAN
