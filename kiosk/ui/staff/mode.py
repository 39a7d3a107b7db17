"""Staff mode: the screen the corner long-press opens, on top of the citizen screens.

It routes touches to the staff gate (``kiosk.staff.gate.StaffGate``: PIN, accounts,
lockout, audit, session) and shows what it answers. It reports to the window only two
actions: ``staff_leave`` (back to the citizens: cancel, lock, timeouts) and ``staff_exit``
(a technician confirmed leaving for the desktop). Timeouts: the login pages go back after
``login_timeout_s`` without a touch; an open session locks after the gate's idle time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStackedWidget

from kiosk.staff.accounts import ADMIN, TECHNICIAN
from kiosk.staff.pin import PinError
from kiosk.ui import theme
from kiosk.ui.screens import Screen, ScreenContext
from kiosk.ui.staff.camera_setup import CameraSetupPage
from kiosk.ui.staff.enrol_wizard import EnrolWizard
from kiosk.ui.staff.pages import (
    AccountPage,
    ConfirmExitPage,
    HomePage,
    LoginPage,
    NewPinPage,
    Page,
)
from kiosk.ui.staff.people import PeoplePage
from kiosk.ui.staff.recognition_setup import RecognitionSetupPage
from kiosk.ui.staff.services_setup import ServicesSetupPage
from kiosk.ui.staff.setup import SetupPage
from kiosk.ui.staff.texts import staff_text

if TYPE_CHECKING:
    from kiosk.flow import ShowScreen
    from kiosk.staff.gate import LoginResult, StaffGate

TICK_MS = 500


def local_stylesheet(u: float) -> str:
    """What staff pages add to the kiosk's stylesheet at scale ``u``."""

    def px(v: float) -> int:
        return max(int(round(v * u)), 1)

    return f"""
    QLineEdit#staff-field {{ background: #ffffff; color: #111111; font-size: {px(36)}px;
                             border: {px(3)}px solid {theme.ACCENT}; border-radius: {px(10)}px;
                             padding: {px(6)}px; min-height: {px(56)}px; }}
    QPushButton[role="key"] {{ min-height: 0px; min-width: 0px; padding: 0px; }}
    QLabel#pin-entry {{ font-size: {px(64)}px; font-weight: bold; min-height: {px(80)}px; }}
    QLabel#meter {{ font-size: {px(30)}px; }}
    QProgressBar#meter-bar {{ background: #ffffff; border: none; border-radius: {px(6)}px;
                              min-height: {px(22)}px; max-height: {px(22)}px; }}
    QProgressBar#meter-bar::chunk {{ background: #3ddc84; border-radius: {px(6)}px; }}
    QProgressBar#meter-bar[state="bad"]::chunk {{ background: #ff6b6b; }}
    QPushButton#service-row {{ min-height: {px(76)}px; padding: {px(6)}px; }}
    QPushButton#service-row QLabel {{ font-size: {px(34)}px; }}
    QPushButton#service-row[selected="true"] {{ border: {px(6)}px solid {theme.ACCENT}; }}
    QSlider#threshold {{ min-height: {px(90)}px; }}
    QSlider#threshold::groove:horizontal {{ background: #ffffff; height: {px(14)}px;
                                            border-radius: {px(7)}px; }}
    QSlider#threshold::handle:horizontal {{ background: {theme.ACCENT}; width: {px(70)}px;
                                            margin: -{px(30)}px 0; border-radius: {px(12)}px; }}
    """


