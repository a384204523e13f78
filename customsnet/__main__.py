"""``python -m customsnet``: the same command line as the ``customsnet`` script."""

from customsnet.cli import main

main()
