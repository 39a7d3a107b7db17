"""The kiosk's screens. Each one presents a ``ShowScreen`` and reports touches as actions.

A screen never decides anything: ``render(view, ctx)`` shows what the flow said, and a
touch calls ``on_action(name, value)`` (a plain callback, not a Qt signal: see
docs/kiosk-app.md on PySide 6.12's ``emit``); the app turns it into a flow event. Actions:
'take_without_face', 'continue', 'continue_guest', 'pick' (service code), 'ask_priority',
'reprint' (ticket id or None), 'done', 'show_my_tickets', 'priority_yes', 'priority_no'.
Staff mode's screens are in ``kiosk/ui/staff/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import IssuedTicket, Service, ShowScreen
from kiosk.hours import HoursStatus
from kiosk.ui.texts import text
from kiosk.ui.widgets import BigButton
from ticketing.workdays import weekday_name


@dataclass
class ScreenContext:
    """What screens need besides the flow's view."""

    services: dict[str, Service] = field(default_factory=dict)
    camera_state: str = "no camera"
    recognition: bool = False
    portrait: bool = False
    #: the printer's last failure reason ('paper_out'...), None while it prints
    printer_problem: str | None = None
    #: most numbers one person may take per day (``kiosk.daily_ticket_cap``)
    daily_cap: int = 3
    #: people waiting per service code, when known (standalone: the kiosk's own queue)
    waiting: dict[str, int] = field(default_factory=dict)
    #: the camera is scanned for a chip ID card's QR code (the idle screen offers it)
    id_card: bool = False
    #: estimated wait in minutes per service code for a ticket taken now, when known
    wait_min: dict[str, int] = field(default_factory=dict)
    #: codes of services whose tiles are not shown (``kiosk.services_hidden``)
    hidden_services: frozenset[str] = frozenset()


#: A symbol per service of the default catalogue (DejaVu Sans has them); others get a dot.
SERVICE_ICONS = {"HT": "⚭", "CT": "✍", "DD": "⌂", "XD": "⚒", "KD": "⚖", "LD": "⚕",
                 "TKQ": "✉"}


def _label(name: str, wrap: bool = True, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter
           ) -> QLabel:
    lab = QLabel()
    lab.setObjectName(name)
    lab.setWordWrap(wrap)
    lab.setAlignment(align)
    return lab


