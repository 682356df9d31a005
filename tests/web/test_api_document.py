"""The OpenAPI document describes the whole JSON API: every operation has a summary and a description, every field of
every schema a description. A field or a route added without one fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# FastAPI's own schemas for its default 422 answer: not ours to describe (the API documents ErrorOut instead).
FASTAPI_SCHEMAS = {"HTTPValidationError", "ValidationError"}


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        if path.startswith("/api/"):
            for method, op in item.items():
                if method in METHODS:
                    yield f"{method.upper()} {path}", op


def _properties(where: str, schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of a schema, and of the object schemas written inline inside it (items, anyOf, ...)."""
    if isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            yield f"{where}.{name}", prop
            yield from _properties(f"{where}.{name}", prop)
        for key in ("items", "additionalProperties", "not"):
            yield from _properties(where, schema.get(key))
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for sub in schema.get(key) or []:
                yield from _properties(where, sub)
    elif isinstance(schema, list):
        for sub in schema:
            yield from _properties(where, sub)


def undescribed_fields(doc: dict[str, Any]) -> list[str]:
    schemas = doc.get("components", {}).get("schemas", {})
    return [where for name, schema in schemas.items() if name not in FASTAPI_SCHEMAS
            for where, prop in _properties(name, schema) if not str(prop.get("description") or "").strip()]


def undescribed_operations(doc: dict[str, Any]) -> list[str]:
    return [f"{name}: no {key}" for name, op in _operations(doc) for key in ("summary", "description")
            if not str(op.get(key) or "").strip()]


def test_every_api_operation_has_a_summary_and_a_description(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    operations = dict(_operations(doc))
    assert len(operations) >= 40  # the whole API: a document that lost its routes must not pass
    assert undescribed_operations(doc) == []


def test_every_field_of_every_schema_has_a_description(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"ResultOut", "DomainOut", "PartnerOut", "CycleIn", "ActionOut", "ErrorOut"} <= set(schemas)
    assert sum(len(s.get("properties", {})) for s in schemas.values()) >= 250
    assert undescribed_fields(doc) == []


# For the test of the checks themselves: one field described, one not, at each level.
class Inner(BaseModel):
    plain: int
    told: int = Field(description="Described")


class Outer(BaseModel):
    inner: Inner = Field(description="Described")
    bare: str


def test_the_checks_find_what_is_not_described() -> None:
    """The checks above are not vacuous: a model field and a route without a description are found."""
    app = FastAPI()

    @app.get("/api/v1/thing", summary="A thing")
    def thing() -> Outer:
        return Outer(inner=Inner(plain=1, told=2), bare="")

    @app.get("/api/v1/other", summary="Another")
    def other() -> Inner:
        """Described."""
        return Inner(plain=1, told=2)

    doc = app.openapi()
    assert sorted(undescribed_fields(doc)) == ["Inner.plain", "Outer.bare"]
    assert undescribed_operations(doc) == ["GET /api/v1/thing: no description"]
