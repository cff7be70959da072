import base64

from sealbox.scrub import Outcome, clean

from . import builders, mat2_corpus
from .oracle import markers


def test_drawing_keeps_shapes_and_links_and_loses_what_reaches_outside():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<a xlink:href="https://example.org/page"><text>link</text></a>'
        '<image xlink:href="http://tracker.example/pixel.png"/>'
        '<use href="file:///home/alice/icons.svg#star"/><rect width="3" height="3"/>'
        f'<image href="data:image/jpeg;base64,{base64.b64encode(builders.jpeg()).decode()}"/>'
        "</svg>"
    ).encode()
    result = clean(svg)
    assert result.outcome is Outcome.CLEANED
    assert b"https://example.org/page" in result.data and b"<rect" in result.data
    assert b"tracker.example" not in result.data and b"alice" not in result.data
    assert {"external_references", "paths", "embedded_media", "gps"} <= {
        f.code for f in result.removed
    }
    picture = result.data.split(b"base64,")[1].split(b'"')[0]
    assert markers(base64.b64decode(picture)) == set()


def test_inkscape_metadata_and_file_names_go():
    result = clean(mat2_corpus.svg(None))
    assert markers(result.data) == set() and b"inkscape" not in result.data


def test_entities_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>'
    assert clean(bomb).outcome is Outcome.CANNOT_CLEAN
