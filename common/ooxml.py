"""What an Office Open XML package (.docx, .xlsx) says it is, read within bounds.

Every zip starts with the same bytes, so a zip of anything passes a signature check for .docx or
.xlsx. A package names its main part in its relationships (`_rels/.rels`, type officeDocument) and
that part's content type in `[Content_Types].xml`: a Word document's main part is
`…wordprocessingml.document.main+xml`, a workbook's `…spreadsheetml.sheet.main+xml` (macro-enabled
files have other types). Only these two small parts are read, with the bounded expat reader of
common.xlsx (DTDs refused); nothing else is inflated.
"""
from __future__ import annotations

import posixpath
import zipfile
import zlib
from xml.parsers import expat

from .xlsx import Budget, SmallPart, SpreadsheetError

WORD_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
OFFICE_DOCUMENT_RELATIONSHIPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",  # ISO strict
)
# Word and Excel files with pictures have a few hundred parts; the two parts read are a few KB.
MAX_ENTRIES = 5_000
MAX_READ_BYTES = 2 * 1024 * 1024


class _PackageRelationships(SmallPart):
    def __init__(self):
        super().__init__()
        self.main_targets: list[str] = []

    def start(self, local, attributes):
        if local == "Relationship" and attributes.get("Type") in OFFICE_DOCUMENT_RELATIONSHIPS:
            self.main_targets.append(attributes.get("Target", ""))


class _ContentTypes(SmallPart):
    def __init__(self):
        super().__init__()
        self.defaults: dict[str, str] = {}
        self.overrides: dict[str, str] = {}

    def start(self, local, attributes):
        if local == "Default":
            self.defaults[attributes.get("Extension", "").lower()] = attributes.get("ContentType", "")
        elif local == "Override":
            self.overrides[attributes.get("PartName", "").lower()] = attributes.get("ContentType", "")

    def of(self, part: str) -> str:
        return self.overrides.get("/" + part.lower()) or self.defaults.get(posixpath.splitext(part)[1][1:].lower(), "")


def main_part_content_type(file) -> str | None:
    """The content type of the package's main part; None when `file` (a binary file object) is not
    an OOXML package with exactly one main part that it holds."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if len(names) > MAX_ENTRIES or not {"[Content_Types].xml", "_rels/.rels"} <= names:
                return None
            budget = Budget(MAX_READ_BYTES)
            relationships, content_types = _PackageRelationships(), _ContentTypes()
            relationships.parse(archive, "_rels/.rels", budget)
            content_types.parse(archive, "[Content_Types].xml", budget)
    except (SpreadsheetError, expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError, ValueError, KeyError):
        return None
    finally:
        file.seek(0)
    if len(relationships.main_targets) != 1:
        return None
    main = posixpath.normpath(relationships.main_targets[0].lstrip("/"))
    return content_types.of(main) if main in names else None
