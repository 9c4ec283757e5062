"""Streamlit app of the Uusimaa service-network planner (thin: all computing is in `planner`).

Run with `make run` (or `streamlit run app.py`).
"""

from __future__ import annotations

import warnings

import streamlit as st

from planner.accessibility import with_provenance
from planner.categories import CATEGORIES, GROUPS, NEEDS
from planner.errors import PlannerWarning
from planner.study import evaluate_points, load_study

st.set_page_config(page_title="Uusimaa service-network planner", layout="wide")


@st.cache_resource(show_spinner="Loading data and computing travel times…")
def get_study(demand: str, mode: str, preset: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return load_study(demand=demand, mode=mode, preset=preset)


@st.cache_resource(show_spinner="Evaluating accessibility…")
def get_baseline(demand: str, mode: str, preset: str):
    return evaluate_points(get_study(demand, mode, preset))


def sidebar():
    st.sidebar.title("Uusimaa planner")
    need = st.sidebar.selectbox("Service need", list(NEEDS), index=2,
                                format_func=lambda n: NEEDS[n].label_en, key="need")
    group = st.sidebar.selectbox("Language group", list(GROUPS), format_func=GROUPS.get, key="group")
    mode = st.sidebar.selectbox("Travel mode", ["drive", "walk"], key="mode")
    demand = st.sidebar.selectbox("Demand units", ["postal", "grid"], key="demand",
                                  format_func={"postal": "Postal areas (2022)",
                                               "grid": "250 m grid, capital region (2015)"}.get)
    preset = st.sidebar.selectbox("Service areas", ["six_areas", "wellbeing_counties_2023"],
                                  key="preset")
    return need, group, mode, demand, preset


def overview(need: str, group: str, mode: str, demand: str, preset: str) -> None:
    from streamlit_folium import st_folium

    from planner.maps import accessibility_map

    study = get_study(demand, mode, preset)
    res = get_baseline(demand, mode, preset)
    prov = res.provenance
    st.title("Accessibility of adult social services, Kela offices and reception centres")
    st.caption(f"Model: **{prov['model']}** ({prov['mode']}; {prov['model_parameters']}). "
               f"Population data year {prov['data_year']} ({prov['demand_units']}). "
               f"Swedish speakers {prov['swedish_speakers']}.")
    counts = study.points["category"].value_counts()
    cols = st.columns(len(CATEGORIES))
    for col, (code, cat) in zip(cols, CATEGORIES.items(), strict=True):
        col.metric(cat.label_en, int(counts.get(code, 0)))
    m = accessibility_map(study.units, res.access, study.points, prov, need=need, group=group,
                          borders=study.borders, service_areas=study.service_areas, load=res.load)
    st_folium(m, height=620, use_container_width=True, returned_objects=[], key="overview_map")
    table = res.summaries["summary_service_area"]
    table = table[(table["need"] == need) & (table["group"] == group)]
    st.subheader(f"{NEEDS[need].label_en}: by service area")
    st.dataframe(table.drop(columns=["level"]), hide_index=True, width="stretch")
    st.download_button("Download the summary table (CSV)",
                       with_provenance(table, prov).to_csv(index=False).encode("utf-8"),
                       file_name=f"summary_service_area_{need}_{group}.csv", mime="text/csv")


def main() -> None:
    need, group, mode, demand, preset = sidebar()
    overview(need, group, mode, demand, preset)


main()
