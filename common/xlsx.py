"""Reading an .xlsx a user sent, with memory bounded by its real content and the caller's columns.

Excel readers trust the sheet's XML: calamine and openpyxl place each cell where its `r` attribute,
a counter of the cells without one or the claimed `<dimension>` says, then build the rectangle up to
the furthest cell. A 6 KB sheet of cells without `r` made calamine allocate a 20,000 × 16,384 grid
(10 GB); a single-quoted `r='XFD20000'` did the same past a scan that looked for double quotes.

This reader parses the worksheet itself, as XML, and keeps only what the caller asked for: the
first `columns` columns of the rows that have content (at most `max_rows` of them), each text at
most Excel's 32,767 characters, and of the shared strings only those the kept cells use. The bytes
inflated from every part count against one budget, so time is bounded too.

The worksheet and shared strings are read with regular expressions over a strict subset of XML:
tags, text and the predefined and numeric character references, which is all spreadsheet writers
produce. Comments, CDATA, processing instructions and DTDs (hence entities) are refused, so every
`<` starts a tag and the expressions see the document as an XML parser would; anything they do not
match is refused as a damaged file. (Python's expat, called back per element, took seven times as
long as calamine on a 5,000-row sheet.) The small parts (workbook, relationships, styles) go
through expat, with DTDs refused.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

# Excel's own limits.
MAX_CELL_CHARACTERS = 32_767
MAX_COLUMN = 16_384
MAX_ROW = 1_048_576
MAX_FORMATS = 64_000
CHUNK = 256 * 1024
# A row's XML larger than this is not a spreadsheet row (21 full cells of Chinese text are ~2 MB).
MAX_ROW_BYTES = 8 * 1024 * 1024
# The workbook, its relationships and its styles: Excel's stay well under a megabyte.
MAX_SMALL_PART_BYTES = 10 * 1024 * 1024
MAX_SMALL_PART_DEPTH = 32

_NAME = rb"[A-Za-z_][\w.-]*"
_PREFIX = rb"(?:" + _NAME + rb":)?"
# Attributes exactly as XML writes them; `<` may not appear in a value, `>` may.
_ATTRIBUTES = rb"((?:\s+" + _PREFIX + _NAME + rb"""\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*"""
_ATTRIBUTE_RE = re.compile(rb"(" + _PREFIX + _NAME + rb""")\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")


def _element(local: bytes) -> re.Pattern:
    """One element (empty, or with its content up to its end tag), after optional whitespace."""
    return re.compile(rb"\s*<" + _PREFIX + local + _ATTRIBUTES + rb"(?:/>|>(.*?)</" + _PREFIX + local + rb"\s*>)",
                      re.S)


_ROW_RE = _element(rb"row")
_CELL_RE = _element(rb"c")
_ITEM_RE = _element(rb"si")
_EXTENSIONS_RE = _element(rb"extLst")
_SHEET_DATA_RE = re.compile(rb"<" + _PREFIX + rb"sheetData" + _ATTRIBUTES + rb"(/?)>")
_STRINGS_RE = re.compile(rb"<" + _PREFIX + rb"sst" + _ATTRIBUTES + rb"(/?)>")
_VALUE_RE = re.compile(rb"<" + _PREFIX + rb"v\s*>([^<]*)</" + _PREFIX + rb"v\s*>")
_INLINE_RE = re.compile(rb"<" + _PREFIX + rb"is\s*>(.*?)</" + _PREFIX + rb"is\s*>", re.S)
_PHONETIC_RE = re.compile(rb"<" + _PREFIX + rb"rPh\b.*?</" + _PREFIX + rb"rPh\s*>", re.S)
_TEXT_RE = re.compile(rb"<" + _PREFIX + rb"t" + _ATTRIBUTES + rb">([^<]*)</" + _PREFIX + rb"t\s*>")
_FORMULA_RE = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_HIDDEN_MARKUP_RE = re.compile(rb"<[!?]")
_NEXT_TAG_RE = re.compile(rb"\s*<(/?)" + _PREFIX + rb"(" + _NAME + rb")")
_DECLARATION_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^<>]*?\?>")
_REFERENCE_RE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# A cell as spreadsheet programs write it, in one expression: r, s and t in the usual places, a
# plain value or inline text, no formula.
_PLAIN_CELL = (rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,5})")?(?: t="([A-Za-z]{1,9})")?'
               rb'(?: s="([0-9]{1,5})")?(?:/>|>(?:<v>([^<]*)</v>|<v ?/>|<is><t(?: xml:space="preserve")?>([^<]*)'
               rb'</t></is>)?</c>)')
