"""Hostile .xlsx files, built in memory from a real workbook: what an attacker's probe sends.

Each builder returns the XML of a part (bytes, or a generator of chunks for the big ones) to put
into a workbook with `repacked`; a few KB of zip can carry hundreds of MB of XML.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterable
from io import BytesIO

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"


def repacked(content: bytes, *, replace=None, extra=()) -> bytes:
    """The workbook's zip with some parts replaced (name → bytes or chunk generator) and extra parts."""
    replace = dict(replace or {})
    buffer = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        names = [entry.filename for entry in source.infolist()]
        for name in names + [name for name in replace if name not in names]:
            data = replace[name] if name in replace else source.read(name)
            with target.open(name, "w", force_zip64=True) as part:
                for chunk in ([data] if isinstance(data, bytes) else data):
                    part.write(chunk)
        for name, data in extra:
            target.writestr(name, data)
    return buffer.getvalue()


def sheet_part(content: bytes) -> bytes:
    return zipfile.ZipFile(BytesIO(content)).read(SHEET)


def with_sheet_data(sheet: bytes, rows: Iterable[bytes] | bytes) -> Iterable[bytes]:
    """`sheet`'s XML with its rows after the existing ones (header, compounds) replaced by `rows`."""
    head, _, _ = sheet.partition(b"</sheetData>")
    head = head[:head.index(b'<row r="2"')] if b'<row r="2"' in head else head
    yield head
    yield from ([rows] if isinstance(rows, bytes) else rows)
    yield b"</sheetData></worksheet>"


def cells_without_r(*, row: int, count: int) -> bytes:
    """The probe's file: one row of `count` cells with no `r`, each one column right of the last."""
    return b'<row r="%d">' % row + b"<c><v>1</v></c>" * count + b"</row>"


def huge_inline_string(*, cell: bytes, size: int) -> Iterable[bytes]:
    yield b'<row r="2"><c r="%s" t="inlineStr"><is><t>' % cell
    block = b"x" * (1024 * 1024)
    for _ in range(size // len(block)):
        yield block
    yield b"x" * (size % len(block))
    yield b"</t></is></c></row>"


def shared_strings(count: int, *, last: bytes) -> Iterable[bytes]:
    """A shared-strings part of `count` strings, the last of them `last`: a shared-strings bomb."""
    yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="%d" uniqueCount="%d">' % (MAIN, count, count)
    block = b"<si><t>x</t></si>" * 10_000
    for _ in range((count - 1) // 10_000):
        yield block
    yield b"<si><t>x</t></si>" * ((count - 1) % 10_000)
    yield b"<si><t>%s</t></si></sst>" % last


def nested(depth: int) -> Iterable[bytes]:
    yield b"<x>" * depth
    yield b"</x>" * depth


def billion_laughs(root: bytes) -> bytes:
    entities = b'<!ENTITY a0 "ha">' + b"".join(
        b'<!ENTITY a%d "%s">' % (n, b"&a%d;" % (n - 1) * 10) for n in range(1, 10))
    return b'<?xml version="1.0"?><!DOCTYPE %s [%s]><%s xmlns="%s">&a9;</%s>' % (root, entities, root, MAIN, root)


def rows_without_r(count: int) -> Iterable[bytes]:
    block = b"<row><c><v>1</v></c></row>" * 10_000
    for _ in range(count // 10_000):
        yield block
