"""The pages of staff mode. Each lays itself out for landscape or portrait (``arrange``)
and shows texts in the language given to ``retext``; touches go to plain callbacks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.staff.keyboard import OnScreenKeyboard
from kiosk.ui.staff.pin_pad import PinPad
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import BigButton

Action = Callable[[str, object], None]


class FitLabel(QLabel):
    """A wrapped label that asks its layout for the height its lines need at its width
    (layouts otherwise give a wrapped label one line's height when space is short)."""

    def _fit(self) -> None:
        need = self.heightForWidth(self.width()) if self.text() and self.wordWrap() else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(max(need, 0))

    def setText(self, text: str) -> None:  # Qt naming
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # Qt naming
        super().resizeEvent(event)
        self._fit()


def label(name: str, wrap: bool = True, fit: bool = False) -> QLabel:
    """A centred label styled by ``name``; ``fit``: it takes the height its lines need."""
    lab = FitLabel() if fit else QLabel()
    lab.setObjectName(name)
    lab.setWordWrap(wrap)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return lab


class Page(QWidget):
    """Base: a box that turns from a row (landscape) into a column (portrait)."""

    def __init__(self, act: Action) -> None:
        super().__init__()
        self.act = act
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(24)

    def button(self, role: str, name: str, value: object = None) -> BigButton:
        b = BigButton("", role)
        b.clicked.connect(lambda: self.act(name, value))
        return b

    def arrange(self, portrait: bool) -> None:
        self.box.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                              else QBoxLayout.Direction.LeftToRight)

    def retext(self, language: str) -> None:
        raise NotImplementedError

    def closed(self) -> None:
        """The page was left (another page shown, or staff mode closed): release what it
        holds (a camera preview...) and forget what it showed (an unfinished enrolment, a
        citizen)."""

    def saving(self) -> bool:
        """A change (an enrolment, an erasure) is being written: staff mode does not lock
        itself for idleness under it, so its answer reaches the screen."""
        return False


