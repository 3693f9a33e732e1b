"""``python -m innopass``: the command line."""

from innopass.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
