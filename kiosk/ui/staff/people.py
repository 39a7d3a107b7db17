"""The admin's people page: find a citizen (name, or the 12-digit id number), see them
masked (name, masked id, when they consented, the consent text version, face samples), and
erase their face data or record the withdrawal of their consent, each after a
confirmation. For the citizen in front of the admin; every viewing and erasure is audited
with the admin's name (``kiosk.adapters.registry_desk``). With a queue server the erasure
is made at the server (and so on every kiosk) with the admin's server session.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGridLayout, QLineEdit, QVBoxLayout

from kiosk.ui.staff.enrol_wizard import big_button, buttons_row, wizard_stylesheet
from kiosk.ui.staff.jobs import Jobs
from kiosk.ui.staff.keyboard import OnScreenKeyboard
from kiosk.ui.staff.pages import Action, Page, label
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.theme import unit

if TYPE_CHECKING:
    from kiosk.adapters.registry_desk import EraseOutcome, RegistryDesk
    from kiosk.registry import CitizenRecord

ROWS = 4  # results shown at once (the most recent first match the search best)


class PeoplePage(Page):
    """Search, view, erase, withdraw consent."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.desk: RegistryDesk | None = None
        self.admin = ""
        self.language = "vi"
        self._unit = 0.0
        self.jobs = Jobs(self, self._failed)
        self.found: list[CitizenRecord] = []
        self.person: CitizenRecord | None = None
        self.asking: str | None = None  # 'erase' or 'withdraw' while confirming
        self.title = label("subtitle")
        self.query = QLineEdit()
        self.query.setObjectName("staff-field")
        self.keyboard = OnScreenKeyboard(vietnamese=True)
        self.keyboard.target = self.query
        self.keyboard.on_change = lambda: self.act("touch", None)
        self.search_button = big_button("primary", self.search)
        self.back = big_button("secondary", lambda: self.act("people_back", None))
        self.results = [big_button("secondary", lambda _=False, i=i: self.view(i))
                        for i in range(ROWS)]
        self.details = label("reading", fit=True)
        self.message = label("notice", fit=True)
        self.message.setVisible(False)
        self.erase = big_button("secondary", lambda: self.ask("erase"))
        self.withdraw = big_button("secondary", lambda: self.ask("withdraw"))
        self.yes = big_button("secondary", self.confirmed)
        self.no = big_button("primary", self.unask)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.title)
        row = QGridLayout()
        row.setSpacing(12)
        row.addWidget(self.query, 0, 0)
        row.addWidget(self.search_button, 0, 1)
        row.setColumnStretch(0, 3)
        row.setColumnStretch(1, 1)
        left.addLayout(row)
        left.addWidget(self.keyboard, 1)
        left.addWidget(self.back)
        right = QVBoxLayout()
        right.setSpacing(12)
        for b in self.results:
            right.addWidget(b)
        right.addWidget(self.details)
        right.addWidget(self.message)
        right.addStretch(1)
        right.addLayout(buttons_row(self.erase, self.withdraw))
        right.addLayout(buttons_row(self.no, self.yes))
        self.box.addLayout(left, 1)
        self.box.addLayout(right, 1)
        self._show()

    def resizeEvent(self, event: Any) -> None:  # Qt naming
        u = unit(max(self.window().width(), 1), max(self.window().height(), 1))
        if abs(u - self._unit) > 1e-3:
            self._unit = u
            self.setStyleSheet(wizard_stylesheet(u))
        super().resizeEvent(event)

    def t(self, key: str, **values: object) -> str:
        return staff_text(key, self.language, **values)

    # -- life

    def load(self, admin: str) -> None:
        """Open for ``admin`` (the signed-in account), empty."""
        self.admin = admin
        self.clear()

    def clear(self) -> None:
        """Forget what was shown (staff mode locked or left)."""
        self.jobs.forget()
        self.query.clear()
        self.found, self.person, self.asking = [], None, None
        self.say(None)
        self._show()

    def closed(self) -> None:
        self.clear()
        self.admin = ""

    def say(self, message: str | None) -> None:
        self.message.setText(message or "")
        self.message.setVisible(bool(message))

    def _failed(self, exc: Exception) -> None:
        self.say(self.t("failed", why=f"{type(exc).__name__}: {str(exc)[:160]}"))

    # -- actions

    def search(self) -> None:
        self.act("touch", None)
        if self.desk is None:
            self.say(self.t("unavailable"))
            return
        self.person, self.asking = None, None
        self.jobs.run(self.desk, self.desk.search, self.query.text(), done=self._found)

    def _found(self, rows: list[CitizenRecord]) -> None:
        self.found = rows
        self.say(None if rows else self.t("people_none"))
        self._show()

    def view(self, i: int) -> None:
        self.act("touch", None)
        if self.desk is None or i >= len(self.found):
            return
        self.asking = None
        self.jobs.run(self.desk, self.desk.view, self.found[i].id, self.admin,
                      done=self._viewed)

    def _viewed(self, person: CitizenRecord | None) -> None:
        self.person = person
        self.say(None if person else self.t("erase_not_found"))
        self._show()

    def ask(self, what: str) -> None:
        self.act("touch", None)
        if self.person is not None:
            self.asking = what
            self._show()

    def unask(self) -> None:
        self.act("touch", None)
        self.asking = None
        self._show()

    def saving(self) -> bool:
        return self.jobs.busy()

    def confirmed(self) -> None:
        self.act("touch", None)
        person, what = self.person, self.asking
        if self.desk is None or person is None or what is None:
            return
        self.asking = None
        self.jobs.run(self.desk, self.desk.erase, person.id, self.admin, what == "withdraw",
                      done=lambda outcome: self._erased(person, outcome))
        self._show()

    def _erased(self, person: CitizenRecord, outcome: EraseOutcome) -> None:
        if outcome.ok:
            self.found = [c for c in self.found if c.id != person.id]
            self.person = None
            self.say(self.t("erased", name=person.full_name, n=outcome.templates))
        else:
            self.say(self.t(f"erase_{outcome.reason}", why=outcome.detail))
        self._show()

    # -- presenting

    def _show(self) -> None:
        for i, b in enumerate(self.results):
            shown = i < len(self.found) and self.person is None
            b.setVisible(shown)
            if shown:
                c = self.found[i]
                b.setText(f"{c.full_name} · {c.id_number_masked}")
        p = self.person
        self.details.setVisible(p is not None)
        confirming = p is not None and self.asking is not None
        self.erase.setVisible(p is not None and not confirming)
        self.withdraw.setVisible(p is not None and not confirming)
        self.yes.setVisible(confirming)
        self.no.setVisible(confirming)
        self.retext(self.language)

    def retext(self, language: str) -> None:
        self.language = language
        self.title.setText(self.t("people"))
        self.query.setPlaceholderText(self.t("people_search"))
        self.search_button.setText(self.t("search"))
        self.back.setText(self.t("back"))
        self.erase.setText(self.t("erase"))
        self.withdraw.setText(self.t("withdraw"))
        self.yes.setText(self.t("yes_erase"))
        self.no.setText(self.t("no_keep"))
        p = self.person
        if p is not None:
            at = p.consent_at if p.consent_at.tzinfo else p.consent_at.replace(tzinfo=UTC)
            text = self.t("person", name=p.full_name, id=p.id_number_masked,
                          when=at.astimezone().strftime("%d/%m/%Y %H:%M"),  # local time
                          v=p.consent_text_version or "-", n=p.templates)
            if self.asking is not None:
                text = self.t(f"confirm_{self.asking}", name=p.full_name)
            self.details.setText(text)

