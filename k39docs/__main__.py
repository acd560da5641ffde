"""``python -m k39docs`` runs the command line."""

from .cli import main

main()
