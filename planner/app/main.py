"""Streamlit app of the Uusimaa service-network planner (thin: all computing is in `planner`).

Pages: Overview, Scenario builder, Compare, Optimise, Export.
Run with `make run`, `planner app` or `streamlit run app.py`.
"""

from __future__ import annotations

import json
import math

import streamlit as st

from planner.app import state as S
from planner.errors import PlannerError
from planner.escape import md_text
from planner.inputs.categories import CATEGORIES, NEEDS
from planner.numbers import fmt_int, fmt_num, fmt_pct, fmt_signed
from planner.outputs.i18n import LANG_NAMES, LANGS, category_label, group_label, model_name, need_label, t, tn
from planner.outputs.locale import (
    compare_table,
    error_text,
    fmt_pp,
    municipality_names,
    note_text,
    prov_text,
    styled,
)
from planner.traveltime.estimate import ESTIMATE_MODES, NETWORK_MODES

PAGES = ("overview", "builder", "compare", "optimise", "export")
GROUP_CHOICES = ("fi", "sv", "all")
# widgets that keep their values while another page is shown
KEEP_KEYS = ("sc_name", "sc_desc", "w_close", "w_appt", "new_name", "new_cat", "new_lon", "new_lat",
             "cmp_pick", "exp_pick", "exp_tiles", "o_model", "o_k", "o_t", "o_share_pct", "o_keep_cat",
             "o_per", "o_swedish", "o_cand", "b_charts", "b_points")


# ---------------------------------------------------------------- cached heavy work


@st.cache_resource(show_spinner=False)  # the caller shows the wait, in the room's language
def get_study(model: str, mode: str, demand: str, preset: str, date: str | None = None,
              unlocated: bool = False, weight: str = "residents", eligibility: str = "default",
              matrix: tuple[str, str, str] | None = None, located_only: bool = False,
              target_groups: bool = False):
    return S.load_app_study(model, mode, demand, preset, date=date, include_unlocated=unlocated,
                            weight=weight, eligibility=eligibility, matrix=matrix,
                            located_only=located_only, include_target_groups=target_groups)


@st.cache_data(show_spinner=False, max_entries=32)
def get_matrix_columns(path: str, mtime: float) -> list[str]:
    from planner.traveltime.imported import matrix_columns

    return matrix_columns(path)


@st.cache_resource(show_spinner=False)
def get_baseline(key: tuple):
    from planner.analysis.study import evaluate_points

    return evaluate_points(get_study(*key))


@st.cache_resource(show_spinner=False, max_entries=64)
def get_effect(key: tuple, text: str):
    return S.effect(get_study(*key), get_baseline(key), S.scenario_from_text(text, "<builder>"))


@st.cache_resource(show_spinner=False, max_entries=32)
def get_run(key: tuple, text: str):
    from planner.outputs.report import run_scenarios

    study = get_study(*key)
    _, runs = run_scenarios(study, [S.scenario_from_text(text, "<scenario>")], get_baseline(key))
    return runs[0]


def get_map(key: tuple, text: str | None, full: bool, need: str, group: str, lang: str,
            catchments: bool = False):
    """A fresh copy of the cached map (st_folium changes the map object it is given)."""
    import copy

    return copy.deepcopy(_cached_map(key, text, full, need, group, lang, catchments))


@st.cache_resource(show_spinner=False, max_entries=48)
def _cached_map(key: tuple, text: str | None, full: bool, need: str, group: str, lang: str,
                catchments: bool = False):
    from planner.outputs.html import offline_assets
    from planner.outputs.maps import scenario_map

    study, base = get_study(*key), get_baseline(key)
    if text is None:
        m = scenario_map(study, base, need, group, lang=lang, compact=True, catchments=catchments,
                         show_catchments=catchments)
    elif full:
        run = get_run(key, text)
        m = scenario_map(study, run.results, need, group, applied=run.applied,
                         changes=run.comparison["unit_changes"], lang=lang, compact=True,
                         catchments=catchments, baseline=base, show_catchments=catchments)
    else:
        eff = get_effect(key, text)
        m = scenario_map(study, eff.results, need, group, applied=eff.applied, changes=eff.changes,
                         lang=lang, compact=True, catchments=catchments, baseline=base,
                         show_catchments=catchments)
    return offline_assets(m)  # Leaflet inlined: the map draws without internet


def get_live_map(key: tuple, text: str | None, need: str, group: str, lang: str, catchments: bool = False):
    """The builder's map as (frame, live layers): the frame is always the baseline's, so a
    scenario change swaps only the layers, title and legend in the browser (no new map)."""
    import copy

    frame, _ = _cached_live(key, None, need, group, lang, catchments)
    _, live = _cached_live(key, text, need, group, lang, catchments)
    return copy.deepcopy(frame), copy.deepcopy(live)  # st_folium changes what it is given


@st.cache_resource(show_spinner=False, max_entries=48)
def _cached_live(key: tuple, text: str | None, need: str, group: str, lang: str, catchments: bool = False):
    from planner.outputs.html import offline_assets
    from planner.outputs.maps import LiveLayers, scenario_map

    study, base = get_study(*key), get_baseline(key)
    live = LiveLayers()
    if text is None:
        m = scenario_map(study, base, need, group, lang=lang, compact=True, catchments=catchments, live=live,
                         show_catchments=catchments)
        return offline_assets(m), live
    eff = get_effect(key, text)
    # a scenario's live layers go over the baseline's frame (get_live_map): no frame of its own
    scenario_map(study, eff.results, need, group, applied=eff.applied, changes=eff.changes, lang=lang,
                 compact=True, catchments=catchments, baseline=base, live=live, frame=False,
                 show_catchments=catchments)
    return None, live


@st.cache_data(show_spinner=False, max_entries=8)
def get_side_by_side(key: tuple, text: str, need: str, group: str, lang: str) -> str:
    """Before / after as two synchronised maps, one self-contained page (cached per scenario)."""
    from planner.outputs.sidebyside import side_by_side_html

    eff = get_effect(key, text)
    return side_by_side_html(get_study(*key), get_baseline(key), eff.results, eff.applied, need, group,
                             tiles=None, lang=lang)


@st.cache_data(show_spinner=False, max_entries=8)
def get_brief(key: tuple, text: str | None, need: str, group: str, lang: str) -> bytes:
    """The A4 handout of the baseline or a scenario, PDF bytes (made on request, then cached)."""
    from planner.outputs.brief import brief_pdf

    run = get_run(key, text) if text else None
    return brief_pdf(get_study(*key), get_baseline(key), run, need, group, lang)


@st.cache_data(show_spinner=False, max_entries=8)
def get_exports(key: tuple, text: str | None, need: str, group: str, lang: str, tiles: bool):
    scenario = S.scenario_from_text(text, "<scenario>") if text else None
    return S.export_files(get_study(*key), get_baseline(key), scenario, need, group, lang,
                          "OpenStreetMap" if tiles else None)


@st.cache_resource(show_spinner=False, max_entries=16)
def get_optimised(key: tuple, need: str, group: str, params: tuple):
    from planner.optimise import optimise_network

    return optimise_network(get_study(*key), need=need, group=group, **dict(params))


@st.cache_resource(show_spinner=False)
def bundled() -> dict[str, str]:
    from planner.analysis.scenario import scenario_to_yaml

    return {name: scenario_to_yaml(sc) for name, sc in S.bundled_scenarios().items()}


# ---------------------------------------------------------------- helpers


def show_map(m, key: str, returned: list[str] | None = None, height: int = 600,
             view_key: str | None = None, live=None):
    """Draw a folium map. With ``view_key`` (what the map shows) the user's zoom and centre are
    kept when the map is redrawn for a new ``view_key`` (e.g. after a scenario change). With
    ``live`` (:class:`planner.outputs.maps.LiveLayers`) ``m`` is only the frame and the live
    layers are swapped in place when they change."""
    from streamlit_folium import st_folium

    ss = st.session_state
    kw: dict = {}
    if view_key is not None:
        drawn, view = ss.get(f"_drawn_{key}"), ss.get(f"_view_{key}")
        if drawn is not None and drawn != view_key and view:
            kw = {"zoom": view[0], "center": view[1]}
        ss[f"_drawn_{key}"] = view_key
    if live is not None:
        kw.update(feature_group_to_add=live.groups(), layer_control=live.control)
    out = st_folium(m, key=key, height=height, use_container_width=True,
                    returned_objects=[*(returned or []), *(["zoom", "center"] if view_key else [])], **kw)
    if view_key is not None and out and out.get("zoom") and out.get("center"):
        lat, lng = out["center"].get("lat"), out["center"].get("lng")
        # a map reporting before it has a size (hidden or replaced iframe) gives NaN
        if all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lng, out["zoom"])):
            ss[f"_view_{key}"] = (out["zoom"], (lat, lng))
    return out


