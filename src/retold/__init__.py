"""retold: rewrite news articles into new copy, and prove every sentence against the source."""


def _quiet_while_the_command_loads() -> None:
    """Ctrl-C while the `retold` command is still importing its libraries (about 0.3 s) ends it with one
    line and status 130, not a traceback. Only for the command: a program that imports retold keeps
    its own handling. retold.cli puts the usual handling back once it starts."""
    import os
    import signal
    import sys

    run_as = zip(sys.orig_argv, sys.orig_argv[1:])
    command = os.path.basename(sys.argv[0]) == "retold" or any(a == "-m" and b.split(".")[0] == "retold" for a, b in run_as)
    if command and signal.getsignal(signal.SIGINT) is signal.default_int_handler:

        def interrupted(signum, frame):
            os.write(2, b"retold: interrupted\n")
            os._exit(128 + signum)

        signal.signal(signal.SIGINT, interrupted)


_quiet_while_the_command_loads()

from retold.article import Article, Quote, Sentence  # noqa: E402
from retold.cache import reset_caches  # noqa: E402
from retold.check import check  # noqa: E402
from retold.errors import (  # noqa: E402
    ConfigError,
    EngineError,
    InputError,
    ModelError,
    NoArticleError,
    RetoldError,
    RewriteError,
)
from retold.extract import extract  # noqa: E402
from retold.options import CheckOptions, RewriteOptions  # noqa: E402
from retold.report import Report  # noqa: E402
from retold.rewrite import Rewrite, rewrite  # noqa: E402

__all__ = [
    "Article", "CheckOptions", "ConfigError", "EngineError", "InputError", "ModelError", "NoArticleError", "Quote",
    "Report", "RetoldError", "Rewrite", "RewriteError", "RewriteOptions", "Sentence", "check", "extract",
    "reset_caches", "rewrite",
]
__version__ = "0.1.0"
