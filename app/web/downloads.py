"""Files handed to the browser."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.responses import Response, StreamingResponse


def attachment(content: bytes, name: str, media_type: str) -> Response:
    """A download that is never cached."""
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                             "Cache-Control": "no-store"})


def streamed_attachment(chunks: Iterator[bytes], name: str, media_type: str) -> StreamingResponse:
    """A download written while it goes out (a large export in constant memory), never cached."""
    return StreamingResponse(chunks, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                                     "Cache-Control": "no-store"})
