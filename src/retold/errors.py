"""Errors that retold reports to a user as one clear line."""

from __future__ import annotations


class RetoldError(Exception):
    """Base class: the message is meant for the person who gave the input."""


class InputError(RetoldError):
    """The input cannot be read as text or HTML (missing, empty, binary, too big, bad encoding)."""


class NoArticleError(RetoldError):
    """The input was read, but no article text was found in it."""
