"""PDF: rewritten in full by pikepdf (qpdf) so no incremental-update history survives.

Removed: document info, XMP on the catalog and on every object, the trailer /ID (a fresh
content-derived one is written), PieceInfo, page thumbnails, comments and markup annotations
(sticky notes, highlights, drawings, stamps) with their authors, other annotations' authors
and dates,
JavaScript and other actions that run or fetch things, embedded and associated files, form
values (unless kept on purpose), and the metadata inside embedded JPEG images (their segments
are rebuilt losslessly; JPEG 2000 images are re-encoded).
"""

from __future__ import annotations

import io
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from sealbox.scrub import jpeg
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

KIND = "application/pdf"
_INFO_CODES = {
    "/Author": "author",
    "/Creator": "software",
    "/Producer": "software",
    "/Title": "title",
    "/Subject": "title",
    "/Keywords": "keywords",
    "/Company": "company",
    "/SourceModified": "dates",
}
_DROP_EVERYWHERE = {
    "/Metadata": "xmp",
    "/PieceInfo": "history",
    "/LastModified": "dates",
    "/Thumb": "thumbnail",
    "/AF": "embedded_files_af",
    "/SpiderInfo": "history",
}
_DROP_FROM_CATALOG = ("/OutputIntents", "/Perms", "/Legal", "/Threads", "/Collection", "/URI")
_RISKY_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/Sound",
    "/Movie",
    "/RichMediaExecute",
}
_MARKUP = {
    f"/{name}"
    for name in [
        "Text",
        "FreeText",
        "Line",
        "Square",
        "Circle",
        "Polygon",
        "PolyLine",
        "Highlight",
        "Underline",
        "Squiggly",
        "StrikeOut",
        "Stamp",
        "Caret",
        "Ink",
        "Popup",
        "Redact",
    ]
}
_ANNOT_PERSONAL = ("/T", "/M", "/CreationDate", "/NM")
_RESIDUAL = (Notice("document_content"),)


class _Sweep:
    """One pass over every object reachable from the trailer, removing and counting as it goes."""

    def __init__(self, pdf: pikepdf.Pdf, ctx: Context, modify: bool):
        self.pdf, self.ctx, self.modify = pdf, ctx, modify
        self.found: list[Finding] = []

    def note(self, code: str, count: int | None = None) -> None:
        self.found.append(Finding(code, count))

    def run(self) -> list[Finding]:
        pdf, trailer = self.pdf, self.pdf.trailer
        if "/Info" in trailer:
            self._info(trailer.Info)
            if self.modify:
                del trailer["/Info"]
        if "/ID" in trailer:
            self.note("document_ids")
            if self.modify:
                del trailer["/ID"]
        root = pdf.Root
        self._names(root)
        for key in _DROP_FROM_CATALOG:
            if key in root:
                if key == "/OutputIntents":
                    self.note("icc")
                if self.modify:
                    del root[key]
        if "/OpenAction" in root and self._risky(root.OpenAction):
            self.note("javascript")
            if self.modify:
                del root["/OpenAction"]
        if "/AcroForm" in root:
            self._form(root.AcroForm)
        for page in pdf.pages:
            self._annotations(page)
        self._walk(trailer)
        return self.found

    def _info(self, info: object) -> None:
        if not isinstance(info, Dictionary):
            return
        dates = 0
        for key in list(info.keys()):
            if key in ("/CreationDate", "/ModDate"):
                dates += 1
            else:
                self.note(_INFO_CODES.get(key, "custom_properties"))
        if dates:
            self.note("dates", dates)

    def _names(self, root: Dictionary) -> None:
        names = root.get("/Names")
        if not isinstance(names, Dictionary):
            return
        if "/JavaScript" in names:
            self.note("javascript")
            if self.modify:
                del names["/JavaScript"]
        if "/EmbeddedFiles" in names:
            count = _count_name_tree(names.EmbeddedFiles)
            self.note("embedded_files", max(count, 1))
            if self.modify:
                del names["/EmbeddedFiles"]

    def _form(self, form: object) -> None:
        if not isinstance(form, Dictionary):
            return
        if "/XFA" in form:
            self.note("form_values")
            if self.modify:
                del form["/XFA"]
        if self.ctx.options.keep_form_values:
            return
        stack = list(form.get("/Fields", Array()))
        seen: set[tuple[int, int]] = set()
        while stack:
            field = stack.pop()
            if not isinstance(field, Dictionary):
                continue
            if field.is_indirect:
                if field.objgen in seen:
                    continue
                seen.add(field.objgen)
            kids = field.get("/Kids")
            if isinstance(kids, Array):
                stack.extend(kids)
            if "/V" in field or "/RV" in field:
                self.note("form_values")
                if self.modify:
                    self._blank_field(field)

    def _blank_field(self, field: Dictionary) -> None:
        for key in ("/V", "/RV"):
            if key in field:
                del field[key]
        widgets = [field, *list(field.get("/Kids", Array()))]
        for widget in widgets:
            if not isinstance(widget, Dictionary):
                continue
            if "/AS" in widget:
                widget.AS = Name.Off
            elif "/AP" in widget:
                del widget["/AP"]  # the old appearance still shows the value

    def _annotations(self, page: pikepdf.Page) -> None:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            return
        keep = Array()
        for annot in annots:
            if not isinstance(annot, Dictionary):
                continue
            if annot.get("/Subtype") == Name.FileAttachment:
                self.note("embedded_files", 1)
                continue
            if annot.get("/Subtype") in (Name.RichMedia, Name.Screen, Name.Movie, Name.Sound):
                self.note("embedded_files", 1)
                continue
            if str(annot.get("/Subtype")) in _MARKUP:
                # Comments and markup, with their authors: Acrobat's "Remove hidden information"
                # and Office's Document Inspector remove them; their popups go with them.
                if annot.get("/Subtype") != Name.Popup:
                    self.note("document_comments", 1)
                continue
            if annot.get("/Subtype") != Name.Widget and any(k in annot for k in _ANNOT_PERSONAL):
                self.note("annotation_authors")
                if self.modify:
                    for key in _ANNOT_PERSONAL:
                        if key in annot:
                            del annot[key]
            keep.append(annot)
        if self.modify and len(keep) != len(annots):
            page.obj.Annots = keep

    def _risky(self, action: object) -> bool:
        return isinstance(action, Dictionary) and (
            action.get("/S") in {Name(n) for n in _RISKY_ACTIONS} or "/JS" in action
        )

    def _walk(self, start: object) -> None:
        seen: set[tuple[int, int]] = set()
        stack = [start]
        while stack:
            obj = stack.pop()
            if isinstance(obj, Dictionary | Stream):
                if obj.is_indirect:
                    if obj.objgen in seen:
                        continue
                    seen.add(obj.objgen)
                self._scrub_dict(obj)
                if isinstance(obj, Stream) and obj.get("/Subtype") == Name.Image:
                    self._image(obj)
                stack.extend(obj[k] for k in obj.keys())  # noqa: SIM118 - Stream needs keys()
            elif isinstance(obj, Array):
                if obj.is_indirect:
                    if obj.objgen in seen:
                        continue
                    seen.add(obj.objgen)
                stack.extend(obj)

    def _scrub_dict(self, obj: Dictionary | Stream) -> None:
        for key, code in _DROP_EVERYWHERE.items():
            if key in obj and not (key == "/Metadata" and obj.get("/Type") == Name.Metadata):
                code = code.removesuffix("_af")  # associated files: counted via the name tree
                self.note(code, 1 if code in ("xmp", "dates") else None)
                if self.modify:
                    del obj[key]
        for key in ("/A", "/AA", "/Next"):
            value = obj.get(key)
            if key == "/AA" and isinstance(value, Dictionary) or self._risky(value):
                self.note("javascript")
                if self.modify:
                    del obj[key]

    def _image(self, image: Stream) -> None:
        filt = image.get("/Filter")
        if isinstance(filt, Array) and len(filt) == 1:
            filt = filt[0]
        if filt == Name.DCTDecode:
            raw = image.read_raw_bytes()
            try:
                parsed = jpeg.parse(raw)
            except CannotClean:
                return  # not our JPEG to judge; viewers decode it as they can
            extra = jpeg._findings(parsed)  # noqa: SLF001 - same package
            if extra:
                self.note("embedded_media", 1)
                self.found.extend(extra)
                if self.modify:
                    image.write(jpeg.rebuild(parsed, keep_orientation=False), filter=Name.DCTDecode)
        elif filt == Name.JPXDecode:
            self.note("embedded_media", 1)
            if self.modify:
                _reencode_jpx(image)


