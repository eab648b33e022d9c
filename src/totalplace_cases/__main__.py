"""``python -m totalplace_cases`` runs the ``totalplace`` command."""

from .cli import main

if __name__ == "__main__":
    main()
