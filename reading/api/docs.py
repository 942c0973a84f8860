"""The API's docs page: the OpenAPI schema rendered as a plain HTML page on the server.
Swagger UI and ReDoc need inline styles (and ninja's pages an inline settings block),
which the site's Content-Security-Policy refuses; this page needs no script at all."""

from django.shortcuts import render
from django.urls import reverse

from reading.api.routes import api

METHODS = ("get", "put", "post", "patch", "delete")


def _type(schema: dict) -> str:
    """A parameter's type in words ("integer, 1–200", "one of: reports, disputes")."""
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    words = schema.get("type", "")
    if "minimum" in schema or "maximum" in schema:
        words += f", {schema.get('minimum', '')}–{schema.get('maximum', '')}"
    if "maxLength" in schema:
        words += f", at most {schema['maxLength']} characters"
    return words


def endpoints(schema: dict) -> list[dict]:
    """Each operation of the schema with what the page shows of it, in the schema's order."""
    found = []
    for address, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            found.append(
                {
                    "method": method.upper(),
                    "path": address,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {})),
                            "description": p.get("description", "")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": [
                        {"status": status, "types": sorted(answer.get("content", {}))}
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


def docs_page(request):
    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "title": schema["info"]["title"],
            "description": schema["info"].get("description", ""),
            "schema_url": reverse("api:openapi-json"),
            "endpoints": endpoints(schema),
        },
    )
