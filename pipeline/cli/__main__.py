"""``python -m pipeline.cli``: the same as the ``copydesk`` command."""

from pipeline.cli import main

main()