_PLAIN_CELL_RE = re.compile(_PLAIN_CELL)
_PLAIN_ROW_RE = re.compile(rb"(?:" + _PLAIN_CELL + rb")*")
# Runs of shared strings as spreadsheet programs write them, to skip the ones no kept cell uses.
_PLAIN_STRING = rb'\s*<si><t(?: xml:space="preserve")?>[^<]*</t></si>'
_PLAIN_STRING_RUNS = [(count, re.compile(rb"(?:" + _PLAIN_STRING + rb"){%d}" % count))
                      for count in (10_000, 1_000, 100, 10)]
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class SpreadsheetError(Exception):
    """The file cannot be read within the bounds; the message is Chinese, meant for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def damaged() -> SpreadsheetError:
    return SpreadsheetError(_("文件已损坏或格式不受支持，请在 Excel 中重新保存为 .xlsx 后上传"))


@dataclass
class Row:
    number: int  # as Excel shows it, from 1
    values: list  # the kept columns up to the last one with content; None where a cell is empty
    last_column: int  # the furthest column with content, kept or not


@dataclass
class Sheet:
    name: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Workbook:
    sheet_names: list[str]
    sheets: dict  # the requested sheets that exist, by the key they were asked for


class Budget:
    """Inflated bytes left for all the parts read from one file."""

    def __init__(self, limit: int):
        self.limit, self.left = limit, limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise SpreadsheetError(_("文件解压后过大（上限 %(mb)s MB），请删除多余的行、列和工作表后重新上传") % {
                "mb": round(self.limit / 1024 / 1024, 1)})


class _Part:
    """A part's inflated bytes as a growing window: `data[position:]` is what is still to be read."""

    def __init__(self, stream, budget: Budget):
        self.stream, self.budget = stream, budget
        self.data, self.position, self.ended, self.read_any = b"", 0, False, False

    def more(self) -> bool:
        """Read on, at least doubling what is waiting (so a long element costs linear time); False at the end."""
        if self.ended:
            return False
        waiting = self.data[self.position:]
        want = max(CHUNK, len(waiting))
        if len(waiting) > MAX_ROW_BYTES:
            raise SpreadsheetError(_("工作表中有一行内容过多，请检查文件"))
        parts = [waiting]
        while want > 0:
            chunk = self.stream.read(min(CHUNK, want))
            if not chunk:
                self.ended = True
                break
            self.budget.take(len(chunk))
            parts.append(chunk)
            want -= len(chunk)
        fresh = b"".join(parts)
        # A character that starts hidden markup may straddle the previous window's end.
        if _HIDDEN_MARKUP_RE.search(fresh, 0 if not self.read_any else max(0, len(waiting) - 1)):
            if not self.read_any and (declaration := _DECLARATION_RE.match(fresh)):
                if b"encoding" in declaration[0] and not re.search(rb"""encoding\s*=\s*["']utf-8["']""",
                                                                   declaration[0], re.I):
                    raise damaged()
                if _HIDDEN_MARKUP_RE.search(fresh, declaration.end()):
                    raise damaged()
            else:
                raise damaged()
        self.read_any = True
        self.data, self.position = fresh, 0
        return True

    def next_tag(self) -> tuple[bool, bytes] | None:
        """Whether the next tag closes an element, and its local name; None when no tag comes next."""
        while True:
            found = _NEXT_TAG_RE.match(self.data, self.position)
            if found and found.end() < len(self.data):
                return found[1] == b"/", found[2]
            if not self.more():
                return (found[1] == b"/", found[2]) if found else None

    def take(self, pattern: re.Pattern) -> re.Match:
        """The element `pattern` matches at the current position (reading on until it is whole)."""
        while (found := pattern.match(self.data, self.position)) is None:
            if not self.more():
                raise damaged()
        self.position = found.end()
        return found

    def skip_to(self, pattern: re.Pattern) -> re.Match:
        """Past the next match of `pattern`, dropping what comes before it."""
        while (found := pattern.search(self.data, self.position)) is None or found.end() == len(self.data):
            if found is None:
                self.position = max(self.position, len(self.data) - 1024)
            if not self.more():
                if found is None:
                    raise damaged()
                break
        self.position = found.end()
        return found


