"""retold: rewrite news articles into new copy, and prove every sentence against the source."""

from retold.article import Article, Quote, Sentence
from retold.check import check
from retold.errors import InputError, NoArticleError, RetoldError
from retold.extract import extract
from retold.report import Report
from retold.rewrite import Rewrite, rewrite

__all__ = ["Article", "InputError", "NoArticleError", "Quote", "Report", "RetoldError", "Rewrite", "Sentence", "check", "extract",
           "rewrite"]
__version__ = "0.1.0"
