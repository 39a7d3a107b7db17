"""The kiosk window: top bar (centre, VI/EN), camera preview, the screens, a status line.

Full screen and frameless by default; the only way out is the long press on the top-left
corner, a technician's login and a confirmation (kiosk/ui/staff/). The window only
presents; every touch leaves as ``on_action(name, value)`` (a plain callback; see
docs/kiosk-app.md on Qt signals).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import flow
from kiosk.ui import theme
from kiosk.ui.screens import (
    ClosedScreen,
    ConfirmPriorityScreen,
    GreetingScreen,
    GuestScreen,
    GuidanceScreen,
    IdleScreen,
    IssuingScreen,
    PrintFailedScreen,
    Screen,
    ScreenContext,
    ServicesScreen,
    TicketScreen,
    _label,
)
from kiosk.ui.staff.mode import StaffMode
from kiosk.ui.texts import text
from kiosk.ui.widgets import BigButton, PreviewLabel

if TYPE_CHECKING:
    import numpy as np

PREVIEW_SCREENS = (flow.IDLE, flow.GUIDANCE)
TECHNICIAN = "technician"
CONFIRM_PRIORITY = "confirm_priority"


class _HotCorner(QObject):
    """Long press on a widget → ``fired()``. Works with mouse and touch (synthesised)."""

    def __init__(self, target: QWidget, seconds: float, fired: Callable[[], None]) -> None:
        super().__init__(target)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(seconds * 1000))
        self.timer.timeout.connect(fired)
        target.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt naming
        if event.type() == QEvent.Type.MouseButtonPress:
            self.timer.start()
        elif event.type() == QEvent.Type.MouseButtonRelease:
            self.timer.stop()
        return False


class KioskWindow(QWidget):
    """The one window of the kiosk."""

    def __init__(self, centre_name: str, technician_press_s: float = 3.0) -> None:
        super().__init__()
        self.on_action: Callable[[str, object], None] | None = None
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(centre_name)
        self.ctx = ScreenContext()
        self.view: flow.ShowScreen | None = None
        self.current = flow.IDLE
        self._unit = 0.0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        top = QHBoxLayout()
        top.setContentsMargins(24, 16, 24, 0)
        self.corner = QWidget()
        self.corner.setFixedSize(90, 90)
        self.centre = _label("centre", align=Qt.AlignmentFlag.AlignLeft |
                             Qt.AlignmentFlag.AlignVCenter)
        self.centre.setText(centre_name)
        self.lang_vi = BigButton("Tiếng Việt", "lang")
        self.lang_en = BigButton("English", "lang")
        for b, lang in ((self.lang_vi, "vi"), (self.lang_en, "en")):
            b.setSizePolicy(b.sizePolicy().Policy.Fixed, b.sizePolicy().Policy.Fixed)
            b.clicked.connect(lambda _=False, lang=lang: self._route("language", lang))
        top.addWidget(self.corner)
        top.addWidget(self.centre, 1)
        top.addWidget(self.lang_vi)
        top.addWidget(self.lang_en)
        outer.addLayout(top)

        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setContentsMargins(24, 16, 24, 8)
        self.body.setSpacing(24)
        self.preview = PreviewLabel()
        self.stack = QStackedWidget()
        # Pages must fit the screen, not grow the window: the stack takes what is left.
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.body.addWidget(self.preview, 0)
        self.body.addWidget(self.stack, 1)
        outer.addLayout(self.body, 1)
        self.countdown = _label("info")
        self.countdown.setContentsMargins(24, 0, 24, 8)
        self.countdown.setVisible(False)
        outer.addWidget(self.countdown)
        # Staff and technician lines (English, device details): never shown to citizens;
        # they go to the log, and to whoever sets ``staff_visible`` (staff mode).
        self.status = _label("status", align=Qt.AlignmentFlag.AlignLeft)
        self.status.setContentsMargins(24, 0, 24, 8)
        self.status.setVisible(False)
        self.staff_visible = False
        outer.addWidget(self.status)

        self.screens: dict[str, Screen] = {
            flow.IDLE: IdleScreen(), flow.GUIDANCE: GuidanceScreen(),
            flow.IDENTIFIED: GreetingScreen(), flow.UNKNOWN: GuestScreen(),
            flow.CHOOSE_SERVICE: ServicesScreen(), flow.ISSUING: IssuingScreen(),
            flow.TICKET_SHOWN: TicketScreen(), flow.PRINT_FAILED: PrintFailedScreen(),
            CONFIRM_PRIORITY: ConfirmPriorityScreen(), TECHNICIAN: StaffMode(),
            flow.CLOSED: ClosedScreen(),
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
            screen.on_action = self._route
        self.staff = self.screens[TECHNICIAN]
        assert isinstance(self.staff, StaffMode)
        self.hot_corner = _HotCorner(self.corner, technician_press_s, self.show_pin)
        self._has_frame = False
        self._camera_line = ""
        self._alert_line = ""
        self._apply_geometry()

    def _route(self, name: str, value: object) -> None:
        if self.on_action is not None:
            self.on_action(name, value)

    # -- geometry and style

    def _apply_geometry(self) -> None:
        w, h = max(self.width(), 1), max(self.height(), 1)
        portrait = h > w
        self.ctx.portrait = portrait
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                               else QBoxLayout.Direction.LeftToRight)
        u = theme.unit(w, h)
        if abs(u - self._unit) > 1e-3:
            self._unit = u
            self.setStyleSheet(theme.stylesheet(u))
            side = int(110 * u)
            self.corner.setFixedSize(side, side)
            for b in (self.lang_vi, self.lang_en):
                b.setFixedSize(int(260 * u), int(96 * u))
        # The preview gets a fixed share: a 16:9 picture across the width in portrait, 45 %
        # of the width in landscape; the screens get the rest.
        if portrait:
            self.preview.setMinimumSize(1, 1)
            self.preview.setMaximumSize(16777215, 16777215)
            self.preview.setFixedHeight(min(int((w - 48) * 9 / 16), int(h * 0.4)))
            self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        else:
            self.preview.setMinimumSize(1, 1)
            self.preview.setMaximumSize(16777215, 16777215)
            self.preview.setFixedWidth(int(w * 0.45))
            self.preview.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)

    def resizeEvent(self, event) -> None:  # Qt naming
        was_portrait = self.ctx.portrait
        self._apply_geometry()
        super().resizeEvent(event)
        if self.view is not None and was_portrait != self.ctx.portrait:
            self.show_view(self.view)

    # -- presenting

    def show_view(self, view: flow.ShowScreen) -> None:
        """Present the flow's view."""
        self.view = view
        self.current = view.screen
        screen = self.screens[CONFIRM_PRIORITY if view.confirm_priority else view.screen]
        screen.render(view, self.ctx)
        self.stack.setCurrentWidget(screen)
        self.lang_vi.set_selected(view.language == "vi")
        self.lang_en.set_selected(view.language == "en")
        left = view.seconds_left
        self.countdown.setText(text("seconds_left", n=left) if left is not None else "")
        self.countdown.setVisible(left is not None)
        self._update_preview_visibility()

    def refresh(self) -> None:
        """Render the current view again (after a language or camera change)."""
        if self.current == TECHNICIAN:
            self.screens[TECHNICIAN].render(None, self.ctx)
        elif self.view is not None:
            self.show_view(self.view)

    def _update_preview_visibility(self) -> None:
        show = self.current in PREVIEW_SCREENS and self._has_frame and \
            self.ctx.camera_state == "running"
        if not show:
            # Forget the last picture: the next person must not see the previous visitor.
            self.preview.clear()
        self.preview.setVisible(show)

    def set_camera_state(self, state: str, message: str) -> None:
        self.ctx.camera_state = state
        self._camera_line = "" if state == "running" else message
        self._update_status()
        self.refresh()

    def set_staff_alert(self, message: str | None) -> None:
        """A line for staff passing by (printer out of paper...); None clears it."""
        self._alert_line = message or ""
        self._update_status()

    def _update_status(self) -> None:
        # Technicians' and staff's line, shown only while something needs them.
        lines = [line for line in (self._alert_line, self._camera_line) if line]
        self.status.setText("\n".join(lines))
        self.status.setVisible(bool(lines) and self.staff_visible)

    def staff_text(self) -> str:
        """The staff and technician lines (for staff mode; never shown to citizens)."""
        return self.status.text()

    def show_frame(self, image: np.ndarray, seq: int) -> None:
        if not self._has_frame:
            self._has_frame = True
            self._update_preview_visibility()
        if self.preview.isVisible():
            self.preview.show_frame(image, seq)

    # -- technician

    def show_pin(self) -> None:
        """Open staff mode (its login, or the first-start PIN page)."""
        self.staff.render(self.view, self.ctx)
        self.staff.open()
        self.current = TECHNICIAN
        self.stack.setCurrentWidget(self.staff)
        self._update_preview_visibility()

    def leave_pin(self) -> None:
        if self.view is not None:
            self.show_view(self.view)