def _attributes(text: bytes) -> dict[bytes, bytes]:
    found = _ATTRIBUTE_RE.findall(text)
    attributes = {name: double or single for name, double, single in found}
    if len(attributes) != len(found):
        raise damaged()  # an attribute twice is not XML
    return attributes


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        name = match[1]
        if name[0] != "#":
            return _ENTITIES[name]
        code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
        if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF) or 0xFFFE <= code <= 0xFFFF:
            raise damaged()
        return chr(code)

    unescaped = _ENTITY_RE.sub(replace, text)
    if "&" in _ENTITY_RE.sub("", text):
        raise damaged()  # an entity XML does not define
    return unescaped


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise damaged() from None
    if "&" in text:
        text = _unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CELL_CHARACTERS:
        raise SpreadsheetError(_("单元格内容过长（超过 %(limit)s 个字符），请检查文件") % {"limit": MAX_CELL_CHARACTERS})
    return text


def _rich_text(content: bytes) -> str:
    """The text of an inline or shared string: its runs' `<t>` joined, phonetic guides left out."""
    if b"rPh" in content:
        content = _PHONETIC_RE.sub(b"", content)
    if len(content) > 4 * MAX_CELL_CHARACTERS + 64 * 1024:
        raise SpreadsheetError(_("单元格内容过长（超过 %(limit)s 个字符），请检查文件") % {"limit": MAX_CELL_CHARACTERS})
    return _text(b"".join(match[2] for match in _TEXT_RE.finditer(content)))


class _SharedString(int):
    """A kept cell's index into the shared strings, resolved once the sheet is read."""


_COLUMN_NUMBERS: dict[bytes, int] = {}


def _column_number(letters: bytes) -> int:
    number = _COLUMN_NUMBERS.get(letters)
    if number is None:
        number = 0
        for letter in letters:
            number = number * 26 + letter - 64
        if len(_COLUMN_NUMBERS) < MAX_COLUMN:
            _COLUMN_NUMBERS[letters] = number
    return number


class _SheetReader:
    """The rows of one worksheet part. A row written the way spreadsheet programs write it (`r` on
    every cell, values in `<v>` or a plain inline `<t>`) is read by one expression in C; any other
    row, cell by cell, by the general expressions. Both give the same values."""

    def __init__(self, *, columns: int, max_rows: int, allow_formulas: bool, date_styles: frozenset[int], epoch):
        self.columns, self.max_rows, self.allow_formulas = columns, max_rows, allow_formulas
        self.date_styles, self.epoch = date_styles, epoch
        self.max_cells = max_rows * 64
        self.cells = 0
        self.shared: set[int] = set()

    def read(self, part: _Part) -> list[Row]:
        if part.skip_to(_SHEET_DATA_RE)[2] == b"/":
            return []
        rows: list[Row] = []
        number = 0
        while (tag := part.next_tag()) == (False, b"row"):
            found = part.take(_ROW_RE)
            number = self._row_number(_attributes(found[1]), number)
            if found[2] and (row := self._row(number, found[2])) is not None:
                rows.append(row)
        if tag != (True, b"sheetData"):
            raise damaged()
        return rows

    def _row_number(self, attributes: dict, previous: int) -> int:
        text = attributes.get(b"r")
        if text is None:
            number = previous + 1
        elif text.isdigit() and len(text) <= 7:
            number = int(text)
        else:
            raise damaged()
        # Rows come in order, as every writer puts them; a row out of order is a crafted file.
        if not previous < number <= MAX_ROW:
            raise damaged()
        if number > self.max_rows:
            raise SpreadsheetError(_("工作表行数过多（第 %(row)s 行有内容，上限 %(limit)s 行），请删除多余的行") % {
                "row": number, "limit": self.max_rows})
        return number

    def _count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self.max_cells:
            raise SpreadsheetError(_("工作表单元格过多，请删除多余的行和列后重新上传"))

    def _row(self, number: int, content: bytes) -> Row | None:
        plain = _PLAIN_ROW_RE.fullmatch(content)
        values: list = []
        last = 0
        for column, kind, raw, style in (self._plain_cells if plain else self._cells)(number, content):
            if column > self.columns:
                if raw.strip():
                    last = column
                continue
            value = self._convert(kind, raw, style)
            if value is None or value == "":
                continue
            if len(values) < column:
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
            last = column
        return Row(number, values, last) if last else None

    def _plain_cells(self, number: int, content: bytes):
        """(column, type, value bytes, style) of each cell with a value, from the one expression."""
        cells = _PLAIN_CELL_RE.findall(content)
        self._count(len(cells))
        row_digits = str(number).encode()
        previous = 0
        for letters, digits, style, kind, style_after, text, inline in cells:
            column = _column_number(letters)
            if digits != row_digits or column <= previous or column > MAX_COLUMN:
                raise damaged()
            previous = column
            raw = inline if kind == b"inlineStr" else text
            if raw:
                yield column, kind or b"n", raw, style or style_after

    def _cells(self, number: int, content: bytes):
        """The same, cell by cell, for a row in any form XML allows."""
        column = position = 0
        while position < len(content):
            found = _CELL_RE.match(content, position)
            if found is None:
                skipped = _EXTENSIONS_RE.match(content, position)
                if skipped is None:
                    if content[position:].isspace():
                        return
                    raise damaged()
                position = skipped.end()
                continue
            position = found.end()
            self._count(1)
            attributes = _attributes(found[1]) if found[1] else {}
            column = self._column(attributes.get(b"r"), number, column)
            body = found[2]
            if not body:
                continue
            if not self.allow_formulas and _FORMULA_RE.search(body):
                raise SpreadsheetError(_("文件中含有公式，请将公式单元格改为直接填写数值后再上传"))
            kind = attributes.get(b"t", b"n")
            if kind == b"inlineStr":
                inline = _INLINE_RE.search(body)
                raw = _rich_text(inline[1]).encode() if inline else b""
            else:
                value = _VALUE_RE.search(body)
                raw = value[1] if value else b""
            if raw:
                yield column, kind, raw, attributes.get(b"s", b"")

    @staticmethod
    def _column(reference: bytes | None, row: int, previous: int) -> int:
        if reference is None:
            column = previous + 1
        else:
            found = _REFERENCE_RE.fullmatch(reference)
            if found is None or int(found[2]) != row:
                raise damaged()
            column = _column_number(found[1])
            # Cells come left to right, as every writer puts them.
            if column <= previous:
                raise damaged()
        if column > MAX_COLUMN:
            raise damaged()
        return column

    def _convert(self, kind: bytes, raw: bytes, style: bytes):
        """A cell's value from the bytes of its `<v>` (or, for an inline string, of its text)."""
        if kind == b"n":
            try:
                number = float(raw)
            except ValueError:
                return _text(raw)
            # float() also takes inf, nan and 1_000, which no spreadsheet writes as a number.
            if number - number != 0 or b"_" in raw:
                return _text(raw)
            if style and self.date_styles and style.isdigit() and len(style) < 6 and int(style) in self.date_styles:
                try:
                    return from_excel(number, self.epoch)
                except (ValueError, OverflowError):
                    return number
            return number
        if kind == b"s":
            if not raw.isdigit() or len(raw) > 9:
                raise damaged()
            index = int(raw)
            self.shared.add(index)
            return _SharedString(index)
        if kind == b"b":
            return raw.strip() in (b"1", b"true")
        if kind == b"e":
            return None
        return _text(raw)  # str, inlineStr, an ISO date (d), or a type Excel does not have