class StaffMode(Screen):
    """The staff pages in one stack; ``gate`` None shows that staff mode is unavailable."""

    def __init__(self, login_timeout_s: float = 30.0) -> None:
        super().__init__()
        self.gate: StaffGate | None = None
        self.clock: Callable[[], float] = time.monotonic
        self.login_timeout_s = login_timeout_s
        self.language = "vi"
        self.last_touch = 0.0
        self._unit = 0.0
        self.stack = QStackedWidget()
        self.box.addWidget(self.stack)
        self.login = LoginPage(self._on)
        self.new_pin = NewPinPage(self._on)
        self.account = AccountPage(self._on)
        self.home = HomePage(self._on)
        self.confirm_exit = ConfirmExitPage(self._on)
        self.setup = SetupPage(self._on)
        self.camera_setup = CameraSetupPage(self._on)
        self.enrol = EnrolWizard(self._on)
        self.people = PeoplePage(self._on)
        self.recognition_setup = RecognitionSetupPage(self._on)
        self.services_setup = ServicesSetupPage(self._on)
        self.pages: tuple[Page, ...] = (self.login, self.new_pin, self.account, self.home,
                                        self.confirm_exit, self.setup, self.camera_setup,
                                        self.recognition_setup, self.services_setup,
                                        self.enrol, self.people)
        #: the technician's set-up pages, by the action that opens them
        self.setup_pages = {"camera_setup": self.camera_setup,
                            "recognition_setup": self.recognition_setup,
                            "services_setup": self.services_setup}
        for page in self.pages:
            self.stack.addWidget(page)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    # -- opening and leaving

    def open(self) -> None:
        """Show the login (or the first-start PIN page when no PIN is set yet)."""
        self.last_touch = self.clock()
        self.login.clear()
        self.login.say(None if self.gate is not None else
                       staff_text("unavailable", self.language))
        self.account.clear()
        if self.gate is not None and self.gate.needs_pin():
            self.new_pin.first = None
            self.new_pin.clear()
            self.new_pin.say(None)
            self._show(self.new_pin)
        else:
            self._show(self.login)
            self._show_lock()
        self.timer.start()

    def _leave(self, reason: str = "logout") -> None:
        self.timer.stop()
        self._close_pages()
        if self.gate is not None:
            self.gate.logout(reason)
        self.emit("staff_leave")

    def _close_pages(self) -> None:
        """Pages forget what they held (an unfinished enrolment, a citizen shown), and the
        admin's server session is dropped."""
        for page in self.pages:
            page.closed()
        forget = getattr(self.gate.checker if self.gate else None, "forget_sessions", None)
        if forget is not None:
            forget()

    def _show(self, page: Page) -> None:
        if self.stack.currentWidget() is not page:
            self.page.closed()
        page.retext(self.language)
        self.stack.setCurrentWidget(page)

    @property
    def page(self) -> Page:
        current = self.stack.currentWidget()
        assert isinstance(current, Page)
        return current

    # -- touches

    def _on(self, name: str, value: object) -> None:
        self.last_touch = now = self.clock()
        gate = self.gate
        if gate is not None and gate.session is not None:
            gate.session.touch(now)
        if name == "touch":
            return
        if name == "saved":  # every set-up page starts from the settings just written
            for page in (self.setup, *self.setup_pages.values()):
                page.kiosk_ctx = value  # type: ignore[assignment]
            return
        if name in ("cancel", "later", "lock"):
            self._leave()
        elif name == "account":
            self.account.clear()
            self._show(self.account)
        elif name == "use_pin":
            self._show(self.login)
            self._show_lock()
        elif name == "pin_entered" and self.page is self.new_pin:
            self._new_pin(str(value))
        elif name == "pin_entered" and gate is not None:
            self.login.clear()
            self._result(gate.login_pin(str(value), now))
        elif name == "account_login" and gate is not None:
            result = gate.login_account(self.account.username.text(),
                                        self.account.password.text(), now)
            self.account.password.clear()
            self._result(result)
        elif name == "exit" and self._may_exit():
            self._show(self.confirm_exit)
        elif name in ("exit_no", "setup_back"):
            self._show(self.home)
        elif name == "setup" and self._may_exit():
            self.setup.load()
            self._show(self.setup)
        elif name in self.setup_pages and self._may_exit():
            page = self.setup_pages[name]
            page.kiosk_ctx = self.setup.kiosk_ctx
            self._show(page)
            page.load()
        elif name == "enrol" and self._may(ADMIN):
            assert gate is not None and gate.session is not None
            self.enrol.start(gate.session.who)
            self._show(self.enrol)
        elif name == "people" and self._may(ADMIN):
            assert gate is not None and gate.session is not None
            self.people.load(gate.session.who)
            self._show(self.people)
        elif name in ("enrol_done", "enrol_refused", "people_back"):
            self._show(self.home)
        elif name == "exit_yes" and self._may_exit():
            assert gate is not None
            self._close_pages()
            gate.logout("exit_to_desktop")
            self.timer.stop()
            self.emit("staff_exit")

    def _may_exit(self) -> bool:
        """Technicians only: leaving for the desktop and the hardware set-up."""
        return self._may(TECHNICIAN)

    def _may(self, role: str) -> bool:
        g = self.gate
        return g is not None and g.session is not None and g.session.may(role)

    def _new_pin(self, pin: str) -> None:
        page = self.new_pin
        page.clear()
        if page.first is None:
            try:
                from kiosk.staff.pin import check_new_pin

                check_new_pin(pin)
            except PinError:
                page.say(staff_text("new_pin_rule", self.language))
                return
            page.first = pin
            page.say(None)
        elif page.first != pin:
            page.first = None
            page.say(staff_text("new_pin_mismatch", self.language))
        else:
            assert self.gate is not None
            try:
                self.gate.set_first_pin(pin)
            except (PinError, PermissionError, OSError) as exc:
                page.first = None
                page.say(str(exc))
                return
            page.first = None
            self.login.say(staff_text("new_pin_done", self.language))
            self._show(self.login)
            return
        page.retext(self.language)

    def _result(self, result: LoginResult) -> None:
        if result.ok:
            self.home.show_session(result.who, result.roles, result.offline)
            self._show(self.home)
            return
        if result.reason == "locked" or result.wait_s > 0:
            message = staff_text("locked", self.language, s=math.ceil(result.wait_s))
        else:
            message = staff_text(result.reason if result.reason in (
                "no_rights", "pin_not_set") else "wrong", self.language)
        (self.account if self.page is self.account else self.login).say(message)

    def _show_lock(self) -> None:
        if self.gate is not None:
            wait = self.gate.locked_s()
            if wait > 0:
                self.login.say(staff_text("locked", self.language, s=math.ceil(wait)))

    # -- time

    def tick(self) -> None:
        """Every half second: timeouts, the lock countdown."""
        now = self.clock()
        gate = self.gate
        if self.page in (self.home, self.confirm_exit, self.setup,
                         *self.setup_pages.values(), self.enrol, self.people):
            if gate is not None and gate.session is not None and self.page.saving():
                gate.session.touch(now)  # a slow save is not idleness
            if gate is None or gate.session is None or gate.check_idle(now):
                self._leave("lock")
        elif now - self.last_touch >= self.login_timeout_s:
            self._leave("login_timeout")
        elif self.page is self.login and gate is not None and gate.lockout.locked_until:
            wait = gate.locked_s()
            self.login.say(staff_text("locked", self.language, s=math.ceil(wait))
                           if wait > 0 else None)

    # -- presenting

    def render(self, view: ShowScreen | None, ctx: ScreenContext) -> None:
        if view is not None:
            self.language = view.language
        for page in self.pages:
            page.arrange(ctx.portrait)
        self.page.retext(self.language)

    def resizeEvent(self, event) -> None:  # Qt naming
        u = theme.unit(max(self.window().width(), 1), max(self.window().height(), 1))
        if abs(u - self._unit) > 1e-3:
            self._unit = u
            self.setStyleSheet(local_stylesheet(u))
        super().resizeEvent(event)
