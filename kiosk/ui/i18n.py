"""Vietnamese and English: compile ``kiosk/i18n/*.ts`` to ``.qm`` and switch translators.

English is the source language (no file needed). At start, each ``.ts`` is compiled with
``pyside6-lrelease`` into ``<data dir>/i18n/`` when its ``.qm`` is missing or older than the
``.ts``. A missing compiler or a broken file is logged and the kiosk falls back to English:
a language problem never stops the kiosk.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

TS_DIR = Path(__file__).resolve().parents[1] / "i18n"
LANGUAGES = ("vi", "en")


def _lrelease() -> str | None:
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    if beside.exists():
        return str(beside)
    return shutil.which("pyside6-lrelease")


def compile_translations(out_dir: Path, ts_dir: Path = TS_DIR) -> dict[str, Path]:
    """Compile every ``<lang>.ts`` into ``out_dir/<lang>.qm`` if missing or stale.

    Returns ``{language: qm path}`` for the files that are usable.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Path] = {}
    tool = _lrelease()
    for ts in sorted(ts_dir.glob("*.ts")):
        qm = out_dir / f"{ts.stem}.qm"
        stale = not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime
        if stale:
            if tool is None:
                log.warning("pyside6-lrelease not found: %s stays untranslated", ts.stem)
                continue
            proc = subprocess.run([tool, str(ts), "-qm", str(qm)], capture_output=True,
                                  text=True, timeout=60)
            if proc.returncode != 0 or not qm.exists():
                log.warning("cannot compile %s: %s", ts.name, proc.stderr.strip()[:200])
                continue
        result[ts.stem] = qm
    return result


class Translations:
    """Holds the compiled files and installs the translator of the chosen language."""

    def __init__(self, qm_files: dict[str, Path]) -> None:
        self.qm_files = qm_files
        self._translator = None
        self.language = "en"

    def uninstall(self) -> None:
        """Remove this object's translator from the application (English shows again)."""
        from PySide6.QtCore import QCoreApplication

        if self._translator is not None:
            QCoreApplication.instance().removeTranslator(self._translator)
            self._translator = None

    def switch(self, language: str) -> bool:
        """Install ``language`` ('vi' or 'en'); False (English shown) if it cannot be loaded."""
        from PySide6.QtCore import QCoreApplication, QTranslator

        app = QCoreApplication.instance()
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        self.language = language
        if language == "en":
            return True
        qm = self.qm_files.get(language)
        translator = QTranslator(app)
        if qm is None or not translator.load(str(qm)):
            log.warning("no translation for %s: showing English", language)
            return False
        app.installTranslator(translator)
        self._translator = translator
        return True
