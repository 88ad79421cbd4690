"""The API reads JSON only, and refuses nesting deeper than any body it takes before decoding it.

Python's decoder recurses once per level: a body of a thousand `[` would exhaust the interpreter's
recursion limit (a 500) and even a few hundred levels cost every later recursive walk. No request
body of ours is more than a few levels deep.
"""
from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

MAX_JSON_DEPTH = 16

# A string (with its escapes) as one token, so the brackets inside it are not counted; or a bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int) -> bool:
    depth = 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in ("]", "}"):
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(_("请求内容不是有效的 %(encoding)s 文本。") % {"encoding": encoding}) from exc
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise ParseError(_("JSON 嵌套层数超过 %(limit)s 层。") % {"limit": MAX_JSON_DEPTH})
        try:
            return json.loads(text, parse_constant=_refuse_constant if api_settings.STRICT_JSON else None)
        except ValueError as exc:
            raise ParseError(_("JSON 格式有误：%(error)s") % {"error": exc}) from exc


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
