"""Every visible string comes from the translation table, in all three languages.

Read from the source with ``ast``: a ``t("key")`` whose key is missing, a Finnish or Swedish
text left in English, or an app widget labelled with a bare English string fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from planner.inputs.categories import CATEGORIES
from planner.outputs.i18n import LANGS, PLURALS, STRINGS, category_label, group_label, need_label, t, tn
from planner.traveltime.estimate import ESTIMATE_MODES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "planner" / "app").glob("*.py")),
           *sorted((ROOT / "planner" / "outputs").glob("*.py"))]

# identical in English and the other language on purpose (a loanword, a code, a symbol)
SAME_AS_ENGLISH = {
    ("nav.export", "sv"), ("e.title", "sv"),  # "Export" is Swedish too
    ("col.scenario", "sv"), ("map.scenario", "sv"),  # "Scenario" is Swedish too
    ("col.median", "sv"),  # "Median min"
    ("col.id", "fi"), ("col.id", "sv"),  # an identifier
    ("b.merge_row", "fi"), ("b.merge_row", "sv"),  # "{frm} → {into}"
    ("brief.scenario", "sv"), ("brief.data", "sv"),  # "Scenario", "Data" are Swedish too
    ("colname.id", "sv"), ("colname.scenario", "sv"),  # as col.id / col.scenario
    ("loc.group_when", "fi"), ("loc.group_when", "sv"),  # "{grp} {when}: " (its parts are translated)
    ("map.credits", "sv"),  # "© data"
    # a service area's name is Finnish in English and Finnish (its Swedish name in Swedish)
    *((key, "fi") for key in STRINGS if key.startswith("area.")),
}
# Streamlit calls whose first argument is shown to the user
SHOWN = {"selectbox", "checkbox", "date_input", "button", "radio", "text_input", "text_area", "number_input",
         "multiselect", "file_uploader", "download_button", "subheader", "header", "title", "caption", "info",
         "warning", "error", "success", "metric", "expander", "toggle", "slider", "form_submit_button"}
TRILINGUAL = {"Language · Kieli · Språk"}  # the language chooser names itself in all three


def _t_calls(path: Path, name: str = "t") -> list[tuple[int, ast.expr]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name \
                and node.args:
            out.append((node.lineno, node.args[0]))
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_static_key_exists(path):
    """t("key") names a message, tn("key", count) a plural message (and t() never a plural one)."""
    missing = [(line, arg.value) for line, arg in _t_calls(path)
               if isinstance(arg, ast.Constant) and (arg.value not in STRINGS or arg.value in PLURALS)]
    assert not missing, f"{path.name}: keys not in planner.outputs.i18n.STRINGS (or plural): {missing}"
    counted = [(line, arg.value) for line, arg in _t_calls(path, "tn")
               if isinstance(arg, ast.Constant) and arg.value not in PLURALS]
    assert not counted, f"{path.name}: tn() of a message without plural forms: {counted}"


def test_key_families_used_with_fstrings_are_complete():
    """``t(f"mode.{m}")`` and the like: every value the app can pass has its key."""
    from planner.analysis.mobile import DAYS
    from planner.inputs.categories import NEED_CODES
    from planner.optimise import MODELS

    families = {
        "mode.": ESTIMATE_MODES, "model.": ("straight", "matrix", "network"),
        "keys.": ("cells", "ids"), "demand.": ("postal", "grid"),
        "preset.": ("six_areas", "wellbeing_counties_2023"),
        "nav.": ("overview", "builder", "compare", "optimise", "export"),
        "weight.": ("residents", "unemployed", "low_income_households"),
        "elig.": ("default", "any", "organiser"),
        "status.": ("open", "closed", "opened", "changed"), "o.m.": MODELS,
        "o.per.": ("none", "municipality", "service_area"), "o.cand.": ("existing", "centres", "postal"),
        "map.": ("closed", "opened", "changed", "closed_layer", "opened_layer"),
        "e.": ("csv", "xlsx", "gpkg", "html", "yaml"), "b.view_": ("map", "side"),
        "b.day_": DAYS, "b.mob_where_": ("centre", "click"),  # the builder's mobile-unit tab
        "b.pick_": ("close", "appointment", "reopen"), "b.picked_": ("open", "closed", "appointment"),
        "map.side_": ("left", "right"),  # the picked point's box; the side-by-side titles
        "o.q.": MODELS, "o.kind.": ("existing", "centre", "postal"),  # the Optimise page's answer
        "o.change.": ("kept", "closed", "opened", "not selected"),
        "need.": NEED_CODES, "group.": ("fi", "sv", "all"),  # need_label(), group_label() in i18n.py
    }
    used = {ast.unparse(arg).split("{")[0].lstrip("f'\"")
            for path in SOURCES for _, arg in _t_calls(path) if isinstance(arg, ast.JoinedStr)}
    wrappers = {"brief.", "chart.", "catch."}  # each module's _t(key) -> t(prefix + key), checked below
    assert used <= set(families) | {"modelname."} | wrappers, f"f-string key family not checked here: {used}"
    missing = [f"{fam}{v}" for fam, values in families.items() for v in values if f"{fam}{v}" not in STRINGS]
    assert not missing, missing


def test_finnish_and_swedish_are_translated():
    untranslated = [(key, lang) for key, texts in STRINGS.items() for i, lang in enumerate(LANGS) if i
                    and (not texts[i].strip() or texts[i] == texts[0]) and (key, lang) not in SAME_AS_ENGLISH]
    assert not untranslated, f"left in English (translate, or say why in SAME_AS_ENGLISH): {untranslated}"
    for texts in STRINGS.values():  # the same placeholders in every language
        fields = [sorted(part.split("}")[0] for part in x.split("{")[1:]) for x in texts]
        assert fields[1] == fields[0] and fields[2] == fields[0], texts


def test_labels_of_needs_groups_and_categories_in_every_language():
    for lang in ("fi", "sv"):
        for code in CATEGORIES:
            assert category_label(code, lang) != category_label(code, "en") or code == "kela"
        for need in ("kela", "social_walkin", "social_any", "english"):
            assert need_label(need, lang) != need_label(need, "en")
        for group in ("fi", "sv", "all"):
            assert group_label(group, lang) != group_label(group, "en")
    assert t("nav.compare", "fi") == "Vertailu"


def test_app_shows_no_bare_english_label():
    """Widgets and headings of the app take their text from ``t()``, never a literal."""
    bare = []
    for node in ast.walk(ast.parse((ROOT / "planner" / "app" / "main.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SHOWN:
            texts = [node.args[0]] if node.args else []
            texts += [kw.value for kw in node.keywords if kw.arg in ("help", "placeholder", "label")]
            for arg in texts:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip() \
                        and arg.value not in TRILINGUAL:
                    bare.append((node.lineno, arg.value))
    assert not bare, f"the app shows literal text (use t()): {bare}"


def test_the_output_modules_own_keys_exist():
    """``_t("key")`` in the handout, charts and catchment modules reads ``<prefix>.key``."""
    prefixes = {"brief.py": "brief.", "charts.py": "chart.", "catchments.py": "catch."}
    for name, prefix in prefixes.items():
        tree = ast.parse((ROOT / "planner" / "outputs" / name).read_text(encoding="utf-8"))
        keys = [n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Name) and n.func.id == "_t" and n.args
                and isinstance(n.args[0], ast.Constant)]
        assert keys, name
        missing = [k for k in keys if prefix + k not in STRINGS]
        assert not missing, f"{name}: {missing}"


# --- issue 26: one localisation layer (planner/outputs/locale.py) ---------------------------

BAD_CELLS = ("inf", "Infinity", "None", "nan", "NaN", "True", "False")


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_change_of_a_percentage_is_in_percentage_points():
    from planner.outputs.locale import fmt_pp

    assert _plain(fmt_pp(-2.14, "fi")) == "\u22122,1 %-yks."
    assert _plain(fmt_pp(2.14, "sv")) == "+2,1 p.p."
    assert _plain(fmt_pp(-2.1, "en")) == "\u22122.1 pp"
    assert fmt_pp(-2.1, "en", sign="-").startswith("-")  # Streamlit colours a delta by an ASCII '-'
    assert fmt_pp(float("nan"), "fi") == "–"


def test_reasons_and_notes_of_the_statistics_read_in_finnish_and_swedish():
    from planner.outputs.locale import note_text

    reason = ("no service: the organiser Keski-Uudenmaan hyvinvointialue has no open point of category "
              "sv_appointment, sv_walkin in the network of this date (a targeted service is left out: "
              "--include-target-groups)")
    sv = note_text(reason, "sv")
    assert sv.startswith("ingen service: organisatören Mellersta Nylands välfärdsområde har inget öppet")
    assert "sv_walkin" not in sv and "network of this date" not in sv and "targeted" not in sv
    note = "fi before: median and p90 fall among the 2,174 residents with no point"
    fi = _plain(note_text(note, "fi"))
    assert fi == ("Suomen- ja muunkieliset ennen: mediaani ja 90 %:n piste osuvat niiden 2 174 asukkaan "
                  "joukkoon, joilla ei ole palvelupistettä")
    assert note_text(note, "en") == note
    assert note_text(None, "fi") == "" and note_text(float("nan"), "sv") == ""
    assert "model limit" not in note_text(
        "no eligible point reachable with this travel-time model (a model limit)", "fi")


def test_provenance_phrases_and_decimals_in_the_interface_language():
    from planner.outputs.locale import prov_text

    bands = "0-2 km ±2.9, 20-35 km ±5.1 min; beyond 35 km (extrapolated): not measured"
    assert prov_text(bands, "fi") == "0-2 km ±2,9, 20-35 km ±5,1 min; yli 35 km (ekstrapoloitu): ei mitattu"
    assert prov_text("my_matrix.v2.csv (compiled, see its source column)", "sv") == \
        "my_matrix.v2.csv (sammanställd, se dess källkolumn)"  # a file name keeps its dots
    assert prov_text(bands, "en") == bands


def test_swedish_labels_use_swedish_municipality_names(study):
    from planner.outputs.locale import municipality_names

    sv, fi = municipality_names(study.municipalities, "sv"), municipality_names(study.municipalities, "fi")
    assert (sv["091"], sv["049"], fi["091"]) == ("Helsingfors", "Esbo", "Helsinki")
    assert municipality_names(study.municipalities, "en")["049"] == "Espoo"


def test_compare_tables_have_labels_codes_and_numbers_in_the_language(study, baseline):
    import re

    from planner.analysis.scenario import load_scenario
    from planner.outputs.locale import compare_table
    from planner.outputs.report import run_scenarios

    path = ROOT / "geodata" / "scenarios" / "close_swedish_appointment_points.yaml"
    _, runs = run_scenarios(study, [load_scenario(path)], baseline)
    for lang in ("fi", "sv"):
        for name in ("point_load_change", "worst_off", "equity"):
            raw = runs[0].comparison[name]
            raw = raw[raw["need"] == "social_any"]
            out = compare_table(raw, lang)
            assert not [c for c in out.columns if "_" in c], (name, list(out.columns))  # no raw column names
            cells = [str(v) for v in out.to_numpy().ravel()]
            for code in ("social_any", "fi_appointment", "sv_walkin", "between_areas", "language"):
                assert code not in cells, (name, code)
            assert not [c for c in cells if c in BAD_CELLS or "inf" == c.lower()], name
            assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d{2,}", c)], name  # no 4-decimal floats
            assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d", c)], name  # decimal comma
    wo = compare_table(runs[0].comparison["worst_off"], "fi")
    assert "Menettää palvelun" in wo.to_numpy().ravel().tolist()  # lost access in words, not inf


def test_an_unknown_point_id_is_explained_in_the_language():
    from planner.errors import ScenarioError
    from planner.outputs.locale import error_text

    exc = ScenarioError("unknown point id 'kela_nowhere'", file="<upload>", row=1, field="close")
    assert error_text(exc, "fi") == ("tiedosto <upload>, rivi 1, kenttä 'close': "
                                     "tuntematon pisteen tunnus 'kela_nowhere'")
    assert error_text(exc, "en") == str(exc)


# --- issue 27: the strings live in gettext catalogues a translator's tool opens --------------

def _po(lang: str):
    from babel.messages.pofile import read_po

    from planner.outputs.i18n import DOMAIN, TRANSLATIONS

    with (TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        return read_po(f, locale=lang)


def test_every_message_of_the_template_is_translated_in_each_catalogue():
    """Each key of planner.pot has a non-empty msgstr in fi and sv (or is listed, with the reason,
    in SAME_AS_ENGLISH), with the same {placeholders}; no catalogue has a key the template lacks."""
    from babel.messages.pofile import read_po

    from planner.outputs.i18n import DOMAIN, TRANSLATIONS

    with (TRANSLATIONS / f"{DOMAIN}.pot").open("rb") as f:
        template = {m.context: m.id for m in read_po(f) if m.id}
    assert len(template) == len(STRINGS) > 400
    assert {k for k, v in template.items() if isinstance(v, tuple)} == set(PLURALS) != set()
    for lang in ("fi", "sv"):
        cat = {m.context: m for m in _po(lang) if m.id}
        assert set(cat) == set(template), lang
        for key, english in template.items():
            msg = cat[key]
            assert msg.id == english, (lang, key)  # translated from the current English
            plural = isinstance(english, tuple)
            pairs = zip(english, msg.string, strict=True) if plural else [(english, msg.string)]
            for en, text in pairs:  # each plural form too
                assert text.strip() or (key, lang) in SAME_AS_ENGLISH, f"untranslated: {lang} {key}"
                fields = [sorted(part.split("}")[0] for part in x.split("{")[1:]) for x in (en, text)]
                assert fields[0] == fields[1] or not text, (lang, key)


def test_the_interface_reads_the_catalogues(tmp_path, monkeypatch):
    """t() takes its text from the catalogue (a compiled .mo where the package ships one): a
    changed msgstr shows, an emptied one falls back to English."""
    import importlib
    import shutil

    from babel.messages.mofile import write_mo

    import planner.outputs.i18n as i18n

    copy = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, copy)
    cat = _po("fi")
    cat.get("Compare", context="nav.compare").string = "Vertaa tästä"
    cat.get("Kela office", context="need.kela").string = ""
    with (copy / "fi" / "LC_MESSAGES" / "planner.mo").open("wb") as f:
        write_mo(f, cat)
    monkeypatch.setattr(i18n, "TRANSLATIONS", copy)
    try:
        table = i18n._strings()
        assert table["nav.compare"][1] == "Vertaa tästä"
        assert table["need.kela"][1] == "Kela office"
        assert table["nav.compare"][2] == STRINGS["nav.compare"][2]  # sv read from its .po
    finally:
        monkeypatch.undo()
        importlib.reload(i18n)


# ---------------------------------------------------------------- issue 26, round 2

def _english_only_words() -> set[str]:
    """Words (4+ letters) of the English strings that no Finnish or Swedish string has."""
    import re

    def words(i: int) -> set[str]:
        return {w.lower() for v in STRINGS.values()
                for w in re.findall(r"[A-Za-z][a-z]{3,}", re.sub(r"\{[^}]*\}", " ", v[i] or ""))}

    return words(0) - words(1) - words(2) - {"kela", "social", "finland"}


def _english_in(text: str) -> list[str]:
    import re

    words = _english_only_words()
    return sorted({w for w in re.findall(r"\b[A-Za-z][a-z]{3,}\b", text) if w.lower() in words})


def test_service_areas_have_their_swedish_names(study, baseline):
    """Every service area of the bundled presets has a Swedish name; the Swedish tables and
    sentences use it, Finnish and English keep the Finnish one."""
    import pandas as pd

    from planner.app import state as S
    from planner.outputs.locale import area_name
    from planner.settings import GEODATA_DIR

    names = set(pd.read_csv(GEODATA_DIR / "service_areas.csv", dtype=str)["service_area"])
    assert not [n for n in names if f"area.{n}" not in STRINGS], "a service area without its Swedish name"
    assert (area_name("Vantaa–Kerava", "sv"), area_name("Espoo–Kauniainen", "sv")) == ("Vanda–Kervo",
                                                                                       "Esbo–Grankulla")
    assert area_name("Vantaa–Kerava", "fi") == area_name("Vantaa–Kerava", "en") == "Vantaa–Kerava"
    assert area_name("My own area", "sv") == "My own area"  # a user's preset: as written
    sv = S.area_figures(baseline, "social_any", "sv", "sv")
    areas = set(sv[t("col.area", "sv")])
    assert {"Vanda–Kervo", "Östra Nyland", "Helsingfors"} <= areas and "Vantaa–Kerava" not in areas
    assert "Vantaa–Kerava" in set(S.area_figures(baseline, "social_any", "sv", "fi")[t("col.area", "fi")])
    gaps = " ".join(S.area_gap_sentences(baseline, "social_any", "sv", "sv"))
    assert "Mellersta Nyland" in gaps and "Keski-Uusimaa" not in gaps  # its 2 174 residents with no point
    # the organiser without a Swedish point, named in Swedish too
    assert "Mellersta Nylands välfärdsområde" in gaps and "Keski-Uudenmaan" not in gaps, gaps


def test_pt_wait_and_matrix_coverage_read_in_finnish_and_swedish():
    from planner.outputs.locale import prov_text
    from planner.traveltime.estimate import FIRST_WAIT_MIN, first_wait_note

    med, p90 = FIRST_WAIT_MIN["pt"]
    for lang in ("fi", "sv"):
        wait = prov_text(first_wait_note("pt"), lang)
        assert not _english_in(wait), wait
        assert f"{med:g} min".replace(".", ",") in wait and f"{p90:g} min".replace(".", ",") in wait
    cov = ("12 of 40 service points and 300 of 390 origins in the matrix (30.5 % of pairs); the other pairs: "
           "straight-line estimate (drive); column car_t read with decimal commas")
    fi = prov_text(cov, "fi")
    assert fi == ("matriisissa 12/40 palvelupistettä ja 300/390 lähtöpaikkaa (30,5 % pareista); muut parit: "
                  "linnuntie-arvio (auto); sarake car_t luettu desimaalipilkuin")
    none = prov_text("none of the 40 service points has a column in the matrix; the other pairs: "
                     "unreachable (inf)", "sv")
    assert "inf" not in none.split() and "(inf)" not in none and not _english_in(none), none


def test_data_credits_in_the_interface_language(baseline):
    """Every credited source has its line in Finnish and Swedish, naming the same licence; the
    map's credits box shows the interface language's lines."""
    from planner.outputs.attribution import attribution_lines, sources
    from planner.outputs.maps import credits_html

    for s in sources():
        if s.get("attribution"):
            for lang in ("fi", "sv"):
                line = s.get(f"attribution_{lang}", "")
                assert line and line != s["attribution"], (s["key"], lang)
                assert line.endswith(s["licence"]), (s["key"], lang, line)  # the licence as licensed
    prov = baseline.provenance
    assert len(attribution_lines(prov, lang="sv")) == len(attribution_lines(prov))
    import re

    sv = re.sub(r"<[^>]+>", " ", credits_html(prov, lang="sv"))  # the words shown, not the style
    assert "Lantmäteriverket" in sv and "Statistikcentralen" in sv and not _english_in(sv)
    fi = credits_html(prov, lang="fi")
    assert "Maanmittauslaitos" in fi and "© aineistot" in fi
    assert "National Land Survey" in credits_html(prov)  # English unchanged


def test_optimise_answer_reads_in_finnish_and_swedish(study):
    """The Optimise page's answer and sites: no English word, the figures of the result in the
    language's style (a missing figure in words, never inf / nan)."""
    import math

    from planner.app import state as S
    from planner.numbers import fmt_int, fmt_pct
    from planner.optimise import optimise_network

    res = optimise_network(study, model="pmedian", need="social_any", group="sv", k=8)  # (a note too)
    m = res.metrics
    for lang in ("fi", "sv"):
        text = S.optimise_report(res, study, lang)
        assert not _english_in(text), _english_in(text)
        assert f"| {t('o.r.points', lang)} | {fmt_int(m.loc['points', 'today'], lang)} | 8 |" in text
        share = fmt_pct(m.loc["share_within_T", "optimised"], lang)
        assert f"{fmt_pct(m.loc['share_within_T', 'today'], lang)} | {share} |" in text
        assert "," in share or share.endswith("100\u00a0%")  # 91,5 %: the decimal comma
        assert not {"inf", "nan", "None", "Infinity"} & set(text.replace("|", " ").split())
        sites = S.optimise_sites(res, study, lang)
        shown = sites.to_string()
        assert not _english_in(shown), _english_in(shown)
        assert (sites[t("o.col.change", lang)] == t("o.change.kept", lang)).sum() == 8
        assert fmt_int(2174, lang) in text  # the note: residents who reach no candidate, in words
        sc = S.optimise_scenario(res, lang)
        assert not _english_in(sc.name + " " + sc.description) and sc.changes == res.scenario.changes
    # a figure that does not exist is said in words
    res_inf = res.__class__(**{**res.__dict__, "metrics": m.assign(today=[math.inf] * len(m))})
    assert t("ov.no_point", "fi") in S.optimise_report(res_inf, study, "fi")


