"""The `retold` command: a thin layer over the library."""

from __future__ import annotations

import functools
import os
import signal
import sys

import click

from retold.errors import RetoldError
from retold.extract import extract
from retold.inputs import read_input
from retold.options import ENGINE_NAMES, MAX_TRIES, MIN_WORDS, RewriteOptions
from retold.render import (
    article_markdown,
    article_text,
    report_html,
    report_markdown,
    report_text,
    rewrite_html,
    rewrite_markdown,
    to_json,
)


class _Interrupted(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: files being written are removed, and the command says so."""


def _terminate(signum: int, frame) -> None:
    raise _Interrupted(signum)


class _Group(click.Group):
    """Turns a RetoldError into one line on standard error and exit status 1, never a traceback;
    an interrupt (Ctrl-C or SIGTERM) into one line and exit status 128 + the signal's number."""

    def main(self, *args, **kwargs):
        for signum, handler in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, _terminate)):
            if signal.getsignal(signum) is not signal.SIG_IGN:  # a background job goes on ignoring them
                signal.signal(signum, handler)  # (this replaces the loading-time handler of retold/__init__.py)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RetoldError as exc:
            _say(f"retold: error: {exc}")
            sys.exit(1)
        except KeyboardInterrupt as exc:
            _say("retold: interrupted")
            sys.exit(128 + (exc.args[0] if isinstance(exc, _Interrupted) else signal.SIGINT))


_progress_shown = False  # a progress line is on standard error without its newline


def _say(line: str) -> None:
    """One line on standard error, below the progress line if one is showing."""
    click.echo(("\n" if _progress_shown else "") + line, err=True)


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
@click.option("--judge", type=click.Choice(["model"]), help="Ask the local model too, as a second opinion (about 1 s a sentence).")
@click.option("--model", help="with --judge model: a GGUF file, or 'smollm2' (default: the packaged Qwen2.5 1.5B model).")
def check_command(source_path: str, rewrite_path: str, fmt: str, strict: bool, judge: str | None, model: str | None) -> None:
    """Check REWRITE against SOURCE, sentence by sentence (each a file, or - for standard input).

    SOURCE may be a page (HTML or copied text: furniture is removed); every paragraph of REWRITE counts.
    """
    from retold.check import check

    if source_path == "-" and rewrite_path == "-":
        raise click.UsageError("only one of SOURCE and REWRITE can be standard input")
    report = check(read_input(source_path), read_input(rewrite_path), judge=judge, model=model)
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


def rewrite_options(fn):
    """The rewrite's options, as flags; the command gets them as one ``options: RewriteOptions``."""
    flags = [
        click.option("--engine", type=click.Choice(ENGINE_NAMES), default="local", show_default=True),
        click.option("--model", help="local engine: a GGUF file, or 'smollm2' (default: the packaged Qwen2.5 1.5B model)."),
        click.option("--base-url", envvar="RETOLD_BASE_URL", help="openai engine: the server's API root, e.g. http://127.0.0.1:8080/v1."),
        click.option("--api-model", help="openai engine: the model name to ask the server for."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="openai engine: seconds per request."),
        click.option("--words", type=click.IntRange(min=MIN_WORDS), help="Target length in words (default: the source's length)."),
        click.option("--keyword", help="A focus phrase for the headline or lead."),
        click.option("--style", default="neutral", show_default=True, help="A word or two of house style, e.g. 'plain', 'formal'."),
        click.option("--seed", type=int, default=0, show_default=True),
        click.option("--tries", type=click.IntRange(min=1, max=MAX_TRIES), default=RewriteOptions.tries, show_default=True, help="Model tries per sentence before the rules take over."),
        click.option("--judge", type=click.Choice(["model"]), help="Every check also asks the local model, as a second opinion (slower)."),
    ]

    @functools.wraps(fn)
    def command(*args, **kwargs):
        options = RewriteOptions(**{name: kwargs.pop(name) for name in RewriteOptions.__dataclass_fields__})
        return fn(*args, options=options, **kwargs)

    for flag in reversed(flags):
        command = flag(command)
    return command


