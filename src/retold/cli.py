"""The `retold` command: a thin layer over the library."""

from __future__ import annotations

import sys

import click

from retold.errors import RetoldError
from retold.extract import extract
from retold.inputs import read_input
from retold.render import article_markdown, article_text, report_html, report_markdown, report_text, to_json


class _Group(click.Group):
    """Turns a RetoldError into one line on standard error and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RetoldError as exc:
            click.echo(f"retold: error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("retold: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group)
@click.version_option(package_name="retold")
def main() -> None:
    """Extract, rewrite and check news articles."""


@main.command("extract")
@click.argument("input_path", metavar="INPUT")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "text"]), default="json", show_default=True)
@click.option(
    "--input-format", type=click.Choice(["auto", "html", "text"]), default="auto", show_default=True,
    help="Treat INPUT as HTML or as text copied off a page (auto: detect).",
)
def extract_command(input_path: str, fmt: str, input_format: str) -> None:
    """Extract the article from INPUT (a file, or - for standard input): HTML or copied text."""
    article = extract(read_input(input_path), kind=input_format)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(to_json(article.to_dict()))
    elif fmt == "md":
        click.echo(article_markdown(article), nl=False)
    else:
        click.echo(article_text(article), nl=False)


@main.command("check")
@click.argument("source_path", metavar="SOURCE")
@click.argument("rewrite_path", metavar="REWRITE")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit with status 3 when any sentence is not supported.")
def check_command(source_path: str, rewrite_path: str, fmt: str, strict: bool) -> None:
    """Check REWRITE against SOURCE, sentence by sentence (each a file, or - for standard input).

    SOURCE may be a page (HTML or copied text: furniture is removed); every paragraph of REWRITE counts.
    """
    from retold.check import check

    if source_path == "-" and rewrite_path == "-":
        raise click.UsageError("only one of SOURCE and REWRITE can be standard input")
    report = check(read_input(source_path), read_input(rewrite_path))
    if fmt == "json":
        click.echo(to_json(report.to_dict()))
    elif fmt == "md":
        click.echo(report_markdown(report), nl=False)
    elif fmt == "html":
        click.echo(report_html(report), nl=False)
    else:
        click.echo(report_text(report), nl=False)
    if strict and not report.faithful:
        sys.exit(3)


if __name__ == "__main__":
    main()
