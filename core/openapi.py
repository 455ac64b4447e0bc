"""Schema post-processing: document the error answers every endpoint can give.

drf-spectacular describes the successful answers it can see; clients and the
schema checks also need the errors, which all share one JSON shape.
"""

ERROR = {
    "type": "object",
    "description": "A message naming the problem: `detail`, or one list per field.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
READ_ERRORS = {
    "400": "The query is not valid (a bad cursor, sort or filter).",
    "401": "No valid token was sent.",
    "403": "The signed-in account may not do this.",
    "404": "No such resource, or not one this reader may see.",
    "405": "The method is not allowed here.",
    "429": "Too many requests; see Retry-After.",
    "503": "The database is unreachable; try again (see Retry-After).",
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "400": "The body is not valid; the message names each problem.",
    "409": "It conflicts with what is there (a second flag).",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Give every operation the shared Error answers it does not already list."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            errors = READ_ERRORS if method in {"get", "head"} else WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for code, text in errors.items():
                responses.setdefault(code, {"description": text, "content": ref})
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (ETag)."})
    return result
