"""What the planner reads from the command line, compared in full against reviewed approved files.

Every command's summary and every option's names, help text and default (from the Click objects,
not the rendered terminal: the frame drawn around them differs between Typer versions), and the
output and exit code of the commands a planner runs first, at ``COLUMNS=100`` without colour.
"""

from __future__ import annotations

import enum

import typer.main
from typer.testing import CliRunner

from planner.cli.main import app

runner = CliRunner()
ENV = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "TERM": "dumb"}


def _commands(group=None, path=()):
    group = group or typer.main.get_command(app)
    yield path, group
    for name, cmd in sorted(getattr(group, "commands", {}).items()):
        yield from _commands(cmd, (*path, name))


def _plain(value):
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def test_every_command_and_option_of_the_cli_keeps_its_names_help_and_default(data_regression):
    out = {}
    for path, cmd in _commands():
        options = {}
        for p in cmd.params:
            options[" / ".join([*p.opts, *p.secondary_opts])] = {
                "help": getattr(p, "help", None), "default": _plain(p.default), "required": p.required}
        out[" ".join(path) or "planner"] = {"help": (cmd.help or "").strip(), "options": options}
    data_regression.check(out)


def test_map_of_a_scenario_uses_its_base_mode_and_says_model_year_and_name(tmp_path):
    sc = tmp_path / "walk.yaml"
    sc.write_text("name: Close Iso Omena on foot\nbase: {demand: postal, mode: walk}\n"
                  "changes:\n  - close: kela_espoo_iso_omena\n", encoding="utf-8")
    out = tmp_path / "m.html"
    res = runner.invoke(app, ["map", str(sc), "--need", "kela", "--no-tiles", "--no-charts",
                              "--out", str(out)],
                        env=ENV)
    assert res.exit_code == 0, res.output
    first, second = res.stdout.splitlines()[-2:]
    assert first.endswith("(walk); population data year 2022; scenario: Close Iso Omena on foot")
    assert first.startswith("model: ")
    assert second.startswith(f"wrote {out} (") and second.endswith(" kB, self-contained)")


def _errors_table(tmp_path):
    """Invocations a planner gets wrong, each refused before anything is computed."""
    sc_a = tmp_path / "a.yaml"
    sc_a.write_text("name: Same name\nbase: {demand: postal, mode: drive}\nchanges: []\n", encoding="utf-8")
    sc_b = tmp_path / "b.yaml"
    sc_b.write_text("name: Same name\nbase: {demand: postal, mode: walk}\nchanges: []\n", encoding="utf-8")
    sc_c = tmp_path / "c.yaml"
    sc_c.write_text("name: Other\nbase: {demand: grid, mode: walk}\nchanges: []\n", encoding="utf-8")
    alias = tmp_path / "alias.yaml"
    alias.write_text("name: &n A\nchanges: []\n", encoding="utf-8")
    npz = tmp_path / "bad.npz"
    npz.write_bytes(b"not a zip")
    o = str(tmp_path / "out")
    return {
        "report_grid_without_grid_demand": ["report", "--out", o, "--grid", "g.gpkg"],
        "report_fallback_contradiction": ["report", "--out", o, "--matrix-fallback", "estimate",
                                          "--no-matrix-fallback"],
        "evaluate_missing_scenario": ["evaluate", str(tmp_path / "none.yaml"), "--out", o],
        "evaluate_alias_in_scenario": ["evaluate", str(alias), "--out", o],
        "compare_two_scenarios_of_one_name": ["compare", str(sc_a), str(sc_b)],
        "compare_different_bases": ["compare", str(sc_a), str(sc_c)],
        "map_side_by_side_without_scenario": ["map", "--side-by-side", "--out", str(tmp_path / "m.html")],
        "brief_not_a_pdf": ["brief", "--out", str(tmp_path / "b.html")],
        "optimise_share_above_one": ["optimise", "--share", "1.5"],
        "optimise_negative_k": ["optimise", "--k", "-1"],
        "optimise_infinite_minutes": ["optimise", "--model", "mclp", "--k", "2", "--max-minutes", "inf"],
        "optimise_mobile_without_stops": ["optimise", "--model", "mobile"],
        "optimise_mobile_zero_stops": ["optimise", "--model", "mobile", "--stops", "0",
                                       "--max-route-min", "60"],
        "network_info_of_no_network": ["network", "info", str(npz)],
    }


def test_every_refused_invocation_says_one_error_line_and_exits_2(tmp_path, data_regression):
    out = {}
    for name, args in _errors_table(tmp_path).items():
        res = runner.invoke(app, args, env=ENV)
        text = res.output.replace(str(tmp_path), "<tmp>")
        out[name] = {"exit_code": res.exit_code, "output": text.splitlines()}
    data_regression.check(out)


def test_offline_geocode_writes_every_row_with_its_source_and_counts_them(tmp_path, data_regression):
    src = tmp_path / "addresses.csv"
    src.write_text("name,address,postal_code,municipality\n"
                   "Kamppi,Salomonkatu 17,00100,Helsinki\n"
                   "Short code,Tapiontori 3,2100,Espoo\n"
                   "Formula,=HYPERLINK(\"http://x\"),00100,Helsinki\n"
                   "Nowhere,Tie 1,99999,\n"
                   "Blank,,,\n", encoding="utf-8")
    runs = {}
    for dialect in ("default", "excel-fi"):
        out = tmp_path / f"geo-{dialect}.csv"
        res = runner.invoke(app, ["geocode", str(src), "--offline", "--out", str(out),
                                  "--csv-dialect", dialect],
                            env=ENV)
        assert res.exit_code == 0, res.output
        raw = out.read_bytes()
        runs[dialect] = {"output": res.output.replace(str(tmp_path), "<tmp>").splitlines(),
                         "bom": raw.startswith(b"\xef\xbb\xbf"),
                         "lines": raw.decode("utf-8-sig").splitlines()}
    bad = tmp_path / "bad.csv"
    bad.write_text("address,postal_code,municipality\nA 1,00100,Helsinki\nB 2,ABC,Espoo\n", encoding="utf-8")
    res = runner.invoke(app, ["geocode", str(bad), "--offline", "--out", str(tmp_path / "x.csv")], env=ENV)
    runs["bad_postal_code"] = {"exit_code": res.exit_code,
                               "output": res.output.replace(str(tmp_path), "<tmp>").splitlines()}
    data_regression.check(runs)


def test_categories_and_an_empty_network_cache_read_as_approved(tmp_path, data_regression):
    cats = runner.invoke(app, ["categories"], env=ENV)
    nets = runner.invoke(app, ["network", "list", "--cache-dir", str(tmp_path)], env=ENV)
    assert cats.exit_code == 0 and nets.exit_code == 0
    data_regression.check({"categories": cats.output.splitlines(),
                           "network_list_empty": nets.output.replace(str(tmp_path), "<tmp>").splitlines()})
