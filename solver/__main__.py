"""``python -m solver`` runs the ``handouts`` command."""
from .cli import main

main(prog_name="handouts")
