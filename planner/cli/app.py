"""``planner app``: the Streamlit app inside the package, started as ``make run`` starts it."""

from __future__ import annotations

import signal
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


def run_streamlit(cmd: list[str]) -> int:
    """Run Streamlit until it stops and return its exit code. A SIGTERM to ``planner app`` (a
    supervisor, a test, ``kill``) is passed on to Streamlit and waited for, so no server is left
    running without its parent; Ctrl-C reaches Streamlit itself and counts as a clean stop."""
    proc = subprocess.Popen(cmd)

    def forward(signum: int, _frame: object) -> None:
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # streamlit got the same Ctrl-C: give it time to shut down
            try:
                return proc.wait(timeout=15)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                return -signal.SIGINT  # the finally below stops it
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:  # an error in this process: do not leave the server behind
            proc.terminate()
            proc.wait()


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
    code = run_streamlit(streamlit_command(host, port))
    # Ctrl-C (SIGINT) and a forwarded SIGTERM are how a workshop's server is stopped: a clean exit
    raise typer.Exit(0 if code in (-signal.SIGINT, -signal.SIGTERM) else code)
