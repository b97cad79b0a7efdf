"""retold: rewrite news articles into new copy, and prove every sentence against the source."""

from retold.article import Article, Quote, Sentence
from retold.check import check
from retold.errors import InputError, NoArticleError, RetoldError
from retold.extract import extract
from retold.report import Report

__all__ = ["Article", "InputError", "NoArticleError", "Quote", "Report", "RetoldError", "Sentence", "check", "extract"]
__version__ = "0.1.0"
