"""The home page, which sends each role to its place, and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import access
from app.deps import MaybeUser
from app.web.csrf import csrf_protect
from app.web.templating import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/")
def home(request: Request, principal: MaybeUser) -> Response:
    if principal is not None:
        return RedirectResponse(access.home_for(principal), status_code=303)
    return render(request, "home.html")


health_router = APIRouter()


@health_router.get("/healthz", tags=["health"], summary="Service and database status")
def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.sessionmaker() as session:
            session.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "database": "ok", "instruments": len(request.app.state.catalogue.entries)})
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        return JSONResponse({"status": "unavailable", "database": "unreachable", "reason": reason}, status_code=503)