def provenance_caption(prov: dict, lang: str, key: tuple | None = None) -> None:
    network = prov.get("network_source", "")
    if prov.get("osm_date") not in (None, "", "unknown", "n/a"):
        network += f", OSM {prov['osm_date']}"
    mode = t(f"mode.{prov['mode']}", lang) if prov["mode"] in ESTIMATE_MODES else prov["mode"]
    # issue 26: the provenance's own phrases in the interface language too (a file name stays)
    st.caption(t("prov.caption", lang, model=model_name(prov["model"], lang), mode=mode.lower(),
                 params=md_text(prov_text(prov.get("model_parameters", ""), lang)), year=prov["data_year"],
                 units=prov_text(prov["demand_units"], lang),
                 network=md_text(prov_text(network, lang)),  # a matrix's file and column
                 points=md_text(prov_text(prov["service_points"], lang))))
    if prov.get("time_error_p90_min"):  # the estimate's cross-validated error per distance band
        st.caption(t("map.error", lang, bands=prov_text(prov["time_error_p90_min"], lang)))
    else:  # the road network, a matrix without the estimate: said, not left blank
        st.caption(t("map.error_unknown", lang))
    if prov.get("pt_wait"):  # issue 24: the PT estimate leaves out the wait before the first leg
        st.caption(t("map.pt_wait", lang, note=prov_text(prov["pt_wait"], lang)))
    if key is not None and key[0] == "matrix":
        matrix_coverage(get_study(*key), lang)


def matrix_coverage(study, lang: str) -> None:
    """What an imported matrix covers (measured once, with the study's matrix), and the points
    it has no column for (named)."""
    cov = study.ttm.coverage
    n_pts, n_orig = cov.n_destinations, cov.n_origins
    text = t("side.matrix_coverage", lang, pts=n_pts - len(cov.points_without_column), n_pts=n_pts,
             orig=n_orig - len(cov.origins_without_row), n_orig=n_orig,
             share=fmt_num(100 * cov.pairs_from_matrix, lang))  # 1,4 % in fi / sv
    (st.info if cov.pairs_from_matrix == 1 else st.warning)(text)
    if len(cov.points_without_column):
        missing = study.points.iloc[cov.points_without_column]
        with st.expander(t("side.matrix_missing", lang, n=len(missing))):
            st.dataframe(S.points_without_column(missing, lang), hide_index=True, width="stretch")


def scenario_library() -> dict[str, str]:
    """Scenario name -> YAML text: saved on disk (newest first), then the bundled examples."""
    from planner.app.saved import saved_scenarios

    saved = saved_scenarios()
    return {**saved, **{k: v for k, v in bundled().items() if k not in saved}}


def point_labels(study, lang: str = "en") -> dict[str, str]:
    """Point id -> 'name · municipality' (the municipality's Swedish name in Swedish)."""
    munis = municipality_names(study.municipalities, lang)
    pts = study.points.sort_values(["municipality_code", "name"])
    return {p.id: f"{p.name} · {munis.get(p.municipality_code, p.municipality_code)}"
            for p in pts.itertuples()}


# ---------------------------------------------------------------- sidebar


def _kept(widget, label: str, options: list, key: str, lang: str, default=None, **kw):
    """A select widget whose choice survives a language switch.

    The choice lives in ``session_state[key]``; the widget itself is keyed per language
    (``key@lang``), so switching the language draws a fresh widget, with its option labels
    in the new language, set to the same choice (a widget keyed once keeps showing the old
    language's labels). Code that sets ``session_state[key]`` moves the widget too.
    """
    ss = st.session_state
    if ss.get(key) not in options:
        ss[key] = default if default in options else options[0]
    wkey = f"{key}@{lang}"
    if ss.get(wkey) != ss[key]:
        ss[wkey] = ss[key]

    def sync() -> None:
        ss[key] = ss[wkey]

    return widget(label, options, key=wkey, on_change=sync, **kw)


def sidebar() -> dict:
    ss = st.session_state
    ss.setdefault("lang", "en")
    lang = ss["lang"]
    sb = st.sidebar
    sb.selectbox("Language · Kieli · Språk", LANGS, format_func=LANG_NAMES.get, key="lang")
    sb.title(t("app.title", lang))
    _kept(sb.radio, t("nav.page", lang), list(PAGES), "page", lang,
          format_func=lambda p: t(f"nav.{p}", lang))
    need = _kept(sb.selectbox, t("side.need", lang), list(NEEDS), "need", lang, default=list(NEEDS)[2],
                 format_func=lambda n: need_label(n, lang))
    group = _kept(sb.selectbox, t("side.group", lang), list(GROUP_CHOICES), "group", lang,
                  format_func=lambda g: group_label(g, lang))
    # the road network routes walk and drive only; the estimate also has rush hour and public transport
    modes = list(NETWORK_MODES) if ss.get("model") == "network" else list(ESTIMATE_MODES)
    mode = _kept(sb.selectbox, t("side.mode", lang), modes, "mode", lang, default="drive",
                 format_func=lambda m: t(f"mode.{m}", lang))
    models = ["straight", "matrix", "network"] if S.network_available() else ["straight", "matrix"]
    model = _kept(sb.selectbox, t("side.model", lang), models, "model", lang,
                  format_func=lambda m: t(f"model.{m}", lang))
    matrix = None
    if model == "network":
        demand = "helsinki_centre"
        sb.info(t("side.network_note", lang))
    else:
        demand = _kept(sb.selectbox, t("side.demand", lang), ["postal", "grid"], "demand", lang,
                       format_func=lambda d: t(f"demand.{d}", lang))
        if model == "matrix":
            matrix = matrix_controls(lang)
            if matrix is None:  # nothing usable yet: the estimate, said so beside the control
                model = "straight"
    preset = _kept(sb.selectbox, t("side.preset", lang), ["six_areas", "wellbeing_counties_2023"], "preset",
                   lang, format_func=lambda p: t(f"preset.{p}", lang))
    # issue 11: the network of a day, placeholders, need weight, eligibility rule
    import datetime

    ss.setdefault("net_date", datetime.date(2022, 12, 31))  # (a link may have set it)
    day = sb.date_input(t("side.date", lang), key="net_date", help=t("side.date_help", lang))
    unlocated = sb.checkbox(t("side.unlocated", lang), key="net_unlocated")
    # issue 23: the located-only view and the targeted services, both off by default
    located_only = sb.checkbox(t("side.located_only", lang), key="net_located_only",
                               help=t("side.located_only_help", lang))
    target_groups = sb.checkbox(t("side.target_groups", lang), key="net_target_groups",
                                help=t("side.target_groups_help", lang))
    weight = _kept(sb.selectbox, t("side.weight", lang), ["residents", "unemployed", "low_income_households"],
                   "net_weight", lang, format_func=lambda w: t(f"weight.{w}", lang))
    eligibility = _kept(sb.selectbox, t("side.eligibility", lang), ["default", "any", "organiser"],
                        "net_elig", lang, format_func=lambda e: t(f"elig.{e}", lang),
                        help=t("side.eligibility_help", lang))
    return {"lang": lang, "need": need, "group": group,
            "key": (model, mode, demand, preset, str(day), unlocated, weight, eligibility, matrix,
                    located_only, target_groups)}


def _session_id() -> str:
    """This browser session's id (the key of its private uploads)."""
    import uuid

    return st.session_state.setdefault("_session_id", uuid.uuid4().hex)


