"""Technician setup: printer and queue server.

Fields typed on the on-screen keyboard; "Kiểm tra" asks the printer for its status and
the server for reach, token and clock offset (``kiosk.adapters.diagnostics``, on a worker
thread: the screen never freezes); "In thử" prints the test ticket; "Lưu" writes the
kiosk's TOML through ``SettingsFile`` (validated as at start: an invalid value is refused
on the screen, naming the field). The printer applies at once; the server at the next
start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from kiosk.ui.staff.keyboard import OnScreenKeyboard
from kiosk.ui.staff.pages import Action, Page, button_grid, label
from kiosk.ui.staff.texts import staff_text

if TYPE_CHECKING:
    from config import Settings
    from kiosk.adapters.diagnostics import Check
    from kiosk.context import KioskContext

TOKEN_FILE = "kiosk.token"


class SettingsPage(Page):
    """What set-up pages share: the running context, checks on a worker thread with
    their answers shown, the on-screen keyboard for fields, saving to the TOML."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.kiosk_ctx: KioskContext | None = None
        #: called with the new settings after a save (the app applies what it can)
        self.on_saved: Callable[[Settings], None] | None = None
        self.language = "vi"
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="setup")
        self._pending: list[tuple[Future[Any], Callable[[Any], None]]] = []
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._drain)
        self.title = label("subtitle")
        self.keyboard = OnScreenKeyboard()
        self.keyboard.on_change = lambda: self.act("touch", None)
        self.results = label("info", fit=True)
        self.message = label("notice", fit=True)
        self.message.setVisible(False)
        self.back = self.button("secondary", "setup_back")

    def answers_column(self, buttons: Sequence[QWidget]) -> QVBoxLayout:
        """The check answers and the message above the page's buttons (two to a row)."""
        col = QVBoxLayout()
        col.setSpacing(12)
        col.addWidget(self.results)
        col.addWidget(self.message)
        col.addStretch(1)
        col.addLayout(button_grid(buttons))
        return col

    def field(self, secret: bool = False) -> QLineEdit:
        f = QLineEdit()
        f.setObjectName("staff-field")
        if secret:
            f.setEchoMode(QLineEdit.EchoMode.Password)
        f.installEventFilter(self)
        if self.keyboard.target is None:
            self.keyboard.target = f
        return f

    def _button(self, role: str, run: Callable[[], None]) -> Any:
        from kiosk.ui.widgets import BigButton

        b = BigButton("", role)
        b.clicked.connect(lambda: (self.act("touch", None), run()))
        return b

    def lay_out(self, fields: list[QWidget], buttons: list[QWidget]) -> None:
        """Landscape: the form on the left; answers and the keyboard on the right."""
        form = QVBoxLayout()
        form.setSpacing(12)
        form.addWidget(self.title)
        for f in fields:
            form.addWidget(f)
        form.addStretch(1)
        form.addLayout(button_grid(buttons))
        side = QVBoxLayout()
        side.setSpacing(12)
        side.addWidget(self.results)
        side.addWidget(self.message)
        side.addWidget(self.keyboard, 1)
        self.box.addLayout(form, 1)
        self.box.addLayout(side, 1)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt naming
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn) and \
                isinstance(obj, QLineEdit):
            self.keyboard.target = obj
        return False

    def say(self, message: str | None) -> None:
        self.message.setText(message or "")
        self.message.setVisible(bool(message))

    def show_results(self, text: str) -> None:
        self.results.setText(text)

    def _submit(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self._pending.append((self._pool.submit(work), done))
        self._poll.start()

    def _drain(self) -> None:
        still = []
        for fut, done in self._pending:
            if fut.done():
                try:
                    done(fut.result())
                except Exception as exc:  # a check that raised: one line, no crash
                    self.say(f"{type(exc).__name__}: {str(exc)[:160]}")
            else:
                still.append((fut, done))
        self._pending = still
        if not still:
            self._poll.stop()

    def busy(self) -> bool:
        return bool(self._pending)

    def _show_checks(self, checks: list[Check]) -> None:
        marks = {"ok": "✔", "warn": "⚠", "fail": "✘", "skip": "–"}
        self.show_results("\n".join(f"{marks[c.status]} {c.name}: {c.detail}"[:110]
                                     for c in checks))

    def save_changes(self, changes: dict[str, dict[str, Any]],
                     before: Callable[[KioskContext], dict[str, Any]] | None = None
                     ) -> Settings | None:
        """Write ``changes`` (validated as at start); None, said on screen, if refused."""
        from config import ConfigError
        from kiosk.staff.settings_file import SettingsFile

        ctx = self.kiosk_ctx
        if ctx is None:
            return None
        target = ctx.config_file or ctx.data_dir / "kiosk.toml"
        try:
            if before is not None:
                for section, values in before(ctx).items():
                    changes.setdefault(section, {}).update(values)
            settings = SettingsFile(Path(target)).apply(changes)
        except (ConfigError, OSError) as exc:
            self.say(staff_text("not_saved", self.language, why=str(exc)[:200]))
            return None
        self.kiosk_ctx = replace(ctx, settings=settings, config_file=Path(target))
        self.act("saved", self.kiosk_ctx)
        self.say(None)
        self.show_results(staff_text("saved", self.language, path=target))
        if self.on_saved is not None:
            self.on_saved(settings)
        return settings


class SetupPage(SettingsPage):
    """Printer URL, server URL and kiosk token, with checks and save."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.printer_url = self.field()
        self.server_url = self.field()
        self.token = self.field(secret=True)
        self.check = self._button("secondary", self.run_checks)
        self.test = self._button("secondary", self.run_test_print)
        self.save = self._button("primary", self.run_save)
        self.lay_out([self.printer_url, self.server_url, self.token],
                     [self.back, self.check, self.test, self.save])

    def load(self) -> None:
        """Fill the fields from the running settings (the token is never shown)."""
        self.say(None)
        self.show_results("")
        if self.kiosk_ctx is None:
            self.say(staff_text("unavailable", self.language))
            return
        s = self.kiosk_ctx.settings
        self.printer_url.setText(s.printer.url)
        self.server_url.setText(s.sync.server_url or "")
        self.token.clear()

    def retext(self, language: str) -> None:
        self.language = language
        self.title.setText(staff_text("setup_title", language))
        self.printer_url.setPlaceholderText(staff_text("printer_url", language))
        self.server_url.setPlaceholderText(staff_text("server_url", language))
        self.token.setPlaceholderText(staff_text("token_keep", language))
        self.check.setText(staff_text("check", language))
        self.test.setText(staff_text("test_print", language))
        self.save.setText(staff_text("save", language))
        self.back.setText(staff_text("back", language))

    def _trial_ctx(self) -> KioskContext | None:
        """The running context with the typed URLs (not saved)."""
        ctx = self.kiosk_ctx
        if ctx is None:
            return None
        s = ctx.settings
        sync = s.sync.model_copy(update={"server_url": self.server_url.text().strip() or None})
        if self.token.text().strip():
            sync = sync.model_copy(update={"token": self.token.text().strip(),
                                           "token_file": None})
        printer = s.printer.model_copy(update={"url": self.printer_url.text().strip()})
        return replace(ctx, settings=s.model_copy(update={"sync": sync, "printer": printer}))

    def run_checks(self) -> None:
        from kiosk.adapters.diagnostics import check_printer, check_server

        ctx = self._trial_ctx()
        if ctx is None:
            return
        self.show_results(staff_text("checking", self.language))
        self._submit(lambda: [check_printer(ctx), check_server(ctx)], self._show_checks)

    def run_test_print(self) -> None:
        from kiosk.adapters.diagnostics import test_print

        ctx = self._trial_ctx()
        if ctx is None:
            return
        self.show_results(staff_text("checking", self.language))
        self._submit(lambda: test_print(ctx), lambda c: self._show_checks([c]))

    def run_save(self) -> None:
        """Validate and write; the field is named on the screen when a value is refused."""
        from config import ConfigError
        from kiosk.staff.files import write_private

        sync: dict[str, Any] = {"server_url": self.server_url.text().strip() or None}
        token = self.token.text().strip()
        if token and len(token) < 8:
            self.say(staff_text("not_saved", self.language,
                                why="sync.token: at least 8 characters"))
            return

        def store_token(ctx: KioskContext) -> dict[str, Any]:
            if not token:
                return {}
            try:
                write_private(ctx.data_dir / TOKEN_FILE, token + "\n")
            except OSError as exc:
                raise ConfigError(f"{TOKEN_FILE}: {exc.strerror}") from None
            return {"sync": {"token": None, "token_file": TOKEN_FILE}}

        if self.save_changes({"printer": {"url": self.printer_url.text().strip()},
                              "sync": sync}, store_token) is not None:
            self.token.clear()
