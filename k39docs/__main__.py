"""``python -m k39docs`` and the ``k39docs`` command: each command runs in its own process."""

from .cli import main

if __name__ == "__main__":
    main()
