"""What a GraphQL request over HTTP must look like, checked before GraphQL sees it.

``POST /graphql`` with ``Content-Type: application/json`` and a body that is one JSON object:
``query`` a non-empty string (absent in persisted-only mode, where the hash names it),
``operationName`` a string or null, ``variables`` and ``extensions`` objects or null. The
body is parsed here, once, under two bounds the standard parser does not keep: nesting at
most ``MAX_JSON_DEPTH`` deep (a 60 KB body of ``[[[[…`` would otherwise exhaust the
interpreter's recursion), and no ``NaN``/``Infinity`` (not JSON; Python accepts them).
Anything else is a coded refusal (services/http/refusals.py), never a plain-text 400.
"""

from __future__ import annotations

import json
import re
from typing import Any

from services.http.refusals import RefusedError, bad_request

MAX_JSON_DEPTH = 64  # GraphQL inputs nest a few levels; 64 leaves room for any real client
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body`` (strings skipped), without recursion."""
    depth = deepest = 0
    for byte in _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _invalid_json(detail: str) -> RefusedError:
    return bad_request("INVALID_JSON", "Nội dung yêu cầu không phải JSON hợp lệ.",
                       f"The request body is not valid JSON ({detail}).")


def _shape(vi: str, en: str) -> RefusedError:
    return bad_request("INVALID_REQUEST", vi, en)


def parse_request(body: bytes, *, persisted_only: bool) -> dict[str, Any]:
    """The request's JSON object, or a ``RefusedError`` saying what is wrong with it."""
    if json_depth(body) > MAX_JSON_DEPTH:
        raise bad_request("JSON_TOO_DEEP",
                          f"Nội dung JSON lồng quá sâu (tối đa {MAX_JSON_DEPTH} tầng).",
                          f"The JSON body nests too deep (at most {MAX_JSON_DEPTH} levels).")
    try:
        payload: Any = json.loads(body, parse_constant=_not_a_number)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise _invalid_json(type(error).__name__ if isinstance(error, RecursionError)
                            else str(error)[:200]) from None
    if isinstance(payload, list):
        raise bad_request("BATCH_NOT_SUPPORTED", "Mỗi yêu cầu chỉ được chứa một thao tác.",
                          "Send one operation per request (batching is not supported).")
    if not isinstance(payload, dict):
        raise _shape("Nội dung yêu cầu phải là một đối tượng JSON {\"query\": …}.",
                     "The request body must be a JSON object {\"query\": …}.")
    query = payload.get("query")
    if query is not None and not isinstance(query, str):
        raise _shape("Trường 'query' phải là chuỗi.", "'query' must be a string.")
    if not persisted_only and not (query or "").strip():
        raise bad_request("QUERY_REQUIRED", "Yêu cầu không có truy vấn GraphQL ('query').",
                          "The request has no GraphQL document ('query').")
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        raise _shape("Trường 'operationName' phải là chuỗi.",
                     "'operationName' must be a string or null.")
    for key in ("variables", "extensions"):
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            raise _shape(f"Trường '{key}' phải là đối tượng JSON.",
                         f"'{key}' must be a JSON object or null.")
    return payload


def is_json(content_type: bytes) -> bool:
    """``application/json``, with or without parameters (``; charset=utf-8``)."""
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json"


def unsupported_media_type() -> RefusedError:
    return RefusedError(415, "UNSUPPORTED_MEDIA_TYPE",
                        "Chỉ nhận nội dung application/json.",
                        "Send the request as Content-Type: application/json.")


def method_not_allowed() -> RefusedError:
    return RefusedError(405, "METHOD_NOT_ALLOWED", "Chỉ nhận yêu cầu POST tới /graphql.",
                        "Send GraphQL requests with POST to /graphql.",
                        [(b"allow", b"POST")])
