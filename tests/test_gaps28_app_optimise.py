"""Issue 28: the Optimise page's answer (planner.app.state.optimise_report / _sites / _scenario)
shows every figure of the solved result in its row, in the language's style, and the sites table
holds the selected and the closed points only, with their residents as whole numbers."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from planner.app import state as S
from planner.numbers import fmt_int, fmt_num, fmt_pct
from planner.outputs.i18n import category_label, t, tn


@pytest.fixture(scope="module")
def res(study):
    from planner.optimise import optimise_network

    # four Kela offices among today's five and the municipal centres: some closed, some opened
    return optimise_network(study, model="pmedian", need="kela", group="all", k=4,
                            candidates=["existing", "centres"])


def _row(text: str, label: str) -> list[str]:
    (line,) = [x for x in text.splitlines() if x.startswith(f"| {label} |")]
    return [c.strip() for c in line.strip("|").split("|")]


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_every_figure_in_its_row_today_and_optimised(res, study, lang):
    text = S.optimise_report(res, study, lang)
    m = res.metrics
    tr = fmt_num(30, lang, 0)
    kinds = {"points": lambda v: fmt_int(v, lang), "mean_min": lambda v: fmt_num(v, lang, 1),
             "max_min": lambda v: fmt_num(v, lang, 1), "pop_within_T": lambda v: fmt_int(v, lang),
             "share_within_T": lambda v: fmt_pct(v, lang), "pop_no_point": lambda v: fmt_int(v, lang)}
    keys = {"points": "o.r.points", "mean_min": "o.r.mean", "max_min": "o.r.max",
            "pop_within_T": "o.r.within", "share_within_T": "o.r.share", "pop_no_point": "o.r.no_point"}
    for col, key in keys.items():
        label = t(key, lang, t=tr)
        fig = kinds[col]
        assert _row(text, label) == [label, fig(m.loc[col, "today"]), fig(m.loc[col, "optimised"])], col
    # the table's header, in order
    assert f"| {t('o.r.figure', lang)} | {t('o.r.today', lang)} | {t('o.r.optimised', lang)} |" in text
    assert "|---|---:|---:|" in text
    assert _row(text, t("o.r.points", lang, t=tr))[1:] == ["5", "4"]


def test_the_residents_units_and_candidates_lines(res, study):
    text = S.optimise_report(res, study, "en")
    weight = res.rows["weight"].sum()
    units = res.rows["unit_id"].nunique()
    assert t("o.r.demand", "en", n=fmt_int(weight, "en"), units=fmt_int(units, "en"),
             unlocated=fmt_int(res.excluded.get("pop_unlocated", 0), "en"),
             unreachable=fmt_int(res.excluded.get("pop_unreachable", 0), "en")) + "  " in text
    assert "Residents optimised: 1,704,809 in 385 areas" in text  # every resident of Uusimaa
    assert t("o.r.candidates", "en", n="31", existing="5", centres="26", postal="0") + "  " in text
    assert text.startswith("#### " + t("o.r.title", "en", model="p-median", need=_need("kela", "en"),
                                       group=_group("all", "en")))


def test_the_question_and_solver_line(res, study):
    text = S.optimise_report(res, study, "fi")
    q = tn("o.q.pmedian", 4, "fi", k=4, t=fmt_num(30, "fi", 0), share=fmt_pct(0.95, "fi", 0))
    assert f"{t('o.r.question', 'fi')}: {q}  " in text.splitlines()
    (solver,) = [x for x in text.splitlines() if x.startswith(t("o.r.solver", "fi").split("{")[0][:5])]
    assert t("o.status.Optimal", "fi") in solver and "HiGHS \\(highspy\\), PuLP" in solver
    assert fmt_num(res.solution.solve_s, "fi", 1) in solver and " via " not in solver
    assert f"{t('o.r.question', 'en')}: Keep 4 points" in S.optimise_report(res, study, "en")


def test_a_question_without_threshold_or_share_reads_30_min_and_95_percent(res):
    p = {**res.params, "max_minutes": None, "share": None}
    lscp = res.__class__(**{**res.__dict__, "params": p, "model": "lscp"})
    assert S._opt_question(lscp, "en") == t("o.q.lscp", "en", k=4, t="30", share=fmt_pct(0.95, "en", 0))
    p45 = res.__class__(**{**res.__dict__, "params": {**p, "max_minutes": 45, "share": 0.8}, "model": "lscp"})
    assert S._opt_question(p45, "en") == t("o.q.lscp", "en", k=4, t="45", share=fmt_pct(0.8, "en", 0))
    assert "45" in S._opt_question(p45, "en") and "80" in S._opt_question(p45, "en")


def test_notes_are_listed_under_their_heading_in_the_language(res, study):
    note = "2,174 residents cannot reach any candidate site and are left out"
    with_note = res.__class__(**{**res.__dict__, "notes": (note,)})
    lines = S.optimise_report(with_note, study, "fi").splitlines()
    i = lines.index(f"**{t('o.r.notes', 'fi')}**")
    assert lines[i - 1] == "" and lines[i + 1] == "- " + S.optimise_note(note, "fi")
    assert "**" + t("o.r.notes", "fi") + "**" not in S.optimise_report(res, study, "fi")


def test_a_figure_that_does_not_exist_is_said_in_words(res, study):
    m = res.metrics.copy()
    m.loc["mean_min", "optimised"] = math.inf
    m.loc["pop_within_T", "today"] = np.nan
    odd = res.__class__(**{**res.__dict__, "metrics": m})
    text = S.optimise_report(odd, study, "en")
    no = t("ov.no_point", "en")
    assert _row(text, t("o.r.mean", "en"))[2] == no and _row(text, t("o.r.within", "en", t="30"))[1] == no
    assert _row(text, t("o.r.max", "en"))[2] == fmt_num(m.loc["max_min", "optimised"], "en", 1)


def test_sites_are_the_selected_and_the_closed_points(res, study):
    tab = S.optimise_sites(res, study, "en")
    s = res.sites
    shown = s[s["selected"] | (s["change"] == "closed")]
    assert tab[t("col.id", "en")].tolist() == shown["id"].tolist()
    assert set(s.loc[~s["id"].isin(shown["id"]), "change"]) == {"not selected"}
    changes = tab[t("o.col.change", "en")].tolist()
    assert changes.count(t("o.change.closed", "en")) == 3 and changes.count(t("o.change.opened", "en")) == 2
    assert changes.count(t("o.change.kept", "en")) == 2
    # residents served: whole numbers; today's figure for a new site is missing, not 0
    served = tab[t("o.col.served", "en")]
    assert served.dtype == "int64"
    assert served.tolist() == shown["pop_served"].fillna(0).round().astype(int).tolist()
    today = tab[t("o.col.served_today", "en")]
    new = tab[t("o.col.kind", "en")] == t("o.kind.centre", "en")
    assert new.sum() == 2 and today[new].isna().all() and today[~new].notna().all()
    existing = shown.loc[shown["kind"] == "existing", "pop_served_today"]
    assert today[~new].tolist() == existing.round().astype(int).tolist()
    closed = tab[t("o.col.change", "en")] == t("o.change.closed", "en")
    assert (served[closed] == 0).all()
    assert tab[t("col.category", "en")].tolist() == [category_label("kela", "en")] * len(tab)
    kinds = [t("o.kind.existing", "en")] * 5 + [t("o.kind.centre", "en")] * 2
    assert tab[t("o.col.kind", "en")].tolist() == kinds


def test_sites_name_their_municipality_and_keep_an_unknown_code(res, study):
    tab = S.optimise_sites(res, study, "sv")
    muni = dict(zip(tab[t("col.id", "sv")], tab[t("col.municipality", "sv")], strict=True))
    assert muni["kela_helsinki_kamppi"] == "Helsingfors" and muni["opt_kela_centre_444"] == "Lojo"
    sites = res.sites.copy()
    sites.loc[sites["id"] == "kela_kerava", "municipality_code"] = "999"
    sites.loc[sites["id"] == "kela_kerava", "kind"] = "mystery"
    odd = res.__class__(**{**res.__dict__, "sites": sites})
    row = S.optimise_sites(odd, study, "sv").set_index(t("col.id", "sv")).loc["kela_kerava"]
    assert row[t("col.municipality", "sv")] == "999" and row[t("o.col.kind", "sv")] == "mystery"


def test_optimised_scenario_named_in_the_language_changes_as_solved(res):
    assert S.optimise_scenario(res, "en") is res.scenario
    sv = S.optimise_scenario(res, "sv")
    assert sv.changes == res.scenario.changes and sv.base == res.scenario.base
    assert sv.name == t("o.r.name", "sv", model=S._opt_model("pmedian", "sv"), need=_need("kela", "sv"),
                        group=_group("all", "sv"))
    assert sv.description == t("o.r.desc", "sv", question=S._opt_question(res, "sv"))
    assert S._opt_model("pmedian", "fi") == "p-mediaani"
    assert not re.search(r"[()]", S._opt_model("pmedian", "en"))


def _need(code, lang):
    from planner.outputs.i18n import need_label

    return need_label(code, lang)


def _group(code, lang):
    from planner.outputs.i18n import group_label

    return group_label(code, lang)


def test_report_without_kind_or_rows_columns_counts_sites_and_zero_units(res, study):
    sites = res.sites.drop(columns="kind")
    rows = pd.DataFrame({"x": [1]})
    bare = res.__class__(**{**res.__dict__, "sites": sites, "rows": rows})
    text = S.optimise_report(bare, study, "en")
    assert t("o.r.candidates", "en", n=str(len(sites)), existing="0", centres="0", postal="0") in text
    assert "Residents optimised: 0 in 0 areas" in text