def _store_matrix_upload() -> None:
    """Check the uploaded matrix (read in full, as the model will), keep it for this session
    only and select it; a file that cannot be used is explained and not kept."""
    from planner.errors import PlannerError

    ss = st.session_state
    up = ss.get("matrix_upload")
    if up is None:
        return
    try:
        path = S.store_upload(up.getvalue(), up.name, _session_id())
    except PlannerError as exc:
        ss["_matrix_msg"] = ("error", ("side.matrix_bad", {"error": exc}))  # worded when shown
        return
    ss["matrix_pick"] = path.name
    ss["_matrix_msg"] = ("success", ("side.matrix_saved", {"name": path.name}))


def _share_matrix(path: str) -> None:
    """Callback: put this session's matrix in the list every user of the planner sees."""
    ss = st.session_state
    shared = S.share_upload(path)
    ss["matrix_pick"] = shared.name
    ss["_matrix_msg"] = ("success", ("side.matrix_shared", {"name": shared.name}))


def matrix_controls(lang: str) -> tuple[str, str, str] | None:
    """Sidebar controls of the imported matrix: upload, pick a stored one, its time column and
    what its ids are. Returns (path, column, keys), or None while there is nothing usable."""
    from planner.errors import PlannerError
    from planner.inputs.matrices import stored_matrices

    ss, sb = st.session_state, st.sidebar
    sb.file_uploader(t("side.matrix_upload", lang), type=["csv", "parquet", "zip"], key="matrix_upload",
                     on_change=_store_matrix_upload, help=t("side.matrix_help", lang))
    msg = ss.get("_matrix_msg")
    if msg:
        kind, (k, values) = msg
        getattr(sb, kind)(t(k, lang, **{n: md_text(_worded(v, lang)) for n, v in values.items()}))
    mine = stored_matrices(S.session_matrix_dir(_session_id()))  # uploads of this session only
    stored = {**stored_matrices(), **mine}
    if not stored:
        sb.info(t("side.matrix_none", lang))
        return None
    name = _kept(sb.selectbox, t("side.matrix_pick", lang), list(stored), "matrix_pick", lang,
                 format_func=lambda n: t("side.matrix_private", lang, name=n) if n in mine else n)
    path = stored[name]
    if name in mine:
        sb.button(t("side.matrix_share", lang), on_click=_share_matrix, args=(str(path),), key="matrix_share",
                  help=t("side.matrix_share_help", lang))
    try:
        columns = get_matrix_columns(str(path), path.stat().st_mtime)
    except (PlannerError, ValueError, OSError) as exc:
        sb.error(t("side.matrix_bad", lang, error=md_text(exc)))
        return None
    if not columns:
        sb.error(t("side.matrix_bad", lang, error=md_text("no time column besides from_id / to_id")))
        return None
    preferred = next((c for c in ("travel_time", "pt_r_t", "car_r_t", "walk_t") if c in columns), None)
    column = _kept(sb.selectbox, t("side.matrix_column", lang), columns, "matrix_column", lang,
                   default=preferred)
    keys = "cells" if path.is_dir() else _kept(sb.radio, t("side.matrix_keys", lang), ["cells", "ids"],
                                                "matrix_keys", lang,
                                                format_func=lambda k: t(f"keys.{k}", lang))
    return (str(path), column, keys)


# ---------------------------------------------------------------- pages


def overview(ctx: dict) -> None:
    lang, need, group, key = ctx["lang"], ctx["need"], ctx["group"], ctx["key"]
    study, res = get_study(*key), get_baseline(key)
    st.title(t("ov.title", lang))
    provenance_caption(res.provenance, lang, key)
    counts = study.points["category"].value_counts()
    st.markdown(f"**{t('ov.points', lang)}**")
    cols = st.columns(4) + st.columns(4)
    for col, code in zip(cols, CATEGORIES, strict=False):
        col.metric(category_label(code, lang), int(counts.get(code, 0)))
    st.markdown(S.proxy_sentence(res, need, group, lang))
    gaps = S.area_gap_sentences(res, need, group, lang)  # issue 26: each area's gap and proxies in words
    if gaps:
        st.markdown("\n".join(f"- {g}" for g in gaps))
    show_map(get_map(key, None, False, need, group, lang), key="overview_map")
    st.subheader(t("ov.by_area", lang, need=need_label(need, lang)) + f" — {group_label(group, lang)}")
    table = S.area_figures(res, need, group, lang)
    st.dataframe(styled(table, lang), hide_index=True, width="stretch")
    st.download_button(t("ov.download", lang), table.to_csv(index=False).encode("utf-8"),
                       file_name=f"service_areas_{need}_{group}.csv", mime="text/csv", key="ov_csv")


def _builder_defaults(lang: str) -> None:
    ss = st.session_state
    # a name still at the default this room gave it follows the room's language; one the
    # facilitator typed or a scenario file brought is kept (even if it reads like a default)
    given = ss.setdefault("name_defaults", {})
    for key, msgid in (("sc_name", "b.default_name"), ("new_name", "b.new_default"),
                       ("mob_name", "b.mob_default"), ("mob_stop_name", "b.mob_stop_default")):
        if key not in ss or (key in given and ss[key] == given[key]):
            ss[key] = given[key] = t(msgid, lang)
    ss.setdefault("sc_desc", "")
    ss.setdefault("w_close", [])
    ss.setdefault("w_appt", [])
    ss.setdefault("merges", [])
    ss.setdefault("opened", [])
    ss.setdefault("extra", [])
    ss.setdefault("picked", [])
    ss.setdefault("new_cat", "fi_walkin")
    ss.setdefault("new_lon", 24.94)
    ss.setdefault("new_lat", 60.17)
    ss.setdefault("mob_cats", ["fi_walkin"])
    ss.setdefault("mob_day", "tue")
    ss.setdefault("mob_start", "09:00")
    ss.setdefault("mob_end", "12:00")
    ss.setdefault("mob_stops", [])


def current_selections() -> S.Selections:
    ss = st.session_state
    return S.Selections(close=tuple(ss.get("w_close", [])),
                        merges=tuple((m[0], tuple(m[1])) for m in ss.get("merges", [])),
                        appointment_only=tuple(ss.get("w_appt", [])),
                        opened=tuple(ss.get("opened", [])), extra=tuple(ss.get("extra", [])))


def current_scenario(study, key: tuple, lang: str):
    """The builder's scenario (None when it changes nothing) and the error that stops it, if any."""
    sel = current_selections()
    if sel.is_empty():
        return None, None
    base = {"demand": key[2], "mode": key[1]}
    try:
        return S.build_scenario(study.points, st.session_state.get("sc_name") or t("b.default_name", lang),
                                st.session_state.get("sc_desc", ""), sel, base), None
    except PlannerError as exc:
        return None, error_text(exc, lang)


def _open_in_builder(text: str | bytes, source: str) -> None:
    """Callback: put a scenario's changes into the builder's widgets."""
    ss = st.session_state
    key = ss["_key"]
    where = "link" if source == "<link>" else "load"
    try:
        sc = S.scenario_from_text(text, source)
    except PlannerError as exc:
        _msg("error", exc, where)
        return
    sel = S.selections_from_scenario(sc, get_study(*key).points)
    ss.update(w_close=list(sel.close), w_appt=list(sel.appointment_only),
              merges=[[i, list(f)] for i, f in sel.merges], opened=[dict(o) for o in sel.opened],
              extra=[dict(c) for c in sel.extra], sc_name=sc.name, sc_desc=sc.description, picked=[])
    ss.setdefault("name_defaults", {}).pop("sc_name", None)  # the file's name, not a default
    base = sc.base or {}
    if base.get("mode") in ESTIMATE_MODES:
        ss["mode"] = base["mode"]
    if base.get("demand") in ("postal", "grid") and ss.get("model", "straight") == "straight":
        ss["demand"] = base["demand"]
    _rows_all_kept()
    _msg("success", ("b.loaded", {"name": sc.name}), where)


def _msg(kind: str | None, text: str | tuple[str, dict] | PlannerError = "", where: str = "edit") -> None:
    """Set the builder's message (kind 'success' / 'error' / 'info'), shown beside the control
    ``where`` ('edit', 'new', 'save', 'load', 'link') until the next action; None clears it.
    An error is kept as the exception and worded in the room's language when shown."""
    ss = st.session_state
    if kind is None:
        ss.pop("builder_msg", None)
    else:
        ss["builder_msg"] = (kind, text, where)


