"""DRF parsers hardened against hostile bodies."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONObject(dict):
    """A JSON body's top-level object: its values have JSON's types, which validation keeps (mysite.validation)."""


class SafeJSONParser(JSONParser):
    """JSON whose nesting would exhaust the stack is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        return JSONObject(data) if type(data) is dict else data
