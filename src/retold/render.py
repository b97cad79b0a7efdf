"""Rendering results as JSON, Markdown or plain text."""

from __future__ import annotations

import json
from typing import Any

from retold.article import Article


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def article_markdown(article: Article) -> str:
    parts = []
    if article.headline:
        parts.append(f"# {article.headline}")
    if article.standfirst:
        parts.append(f"*{article.standfirst}*")
    meta = " · ".join(x for x in (article.byline and f"By {article.byline}", article.site, article.date) if x)
    if meta:
        parts.append(meta)
    parts.extend(article.paragraphs)
    parts.extend(f"> {caption}" for caption in article.captions)
    return "\n\n".join(parts) + "\n"


def article_text(article: Article) -> str:
    parts = [x for x in (article.headline, article.standfirst) if x]
    return "\n\n".join(parts + article.paragraphs) + "\n"