def _worded(value, lang: str):
    """A kept error in ``lang`` (file, row and field in its words: issue 28); other values as
    they are."""
    return error_text(value, lang) if isinstance(value, BaseException) else value


def _show_msg(where: str) -> None:
    """The message set by the last action, if it belongs beside ``where``; a message given
    as (key, values) is worded in the current language, so it follows a language switch."""
    ss = st.session_state
    msg = ss.get("builder_msg")
    if msg and len(msg) == 3 and msg[2] == where:
        # the values are user data (scenario names, ids): literal text, never Markdown
        text = (t(msg[1][0], ss["lang"], **{k: md_text(v) for k, v in msg[1][1].items()})
                if isinstance(msg[1], tuple) else md_text(_worded(msg[1], ss["lang"])))
        {"error": st.error, "success": st.success}.get(msg[0], st.info)(text)


def _rows_all_kept() -> None:
    ss = st.session_state
    ss["w_merges_keep"] = list(range(len(ss.get("merges", []))))
    ss["w_opened_keep"] = list(range(len(ss.get("opened", []))))
    ss["w_mobile_keep"] = [i for i, c in enumerate(ss.get("extra", [])) if "mobile" in c]


def _load_picked() -> None:
    name = st.session_state.get("load_pick")
    if name:
        _open_in_builder(scenario_library()[name], name)


def _load_upload() -> None:
    f = st.session_state.get("upload")
    if f is not None:
        _open_in_builder(f.getvalue(), f.name)  # bytes: a latin-1 file is explained, not mangled


def _reset() -> None:
    ss = st.session_state
    _msg(None)
    ss.update(w_close=[], w_appt=[], merges=[], opened=[], extra=[], picked=[],
              sc_name=t("b.default_name", ss["lang"]), sc_desc="")
    ss.setdefault("name_defaults", {})["sc_name"] = ss["sc_name"]
    _rows_all_kept()


def _add_merge() -> None:
    ss = st.session_state
    _msg(None)
    into, frm = ss.get("w_merge_into"), [p for p in ss.get("w_merge_from", []) if p != ss.get("w_merge_into")]
    if into and frm:
        ss["merges"] = [*ss["merges"], [into, frm]]
        ss["w_merge_from"] = []
        _rows_all_kept()


def _keep_rows(state_key: str, widget_key: str) -> None:
    ss = st.session_state
    keep = ss.get(widget_key, [])
    ss[state_key] = [row for i, row in enumerate(ss[state_key]) if i in keep]
    ss[widget_key] = list(range(len(ss[state_key])))


def _picked_state(pid: str) -> str:
    """What the scenario being built does to point ``pid``: 'closed' (closed or merged into
    another point), 'appointment' (made appointment-only) or 'open'."""
    ss = st.session_state
    if pid in ss.get("w_close", []) or any(pid in frm for _, frm in ss.get("merges", [])):
        return "closed"
    return "appointment" if pid in ss.get("w_appt", []) else "open"


def _pick_action(action: str, pid: str) -> None:
    """Callback of the buttons under a point picked on the map."""
    ss = st.session_state
    _msg(None)
    if action == "close" and any(o["id"] == pid for o in ss["opened"]):  # a new point: drop it
        ss["opened"] = [o for o in ss["opened"] if o["id"] != pid]
        ss["picked"] = []
    elif action == "close" and pid not in ss["w_close"]:
        ss["w_close"] = [*ss["w_close"], pid]
        ss["w_appt"] = [p for p in ss["w_appt"] if p != pid]
    elif action == "appointment" and pid not in ss["w_appt"]:
        ss["w_appt"] = [*ss["w_appt"], pid]
        ss["w_close"] = [p for p in ss["w_close"] if p != pid]
    elif action == "reopen":
        ss["w_close"] = [p for p in ss["w_close"] if p != pid]
        ss["w_appt"] = [p for p in ss["w_appt"] if p != pid]
        ss["merges"] = [[i, [f for f in frm if f != pid]] for i, frm in ss["merges"]
                        if [f for f in frm if f != pid]]
    _rows_all_kept()


def _add_new_point() -> None:
    ss = st.session_state
    study = get_study(*ss["_key"])
    try:
        taken = {o["id"] for o in ss["opened"]}
        op = S.new_point_change(study, float(ss["new_lon"]), float(ss["new_lat"]), ss["new_name"],
                                ss["new_cat"], taken)
    except PlannerError as exc:
        _msg("error", exc, "new")  # beside the button; the map keeps its view
        return
    _msg("success", ("b.new_added", {"name": op["name"]}), "new")
    ss["opened"] = [*ss["opened"], op]
    _rows_all_kept()


def _add_mobile_stop() -> None:
    """Callback: one stop (municipal centre or coordinates, a day and hours) for the draft unit."""
    ss = st.session_state
    study = get_study(*ss["_key"])
    at_centre = ss.get("mob_where", "centre") == "centre"
    try:
        stop = S.mobile_stop(study, ss["mob_name"], ss["mob_stop_name"], ss["mob_day"], ss["mob_start"],
                             ss["mob_end"], centre=ss.get("mob_centre") if at_centre else None,
                             lon=ss["new_lon"], lat=ss["new_lat"],
                             taken_ids={s["id"] for s in ss["mob_stops"]})
    except PlannerError as exc:
        _msg("error", exc, "mobile")
        return
    ss["mob_stops"] = [*ss["mob_stops"], stop]
    _msg("success", ("b.mob_stop_added", {"name": stop["name"]}), "mobile")


def _add_mobile_unit() -> None:
    """Callback: the draft unit with its stops becomes a ``mobile`` change of the scenario."""
    ss = st.session_state
    study = get_study(*ss["_key"])
    taken = {c["mobile"]["id"] for c in ss["extra"] if "mobile" in c}
    try:
        change = S.mobile_change(study, ss["mob_name"], ss["mob_cats"], ss["mob_stops"], taken)
    except PlannerError as exc:
        _msg("error", exc, "mobile")
        return
    ss["extra"] = [*ss["extra"], change]
    ss["mob_stops"] = []
    _msg("success", ("b.mob_added", {"name": change["mobile"]["name"]}), "mobile")
    _rows_all_kept()


def _mobile_tab(study, lang: str) -> None:
    """The scenario builder's mobile-unit tab (issue 14): a unit, its categories and stops."""
    ss = st.session_state
    st.caption(t("b.mob_help", lang))
    st.text_input(t("b.mob_name", lang), key="mob_name")
    st.multiselect(t("b.mob_cats", lang), list(CATEGORIES), format_func=lambda c: category_label(c, lang),
                   key="mob_cats", placeholder=t("app.choose", lang))
    st.text_input(t("b.mob_stop_name", lang), key="mob_stop_name")
    st.radio(t("b.mob_where", lang), ["centre", "click"], format_func=lambda w: t(f"b.mob_where_{w}", lang),
             key="mob_where", horizontal=True)
    if ss.get("mob_where", "centre") == "centre":
        centres = study.centres.drop_duplicates("municipality_code")
        munis = municipality_names(study.municipalities, lang)  # Swedish names in Swedish
        names = {c: str(munis.get(c, label.title())) for c, label in zip(centres["municipality_code"],
                                                                           centres["label"], strict=True)}
        st.selectbox(t("b.mob_centre", lang), sorted(names, key=names.get), format_func=names.get,
                     key="mob_centre")
    else:
        st.caption(t("b.mob_at", lang, lat=ss["new_lat"], lon=ss["new_lon"]))
    from planner.analysis.mobile import DAYS

    c1, c2, c3 = st.columns(3)
    c1.selectbox(t("b.mob_day", lang), list(DAYS), format_func=lambda d: t(f"b.day_{d}", lang), key="mob_day")
    c2.text_input(t("b.mob_start", lang), key="mob_start")
    c3.text_input(t("b.mob_end", lang), key="mob_end")
    st.button(t("b.mob_add_stop", lang), on_click=_add_mobile_stop, key="mob_add_stop")
    if ss["mob_stops"]:
        # stop names are user text: literal in the Markdown caption, never markup or links
        st.caption(t("b.mob_stops", lang, stops=md_text("; ".join(
            f"{s['name']} ({t('b.day_' + s['schedule'][0]['day'], lang)} {s['schedule'][0]['start']}"
            f"-{s['schedule'][0]['end']})"
            for s in ss["mob_stops"]))))
    st.button(t("b.mob_add", lang), on_click=_add_mobile_unit, key="mob_add", type="primary")
    _show_msg("mobile")
    units = {i: c["mobile"] for i, c in enumerate(ss["extra"]) if "mobile" in c}
    if units:  # the scenario's units, each removable here (a cross on its chip)
        rows = {i: tn("b.mob_row", len(u.get("stops", [])), lang, name=u.get("name", u.get("id", "")),
                      stops=len(u.get("stops", []))) for i, u in units.items()}
        ss["w_mobile_keep"] = [i for i in ss.get("w_mobile_keep", list(rows)) if i in rows]
        st.multiselect(t("b.mob_list", lang), list(rows), format_func=rows.get, key="w_mobile_keep",
                       on_change=_keep_mobile, placeholder=t("app.choose", lang))


