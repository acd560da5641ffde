"""``python -m k39docs`` and the ``k39docs`` command.

A ``render`` goes to the warm server (:mod:`k39docs.server`) before anything else is imported:
typer and the command line cost a tenth of a second, a tenth of a re-render of ten candidates.
Any other command, or a render no server takes, runs :func:`k39docs.cli.main` here.
"""

import sys


def main() -> None:
    from . import server

    if server.wanted(sys.argv[1:]):
        code = server.run_remote(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    from .cli import main as run_here

    run_here()


if __name__ == "__main__":
    main()
