"""Exceptions that routes and services raise; handlers in app.web.errors turn them into pages or JSON."""

from __future__ import annotations


class AppError(Exception):
    status_code = 400

    def __init__(self, message: str = "", **details: object):
        self.message = message
        self.details = details
        super().__init__(message)


class NotFound(AppError):
    """Also what a user gets for an object they may not see: its existence is not revealed."""

    status_code = 404


class Forbidden(AppError):
    status_code = 403


class Invalid(AppError):
    """Bad input: the message is already translated for the user."""

    status_code = 422


class Conflict(AppError):
    status_code = 409


class LoginRequired(AppError):
    status_code = 401


class RateLimited(AppError):
    status_code = 429


class LinkGone(NotFound):
    """An invitation link that opens nothing (any more). ``reason``: 'not-valid' (unknown or revoked: the same answer for
    both, so that nobody learns a link existed), 'expired' (a lead's link past its time) or 'closed' (its cycle has
    closed). ``language``: the invitation's, when there is one, so that the page speaks the invitee's language."""

    def __init__(self, message: str = "", *, reason: str = "not-valid", language: str | None = None, **details: object):
        super().__init__(message, **details)
        self.reason = reason
        self.language = language
        if reason != "not-valid":
            self.status_code = 410