def test_a_compare_table_is_in_english_by_default_with_the_planners_own_words():
    """English is the default language of the Compare tables: a note the planner wrote in
    English ('fi before: ...') is shown as written, its group codes not re-worded."""
    import pandas as pd

    from planner.outputs.locale import compare_table

    note = "fi before: median falls among the 2,174 residents with no point"
    raw = pd.DataFrame({"kind": ["language"], "area": ["091"], "need": ["social_any"],
                        "sv_minus_fi_median_min_before": [1.25], "equity_note": [note]})
    default = compare_table(raw)
    pd.testing.assert_frame_equal(default, compare_table(raw, "en"))
    assert default.iloc[0].tolist()[-1] == note  # not 'Finnish and other languages before: ...'


# --- plurals: '1 stop', never '1 stops' ------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_one_takes_the_singular_and_every_other_count_the_plural(lang):
    """CLDR's rule for English, Finnish and Swedish: the singular for exactly 1 (also 1.0 and −1);
    0, 1.5, 2, 11, 21 and 101 take the plural form."""
    one, other = PLURALS["count.stops"][LANGS.index(lang)]
    for n in (1, 1.0, -1):
        assert tn("count.stops", n, lang, n=n) == one.format(n=n)
    for n in (0, 0.5, 1.5, 2, 11, 21, 101, float("inf"), float("nan")):
        assert tn("count.stops", n, lang, n=n) == other.format(n=n)
    assert one != other