def _clear(layout: QVBoxLayout | QGridLayout | QHBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.deleteLater()


class Screen(QWidget):
    """Base of every screen."""

    def __init__(self) -> None:
        super().__init__()
        self.on_action: Callable[[str, object], None] | None = None
        self.box = QVBoxLayout(self)
        self.box.setSpacing(16)
        self.box.setContentsMargins(24, 24, 24, 24)

    def emit(self, name: str, value: object = None) -> None:
        """Report a touch to whoever listens (the window)."""
        if self.on_action is not None:
            self.on_action(name, value)

    def button(self, role: str, name: str, value: object = None) -> BigButton:
        b = BigButton("", role)
        b.clicked.connect(lambda: self.emit(name, value))
        return b

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        raise NotImplementedError

    def _service_name(self, code: str, ctx: ScreenContext, language: str) -> str:
        svc = ctx.services.get(code)
        return svc.name(language) if svc else code


class IdleScreen(Screen):
    """Welcome; look at the camera, or hold the ID card's QR code up to it, or take a number
    without face recognition."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("title")
        self.prompt = _label("subtitle")
        self.card_prompt = _label("subtitle")
        self.notice = _label("notice")
        self.printer = _label("notice")
        self.take = self.button("primary", "take_without_face")
        self.box.addStretch(1)
        for w in (self.title, self.prompt, self.card_prompt, self.notice, self.printer):
            self.box.addWidget(w)
        self.box.addStretch(1)
        self.box.addWidget(self.take)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self.title.setText(text("welcome"))
        camera_ok = ctx.camera_state == "running"
        self.prompt.setText(text("look_prompt"))
        # A QR code that is no ID card: that message alone (it says what to do instead).
        not_a_card = view.message == "not_id_card"
        look = camera_ok and ctx.recognition
        self.prompt.setVisible(look and not not_a_card)
        # The other way in: the ID card's QR code (no face used).
        self.card_prompt.setText(text("card_prompt" if look else "card_prompt_only"))
        self.card_prompt.setVisible(camera_ok and ctx.id_card and not not_a_card)
        notice = None
        if not_a_card:
            notice = text("not_id_card")
        elif ctx.camera_state == "starting":
            notice = None
        elif ctx.camera_state == "reconnecting":
            notice = text("camera_reconnecting")
        elif not camera_ok:
            notice = text("no_camera")
        elif not ctx.recognition:
            notice = text("no_recognition")
        self.notice.setText(notice or "")
        self.notice.setVisible(notice is not None)
        # Said before anyone starts, so nobody learns it only after taking a number.
        self.printer.setText(text("printer_down_idle"))
        self.printer.setVisible(ctx.printer_problem is not None)
        self.take.setText(text("take_without_face"))


class GuidanceScreen(Screen):
    """One short instruction until the face is good enough."""

    def __init__(self) -> None:
        super().__init__()
        self.guidance = _label("guidance")
        self.take = self.button("secondary", "take_without_face")
        self.box.addStretch(1)
        self.box.addWidget(self.guidance)
        self.box.addStretch(1)
        self.box.addWidget(self.take)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self.guidance.setText(text(view.guidance or "checking"))
        self.take.setText(text("take_without_face"))


class _PersonScreen(Screen):
    """Shared by the greeting and the guest screen: open tickets offered for reprint."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("title")
        self.body = _label("subtitle")
        self.notice = _label("notice")
        self.tickets_title = _label("info")
        self.tickets = QGridLayout()
        self.tickets.setSpacing(16)
        self.show_tickets = self.button("secondary", "show_my_tickets")
        self.primary = BigButton("", "primary")
        self.priority = self.button("secondary", "ask_priority")
        self.cancel = self.button("secondary", "done")
        for w in (self.title, self.body, self.notice, self.tickets_title, self.show_tickets):
            self.box.addWidget(w)
        self.box.addLayout(self.tickets)
        self.box.addStretch(1)
        self.box.addWidget(self.primary)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.priority)
        row.addWidget(self.cancel)
        self.box.addLayout(row)

    def _render_tickets(self, tickets: tuple[IssuedTicket, ...], view: ShowScreen,
                        ctx: ScreenContext) -> None:
        _clear(self.tickets)
        self.tickets_title.setVisible(bool(tickets))
        self.tickets_title.setText(text("your_tickets"))
        self.show_tickets.setVisible(view.open_count > 0 and not tickets)
        self.show_tickets.setText(text("show_my_tickets", n=view.open_count))
        # Side by side in landscape (up to three), stacked in portrait: each button gets a
        # cell of its own, so they never overlap each other or "Take a number".
        columns = 1 if ctx.portrait else min(max(len(tickets), 1), 3)
        for i, t in enumerate(tickets[:3]):
            b = self.button("secondary", "reprint", t.id)
            b.setText(text("reprint_ticket", number=t.number,
                           service=self._service_name(t.service, ctx, view.language)))
            self.tickets.addWidget(b, i // columns, i % columns)

    def _render_common(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self._render_tickets(view.open_tickets, view, ctx)
        self.priority.setText(text("priority_on" if view.priority else "ask_priority"))
        self.priority.setEnabled(not view.priority)
        self.cancel.setText(text("cancel"))
        message = None
        if view.message == "priority_asked":
            message = text("priority_asked")
        elif view.cap_reached:
            message = text("daily_cap_greeting", cap=ctx.daily_cap)
        self.notice.setVisible(message is not None)
        self.notice.setText(message or "")


class GreetingScreen(_PersonScreen):
    """Hello, <name>: today's open tickets, take a number. A person who came with their ID
    card also sees its masked number (never the full one)."""

    def __init__(self) -> None:
        super().__init__()
        self.primary.clicked.connect(lambda: self.emit("continue"))
        self.card = _label("info")
        self.box.insertWidget(1, self.card)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        form = {"male": "hello_male", "female": "hello_female", "as_is": "hello_name"}.get(
            view.form or "", "hello_neutral")
        self.title.setText(text(form, name=view.name or ""))
        self.body.setText(text("priority_note"))
        self.body.setVisible(view.priority)
        self.card.setText(text("card_line", number=view.card) if view.card else "")
        self.card.setVisible(view.card is not None)
        self.primary.setText(text("take_number"))
        self._render_common(view, ctx)


class GuestScreen(_PersonScreen):
    """Not recognised: continue as a guest."""

    def __init__(self) -> None:
        super().__init__()
        self.primary.clicked.connect(lambda: self.emit("continue_guest"))

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        title = "not_recognised" if view.message == "not_recognised" else "guest_title"
        self.title.setText(text(title))
        self.body.setText(text("guest_body"))
        self.primary.setText(text("continue_guest"))
        self._render_common(view, ctx)


class ServicesScreen(Screen):
    """A grid of big service tiles."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("title")
        self.notice = _label("notice")
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        self.priority = self.button("secondary", "ask_priority")
        self.cancel = self.button("secondary", "done")
        self.box.addWidget(self.title)
        self.box.addWidget(self.notice)
        self.box.addLayout(self.grid, 1)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.priority)
        row.addWidget(self.cancel)
        self.box.addLayout(row)
        self.tiles: dict[str, BigButton] = {}

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self.title.setText(text("choose_service"))
        message = view.message
        self.notice.setVisible(message is not None)
        self.notice.setText(text(message) if message else "")
        _clear(self.grid)
        self.tiles = {}
        shown = [s for s in ctx.services.values() if s.code not in ctx.hidden_services]
        count = len(shown)
        # Portrait: two wide columns. Landscape: three, or four when a third row of tiles
        # would make them too short for two-line names.
        columns = 2 if ctx.portrait else (3 if count <= 6 else 4)
        for i, svc in enumerate(shown):
            tile = self.button("tile", "pick", svc.code)
            # four short columns (landscape, more than six services): a smaller font, so a
            # two-line name and the waiting count fit
            tile.setProperty("compact", columns == 4)
            head = f"{SERVICE_ICONS.get(svc.code, '●')}  {svc.prefix}"
            lines = [head, svc.name(view.language)]
            queue = _queue_line(svc.code, view, ctx)
            if queue:
                if ctx.portrait:  # tall tiles: a line of its own
                    lines.append(queue)
                else:  # short landscape tiles: beside the letter; the name keeps 2 lines
                    lines[0] = f"{head}  ·  {queue}"
            # a service closed now (others open): shown, not pickable, with its hours
            tile.setEnabled(svc.code not in view.hours.closed_services)
            tile.setText("\n".join(lines))
            tile.setSizePolicy(tile.sizePolicy().horizontalPolicy(),
                               tile.sizePolicy().Policy.Expanding)
            self.grid.addWidget(tile, i // columns, i % columns)
            self.tiles[svc.code] = tile
        self.priority.setText(text("priority_on" if view.priority else "ask_priority"))
        self.priority.setEnabled(not view.priority)
        self.cancel.setText(text("cancel"))


def _queue_line(code: str, view: ShowScreen, ctx: ScreenContext) -> str:
    """A tile's queue line: people waiting and the estimated wait when known ("Đang chờ:
    4 · khoảng 15 phút"), or the hours of a service closed now; "" when nothing is known."""
    if code in view.hours.closed_services:
        svc = ctx.services.get(code)
        return text("tile_closed", opens=svc.opens_at if svc else "",
                    closes=svc.closes_at if svc else "")
    parts = []
    if code in ctx.waiting:
        parts.append(text("tile_waiting", n=ctx.waiting[code]))
    if ctx.wait_min.get(code):  # 0 (nobody waiting) says nothing the count does not
        parts.append(text("tile_wait", n=ctx.wait_min[code]))
    return " · ".join(parts)


class ConfirmPriorityScreen(Screen):
    """'Do you need priority?' with who it is for: yes / no (shown over any person screen)."""

    def __init__(self) -> None:
        super().__init__()
        self.question = _label("subtitle")
        self.yes = self.button("primary", "priority_yes")
        self.no = self.button("secondary", "priority_no")
        self.box.addStretch(1)
        self.box.addWidget(self.question)
        self.box.addStretch(1)
        self.box.addWidget(self.yes)
        self.box.addWidget(self.no)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self.question.setText(text("confirm_priority"))
        self.yes.setText(text("priority_yes"))
        self.no.setText(text("priority_no"))


class IssuingScreen(Screen):
    """A short wait while the number is issued."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("title")
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addStretch(1)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self.title.setText(text("issuing"))


class _NumberScreen(Screen):
    """A number block and an info block: stacked in portrait, side by side in landscape."""

    def __init__(self) -> None:
        super().__init__()
        self.split = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.split.setSpacing(16)
        self.left = QVBoxLayout()
        self.right = QVBoxLayout()
        self.left.setSpacing(12)
        self.right.setSpacing(12)
        self.split.addLayout(self.left, 1)
        self.split.addLayout(self.right, 1)
        self.box.addLayout(self.split, 1)

    def _orient(self, ctx: ScreenContext) -> None:
        self.split.setDirection(QBoxLayout.Direction.TopToBottom if ctx.portrait
                                else QBoxLayout.Direction.LeftToRight)


class TicketScreen(_NumberScreen):
    """The number, large, with the service, counters and people ahead."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("subtitle")
        self.number = _label("number", wrap=False)
        self.badge = _label("badge")
        self.service = _label("title")
        self.ahead = _label("info")
        self.wait = _label("info")
        self.counters = _label("info")
        self.notice = _label("notice")
        self.status = _label("subtitle")
        self.done = self.button("primary", "done")
        self.left.addStretch(1)
        self.left.addWidget(self.title)
        self.left.addWidget(self.number)
        self.left.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignHCenter)
        self.left.addWidget(self.service)
        self.left.addStretch(1)
        self.right.addStretch(1)
        for w in (self.ahead, self.wait, self.counters, self.notice, self.status):
            self.right.addWidget(w)
        self.right.addStretch(1)
        self.right.addWidget(self.done)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self._orient(ctx)
        t = view.ticket
        self.title.setText(text("your_number"))
        self.number.setText(t.number if t else "")
        self.badge.setText(text("priority_badge"))
        self.badge.setVisible(bool(t and t.priority))
        self.service.setText(self._service_name(t.service, ctx, view.language) if t else "")
        ahead = t.people_ahead if t else None
        self.ahead.setVisible(ahead is not None)
        self.ahead.setText(text("people_ahead", n=ahead) if ahead is not None else "")
        wait = t.estimated_wait_min if t else None
        self.wait.setVisible(bool(wait))  # unknown or 0: nothing rather than a guess
        self.wait.setText(text("estimated_wait", n=wait) if wait else "")
        self.counters.setVisible(bool(t and t.counters))
        self.counters.setText(text("counters", counters=t.counters) if t and t.counters else "")
        self.notice.setVisible(view.message == "reprinted")
        self.notice.setText(text("reprinted"))
        self.status.setText(text("printing" if view.printing else "take_ticket"))
        self.done.setText(text("done"))
        self.done.setEnabled(not view.printing)


class PrintFailedScreen(_NumberScreen):
    """Printing failed: the number stays on screen, reprint or done."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("title")
        self.reason = _label("notice")
        self.number = _label("number", wrap=False)
        self.service = _label("subtitle")
        self.note = _label("subtitle")
        self.again = self.button("primary", "reprint")
        self.done = self.button("secondary", "done")
        self.box.insertWidget(0, self.title)
        self.box.insertWidget(1, self.reason)
        self.left.addStretch(1)
        self.left.addWidget(self.number)
        self.left.addWidget(self.service)
        self.left.addStretch(1)
        self.right.addStretch(1)
        self.right.addWidget(self.note)
        self.right.addStretch(1)
        self.right.addWidget(self.again)
        self.right.addWidget(self.done)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        self._orient(ctx)
        t = view.ticket
        self.title.setText(text("print_failed_title"))
        known = {"paper_out", "offline", "cover_open", "printer_timeout"}
        self.reason.setText(text(view.message if view.message in known else "printer_error"))
        self.number.setText(t.number if t else "")
        self.service.setText(self._service_name(t.service, ctx, view.language) if t else "")
        self.note.setText(text("note_number"))
        self.again.setText(text("print_again"))
        self.done.setText(text("done"))


class ClosedScreen(Screen):
    """Outside opening hours: the centre is closed, why when today is a day off (the
    holiday's note, or not a working day), today's hours, when it opens next (date and
    time). No button: no number is given (and the camera's frames are not looked at)."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("title")
        self.why = _label("subtitle")
        self.hours = _label("subtitle")
        self.reopens = _label("subtitle")
        self.note = _label("info")
        self.box.addStretch(1)
        for w in (self.title, self.why, self.hours, self.reopens, self.note):
            self.box.addWidget(w)
        self.box.addStretch(1)

    def render(self, view: ShowScreen, ctx: ScreenContext) -> None:
        h = view.hours
        self.title.setText(text("closed_title"))
        why = h.note or (text("closed_day_off") if h.day_off else "")
        self.why.setVisible(bool(why))
        self.why.setText(why)
        known = bool(h.opens_at and h.closes_at)
        self.hours.setVisible(known)
        self.hours.setText(text("closed_hours", opens=h.opens_at, closes=h.closes_at)
                           if known else "")
        self.reopens.setVisible(h.reopens is not None)
        self.reopens.setText(reopens_text(h, view.language))
        self.note.setText(text("closed_no_number"))


def reopens_text(h: HoursStatus, language: str) -> str:
    """"We open at 07:30 today." or "Opens again: Monday 07/12, 07:30" (in ``language``);
    "" when not known."""
    at = h.reopens
    if at is None:
        return ""
    time = at.strftime("%H:%M")
    if at.date() == h.day:
        return text("reopens_today", time=time)
    return text("reopens_on", weekday=weekday_name(at.date(), language),
                date=at.strftime("%d/%m"), time=time)
