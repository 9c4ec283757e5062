"""What a workshop facilitator waits for: closing a point in the app, measured in a real browser.

Starts ``streamlit run app.py`` on 127.0.0.1 and drives Debian's Chromium (Playwright) as a
facilitator does: Kela office need, Scenario builder, then closes Kela offices one at a time
in the "Close these points" box. For each close it times, from the key press:

- figures: until the headline figures show the new values;
- map: until the map in the page has swapped in the new layers and legend (the app's
  in-place update: the map itself is not rebuilt, its zoom and position stay).

Reference, side by side: the same scenario's map drawn from scratch, as a tool without
in-place layer updates shows it: the full HTML map of the scenario (``planner.outputs.maps
.scenario_map``, Leaflet inlined) opened in a new page, until its legend is drawn. It leaves
out the server's time, so it flatters the reference.

Target (issue 13): figures and map in <= 1 s after a close. Prints the median and worst
figure and map times, the reference's median and the ratio.

    .venv/bin/python benchmarks/bench_app_click.py [--closes 1|2]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# Kela offices of the embedded data with a known site (placeholders are hidden by default) whose
# closing changes the headline figures (Kamppi's does not: International House stays near)
OFFICES = [("kela_vantaa_tikkurila", "Kela palvelupiste Tikkurila · Vantaa"),
           ("kela_espoo_iso_omena", "Kela – Ison Omenan palvelutori · Espoo")]
TARGET_S = 1.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"streamlit did not start, see {log}")


def _local_only(route) -> None:
    ok = route.request.url.startswith(("http://127.0.0.1", "file:", "data:", "blob:"))
    route.continue_() if ok else route.abort()


def _idle(page) -> None:
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)


def _figures(page) -> str:
    """The headline figures as shown ('' before the first change)."""
    return "|".join(page.locator('[data-testid="stMetric"]').all_inner_texts())


def _map_frame(page):
    # the app titles the map frame for screen readers and marks it data-planner-map
    frames = 'iframe[data-planner-map], iframe[title="streamlit_folium.st_folium"] >> visible=true'
    return page.locator(frames).first.content_frame


def _app_closes(page, url: str, n: int) -> list[tuple[float, float]]:
    page.goto(url)
    page.get_by_text("Accessibility of adult social services").wait_for()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Service need").first
    box.click()
    page.get_by_role("option", name="Kela office", exact=True).click()
    _idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Scenario builder", exact=True).click()
    _idle(page)
    page.get_by_text("No changes yet").wait_for()
    _map_frame(page).locator("#planner-legend").wait_for()
    times = []
    for _, name in OFFICES[:n]:
        before = _figures(page)
        frame = _map_frame(page)
        # mark the legend now shown: the in-place update replaces that element with a new one
        frame.locator("#planner-legend").evaluate("e => { e.dataset.old = '1'; }")
        field = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Close these points").first
        field.locator("input").click()
        field.locator("input").fill(name.split(" · ")[0])
        option = page.get_by_role("option", name=name, exact=True)
        try:
            option.wait_for(timeout=20_000)
        except Exception:
            page.screenshot(path=str(Path(tempfile.gettempdir()) / "bench_app_click_failed.png"))
            raise
        # the keyboard, not a click: once a point is chosen the list shows "Select all" where
        # the filtered option stood, and a click's mouse-up lands on it
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        start = time.perf_counter()
        page.get_by_role("heading", name="Scenario builder").click()  # click away: the app reruns
        deadline = time.time() + 60
        while _figures(page) in ("", before):
            if time.time() > deadline:
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "bench_app_click_failed.png"))
                raise RuntimeError(f"the figures did not change after closing {name} (screenshot: "
                                   f"{tempfile.gettempdir()}/bench_app_click_failed.png)")
            page.wait_for_timeout(20)
        figures = time.perf_counter() - start
        frame.locator("#planner-legend:not([data-old])").wait_for(timeout=60_000)
        shown = time.perf_counter() - start
        times.append((figures, shown))
        _idle(page)
    return times


def _reference(browser, n: int) -> list[tuple[float, float]]:
    """The map of each scenario built (evaluation + full HTML map, seconds) and drawn from
    scratch in a new page (seconds)."""
    from planner.analysis.study import evaluate_points
    from planner.app import state as S
    from planner.outputs.maps import save_map, scenario_map

    study = S.load_app_study("straight", "drive", "postal")
    base = evaluate_points(study)
    out, closed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for pid, _ in OFFICES[:n]:
            closed.append(pid)
            sc = S.scenario_from_text("name: My scenario\nchanges:\n  - close: [" + ", ".join(closed) + "]\n",
                                      "<bench>")
            start = time.perf_counter()
            eff = S.effect(study, base, sc)
            path = save_map(scenario_map(study, eff.results, "kela", "fi", applied=eff.applied,
                                         changes=eff.changes, compact=True, baseline=base),
                            Path(tmp) / f"map{len(closed)}.html")
            build = time.perf_counter() - start
            page = browser.new_page(viewport={"width": 900, "height": 620})
            page.route("**/*", _local_only)
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.locator("#planner-legend").wait_for()
            page.locator(".leaflet-overlay-pane canvas").first.wait_for()
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            out.append((build, time.perf_counter() - start))
            page.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--closes", type=int, default=len(OFFICES),
                    help=f"points closed one after another (1..{len(OFFICES)})")
    args = ap.parse_args()
    n = max(1, min(args.closes, len(OFFICES)))
    from playwright.sync_api import sync_playwright

    port = _port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = _serve(port, Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(viewport={"width": 1440, "height": 1100})
                context.route("**/*", _local_only)
                app = _app_closes(context.new_page(), f"http://127.0.0.1:{port}", n)
                ref = _reference(browser, n)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"machine load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print(f"{'close':<40}{'figures s':>10}{'map s':>8}{'reference: build + draw s':>27}")
    for (_, name), (fig, shown), (build, draw) in zip(OFFICES, app, ref, strict=False):
        print(f"{name:<40}{fig:>10.2f}{shown:>8.2f}{build:>13.2f} + {draw:.2f} = {build + draw:.2f}")
    worst = max(max(a) for a in app)
    med_map = statistics.median(s for _, s in app)
    med_ref = statistics.median(b + d for b, d in ref)
    print(f"target: figures and map <= {TARGET_S:.1f} s after a close: worst {worst:.2f} s "
          f"{'OK' if worst <= TARGET_S else 'over'}")
    print(f"ratio = reference (map built and drawn from scratch) / in-place update in the app: "
          f"{med_ref / med_map:.2f}x (median {med_ref:.2f} s vs {med_map:.2f} s; the reference has no "
          "Streamlit rerun or websocket in it)")


if __name__ == "__main__":
    main()