def _keep_mobile() -> None:
    """Callback: drop the mobile units whose chip was removed; other changes stay as they are."""
    ss = st.session_state
    keep = set(ss.get("w_mobile_keep", []))
    ss["extra"] = [c for i, c in enumerate(ss["extra"]) if "mobile" not in c or i in keep]
    _rows_all_kept()


def _save(name: str, text: str, where: str = "save") -> None:
    """Callback: keep the scenario on disk (it survives a reload and a restart)."""
    from planner.app.saved import save_scenario

    ss = st.session_state
    try:
        save_scenario(name, text)
    except OSError as exc:  # the reason, not the server's folders
        _msg("error", ("b.save_failed", {"error": exc.strerror or type(exc).__name__}), where)
        return
    except ValueError as exc:
        _msg("error", ("b.save_failed", {"error": str(exc)}), where)
        return
    ss["saved_text"] = text
    ss.setdefault("name_defaults", {}).pop("sc_name", None)  # saved under this name: no longer a default
    _msg("success", ("b.saved_disk", {"name": name}), where)


def _handle_map_click(out: dict | None, all_points) -> None:
    """A marker click picks the point(s) there; a click elsewhere places the new point."""
    ss = st.session_state
    if not out:
        return
    obj, click = out.get("last_object_clicked"), out.get("last_clicked")
    if obj and obj != ss.get("_seen_obj"):
        ss["_seen_obj"] = obj
        _msg(None)
        ids = S.points_at(all_points, obj["lng"], obj["lat"])
        tip = str(out.get("last_object_clicked_tooltip") or "")
        names = all_points.drop_duplicates("id").set_index("id")["name"]
        ids.sort(key=lambda p: not tip.startswith(str(names.get(p, "\0"))))  # the clicked one first
        if ids:
            ss["picked"] = ids
            ss["w_pick"] = ids[0]
    if click and click != ss.get("_seen_click"):
        ss["_seen_click"] = click
        _msg(None)
        if not S.points_at(all_points, click["lng"], click["lat"]):
            ss["new_lon"], ss["new_lat"] = round(click["lng"], 5), round(click["lat"], 5)
            ss["builder_click"] = True


def _effect_section(study, eff, results, shown, need: str, group: str, lang: str) -> None:
    """The scenario's headline figures, its table by service area and the points table."""
    st.subheader(t("b.effect", lang, need=need_label(need, lang), group=group_label(group, lang)))
    if eff is None:
        st.info(t("b.no_changes", lang))
    else:
        reg = eff.region[(eff.region["need"] == need) & (eff.region["group"] == group)].iloc[0]
        c = st.columns(4)
        # issue 24: a median among residents with no point is no number of minutes: said in words
        none = note_text(reg["stats_note_after"], lang) or t("map.unreachable", lang)
        med_b, med_a = reg["median_min_before"], reg["median_min_after"]
        delta = _signed(med_a - med_b, lang, " min") if math.isfinite(med_a - med_b) else None
        c[0].metric(t("fig.median", lang), f"{fmt_num(med_a, lang)} min" if math.isfinite(med_a) else none,
                    delta, **_delta_style(delta, "inverse"))
        located = max(reg["population"] - reg["pop_unlocated"], 1)
        b30, a30 = reg["pop_within_30_before"] / located, reg["pop_within_30_after"] / located
        # a change of a percentage is in percentage points (issue 26)
        delta = fmt_pp(100 * (a30 - b30), lang, sign="-")
        c[1].metric(t("fig.within30", lang), fmt_pct(a30, lang), delta, **_delta_style(delta, "normal"))
        c[2].metric(t("fig.lose10", lang), fmt_int(reg["pop_lose_gt_10"], lang))
        c[3].metric(t("fig.lose_access", lang), fmt_int(reg["pop_lost_access"], lang))
        if reg["improved_by_exclusion"]:
            lost = reg["pop_lost_access"]
            st.warning(tn("map.exclusion", lost, lang, n=fmt_int(lost, lang)))
        st.dataframe(styled(S.change_table([eff.region, eff.service_area], need, group, lang,
                                           with_scenario=False), lang), hide_index=True, width="stretch")
        # a toggle, not an expander: an expander's content is built on every rerun even when
        # folded, and the charts and the points table are most of a scenario change's time
        if st.toggle(t("b.charts", lang), key="b_charts"):
            from planner.outputs.charts import change_bars, cumulative_chart

            c1, c2 = st.columns(2)
            cum = cumulative_chart(get_baseline(st.session_state["_key"]).access, need, eff.results.access,
                                   lang=lang)
            bars = change_bars(eff.service_area, need, "service_area", group, lang)
            # static matplotlib figures (as in the handout and the HTML map), the title as alt text
            c1.pyplot(cum, width="stretch", alt=t("chart.cumulative", lang))
            c2.pyplot(bars, width="stretch", alt=t("chart.service_area", lang))
    if st.toggle(t("b.points_table", lang), key="b_points"):
        state = eff.applied.state if eff else {}
        munis = municipality_names(study.municipalities, lang)  # Swedish names in Swedish
        st.dataframe(styled(S.points_table(shown, results, need, lang, state, munis), lang), hide_index=True,
                     width="stretch")