def _reencode_jpx(image: Stream) -> None:
    """JPEG 2000 carries XML and UUID boxes; decode it and store the pixels with Flate."""
    pil = pikepdf.PdfImage(image).as_pil_image()
    if pil.mode not in ("L", "RGB", "CMYK"):
        pil = pil.convert("RGB")
    image.write(zlib.compress(pil.tobytes()), filter=Name.FlateDecode)
    image.ColorSpace = {"L": Name.DeviceGray, "RGB": Name.DeviceRGB, "CMYK": Name.DeviceCMYK}[
        pil.mode
    ]
    image.BitsPerComponent = 8
    for key in ("/SMaskInData", "/Decode", "/DecodeParms"):
        if key in image:
            del image[key]


def _count_name_tree(node: object, depth: int = 0) -> int:
    if not isinstance(node, Dictionary) or depth > 32:
        return 0
    count = len(node.get("/Names", Array())) // 2
    for kid in node.get("/Kids", Array()):
        count += _count_name_tree(kid, depth + 1)
    return count


def _open(data: bytes) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise CannotClean("encrypted") from exc
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise damaged(KIND) from exc
    if len(pdf.pages) == 0:
        raise damaged(KIND)
    return pdf


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """What identifying metadata the PDF holds."""
    with _open(data) as pdf:
        return tuple(_Sweep(pdf, ctx, modify=False).run())


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A fully rewritten copy without the metadata."""
    with _open(data) as pdf:
        found = _Sweep(pdf, ctx, modify=True).run()
        if pdf.get_warnings():
            raise damaged(KIND)  # qpdf had to guess at the structure: the file is not whole
        pdf.remove_unreferenced_resources()
        out = io.BytesIO()
        try:
            pdf.save(
                out,
                fix_metadata_version=False,
                deterministic_id=True,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                linearize=False,
            )
        except pikepdf.PdfError as exc:
            raise damaged(KIND) from exc
    residual = list(_RESIDUAL)
    if ctx.options.keep_form_values:
        residual.append(Notice("form_values_kept"))
    return Cleaned(out.getvalue(), tuple(found), tuple(residual))
