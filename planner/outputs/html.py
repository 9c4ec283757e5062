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

__all__ = ["ASSETS_DIR", "leaflet_js", "leaflet_css", "self_contained", "save_self_contained",
           "external_references", "offline_assets"]

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


def self_contained(m) -> str:
    """The HTML page of folium map ``m`` with Leaflet inlined and no external script or style.

    Empties ``m``'s own asset lists (folium's ``default_js`` / ``default_css``). Raises
    ``ValueError`` if the page still references an external asset (e.g. a plugin's), or uses
    jQuery (folium's own ``Popup``; use the planner's popups instead).
    """
    from folium import Element

    m.default_js, m.default_css = [], []  # folium's CDN assets: none is needed
    header = m.get_root().header
    header.add_child(Element(_inline_script(leaflet_js())), name="leaflet")
    header.add_child(Element("<style>" + leaflet_css() + "</style>"), name="leaflet_css")
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
    map draws without internet. Returns ``m``.
    """
    js, css = _data_uris()
    m.default_js = [("leaflet", js)]
    m.default_css = [("leaflet_css", css)]
    return m