def builder(ctx: dict) -> None:
    import geopandas as gpd
    import pandas as pd

    lang, need, group, key = ctx["lang"], ctx["need"], ctx["group"], ctx["key"]
    ss = st.session_state
    study, base = get_study(*key), get_baseline(key)
    _builder_defaults(lang)
    st.title(t("b.title", lang))
    st.caption(t("b.help", lang))

    sc, error = current_scenario(study, key, lang)
    eff = None
    if sc is not None:
        try:
            eff = get_effect(key, sc.text)
        except PlannerError as exc:
            error = error_text(exc, lang)
    msg = ss.get("builder_msg")
    if error and msg and msg[0] == "success" and isinstance(msg[1], tuple) and msg[1][0] == "b.loaded":
        ss.pop("builder_msg")  # issue 26: a scenario that cannot be applied was not "opened": only the error
    _show_msg("link")
    results = eff.results if eff else base
    provenance_caption(results.provenance, lang, key)
    labels = point_labels(study, lang)
    ids = list(labels)

    shown = study.points if eff is None else gpd.GeoDataFrame(
        pd.concat([eff.applied.points, eff.applied.closed_points], ignore_index=True),
        geometry="geometry", crs=study.points.crs)
    col_map, col_ctl = st.columns([2, 1], gap="medium")
    with st.container():  # filled before the map, so the figures show first
        _effect_section(study, eff, results, shown, need, group, lang)
    with col_map:
        v1, v2 = st.columns([3, 2])
        views = ["map", "side"] if eff is not None else ["map"]
        view = v1.radio(t("b.view", lang), views, format_func=lambda v: t(f"b.view_{v}", lang),
                        horizontal=True, key="b_view", label_visibility="collapsed")
        catch = v2.toggle(t("b.catchments", lang), key="b_catch")
        if view == "side" and eff is not None:
            import streamlit.components.v1 as components

            components.html(get_side_by_side(key, sc.text, need, group, lang), height=620)
            st.caption(t("b.side_help", lang))
        else:
            m, live = get_live_map(key, sc.text if eff else None, need, group, lang, catch)
            view_key = f"{key}{need}{group}{lang}{sc.text if eff else ''}{catch}"
            out = show_map(m, key="builder_map", height=620, view_key=view_key, live=live,
                           returned=["last_clicked", "last_object_clicked", "last_object_clicked_tooltip"])
            _handle_map_click(out, shown)
    with col_ctl:
        st.text_input(t("b.name", lang), key="sc_name")
        # one fixed slot for the messages and the picked point: what appears or goes in it never
        # moves the tabs below (a shifted st.tabs is a new element and shows its first tab again)
        with st.container():
            if error:  # beside the controls that caused it; the map keeps showing the last valid state
                st.error(t("b.error", lang, error=md_text(error)))
            _show_msg("edit")
            if ss.pop("builder_click", False):
                st.info(t("b.click_set", lang, lat=ss["new_lat"], lon=ss["new_lon"]))
            if ss.get("picked"):
                opened = {o["id"]: o["name"] for o in ss["opened"]}
                names = {p: labels.get(p, opened.get(p, p)) for p in ss["picked"]}
                if ss.get("w_pick") not in names:
                    ss["w_pick"] = ss["picked"][0]
                if len(names) > 1:
                    st.selectbox(t("b.pick_which", lang), list(names), format_func=names.get, key="w_pick")
                pid = ss["w_pick"]
                state = _picked_state(pid)
                st.info(t("b.picked", lang, name=md_text(names[pid])) + "  \n" + t(f"b.picked_{state}", lang))
                walkin = bool(study.points.loc[study.points["id"] == pid, "category"]
                              .isin(list(S.APPOINTMENT_OF)).any())
                # only what can still be done to the point: a closed point offers no "Close it"
                actions = [a for a in ("close", "appointment", "reopen")
                           if (a == "close" and state != "closed")
                           or (a == "appointment" and walkin and state == "open")
                           or (a == "reopen" and state != "open")]
                keys = {"close": "pick_close", "appointment": "pick_appt", "reopen": "pick_reopen"}
                for col, action in zip(st.columns(len(actions)), actions, strict=True):
                    col.button(t(f"b.pick_{action}", lang), on_click=_pick_action, args=(action, pid),
                               key=keys[action], width="stretch")
        tab_close, tab_merge, tab_appt, tab_new, tab_mob = st.tabs(
            [t("b.tab_close", lang), t("b.tab_merge", lang), t("b.tab_appointment", lang), t("b.new", lang),
             t("b.tab_mobile", lang)], key=f"b_tabs@{lang}")
        with tab_mob:
            _mobile_tab(study, lang)
        with tab_close:
            st.multiselect(t("b.close", lang), ids, format_func=labels.get, key="w_close",
                           placeholder=t("b.choose", lang))
        with tab_merge:
            st.selectbox(t("b.merge_into", lang), ids, format_func=labels.get, key="w_merge_into",
                         index=None, placeholder=t("b.choose_one", lang))
            # a box of fixed height: the multiselect grows a typing line while it has the focus and
            # shrinks on the mouse-down that blurs it, which moved the button from under the click
            with st.container(height=136, border=False):
                st.multiselect(t("b.merge_from", lang), ids, format_func=labels.get, key="w_merge_from",
                               placeholder=t("b.choose", lang))
            st.button(t("b.merge_add", lang), on_click=_add_merge, key="merge_add")
            if ss["merges"]:
                ss["w_merges_keep"] = ss.get("w_merges_keep", list(range(len(ss["merges"]))))
                rows = {i: t("b.merge_row", lang, into=labels.get(m[0], m[0]),
                             frm=", ".join(labels.get(p, p) for p in m[1]))
                        for i, m in enumerate(ss["merges"])}
                ss["w_merges_keep"] = [i for i in ss["w_merges_keep"] if i in rows]
                st.multiselect(t("b.merges", lang), list(rows), format_func=rows.get, key="w_merges_keep",
                               on_change=_keep_rows, args=("merges", "w_merges_keep"),
                               placeholder=t("app.choose", lang))
        with tab_appt:
            category = study.points.set_index("id")["category"]
            walkins = [p for p in ids if category.get(p) in S.APPOINTMENT_OF]
            st.multiselect(t("b.appointment", lang), walkins, format_func=labels.get, key="w_appt",
                           placeholder=t("b.choose", lang))
        with tab_new:
            st.caption(t("b.new_help", lang))
            st.text_input(t("b.new_name", lang), key="new_name")
            st.selectbox(t("b.new_category", lang), list(CATEGORIES),
                         format_func=lambda c: category_label(c, lang), key="new_cat")
            c1, c2 = st.columns(2)
            c1.number_input(t("b.lon", lang), min_value=19.0, max_value=32.0, step=0.001, format="%.5f",
                            key="new_lon")
            c2.number_input(t("b.lat", lang), min_value=59.0, max_value=71.0, step=0.001, format="%.5f",
                            key="new_lat")
            st.button(t("b.new_add", lang), on_click=_add_new_point, key="new_add", type="primary")
            _show_msg("new")
            if ss["opened"]:
                rows = {i: f"{o['name']} ({category_label(o['category'], lang)})"
                        for i, o in enumerate(ss["opened"])}
                ss["w_opened_keep"] = [i for i in ss.get("w_opened_keep", list(rows)) if i in rows]
                st.multiselect(t("b.new_list", lang), list(rows), format_func=rows.get, key="w_opened_keep",
                               on_change=_keep_rows, args=("opened", "w_opened_keep"),
                               placeholder=t("app.choose", lang))
        st.text_area(t("b.description", lang), key="sc_desc", height=68)
        st.button(t("b.reset", lang), on_click=_reset, key="reset")
        others = [c for c in ss["extra"] if "mobile" not in c]
        if others:  # changes of a loaded file the builder has no control for: shown as the file has them
            import yaml

            st.caption(t("b.extra", lang))
            st.code(yaml.safe_dump(others, allow_unicode=True, sort_keys=False), language="yaml")

    c_save, c_load = st.columns(2)
    with c_save:
        if sc is not None and eff is not None:
            st.button(t("b.save", lang), on_click=_save, args=(sc.name, sc.text), key="save", type="primary")
            _show_msg("save")
            st.download_button(t("b.download_yaml", lang), sc.text.encode("utf-8"),
                               file_name=f"{S.slug(sc.name)}.yaml", mime="application/x-yaml",
                               key="dl_yaml")
            with st.expander(t("b.yaml", lang)):
                st.code(sc.text, language="yaml")
    with c_load:
        st.markdown(f"**{t('b.load', lang)}**")
        st.selectbox(t("b.load_pick", lang), list(scenario_library()), key="load_pick")
        st.button(t("b.load_button", lang), on_click=_load_picked, key="load_button")
        st.file_uploader(t("b.upload", lang), type=["yaml", "yml"], key="upload", on_change=_load_upload)
        _show_msg("load")


def _scenario_choices(lang: str, key: tuple) -> dict[str, str]:
    """Label -> YAML text of every scenario the Compare and Export pages offer."""
    choices = {}
    sc, _ = current_scenario(get_study(*key), key, lang)
    if sc is not None:
        choices[f"{t('b.current', lang)}: {sc.name}"] = sc.text
    return {**choices, **scenario_library()}


