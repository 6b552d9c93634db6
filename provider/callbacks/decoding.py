"""Turn a callback body into Python data, whatever encoding the provider chose (§1.6, E-49).

Accepted, in this order:
1. raw JSON (any content type, when the text starts with ``{`` or ``[``);
2. a form (urlencoded or multipart) whose values are scalars or JSON text (``data={...}``);
3. a form in PHP bracket notation (``data[0][type]=1``), numeric keys becoming list indices;
4. a form whose only key is a JSON document with an empty value.

Form values that look like JSON are parsed recursively, because nested values (C3's inner
``data``, C12's ``info``) may themselves be JSON text.
"""

import json
import re
from io import BytesIO
from urllib.parse import parse_qsl

from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

# Top-level form fields that only ever hold an object or a list: JSON text in them that does
# not parse is a broken delivery, not a string. Elsewhere ("[微笑]" in a message) it is text.
CONTAINER_FIELDS = frozenset({"data", "info"})
_BRACKET_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


class DecodeError(ValueError):
    """The body is not a callback in any encoding this receiver accepts."""


def charset_of(content_type):
    """The charset named in a Content-Type header, utf-8 when none is given."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return "utf-8"


def media_type_of(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def decode_body(body, content_type=""):
    """Decode a delivery body into a dict (or a list for a bare JSON array); raise DecodeError.

    NUL characters are dropped from every key and value: they mean nothing in WeChat text and
    PostgreSQL refuses them in text and JSON columns, which would fail the delivery for good.
    """
    return without_nul(_decode(body, content_type))


def without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def _decode(body, content_type):
    body = bytes(body or b"")
    if not body.strip():
        raise DecodeError("empty body")
    charset = charset_of(content_type)
    media_type = media_type_of(content_type)

    if media_type == "multipart/form-data":
        pairs = _multipart_pairs(body, content_type, charset)
    else:
        try:
            text = body.decode(charset)
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"body is not valid {charset}: {exc}") from None
        stripped = text.lstrip("\ufeff \t\r\n")
        if media_type.endswith("json") or stripped[:1] in ("{", "["):
            try:
                return expand_json_strings(json.loads(stripped))
            except ValueError as exc:
                if media_type.endswith("json"):
                    raise DecodeError(f"invalid JSON body: {exc}") from None
                # A form whose first key merely starts with a bracket: fall through.
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding=charset, errors="strict")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"form field is not valid {charset}: {exc}") from None

    if not pairs:
        raise DecodeError("no form fields and no JSON in the body")
    if len(pairs) == 1 and pairs[0][1] == "" and pairs[0][0].lstrip()[:1] in ("{", "["):
        try:
            return expand_json_strings(json.loads(pairs[0][0]))
        except ValueError as exc:
            raise DecodeError(f"the only form key looks like JSON but is not: {exc}") from None
    return form_to_dict(pairs)


def _multipart_pairs(body, content_type, charset):
    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
    try:
        parser = MultiPartParser(meta, BytesIO(body), [], encoding=charset)
        post, _files = parser.parse()
    except (MultiPartParserError, ValueError) as exc:
        raise DecodeError(f"invalid multipart body: {exc}") from None
    assert isinstance(post, MultiValueDict)
    return [(key, value) for key, values in post.lists() for value in values]


def form_to_dict(pairs):
    """Rebuild form fields, PHP bracket notation included, into nested dicts and lists."""
    result = {}
    for key, value in pairs:
        if key in CONTAINER_FIELDS:
            value = _parse_container(key, value)
        else:
            value = expand_json_strings(value)
        match = _BRACKET_KEY.match(key)
        if not match:
            result[key] = value
            continue
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = result
        for index, part in enumerate(path[:-1]):
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
            if path[index + 1] == "":  # `a[]=x`: append
                path[index + 1] = str(len(node))
        node[path[-1]] = value
    return _lists_from_numeric_keys(result)


def _parse_container(key, value):
    stripped = value.strip()
    if stripped[:1] not in ("{", "["):
        return value
    try:
        return expand_json_strings(json.loads(stripped))
    except ValueError as exc:
        raise DecodeError(f"form field {key!r} holds invalid JSON: {exc}") from None


def _lists_from_numeric_keys(node):
    if isinstance(node, dict):
        node = {key: _lists_from_numeric_keys(value) for key, value in node.items()}
        if node and all(key.isdigit() for key in node):
            return [node[key] for key in sorted(node, key=int)]
        return node
    if isinstance(node, list):
        return [_lists_from_numeric_keys(value) for value in node]
    return node


def expand_json_strings(value):
    """Parse, recursively, string values that hold a JSON object or list; leave other text alone."""
    if isinstance(value, dict):
        return {key: expand_json_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_json_strings(item) for item in value]
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                return value
            if isinstance(parsed, dict | list):
                return expand_json_strings(parsed)
    return value