def button_grid(buttons: Sequence[QWidget], columns: int = 2) -> QGridLayout:
    """Buttons on a grid, ``columns`` to a row, in order (the staff pages' button blocks)."""
    grid = QGridLayout()
    grid.setSpacing(12)
    for i, b in enumerate(buttons):
        grid.addWidget(b, i // columns, i % columns)
    return grid


def column(*widgets: QWidget, stretch_first: bool = True) -> QVBoxLayout:
    col = QVBoxLayout()
    col.setSpacing(16)
    if stretch_first:
        col.addStretch(1)
    for w in widgets:
        col.addWidget(w)
    col.addStretch(1)
    return col


class PinEntryPage(Page):
    """Title, hidden digits, a message line and the PIN pad, with buttons below."""

    def __init__(self, act: Action, extra: tuple[str, ...]) -> None:
        super().__init__(act)
        self.title = label("title")
        self.prompt = label("info", fit=True)
        self.entry = label("title", wrap=False)
        self.entry.setObjectName("pin-entry")
        self.message = label("notice", fit=True)
        self.message.setVisible(False)
        self.pin = ""
        self.pad = PinPad()
        self.pad.on_key = self._key
        self.extra = {name: self.button("secondary", name) for name in extra}
        self.side = column(self.title, self.prompt, self.entry, self.message,
                           *self.extra.values())
        self.box.addLayout(self.side, 1)
        self.box.addWidget(self.pad, 1)

    def _key(self, key: str) -> None:
        if key == "⌫":
            self.pin = self.pin[:-1]
        elif key == "OK":
            self.act("pin_entered", self.pin)
            return
        elif len(self.pin) < 12:
            self.pin += key
        self.act("touch", None)
        self.entry.setText("•" * len(self.pin))

    def clear(self) -> None:
        self.pin = ""
        self.entry.setText("")

    def say(self, message: str | None) -> None:
        self.message.setText(message or "")
        self.message.setVisible(bool(message))


class LoginPage(PinEntryPage):
    """The technician PIN, or a switch to a staff account."""

    def __init__(self, act: Action) -> None:
        super().__init__(act, ("account", "cancel"))

    def retext(self, language: str) -> None:
        self.title.setText(staff_text("login_title", language))
        self.prompt.setText(staff_text("pin_prompt", language))
        self.extra["account"].setText(staff_text("account", language))
        self.extra["cancel"].setText(staff_text("cancel", language))


class NewPinPage(PinEntryPage):
    """First start: the technician chooses the PIN (twice)."""

    def __init__(self, act: Action) -> None:
        super().__init__(act, ("later",))
        self.first: str | None = None

    def retext(self, language: str) -> None:
        self.title.setText(staff_text("new_pin_title", language))
        self.prompt.setText(staff_text("new_pin_again" if self.first else "new_pin_why",
                                       language))
        self.extra["later"].setText(staff_text("later", language))


class AccountPage(Page):
    """Username and password typed on the on-screen keyboard."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.title = label("title")
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.username, self.password):
            field.setObjectName("staff-field")
            field.installEventFilter(self)
        self.message = label("notice", fit=True)
        self.message.setVisible(False)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.target = self.username
        self.keyboard.on_change = lambda: self.act("touch", None)
        self.log_in = self.button("primary", "account_login")
        self.back = self.button("secondary", "use_pin")
        self.fields = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.fields.setSpacing(16)
        self.fields.addWidget(self.username)
        self.fields.addWidget(self.password)
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.buttons.setSpacing(16)
        self.buttons.addWidget(self.back)
        self.buttons.addWidget(self.log_in)
        self.box.addWidget(self.title)
        self.box.addLayout(self.fields)
        self.box.addWidget(self.message)
        self.box.addWidget(self.keyboard, 1)
        self.box.addLayout(self.buttons)

    def eventFilter(self, obj, event) -> bool:  # Qt naming
        from PySide6.QtCore import QEvent

        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn) and \
                obj in (self.username, self.password):
            self.keyboard.target = obj
        return False

    def arrange(self, portrait: bool) -> None:
        self.fields.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                                 else QBoxLayout.Direction.LeftToRight)

    def clear(self) -> None:
        self.username.clear()
        self.password.clear()
        self.keyboard.target = self.username
        self.say(None)

    def say(self, message: str | None) -> None:
        self.message.setText(message or "")
        self.message.setVisible(bool(message))

    def retext(self, language: str) -> None:
        self.title.setText(staff_text("account", language))
        self.username.setPlaceholderText(staff_text("username", language))
        self.password.setPlaceholderText(staff_text("password", language))
        self.log_in.setText(staff_text("log_in", language))
        self.back.setText(staff_text("use_pin", language))


class HomePage(Page):
    """Who is signed in and what their roles allow."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.title = label("title")
        self.who = label("info")
        self.note = label("info", fit=True)
        self.enrol = self.button("primary", "enrol")
        self.people = self.button("secondary", "people")
        self.setup = self.button("secondary", "setup")
        self.camera = self.button("secondary", "camera_setup")
        self.recognition = self.button("secondary", "recognition_setup")
        self.services = self.button("secondary", "services_setup")
        self.exit = self.button("secondary", "exit")
        self.lock = self.button("primary", "lock")
        self.actions = QGridLayout()
        self.actions.setSpacing(16)
        self.text = ("", frozenset[str](), False)
        self.arrange(False)
        col = column(self.title, self.who, self.note)
        col.addLayout(self.actions)
        col.addStretch(1)
        self.box.addLayout(col)

    def arrange(self, portrait: bool) -> None:
        # Buttons two by two in landscape, one under the other in portrait.
        # Only the buttons of the session's roles take a place (before any session: all).
        self.portrait = portrait
        roles = self.text[1] if self.text[0] else frozenset({"admin", "technician"})
        wanted = ((self.enrol, "admin"), (self.people, "admin"), (self.camera, "technician"),
                  (self.setup, "technician"), (self.recognition, "technician"),
                  (self.services, "technician"), (self.exit, "technician"), (self.lock, ""))
        columns = 1 if portrait else 2
        for b, _ in wanted:
            self.actions.removeWidget(b)
        for i, b in enumerate(b for b, role in wanted if not role or role in roles):
            self.actions.addWidget(b, i // columns, i % columns)

    def show_session(self, who: str, roles: frozenset[str], offline: bool) -> None:
        self.text = (who, roles, offline)
        self.exit.setVisible("technician" in roles)
        self.setup.setVisible("technician" in roles)
        self.camera.setVisible("technician" in roles)
        self.recognition.setVisible("technician" in roles)
        self.services.setVisible("technician" in roles)
        self.enrol.setVisible("admin" in roles)
        self.people.setVisible("admin" in roles)
        self.arrange(self.portrait)

    def retext(self, language: str) -> None:
        who, roles, offline = self.text
        names = ", ".join(staff_text(f"role_{r}", language) for r in sorted(roles))
        line = staff_text("signed_in", language, who=who if who != "pin" else "PIN",
                          roles=names)
        self.title.setText(staff_text("home_title", language))
        self.who.setText(line + (staff_text("offline", language) if offline else ""))
        self.note.setText(staff_text("admin_note", language) if "admin" in roles else "")
        self.note.setVisible("admin" in roles)
        self.enrol.setText(staff_text("enrol", language))
        self.people.setText(staff_text("people", language))
        self.exit.setText(staff_text("exit", language))
        self.setup.setText(staff_text("setup", language))
        self.camera.setText(staff_text("camera", language))
        self.recognition.setText(staff_text("recognition", language))
        self.services.setText(staff_text("services", language))
        self.lock.setText(staff_text("lock", language))


class ConfirmExitPage(Page):
    """Leave the app for the desktop: asked once more."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.title = label("title")
        self.why = label("info", fit=True)
        self.yes = self.button("secondary", "exit_yes")
        self.no = self.button("primary", "exit_no")
        self.box.addLayout(column(self.title, self.why, self.no, self.yes))

    def arrange(self, portrait: bool) -> None:
        pass  # one column in both orientations

    def retext(self, language: str) -> None:
        self.title.setText(staff_text("exit_title", language))
        self.why.setText(staff_text("exit_why", language))
        self.yes.setText(staff_text("exit_yes", language))
        self.no.setText(staff_text("exit_no", language))
