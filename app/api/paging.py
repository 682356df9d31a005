"""Paging of the API's lists: ``limit`` (at most MAX_LIMIT) and an opaque ``cursor`` from the previous page.

The next page's cursor comes in the ``X-Next-Cursor`` header and as a ``Link: <...>; rel="next"`` header (as GitHub's
API gives it); the last page has neither. The body stays the list itself. A cursor names a position in the list's fixed
order (by id, or by name then id): a row added meanwhile before that position shifts the following pages by one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response

from app.errors import Invalid
from app.i18n import gettext as _

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
T = TypeVar("T")


@dataclass
class Paging:
    limit: int
    offset: int
    request: Request
    response: Response

    def apply(self, query: Any) -> Any:
        """The query for this page, one row more than the page to know whether another follows."""
        return query.offset(self.offset).limit(self.limit + 1)

    def slice(self, rows: list[T]) -> list[T]:
        """This page of a list computed in full (the next page's cursor in the headers)."""
        return self.finish(rows[self.offset:self.offset + self.limit + 1])

    def finish(self, rows: list[T]) -> list[T]:
        """This page's rows; the next page's cursor in the headers when there is one."""
        if len(rows) > self.limit:
            cursor = encode(self.offset + self.limit)
            # The service's own address (REASSESS_BASE_URL), never the request's Host header, which a client chooses.
            nxt = self.request.url.include_query_params(cursor=cursor, limit=self.limit)
            base = str(self.request.app.state.settings.base_url).rstrip("/")
            self.response.headers["X-Next-Cursor"] = cursor
            self.response.headers["Link"] = f'<{base}{nxt.path}?{nxt.query}>; rel="next"'
        return rows[:self.limit]


def encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("o") or not text[1:].isdigit():
            raise ValueError(text)
        return int(text[1:])
    except ValueError:
        raise Invalid(_("This cursor is not valid: start again from the first page, without a cursor."), field="cursor") from None


def paging(request: Request, response: Response,
           limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page, at most {MAX_LIMIT}.")] = DEFAULT_LIMIT,
           cursor: Annotated[str | None, Query(max_length=40, description="The X-Next-Cursor of the previous page; none for the first page.")] = None,
           ) -> Paging:
    return Paging(limit, decode(cursor) if cursor else 0, request, response)


PagingDep = Annotated[Paging, Depends(paging)]
