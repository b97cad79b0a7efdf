"""Rendering results as JSON, Markdown or plain text."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from retold.article import Article
from retold.report import CONTRADICTED, SUPPORTED, UNSUPPORTED, Report

if TYPE_CHECKING:
    from retold.rewrite import Rewrite


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# Characters that CommonMark (and GitHub's extensions) give a meaning: raw HTML and entities (<, >, &),
# links and images ([, ]), emphasis, code, tables and strikethrough. A backslash makes each literal.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
_MD_BLOCK_START = re.compile(r"^(?:([#=+-])|(\d{1,9})([.)]))")


def md(text: str) -> str:
    """Text as Markdown that renders as exactly that text: one line, and no markup of its own.

    Source text is not trusted: ``<img src=x onerror=…>`` or ``[x](javascript:…)`` copied from a page
    must reach a reader as words, never as HTML or a link, whichever CommonMark renderer shows it."""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def article_markdown(article: Article) -> str:
    parts = []
    if article.headline:
        parts.append(f"# {md(article.headline)}")
    if article.standfirst:
        parts.append(f"*{md(article.standfirst)}*")
    meta = " · ".join(x for x in (article.byline and f"By {article.byline}", article.site, article.date) if x)
    if meta:
        parts.append(md(meta))
    parts.extend(md(paragraph) for paragraph in article.paragraphs)
    parts.extend(f"> {md(caption)}" for caption in article.captions)
    return "\n\n".join(parts) + "\n"


def article_text(article: Article) -> str:
    parts = [x for x in (article.headline, article.standfirst) if x]
    return "\n\n".join(parts + article.paragraphs) + "\n"


# --- check reports ---------------------------------------------------------------------------------

_MARK = {SUPPORTED: "✓", UNSUPPORTED: "?", CONTRADICTED: "✗"}
_COLOUR = {SUPPORTED: "green", UNSUPPORTED: "yellow", CONTRADICTED: "red"}


def _findings_lines(report: Report) -> list[str]:
    counts = report.verdict_counts
    lines = [
        f"{counts['supported']} supported, {counts['unsupported']} unsupported, {counts['contradicted']} contradicted"
        f" of {len(report.sentences)} sentences",
        f"copied 4-word sequences: {report.copied_4gram_ratio:.1%} ({report.copied_outside_quotes:.1%} outside quotes)",
    ]
    for item in report.keyword_stuffing:
        broken = f"; breaks the grammar in: {', '.join(item['ungrammatical'])}" if item["ungrammatical"] else ""
        lines.append(f"keyword stuffing: “{item['phrase']}” ×{item['count']} (source: {item['in_source']}){broken}")
    for item in report.altered_quotes:
        lines.append(f"quote in sentence {item['sentence'] + 1}: {item['message']}")
    if report.omissions:
        lines.append("left out: " + "; ".join(f"{o['text']} ({o['type']})" for o in report.omissions))
    return lines


def report_text(report: Report, colour: bool = True) -> str:
    import click

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if colour else text

    out = []
    for s in report.sentences:
        head = style(f"{_MARK[s.verdict]} {s.verdict} {s.score:.2f}", fg=_COLOUR[s.verdict], bold=True)
        out.append(f"{s.index + 1:>3}. {head}  {s.text}")
        for issue in s.issues:
            out.append(style(f"       ! {issue.type}: {issue.message}", fg=_COLOUR[s.verdict]))
        if s.evidence and s.verdict != SUPPORTED:
            e = s.evidence[0]
            out.append(style(f"       source {e.source_index + 1} ({e.part}): {e.text}", dim=True))
    out.append("")
    out.extend(style(line, bold=True) if i == 0 else line for i, line in enumerate(_findings_lines(report)))
    return "\n".join(out) + "\n"


def report_markdown(report: Report) -> str:
    out = ["# Check report", ""]
    for s in report.sentences:
        out.append(f"{s.index + 1}. **{_MARK[s.verdict]} {s.verdict}** ({s.score:.2f}): {md(s.text)}")
        out.extend(f"   - *{md(i.type)}*: {md(i.message)}" for i in s.issues)
        if s.evidence and s.verdict != SUPPORTED:
            out.append(f"   - source {s.evidence[0].source_index + 1}: {md(s.evidence[0].text)}")
    out += ["", "## Document", ""] + [f"- {md(line)}" for line in _findings_lines(report)]
    return "\n".join(out) + "\n"


def report_html(report: Report) -> str:
    from html import escape

    rows = []
    for s in report.sentences:
        issues = "".join(f"<li><b>{escape(i.type)}</b>: {escape(i.message)}</li>" for i in s.issues)
        evidence = "".join(f"<blockquote>{escape(e.text)}</blockquote>" for e in s.evidence)
        rows.append(
            f'<li class="{s.verdict}"><span class="verdict">{_MARK[s.verdict]} {s.verdict} {s.score:.2f}</span> '
            f"{escape(s.text)}<ul>{issues}</ul><details><summary>evidence</summary>{evidence}</details></li>"
        )
    findings = "".join(f"<li>{escape(line)}</li>" for line in _findings_lines(report))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>retold check report</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
li{{margin:.6rem 0}}.verdict{{font-weight:bold}}.supported .verdict{{color:#1a7f37}}
.unsupported .verdict{{color:#9a6700}}.contradicted .verdict{{color:#cf222e}}blockquote{{color:#555;margin:.3rem 1rem}}</style>
</head><body><h1>Check report</h1><ol>{''.join(rows)}</ol><h2>Document</h2><ul>{findings}</ul></body></html>
"""


# --- rewrites ------------------------------------------------------------------------------------------


def _rewrite_footer(rewrite: Rewrite) -> str:
    counts = rewrite.report.verdict_counts
    return (
        f"{rewrite.word_count} words · {counts['supported']} of {len(rewrite.report.sentences)} sentences supported"
        f" by the source · copied 4-word sequences {rewrite.report.copied_4gram_ratio:.0%}"
        f" ({rewrite.report.copied_outside_quotes:.0%} outside quotes)"
    )


def rewrite_markdown(rewrite: Rewrite) -> str:
    parts = [f"# {md(rewrite.headline)}"]
    parts += [md(" ".join(s.text for s in paragraph)) for paragraph in rewrite.paragraphs]
    if rewrite.attribution:
        parts.append(f"*{md(rewrite.attribution)}*")
    parts.append(f"<!-- retold: {_rewrite_footer(rewrite)} -->")
    return "\n\n".join(parts) + "\n"


def rewrite_html(rewrite: Rewrite) -> str:
    from html import escape

    paragraphs = "".join(
        "<p>" + " ".join(f'<span title="restates source sentence {", ".join(str(i + 1) for i in s.sources)}">'
                         f"{escape(s.text)}</span>" for s in paragraph) + "</p>"
        for paragraph in rewrite.paragraphs
    )
    attribution = f"<p><em>{escape(rewrite.attribution)}</em></p>" if rewrite.attribution else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(rewrite.headline)}</title>
<style>body{{font:18px/1.6 Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}footer{{color:#666;font:14px system-ui,sans-serif}}</style>
</head><body><article><h1>{escape(rewrite.headline)}</h1>{paragraphs}{attribution}</article>
<footer>{escape(_rewrite_footer(rewrite))}</footer></body></html>
"""
