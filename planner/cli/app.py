"""``planner app``: the Streamlit app inside the package, started as ``make run`` starts it."""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import typer

from .checks import fail

SCRIPT = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"


def streamlit_command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line of the packaged app (headless, no "Deploy" menu,
    no usage statistics: what a workshop screen shows)."""
    return [sys.executable, "-m", "streamlit", "run", str(SCRIPT),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]


def app_command(
    host: str = typer.Option("127.0.0.1", "--host", envvar="PLANNER_HOST",
                             help="address to listen on; 0.0.0.0 for a workshop room's network"),
    port: int = typer.Option(8501, "--port", envvar="PLANNER_PORT", min=1, max=65535,
                             help="port to listen on"),
) -> None:
    """Start the planner's web app on the embedded Uusimaa data (needs the \\[app] extra)."""
    if find_spec("streamlit") is None or find_spec("streamlit_folium") is None:
        fail(ModuleNotFoundError("the app needs the [app] extra: pip install 'uusimaa-planner[app]'"))
    typer.echo(f"Starting the planner on http://{host}:{port} (embedded Uusimaa data; Ctrl-C stops)")
    try:
        code = subprocess.call(streamlit_command(host, port))
    except KeyboardInterrupt:  # Ctrl-C reaches streamlit too; it stops on its own
        code = 0
    raise typer.Exit(code)
