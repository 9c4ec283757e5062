"""Compiles the interface's gettext catalogues (planner/outputs/translations/*/LC_MESSAGES/*.po)
to .mo files when a wheel or sdist build runs build_py; everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = "planner/outputs/translations"


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path(CATALOGUES).glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as f:
                catalogue = read_po(f, locale=po.parent.parent.name, domain=po.stem)
            mo = Path(self.build_lib) / po.with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with mo.open("wb") as f:
                write_mo(f, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogues})
