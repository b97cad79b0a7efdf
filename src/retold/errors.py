"""Errors that retold reports to a user as one clear line.

One tree, so that each boundary (the CLI, the server, the batch runner) translates by kind:

    RetoldError
    ├── InputError        the input cannot be used (missing, empty, binary, too big, bad encoding, not English)
    │   └── NoArticleError    it was read, but holds no article text
    ├── ConfigError       an option or setting is wrong (unknown engine, missing --base-url, --words too small)
    ├── EngineError       an engine could not write (server down, too slow, junk replies; the local model failed)
    ├── ModelError        a model file or package is missing or does not match its recorded sha256
    └── RewriteError      nothing of the article could be restated and proven

Anything else that escapes is a bug: the boundaries log it and show a generic message with an id.
"""

from __future__ import annotations


class RetoldError(Exception):
    """Base class: the message is meant for the person who gave the input."""


class InputError(RetoldError):
    """The input cannot be read as text or HTML (missing, empty, binary, too big, bad encoding)."""


class NoArticleError(InputError):
    """The input was read, but no article text was found in it."""


class ConfigError(RetoldError):
    """An option or setting has a value retold cannot use."""


class EngineError(RetoldError):
    """The engine could not produce text: the server is down, too slow, or replied with junk."""


class ModelError(RetoldError):
    """A model is missing, or its file does not match the sha256 recorded for it."""


class RewriteError(RetoldError):
    """No sentence of the article could be restated and proven: there is nothing to publish."""