@main.command("rewrite")
@click.argument("input_path", metavar="INPUT")
@rewrite_options
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), help="Write here (whole, or not at all) instead of standard output.")
@click.option("--quiet", is_flag=True, help="No progress on standard error.")
def rewrite_command(input_path: str, options: RewriteOptions, fmt: str, output: str | None, quiet: bool) -> None:
    """Rewrite the article in INPUT (a file, or - for standard input) into new copy, every sentence checked."""
    from retold.rewrite import rewrite

    if output:
        check_writable(output)  # now, not after minutes of work

    terminal = sys.stderr.isatty()

    def progress(done: int, total: int, left: float | None) -> None:
        global _progress_shown
        line = f"retold: {done}/{total} sentences" + (f", about {left:.0f} s left" if left else "")
        if terminal:  # one line, rewritten in place
            _progress_shown = done != total
            click.echo(f"\r{line}   ", err=True, nl=done == total)
        else:  # a log or a pipe: plain lines
            click.echo(line, err=True)

    result = rewrite(read_input(input_path), options, progress=None if quiet else progress)
    text = {"md": rewrite_markdown, "html": rewrite_html, "json": lambda r: to_json(r.to_dict()) + "\n"}[fmt](result)
    for warning in result.warnings:
        click.echo(f"retold: warning: {warning}", err=True)
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; anything but 127.0.0.1 exposes the API (set RETOLD_API_TOKEN).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite file for rewrite jobs (default: the user's data folder).")
@click.option("--base-url", envvar="RETOLD_BASE_URL", help="The OpenAI-compatible server the openai engine may use.")
@click.option("--api-model", help="The model name to ask that server for.")
@click.option("--max-queued", type=click.IntRange(min=1), default=20, show_default=True, help="Rewrite jobs that may wait; past that, 503.")
@click.option("--keep-days", type=click.FloatRange(min=0), default=30, show_default=True, help="Delete finished jobs after this many days.")
def serve_command(host: str, port: int, db: str | None, base_url: str | None, api_model: str | None,
                  max_queued: int, keep_days: float) -> None:
    """Serve the HTTP API (docs at /docs) and the editors' page (at /)."""
    from pathlib import Path

    from retold.serve import main as serve

    serve(host=host, port=port, db=Path(db) if db else None, base_url=base_url, api_model=api_model,
          max_queued=max_queued, keep_days=keep_days)


# --- retold batch ---------------------------------------------------------------------------------------


@main.group("batch")
def batch_group() -> None:
    """Check or rewrite many articles into a JSONL file: resumable, with progress, on every core or on Ray."""


def _batch_flags(fn):
    """The options both batch commands take."""
    flags = [
        click.option("--output", required=True, type=click.Path(dir_okay=False),
                     help="JSONL file of results; rerun with the same file to resume (done ids are skipped)."),
        click.option("--workers", type=click.IntRange(min=0),
                     help="Worker processes, or Ray actors (default: one per core; 0: in this process)."),
        click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
                     help="Run on Ray: a local instance, or the cluster at ADDRESS (put --ray after INPUT)."),
        click.option("--summary", is_flag=True, help="Keep only verdict counts, copied ratios and the headline."),
        click.option("--retry-failed", is_flag=True, help="Run again the items that failed in an earlier run."),
        click.option("--quiet", is_flag=True, help="No progress on standard error (the summary line stays)."),
    ]
    for flag in reversed(flags):
        fn = flag(fn)
    return fn


def _run_batch(task: str, input_path: str, rewrites: str | None, options, output: str, workers: int | None,
               ray_address: str | None, summary: bool, retry_failed: bool, quiet: bool) -> None:
    from retold.batch import run_file
    from retold.batch.progress import Progress

    progress: list[Progress] = []
    ray = None if ray_address is None else (True if ray_address == "local" else ray_address)
    try:
        totals = run_file(task, input_path, output, options, rewrites=rewrites, workers=workers,  # type: ignore[arg-type]
                          ray=ray, summary=summary, retry_failed=retry_failed,
                          on_start=lambda t: progress.append(Progress(t.items - t.skipped, enabled=not quiet)),
                          on_result=lambda result: progress[0].update(result.ok))
    finally:
        for bar in progress:
            bar.close()
    click.echo(f"retold: {totals.line()}", err=True)
    sys.exit(130 if totals.interrupted else 0 if totals.all_ok else 3)


@batch_group.command("check")
@click.argument("input_path", metavar="INPUT")
@click.option("--rewrites", type=click.Path(file_okay=False, exists=True),
              help="A folder of rewrites, matched by file name to the sources in the folder INPUT.")
@click.option("--input-format", type=click.Choice(["auto", "html", "text"]), default="auto", show_default=True,
              help="Treat each source as HTML or as copied text (auto: detect).")
@_batch_flags
def batch_check_command(input_path: str, rewrites: str | None, input_format: str, **flags) -> None:
    """Check many rewrites against their sources.

    INPUT is a JSONL file ({"id", "source", "rewrite"} a line), or a folder of sources with --rewrites DIR.
    Exit status 0 when every item is ok, 3 when some failed.
    """
    from retold.options import CheckOptions

    _run_batch("check", input_path, rewrites, CheckOptions(source_kind=input_format), **flags)  # type: ignore[arg-type]


@batch_group.command("rewrite")
@click.argument("input_path", metavar="INPUT")
@rewrite_options
@_batch_flags
def batch_rewrite_command(input_path: str, options: RewriteOptions, **flags) -> None:
    """Rewrite many articles.

    INPUT is a JSONL file ({"id", "text"} a line: HTML or copied text), a folder of .html/.txt files (the id is
    the file name) or an RSS/Atom feed file (each entry's content, else its summary; the id is its link).
    Exit status 0 when every item is ok, 3 when some failed.
    """
    _run_batch("rewrite", input_path, None, options, **flags)


def check_writable(path: str) -> None:
    """Raise a RetoldError now when ``path`` cannot be written: its folder is missing or refuses files."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RetoldError(f"{path}: cannot write there, the folder {folder} does not exist")
    try:
        tempfile.TemporaryFile(dir=folder).close()  # no name: nothing is left behind, whatever happens
    except OSError as exc:
        raise RetoldError(f"{path}: cannot write in {folder} ({exc.strerror or exc})") from exc


def write_atomically(path: str, text: str) -> None:
    """The whole file or none of it: write beside it, then rename over it.

    Once the rename is under way the command has done its work: Ctrl-C and SIGTERM are ignored from
    then on, so an interrupt cannot report a failure (or remove anything) after the file is in place."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".retold-", suffix=".partial")
    except OSError as exc:
        raise RetoldError(f"{path}: cannot write in {folder} ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.replace(partial, path)
    except BaseException as exc:
        if os.path.exists(partial):
            os.unlink(partial)
        if isinstance(exc, OSError):
            raise RetoldError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
        raise


if __name__ == "__main__":
    main()
