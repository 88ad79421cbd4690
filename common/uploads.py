"""Cheap structural checks of an uploaded .xlsx, done before it is read (common.xlsx).

A few hundred KB can inflate to gigabytes (zip bomb), and a zip's directory can lie about sizes.
So the zip is opened here first, its directory checked, and every part streamed with a hard cap on
the bytes actually inflated, while the XML is scanned for formulas. Where cells are and how many
is the reader's business: it parses the sheet, which a scan of the bytes cannot do faithfully.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and encrypted .xlsx)
CHUNK = 256 * 1024
# A tag cut by a chunk boundary is carried into the next chunk; no real tag comes near this long.
MAX_TAG = 64 * 1024
# Any XML element named f, with or without a namespace prefix: a cell formula (<formula1> is not).
FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def check_xlsx_container(file, *, max_uncompressed: int, max_entries: int, allow_formulas: bool = True) -> None:
    """Raise ValidationError (Chinese message) unless `file` (a binary file object) is a sane .xlsx zip."""
    file.seek(0)
    if file.read(len(OLE2_SIGNATURE)) == OLE2_SIGNATURE:
        raise ValidationError(_("这是旧版 Excel（.xls）或加密的文件，请在 Excel 中另存为 .xlsx 后上传"))
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(_("无法读取该文件：它不是有效的 .xlsx 文件（可能是改了扩展名的 CSV 或其他文件）")) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise ValidationError(_("文件内部条目过多（%(count)s 个，上限 %(limit)s 个），请使用本系统下载的模板") % {
                "count": len(entries), "limit": max_entries})
        for entry in entries:
            name = entry.filename
            if name.startswith(("/", "\\")) or "\\" in name or ":" in name or ".." in posixpath.normpath(name).split("/"):
                raise ValidationError(_("文件内部含有非法路径“%(name)s”，已拒绝") % {"name": name[:100]})
        names = {entry.filename for entry in entries}
        missing = [part for part in REQUIRED_PARTS if part not in names]
        if missing:
            raise ValidationError(_("文件缺少 Excel 工作簿的必需部分（%(parts)s），不是有效的 .xlsx 文件") % {
                "parts": "、".join(missing)})
        too_big = _("文件解压后过大（上限 %(mb)s MB），请删除多余的行、列和工作表后重新上传") % {
            "mb": round(max_uncompressed / 1024 / 1024, 1)}
        # The central directory's sizes first (free); they can lie, hence the cap while streaming below.
        if sum(entry.file_size for entry in entries) > max_uncompressed:
            raise ValidationError(too_big)
        corrupt = _("文件已损坏或格式不受支持，请在 Excel 中重新保存为 .xlsx 后上传")
        budget = max_uncompressed
        try:
            for entry in entries:
                with archive.open(entry) as part:
                    carried = b""
                    while chunk := part.read(min(CHUNK, budget + 1)):
                        budget -= len(chunk)
                        if budget < 0:
                            raise ValidationError(too_big)
                        window = carried + chunk
                        if not allow_formulas and FORMULA_RE.search(window):
                            raise ValidationError(_("文件中含有公式，请将公式单元格改为直接填写数值后再上传"))
                        cut = window.rfind(b"<")
                        carried = window[cut:] if cut >= 0 and window.find(b">", cut) < 0 else b""
                        if len(carried) > MAX_TAG:
                            raise ValidationError(corrupt)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # CRC or size mismatch, unknown compression, encryption: not a file Excel wrote.
            raise ValidationError(corrupt) from exc
