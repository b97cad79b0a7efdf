"""retold: rewrite news articles into new copy, and prove every sentence against the source."""

from retold.article import Article, Quote, Sentence
from retold.cache import reset_caches
from retold.check import check
from retold.errors import (
    ConfigError,
    EngineError,
    InputError,
    ModelError,
    NoArticleError,
    RetoldError,
    RewriteError,
)
from retold.extract import extract
from retold.options import CheckOptions, RewriteOptions
from retold.report import Report
from retold.rewrite import Rewrite, rewrite

__all__ = [
    "Article", "CheckOptions", "ConfigError", "EngineError", "InputError", "ModelError", "NoArticleError", "Quote",
    "Report", "RetoldError", "Rewrite", "RewriteError", "RewriteOptions", "Sentence", "check", "extract",
    "reset_caches", "rewrite",
]
__version__ = "0.1.0"
