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
