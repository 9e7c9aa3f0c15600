"""``python -m scenarios``: rewrite the bundled scenarios, or generate one (see ``--help``)."""

from scenarios.generate import main

main()
