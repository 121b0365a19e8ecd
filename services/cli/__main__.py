"""``python -m services.cli``: the same commands as ``congtam``."""

from services.cli import app

app()
