"""The command line, one module per command (main.py holds the Typer app)."""
