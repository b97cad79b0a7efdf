"""retold: rewrite news articles into new copy, and prove every sentence against the source."""

from retold.article import Article, Quote, Sentence
from retold.errors import InputError, NoArticleError, RetoldError
from retold.extract import extract

__all__ = ["Article", "InputError", "NoArticleError", "Quote", "RetoldError", "Sentence", "extract"]
__version__ = "0.1.0"
