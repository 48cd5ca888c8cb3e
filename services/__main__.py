"""python -m services: the same as the `pollwatch` command."""

from services.cli import main

main()
