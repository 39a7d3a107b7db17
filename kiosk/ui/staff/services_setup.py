"""Technician set-up: which services citizens see on this kiosk, and in which order.

The services come from the catalogue the kiosk has (the server's, as last synced, or
``kiosk.services`` standalone). A touch selects a service; "Lên" / "Xuống" move it, "Ẩn" /
"Hiện" hide or show its tile (the last shown one cannot be hidden). "Lưu" writes
``kiosk.services_order`` and ``kiosk.services_hidden`` validated; the citizens' tiles follow
at once (``KioskApp.set_tile_order``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QVBoxLayout

from kiosk.model import arrange_services
from kiosk.ui.staff.pages import Action
from kiosk.ui.staff.setup import SettingsPage
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import BigButton

if TYPE_CHECKING:
    from kiosk.model import Service


class ServicesSetupPage(SettingsPage):
    """The services as tiles in the citizens' order; select, move, hide, save."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.keyboard.setVisible(False)
        #: the kiosk's catalogue now (set by the assembly; None: from the settings)
        self.catalogue: Callable[[], list[Service]] | None = None
        self.services: list[Service] = []
        self.hidden: set[str] = set()
        self.selected: str | None = None
        self.rows: dict[str, BigButton] = {}
        self.up = self._button("secondary", lambda: self.move(-1))
        self.down = self._button("secondary", lambda: self.move(1))
        self.toggle = self._button("secondary", self.toggle_hidden)
        self.save = self._button("primary", self.run_save)
        self.list = QGridLayout()
        self.list.setSpacing(8)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.title)
        left.addLayout(self.list)
        left.addStretch(1)
        right = self.answers_column((self.up, self.down, self.toggle, self.back, self.save))
        self.box.addLayout(left, 3)
        self.box.addLayout(right, 2)

    def _catalogue(self) -> list[Service]:
        if self.catalogue is not None:
            return self.catalogue()
        if self.kiosk_ctx is None:
            return []
        from kiosk.adapters.sync import kiosk_catalogue

        return kiosk_catalogue(self.kiosk_ctx)

    def load(self) -> None:
        """The catalogue in the saved order, hidden ones marked."""
        self.say(None)
        self.show_results("")
        if self.kiosk_ctx is None:
            self.say(staff_text("unavailable", self.language))
            return
        k = self.kiosk_ctx.settings.kiosk
        ordered, hidden = arrange_services(self._catalogue(), k.services_order,
                                           k.services_hidden)
        self.services, self.hidden = ordered, set(hidden)
        self.selected = ordered[0].code if ordered else None
        self._build_rows()
        self.retext(self.language)

    def _build_rows(self) -> None:
        for b in self.rows.values():
            self.list.removeWidget(b)
            b.deleteLater()
        self.rows = {}
        for s in self.services:
            b = BigButton("", "secondary")
            b.setObjectName("service-row")
            b.clicked.connect(lambda _=False, code=s.code: self.select(code))
            self.rows[s.code] = b
        self._place_rows()

    def _place_rows(self) -> None:
        # One column: the order reads top to bottom, and each name keeps one line.
        for b in self.rows.values():
            self.list.removeWidget(b)
        for i, s in enumerate(self.services):
            self.list.addWidget(self.rows[s.code], i, 0)
            self.rows[s.code].show()  # added to a page already shown

    def select(self, code: str) -> None:
        self.act("touch", None)
        self.selected = code
        self.retext(self.language)

    def move(self, step: int) -> None:
        """Move the selected service ``step`` places (-1 up, 1 down)."""
        self.act("touch", None)
        codes = [s.code for s in self.services]
        if self.selected not in codes:
            return
        i = codes.index(self.selected)
        j = i + step
        if 0 <= j < len(codes):
            self.services[i], self.services[j] = self.services[j], self.services[i]
            self._place_rows()
        self.retext(self.language)

    def toggle_hidden(self) -> None:
        """Hide the selected service, or show it again; the last shown one stays."""
        self.act("touch", None)
        code = self.selected
        if code is None:
            return
        if code in self.hidden:
            self.hidden.discard(code)
        elif len(self.hidden) + 1 >= len(self.services):
            self.say(staff_text("last_service", self.language))
            return
        else:
            self.hidden.add(code)
        self.say(None)
        self.retext(self.language)

    def retext(self, language: str) -> None:
        self.language = language
        self.title.setText(staff_text("services_title", language))
        for i, s in enumerate(self.services, 1):
            mark = "▶ " if s.code == self.selected else ""
            state = staff_text("service_hidden", language) if s.code in self.hidden else ""
            b = self.rows[s.code]
            b.setText(f"{mark}{i}. {s.prefix} · {s.name(language)}{state}")
            b.set_selected(s.code == self.selected)
        self.up.setText(staff_text("move_up", language))
        self.down.setText(staff_text("move_down", language))
        self.toggle.setText(staff_text(
            "show_service" if self.selected in self.hidden else "hide_service", language))
        self.save.setText(staff_text("save", language))
        self.back.setText(staff_text("back", language))

    def run_save(self) -> None:
        order = [s.code for s in self.services]
        hidden = [c for c in order if c in self.hidden]
        if self.save_changes({"kiosk": {"services_order": order,
                                        "services_hidden": hidden}}) is not None:
            self.show_results(staff_text("services_saved", self.language))