def compare(ctx: dict) -> None:
    lang, need, group, key = ctx["lang"], ctx["need"], ctx["group"], ctx["key"]
    st.title(t("c.title", lang))
    provenance_caption(get_baseline(key).provenance, lang)
    choices = _scenario_choices(lang, key)
    ss = st.session_state
    if "cmp_pick" not in ss or not set(ss["cmp_pick"]) <= set(choices):
        ss["cmp_pick"] = [c for c in ss.get("cmp_pick", []) if c in choices] or list(choices)[:1]
    picked = st.multiselect(t("c.pick", lang), list(choices), key="cmp_pick",
                            placeholder=t("app.choose", lang))
    if not picked:
        st.info(t("c.none", lang))
        return
    runs = {}
    for label in picked:
        try:
            runs[label] = get_run(key, choices[label])
        except PlannerError as exc:
            st.error(f"{md_text(label)}: {t('b.error', lang, error=md_text(error_text(exc, lang)))}")
    if not runs:
        return
    st.subheader(t("c.headline", lang, need=need_label(need, lang), group=group_label(group, lang)))
    st.dataframe(styled(S.change_table([r.comparison["compare_region"] for r in runs.values()], need, group,
                                       lang), lang), hide_index=True, width="stretch")
    st.subheader(t("c.by_area", lang))
    st.dataframe(styled(S.change_table([r.comparison["compare_service_area"] for r in runs.values()], need,
                                       group, lang), lang), hide_index=True, width="stretch")
    st.subheader(t("c.map_of", lang))
    on_map = list(runs)[0]
    if len(runs) > 1:
        on_map = st.selectbox(t("c.map_pick", lang), list(runs), key="cmp_map")
    show_map(get_map(key, choices[on_map], True, need, group, lang), key="compare_map")
    import pandas as pd

    for title, table in (("c.load", "point_load_change"), ("c.worst", "worst_off"), ("c.equity", "equity")):
        with st.expander(t(title, lang)):
            df = pd.concat([r.comparison[table] for r in runs.values()], ignore_index=True)
            if "need" in df.columns:
                df = df[df["need"] == need]
            # issue 26: labels and codes in the interface language, one decimal, no inf / nan
            st.dataframe(compare_table(df, lang), hide_index=True, width="stretch")


def _unsaved_changes() -> bool:
    """The builder holds changes that are not saved (nor just opened from the library)."""
    ss = st.session_state
    if current_selections().is_empty():
        return False
    try:
        sc, _ = current_scenario(get_study(*ss["_key"]), ss["_key"], ss["lang"])
    except PlannerError:
        return True
    return sc is None or sc.text != ss.get("saved_text")


def _open_optimised(text: str, confirmed: bool = False) -> None:
    """Callback: the optimised scenario into the builder, and go there; first ask if that
    would replace unsaved changes."""
    ss = st.session_state
    if not confirmed and _unsaved_changes():
        ss["o_pending"] = text
        return
    ss.pop("o_pending", None)
    _open_in_builder(text, "<optimise>")
    ss["page"] = "builder"


def optimise(ctx: dict) -> None:
    from planner.analysis.scenario import scenario_to_yaml
    from planner.optimise import MODELS

    lang, need, group, key = ctx["lang"], ctx["need"], ctx["group"], ctx["key"]
    st.title(t("o.title", lang))
    provenance_caption(get_baseline(key).provenance, lang)
    st.caption(t("o.intro", lang))
    ss = st.session_state
    for name, value in (("o_k", 8), ("o_t", 30), ("o_share_pct", 95), ("o_cand", [])):
        ss.setdefault(name, value)
    c1, c2 = st.columns(2)
    model = c1.selectbox(t("o.model", lang), list(MODELS), key="o_model",
                         format_func=lambda m: t(f"o.m.{m}", lang))
    k = c1.number_input(t("o.k", lang), 1, 60, key="o_k", disabled=model == "lscp")
    needs_t = model in ("lscp", "mclp", "add")
    minutes = c1.number_input(t("o.t", lang), 5, 180, step=5, key="o_t", disabled=not needs_t)
    # a whole percentage ('95 %'): a slider writes its value with printf, which has no decimal comma
    share = c1.slider(t("o.share", lang), 50, 100, step=1, key="o_share_pct", format="%d %%",
                      disabled=model != "lscp") / 100
    keep_cats = c2.multiselect(t("o.keep_cat", lang), list(CATEGORIES), key="o_keep_cat",
                               format_func=lambda c: category_label(c, lang),
                               placeholder=t("app.choose", lang))
    per = c2.selectbox(t("o.per", lang), ["none", "municipality", "service_area"], key="o_per",
                       format_func=lambda p: t(f"o.per.{p}", lang))
    swedish = c2.checkbox(t("o.swedish", lang), key="o_swedish")
    cands = c2.multiselect(t("o.candidates", lang), ["existing", "centres", "postal"], key="o_cand",
                           format_func=lambda c: t(f"o.cand.{c}", lang), help=t("o.cand_help", lang),
                           placeholder=t("app.choose", lang))
    params = (("model", model), ("k", None if model == "lscp" else int(k)),
              ("max_minutes", float(minutes) if needs_t else None), ("share", float(share)),
              ("keep_categories", tuple(keep_cats)), ("per", None if per == "none" else per),
              ("swedish_coverage", bool(swedish)), ("candidates", tuple(cands) or None))
    if st.button(t("o.run", lang), type="primary", key="o_run"):
        ss["o_params"] = (key, need, group, params)
    if ss.get("o_params") != (key, need, group, params):
        return
    with st.spinner(t("o.solving", lang)):
        try:
            res = get_optimised(key, need, group, params)
        except PlannerError as exc:
            st.error(t("o.failed", lang, error=md_text(exc)))
            return
    # issue 26: the answer, the scenario's name and description in the interface language
    study = get_study(*key)
    st.markdown(S.optimise_report(res, study, lang))
    scenario = S.optimise_scenario(res, lang)
    text = scenario_to_yaml(scenario)
    b1, b2, b3 = st.columns(3)
    b1.button(t("o.open", lang), key="o_open", on_click=_open_optimised, args=(text,))
    b2.button(t("o.save", lang), key="o_save", on_click=_save, args=(scenario.name, text, "o_save"))
    if st.session_state.get("o_pending") == text:  # asked before replacing unsaved builder changes
        b1.warning(t("o.unsaved", lang))
        b1.button(t("o.replace", lang), key="o_replace", on_click=_open_optimised, args=(text, True))
        b1.button(t("o.keep", lang), key="o_keep", on_click=lambda: st.session_state.pop("o_pending", None))
    with b2:
        _show_msg("o_save")
    b3.download_button(t("o.download", lang), text.encode("utf-8"), file_name="optimised_scenario.yaml",
                       mime="application/x-yaml", key="o_dl")
    st.subheader(t("o.sites", lang))
    st.dataframe(styled(S.optimise_sites(res, study, lang), lang), hide_index=True, width="stretch")


def export(ctx: dict) -> None:
    lang, need, group, key = ctx["lang"], ctx["need"], ctx["group"], ctx["key"]
    st.title(t("e.title", lang))
    provenance_caption(get_baseline(key).provenance, lang)
    st.caption(t("e.help", lang))
    choices = {t("e.baseline", lang): None, **_scenario_choices(lang, key)}
    if st.session_state.get("exp_pick") not in choices:
        st.session_state.pop("exp_pick", None)
    label = st.selectbox(t("e.pick", lang), list(choices), key="exp_pick")
    st.session_state.setdefault("exp_tiles", True)
    tiles = st.checkbox(t("e.tiles", lang), key="exp_tiles")
    with st.spinner(t("e.preparing", lang)):
        try:
            files = get_exports(key, choices[label], need, group, lang, tiles)
        except PlannerError as exc:
            st.error(t("b.error", lang, error=md_text(exc)))
            return
    cols = st.columns(len(files))
    for col, kind in zip(cols, files, strict=True):
        name, data, mime = files[kind]
        col.download_button(t(f"e.{kind}", lang), data, file_name=name, mime=mime, key=f"dl_{kind}")
        # sizes in the interface language's numbers (1 124 kB, 9,5 kB in fi/sv)
        size = fmt_num(len(data) / 1024, lang, digits=0 if len(data) >= 10_240 else 1) + " kB"
        col.caption(f"{name} · {size}")
    st.subheader(t("e.brief", lang))
    st.caption(t("e.brief_help", lang))
    if st.button(t("e.brief_make", lang), key="brief_make"):
        st.session_state["brief_for"] = (key, choices[label], need, group, lang)
    if st.session_state.get("brief_for") == (key, choices[label], need, group, lang):
        with st.spinner(t("e.preparing", lang)):
            pdf = get_brief(key, choices[label], need, group, lang)
        stem = S.slug(label) if choices[label] else "baseline"
        st.download_button(t("e.brief_download", lang), pdf, file_name=f"{stem}_brief.pdf",
                           mime="application/pdf", key="dl_brief", type="primary")
        st.caption(f"{stem}_brief.pdf · {fmt_num(len(pdf) / 1024, lang, digits=0)} kB")
    _geocode_upload(lang)


def _signed(value: float, lang: str, unit: str) -> str:
    """A change with an ASCII sign (Streamlit colours a metric's delta by its leading '-')."""
    return fmt_signed(value, lang, 1, "-") + unit


