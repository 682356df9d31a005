"""What a reader may ask of an export in its query, for the web pages and the API alike."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from app.exports.sheets import Options


def export_options(
    values: Annotated[Literal["labels", "codes"] | None, Query(
        description="Coded values (sector, size band, level, role group, answers on a scale, special answers) as their stable "
                    "codes or as labels in the request's language. Default: labels in CSV and XLSX, codes in JSON.")] = None,
    headers: Annotated[Literal["labels", "codes"], Query(description="Column headers as labels in the request's language or as "
                                                                      "the field names (codes) the JSON export and the API use.")] = "labels",
    shape: Annotated[Literal["long", "wide"], Query(description="The answers: long, one row per answer; wide, one row per "
                                                                "response and a column per question.")] = "long",
    sector: Annotated[str, Query(max_length=40, description="Only partners of this sector (its code), as on the comparison page.")] = "",
    size: Annotated[str, Query(max_length=20, description="Only partners of this size band, as on the comparison page.")] = "",
) -> Options:
    return Options(values=values, headers=headers, shape=shape, sector=sector or None, size=size or None)
