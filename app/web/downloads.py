"""Files handed to the browser."""

from __future__ import annotations

from fastapi.responses import Response


def attachment(content: bytes, name: str, media_type: str) -> Response:
    """A download that is never cached."""
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                             "Cache-Control": "no-store"})