def test_every_plural_message_has_two_forms_with_the_same_placeholders():
    for key, forms in PLURALS.items():
        assert len(forms) == len(LANGS)
        assert forms[0][0] != forms[0][1], key  # English says the count's form
        for one, other in forms:
            fields = [sorted(part.split("}")[0] for part in x.split("{")[1:]) for x in (one, other)]
            assert fields[0] == fields[1] == sorted(STRINGS[key][0].split("{")[i].split("}")[0]
                                                    for i in range(1, STRINGS[key][0].count("{") + 1)), key


def test_a_plural_message_is_not_read_with_t_nor_a_plain_one_with_tn():
    with pytest.raises(KeyError, match="tn"):
        t("count.stops", "en")
    with pytest.raises(KeyError):
        tn("nav.compare", 1, "en")


def test_counted_messages_say_one_thing_in_the_singular():
    from planner.outputs.brief import mobile_lines

    assert tn("b.mob_row", 1, "en", name="Bus", stops=1) == "Bus (1 stop)"
    assert tn("b.mob_row", 1, "fi", name="Bus", stops=1) == "Bus (1 pysäkki)"
    assert tn("b.mob_row", 1, "sv", name="Bus", stops=1) == "Bus (1 hållplats)"
    assert tn("o.q.pmedian", 1, "en", k=1).startswith("Keep 1 point so that")
    assert tn("o.q.pmedian", 2, "sv", k=2).startswith("Behåll 2 ställen")
    import pandas as pd

    pts = pd.DataFrame({"mobile_unit": ["bus", "van", "van"], "mobile_unit_name": ["Bus", "Van", "Van"],
                        "stop_id": ["a", "b", "c"], "visits_per_week": [1.0, 0.5, 1.0]})
    assert mobile_lines(pts) == ["Mobile unit Bus: 1 stop, 1 visit day a week in all (1-1 per stop)",
                                 "Mobile unit Van: 2 stops, 1.5 visit days a week in all (0.5-1 per stop)"]
    assert mobile_lines(pts, "fi")[1] == ("Liikkuva palvelu Van: 2 pysäkkiä, yhteensä 1,5 käyntipäivää "
                                          "viikossa (0,5-1 pysäkkiä kohden)")