def _delta_style(delta: str | None, colour: str) -> dict[str, str]:
    """A metric delta's colour and arrow: none for a change that rounds to zero ('±0.0'),
    which Streamlit would otherwise show as a green rise."""
    if delta is not None and delta.startswith("\u00b1"):
        return {"delta_color": "off", "delta_arrow": "off"}
    return {"delta_color": colour}


def _geocode_upload(lang: str) -> None:
    """A planner's own address list -> a points file with coordinates (``planner geocode``)."""
    with st.expander(t("g.title", lang)):
        st.caption(t("g.help", lang))
        up = st.file_uploader(t("g.upload", lang), type=["csv"], key="geo_upload")
        online = st.checkbox(t("g.online", lang), key="geo_online")
        if up is None:
            return
        try:
            data, counts = S.geocode_upload(up.getvalue(), up.name, online=online)
        except PlannerError as exc:  # the address list's own error (no scenario here), in the language
            st.error(md_text(error_text(exc, lang)))
            return
        st.success(t("g.done", lang, summary=", ".join(f"{t('g.precision.' + k, lang)} {v}"
                                                       for k, v in sorted(counts.items()))))
        st.download_button(t("g.download", lang), data, file_name="located.csv", mime="text/csv",
                           key="geo_download")


def main() -> None:
    """One run of the app script (Streamlit reruns it on every interaction)."""
    st.set_page_config(page_title="Uusimaa service-network planner", layout="wide")
    ss = st.session_state
    for k in KEEP_KEYS:  # keep widget values while other pages are shown
        if k in ss:
            ss[k] = ss[k]
    _read_link()
    lang = ss.get("lang") if ss.get("lang") in LANGS else "en"  # a switch is in state before the rerun
    st.markdown("<style>.block-container{padding:2.2rem 1.6rem 2rem 1.6rem;max-width:none}"
                + LISTS_LET_CLICKS_THROUGH + _uploader_words(lang) + "</style>", unsafe_allow_html=True)
    ctx = sidebar()
    ss["_key"] = ctx["key"]
    _write_link(ctx, scenario=False)  # the address follows a page or language switch at once
    matrix = ctx["key"][0] == "matrix"  # a user's file: a parser's ValueError is its message too
    failures = (PlannerError, ImportError, OSError, ValueError) if matrix else (PlannerError, ImportError,
                                                                                 OSError)
    try:
        with st.spinner(t("app.loading", ctx["lang"])):
            get_study(*ctx["key"])
    except failures as exc:
        st.error(t("side.matrix_bad" if matrix else "side.network_failed", ctx["lang"], error=md_text(exc)))
        return
    if "_link_scenario" in ss:  # the scenario of a shared link, once the study it needs is loaded
        _builder_defaults(ctx["lang"])
        _open_in_builder(ss.pop("_link_scenario"), "<link>")
    problems = ss.pop("_link_problems", None)
    if problems:
        st.warning(t("link.problem", ctx["lang"],
                     problems="; ".join(md_text(p.text(ctx["lang"])) for p in problems)))
    pages = {"overview": overview, "builder": builder, "compare": compare, "optimise": optimise,
             "export": export}
    pages[ss["page"]](ctx)
    _write_link(ctx)
    _frame_titles(ctx["lang"])


# issue 26 item 2: a select box's or multiselect's option list closes with a 120 ms fade
# (react-aria marks it data-exiting) and catches the mouse all that time, longer on a busy
# machine: a click on "Add merge" right after a choice went down on the fading list and up on
# the button, so no click at all. A closing list lets the mouse through to what is under it.
LISTS_LET_CLICKS_THROUGH = "[data-exiting],[data-exiting] *{pointer-events:none!important}"

UPLOAD_TYPES = {"matrix_upload": "CSV, PARQUET, ZIP", "upload": "YAML, YML", "geo_upload": "CSV"}


def _uploader_words(lang: str) -> str:
    """Streamlit's file uploader writes "Upload" and "200MB per file" in English and offers no
    option to change them (issue 26), nor its "Stop" button while a page is computed: in Finnish
    and Swedish CSS hides their words and shows ours."""
    if lang == "en":
        return ""
    status = '[data-testid="stStatusWidget"] button'  # Streamlit's "Stop" while the page is computed
    stop = [f"{status},{status} *{{font-size:0!important}}",
            f"{status}::after{{content:{_css_string(t('app.stop', lang))};font-size:0.875rem}}"]
    limit = t("side.upload_limit", lang, size=fmt_int(200, lang))
    drop = '[data-testid="stFileUploaderDropzoneInstructions"]'
    zone = '[data-testid="stFileUploaderDropzone"]'
    rules = [f"{drop},{drop} *{{font-size:0!important}}",
             f"{zone} button,{zone} button *{{font-size:0!important}}",
             f'{zone} button [data-testid="stIconMaterial"]{{font-size:1.25rem!important}}',
             f"{zone} button::after{{content:{_css_string(t('side.upload_button', lang))};"
             "font-size:0.95rem}",
             f"{drop}::after{{content:{_css_string(limit)};font-size:0.8rem;opacity:0.7}}"]
    rules += [f".st-key-{k} {drop}::after{{content:{_css_string(f'{limit} • {types}')}}}"
              for k, types in UPLOAD_TYPES.items()]
    return "".join(stop + rules)


def _css_string(text: str) -> str:
    """``text`` as a CSS string: every character but plain ASCII letters, digits and spaces as a
    six-digit CSS escape (JSON's \\u00e4 is no CSS escape: it showed as 'u00e4')."""
    # the space after each escape ends it and is dropped by CSS; the text's own spaces stay
    return '"' + "".join(ch if (ch.isascii() and (ch.isalnum() or ch == " ")) else f"\\{ord(ch):06x} "
                         for ch in text) + '"'


def _frame_titles(lang: str) -> None:
    """Give the map frames a title a screen reader can say ("Map of the scenario"), not the
    component's name: streamlit-folium sets the iframe's title and offers no way to change it."""
    with st.sidebar:
        # one observer per page (a rerun runs the script again: it only updates the title)
        st.html(
            "<script>(function () {var s = window.plannerFrames || (window.plannerFrames = {}); s.title = "
            + json.dumps(t("map.frame", lang)).replace("<", "\\u003c") + ";"
            "function fix() {document.querySelectorAll('iframe[title=\"streamlit_folium.st_folium\"],"
            "iframe[data-planner-map]').forEach(function (f) {"
            "f.setAttribute('data-planner-map', '1'); if (f.title !== s.title) { f.title = s.title; }});}"
            "fix(); if (!s.observer) { s.observer = new MutationObserver(fix);"
            "s.observer.observe(document.body, {childList: true, subtree: true}); }})();"
            "</script>", unsafe_allow_javascript=True)


def _read_link() -> None:
    """On a session's first run: the choices and scenario of the address (a shared link)."""
    from planner.app.urlstate import decode_view

    ss = st.session_state
    if ss.get("_link_read"):
        return
    ss["_link_read"] = True
    view, scenario, problems = decode_view({k: st.query_params[k] for k in st.query_params})
    for key, value in view.items():
        ss[key] = value
    if scenario:
        ss["_link_scenario"] = scenario
    if problems:
        ss["_link_problems"] = problems


def _write_link(ctx: dict, scenario: bool = True) -> None:
    """Keep the address in step with the view, so that copying it shares exactly this.

    Called twice a run: first with ``scenario=False`` before the page is drawn (the view's
    choices, the address's scenario kept as it is), so a link copied while a slow page is
    still drawing already opens the page shown; then with the scenario as built."""
    from planner.app.urlstate import encode_view

    ss = st.session_state
    if not scenario:
        params = encode_view(ss, None)
        if "sc" in st.query_params:
            params["sc"] = st.query_params["sc"]
        if {k: st.query_params[k] for k in st.query_params} != params:
            st.query_params.from_dict(params)
        return
    text = None
    if not current_selections().is_empty():
        try:
            sc, _ = current_scenario(get_study(*ctx["key"]), ctx["key"], ctx["lang"])
            text = sc.text if sc is not None else None
        except PlannerError:
            text = None
    params = encode_view(ss, text)
    current = {k: st.query_params[k] for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)