def _skip_strings(part: _Part, most: int) -> int:
    """Skip at most `most` shared strings, many at once where they are plain; how many were skipped."""
    for count, run in _PLAIN_STRING_RUNS:
        if count <= most:
            found = run.match(part.data, part.position)
            if found and found.end() < len(part.data):
                part.position = found.end()
                return count
    if part.next_tag() != (False, b"si"):
        raise damaged()  # a cell names a string the file does not have
    part.take(_ITEM_RE)
    return 1


def _shared_strings(part: _Part, wanted: set[int]) -> dict[int, str]:
    """The texts of the shared strings numbered in `wanted`; reading stops after the last of them."""
    found, index = {}, 0
    if part.skip_to(_STRINGS_RE)[2] == b"/":
        raise damaged()
    for target in sorted(wanted):
        while index < target:
            index += _skip_strings(part, target - index)
        if part.next_tag() != (False, b"si"):
            raise damaged()
        found[target] = _rich_text(part.take(_ITEM_RE)[2] or b"")
        index += 1
    return found


class SmallPart:
    """Expat over a small part, elements counted by local name, DTDs refused."""

    def __init__(self):
        self.depth = 0

    def parse(self, archive: zipfile.ZipFile, name: str, budget: Budget) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end

        def refuse(*_args):
            raise damaged()

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        read = 0
        with archive.open(name) as part:
            while chunk := part.read(CHUNK):
                read += len(chunk)
                budget.take(len(chunk))
                if read > MAX_SMALL_PART_BYTES:
                    raise damaged()
                parser.Parse(chunk, False)
            parser.Parse(b"", True)

    def _start(self, name, attributes):
        self.depth += 1
        if self.depth > MAX_SMALL_PART_DEPTH:
            raise damaged()
        self.start(name.rpartition(" ")[2], attributes)

    def _end(self, name):
        self.depth -= 1
        self.end(name.rpartition(" ")[2])

    def start(self, local: str, attributes: dict) -> None:
        pass

    def end(self, local: str) -> None:
        pass


