"""Self-contained HTML maps: Leaflet and every script and style inlined.

Folium's page template pulls Leaflet, jQuery, Bootstrap, Font Awesome and the
awesome-markers plugin from CDNs, listed in the map's own ``default_js`` /
``default_css``. The planner's maps need only Leaflet (markers are inline SVG, popups
are bound without jQuery), so :func:`self_contained` empties those lists and adds the
Leaflet files vendored in ``planner/assets/`` (from the npm registry, see
``planner/assets/LICENSES.md``) to the page header, with Leaflet's licence text in a
comment. :func:`external_references` then checks the rendered page: anything still
external (e.g. a folium plugin's CDN script) stops it with an error rather than writing
a file that silently needs the internet. Base-map tiles are the one thing left online,
and they are optional.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from ..escape import html_element

__all__ = ["ASSETS_DIR", "PLUGIN_ASSETS", "leaflet_js", "leaflet_css", "plugin_asset", "self_contained",
           "save_self_contained", "external_references", "offline_assets"]

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"

_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script\s*>",
                         re.IGNORECASE)
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*[\"']?([^\"')\s;]+)", re.IGNORECASE)


def _asset(name: str) -> Path:
    path = ASSETS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the planner's vendored Leaflet files "
                                "(planner/assets/) were not installed with the package")
    return path


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's minified script (vendored) headed by its licence text, without its source-map comment."""
    text = _asset("leaflet.js").read_text(encoding="utf-8")
    # the BSD-2-Clause licence travels with every copy of the code (LICENSE-leaflet.txt)
    licence = _asset("LICENSE-leaflet.txt").read_text(encoding="utf-8").replace("*/", "* /")
    return f"/*! Leaflet licence (planner/assets/LICENSE-leaflet.txt):\n{licence}*/\n" + \
        re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet (vendored) with its images inlined as data URIs."""
    text = _asset("leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = _asset(f"images/{match.group(1)}").read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, text)


def _is_external(url: str) -> bool:
    return not url.startswith(("data:", "#", "blob:"))


def external_references(html: str) -> list[str]:
    """Every external script, stylesheet or CSS import a page would fetch (empty = self-contained)."""
    refs = [u for u in _SCRIPT_SRC.findall(html) if _is_external(u)]
    for tag in _LINK.findall(html):
        href = _HREF.search(tag)
        if href and re.search(r"\brel\s*=\s*[\"']?[^\"'>]*stylesheet", tag, re.IGNORECASE) \
                and _is_external(href.group(1)):
            refs.append(href.group(1))
    refs += [u for u in _CSS_IMPORT.findall(html) if _is_external(u)]
    return refs


def _inline_script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


# folium plugins whose CDN scripts / styles the planner replaces with vendored copies
# (asset name in folium's default_js / default_css -> file in planner/assets, licence file)
PLUGIN_ASSETS: dict[str, tuple[str, str]] = {
    "markerclusterjs": ("leaflet.markercluster.js", "LICENSE-leaflet.markercluster.txt"),
    "markerclustercss": ("MarkerCluster.css", ""),
    "markerclusterdefaultcss": ("MarkerCluster.Default.css", ""),
    "Leaflet.Sync": ("L.Map.Sync.js", "LICENSE-leaflet.sync.txt"),
}
# folium's own page assets the planner's maps never use (dropped, not inlined)
_UNUSED = {"leaflet", "leaflet_css", "jquery", "bootstrap", "bootstrap_css", "bootstrap_theme_css",
           "awesome_markers", "awesome_markers_css", "awesome_markers_font_css", "awesome_rotate_css",
           "glyphicons_css"}


@lru_cache(maxsize=8)
def plugin_asset(name: str) -> str:
    """A vendored plugin file (``PLUGIN_ASSETS``) as text, headed by its licence, no source map."""
    file, licence = PLUGIN_ASSETS[name]
    text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", _asset(file).read_text(encoding="utf-8"))
    if licence:
        lic = _asset(licence).read_text(encoding="utf-8").replace("*/", "* /")
        text = f"/*! licence (planner/assets/{licence}):\n{lic}*/\n" + text
    return text


def _elements(root):
    """``root`` and every element below it (folium / branca children)."""
    todo = [root]
    while todo:
        el = todo.pop()
        yield el
        todo += list(getattr(el, "_children", {}).values())
        for attr in ("m1", "m2"):  # folium.plugins.DualMap's two maps
            if getattr(el, attr, None) is not None:
                todo.append(getattr(el, attr))


def _plugin_assets(m) -> list[tuple[str, bool]]:
    """(asset name, is_js) of the vendored plugins the elements of ``m`` ask for, emptying their
    own CDN lists of those (and of folium's unused defaults); anything else stays, so that
    :func:`external_references` can refuse it."""
    wanted: list[tuple[str, bool]] = []
    for el in _elements(m.get_root()):
        for attr, is_js in (("default_js", True), ("default_css", False)):
            assets = getattr(el, attr, None)
            if not assets or not isinstance(assets, list):
                continue
            keep = []
            for name, url in assets:
                if name in PLUGIN_ASSETS:
                    if (name, is_js) not in wanted:
                        wanted.append((name, is_js))
                elif name in _UNUSED or str(url).startswith("data:"):
                    continue
                else:
                    keep.append((name, url))
            setattr(el, attr, keep)
    return wanted


def self_contained(m) -> str:
    """The HTML page of folium map ``m`` with Leaflet inlined and no external script or style.

    Empties ``m``'s own asset lists (folium's ``default_js`` / ``default_css``) and inlines
    the vendored copies of the plugins the planner uses (marker clusters, synchronised
    maps; ``m`` may be a :class:`folium.plugins.DualMap`). Raises ``ValueError`` if the page
    still references an external asset (e.g. another plugin's), or uses jQuery (folium's own
    ``Popup``; use the planner's popups instead).
    """
    plugins = _plugin_assets(m)  # first: ``m`` itself may be a plugin (DualMap)
    m.default_js, m.default_css = [], []  # folium's CDN assets: none is needed
    header = m.get_root().header
    header.add_child(html_element(_inline_script(leaflet_js())), name="leaflet")
    header.add_child(html_element("<style>" + leaflet_css() + "</style>"), name="leaflet_css")
    for name, is_js in plugins:  # after Leaflet: the plugins extend the global L
        code = plugin_asset(name)
        header.add_child(html_element(_inline_script(code) if is_js else "<style>" + code + "</style>"),
                         name=name)
    page = m.get_root().render()
    left = external_references(page)
    if left:
        raise ValueError(f"cannot inline the map's external assets {sorted(set(left))}")
    if re.search(r"=\s*\$\(`", page):
        raise ValueError("the map uses jQuery (folium.Popup); bind popups with planner.outputs.maps instead")
    return page


def save_self_contained(m, path: str | Path) -> Path:
    """Write map ``m`` as one self-contained HTML file (opens offline; tiles optional)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(self_contained(m), encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def _data_uris() -> tuple[str, str]:
    js = base64.b64encode(leaflet_js().encode("utf-8")).decode("ascii")
    css = base64.b64encode(leaflet_css().encode("utf-8")).decode("ascii")
    return f"data:text/javascript;base64,{js}", f"data:text/css;base64,{css}"


def offline_assets(m):
    """Point map ``m``'s own script and style references at inlined Leaflet (data URIs).

    For viewers that load the references themselves, e.g. ``streamlit_folium``, so the
    map draws without internet; the vendored plugins (marker clusters) too. Returns ``m``.
    """
    js, css = _data_uris()
    plugins = _plugin_assets(m)
    m.default_js = [("leaflet", js)]
    m.default_css = [("leaflet_css", css)]
    for name, is_js in plugins:
        data = base64.b64encode(plugin_asset(name).encode("utf-8")).decode("ascii")
        (m.default_js if is_js else m.default_css).append(
            (name, f"data:text/{'javascript' if is_js else 'css'};base64,{data}"))
    return m