class _WorkbookPart(SmallPart):
    """Sheet names with their relationship ids, in workbook order, and the date system."""

    def __init__(self):
        super().__init__()
        self.sheets: list[tuple[str, str]] = []
        self.epoch = CALENDAR_WINDOWS_1900

    def start(self, local, attributes):
        if local == "sheet":
            self.sheets.append((attributes.get("name", ""), attributes.get(f"{RELATIONSHIPS} id", "")))
        elif local == "workbookPr" and attributes.get("date1904") in ("1", "true"):
            self.epoch = CALENDAR_MAC_1904


class _RelationshipsPart(SmallPart):
    def __init__(self):
        super().__init__()
        self.targets: dict[str, str] = {}

    def start(self, local, attributes):
        if local == "Relationship":
            self.targets[attributes.get("Id", "")] = attributes.get("Target", "")


class _StylesPart(SmallPart):
    """Which cell formats (a cell's `s`) show a date."""

    def __init__(self):
        super().__init__()
        self.custom: dict[str, str] = {}
        self.formats: list[str] = []
        self.in_cell_formats = False

    def start(self, local, attributes):
        if local == "numFmt":
            self.custom[attributes.get("numFmtId", "")] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            self.in_cell_formats = True
        elif local == "xf" and self.in_cell_formats:
            self.formats.append(attributes.get("numFmtId", "0"))
        if len(self.custom) > MAX_FORMATS or len(self.formats) > MAX_FORMATS:
            raise damaged()

    def end(self, local):
        if local == "cellXfs":
            self.in_cell_formats = False

    def date_styles(self) -> frozenset[int]:
        def format_code(number: str) -> str:
            if number in self.custom:
                return self.custom[number]
            return BUILTIN_FORMATS.get(int(number), "General") if number.isdigit() and len(number) < 6 else "General"

        return frozenset(style for style, number in enumerate(self.formats) if is_date_format(format_code(number)))


def _part_name(target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts: list[str] = ["xl"]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def read_xlsx(file, *, columns: int, max_rows: int, max_uncompressed: int, sheets: tuple = (0,),
              allow_formulas: bool = False) -> Workbook:
    """The sheets in `sheets` (a position, or a name) that the workbook has, read within the bounds.

    `file` is a binary file object. Raises SpreadsheetError with a Chinese message when the file is
    not a readable .xlsx or goes past a bound.
    """
    budget = Budget(max_uncompressed)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError(_("无法读取该文件：它不是有效的 .xlsx 文件（可能是改了扩展名的 CSV 或其他文件）")) from exc
    try:
        with archive:
            return _read(archive, budget, columns=columns, max_rows=max_rows, sheets=sheets,
                         allow_formulas=allow_formulas)
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            KeyError, ValueError) as exc:
        # CRC or size mismatch, unknown compression, encryption, malformed XML: not a file Excel wrote.
        raise damaged() from exc


def _read(archive, budget, *, columns, max_rows, sheets, allow_formulas) -> Workbook:
    names = set(archive.namelist())
    workbook = _WorkbookPart()
    workbook.parse(archive, "xl/workbook.xml", budget)
    relationships = _RelationshipsPart()
    relationships.parse(archive, "xl/_rels/workbook.xml.rels", budget)
    date_styles = frozenset()
    if "xl/styles.xml" in names:
        styles = _StylesPart()
        styles.parse(archive, "xl/styles.xml", budget)
        date_styles = styles.date_styles()
    read, shared = {}, set()
    sheet_names = [name for name, _id in workbook.sheets]
    for key in sheets:
        position = key if isinstance(key, int) else (sheet_names.index(key) if key in sheet_names else None)
        if position is None or position >= len(workbook.sheets):
            continue
        name, relationship = workbook.sheets[position]
        part_name = _part_name(relationships.targets.get(relationship, ""))
        if part_name not in names:
            raise damaged()
        reader = _SheetReader(columns=columns, max_rows=max_rows, allow_formulas=allow_formulas,
                              date_styles=date_styles, epoch=workbook.epoch)
        with archive.open(part_name) as stream:
            read[key] = Sheet(name, reader.read(_Part(stream, budget)))
        shared |= reader.shared
    if shared:
        if "xl/sharedStrings.xml" not in names:
            raise damaged()
        with archive.open("xl/sharedStrings.xml") as stream:
            strings = _shared_strings(_Part(stream, budget), shared)
        for sheet in read.values():
            for row in sheet.rows:
                row.values = [strings[value] if type(value) is _SharedString else value for value in row.values]
    return Workbook(sheet_names, read)
