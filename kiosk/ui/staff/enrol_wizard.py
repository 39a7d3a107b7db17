"""The admin's enrolment wizard on the touchscreen: consent → identity → face samples →
summary → saved (or refused, and why).

- Consent: the versioned text (``kiosk.consent``) shown large, and read aloud on "Nghe đọc"
  (``ConsentReader``: a person's recording or espeak-ng, cached; stopped by "Dừng", by
  leaving the step or by the idle lock); the citizen taps "Tôi đồng ý", then the admin
  confirms; both recorded with the version and the admin's name in the
  staff audit (and on the citizen's record when saved). "Tôi không đồng ý" stores nothing.
- Identity: the chip ID card's QR code held up to the kiosk camera (read on the desk's
  thread by ``IdCardReader``), or typed on the on-screen keyboard with Telex; the id number
  is checked (``validate_id_number``), the problem shown on the field, and shown masked once
  entered.
- Samples: 3 to 5, taken automatically when the face is good and shows a pose still
  missing (straight, a little left, a little right), or with "Chụp"; the engine's quality
  reasons are said in plain words.
- Save through the registry desk (``Registry.enrol_photos``: quality, duplicate and
  re-enrolment checks; through the server's outbox when the kiosk has one).

The camera is the app's own ``CameraWorker`` (its newest frame is read, never a second
capture), so the citizen flow has it back as soon as staff mode closes. ``discard()`` (cancel,
done, the staff idle lock) drops the samples from memory; nothing was written before save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.adapters.consent_voice import IDLE, PREPARING
from kiosk.consent import consent_text
from kiosk.id_card import IdNumberError, mask_id_number, validate_id_number
from kiosk.model import sex_from_text
from kiosk.priority import PriorityGroup
from kiosk.staff.enrolment_draft import MAX_SAMPLES, POSES, EnrolmentDraft, check_identity
from kiosk.ui import theme
from kiosk.ui.staff.jobs import Jobs
from kiosk.ui.staff.keyboard import OnScreenKeyboard
from kiosk.ui.staff.pages import Action, Page, button_grid, label
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import BigButton, PreviewLabel

if TYPE_CHECKING:
    from kiosk.adapters.consent_voice import ConsentReader
    from kiosk.adapters.id_card_reader import CardScan
    from kiosk.adapters.registry_desk import RegistryDesk, SaveOutcome
    from kiosk.staff.enrolment_draft import Advice

LIVE_MS = 120
HEARING_MS = 150  # how often the consent step looks at the reader's state
PRIORITIES = tuple(PriorityGroup)


def wizard_stylesheet(u: float) -> str:
    """What the admin's pages add at scale ``u``: smaller reading text than the citizens'
    screens (admins read at arm's length, and these pages hold more)."""

    def px(v: float) -> int:
        return max(int(round(v * u)), 1)

    return f"""
    QLabel#reading {{ font-size: {px(32)}px; }}
    QLabel#guide {{ font-size: {px(48)}px; font-weight: bold; color: {theme.ACCENT}; }}
    QLabel#subtitle {{ font-size: {px(40)}px; font-weight: bold; }}
    QLineEdit#staff-field {{ background: #ffffff; color: #111111; font-size: {px(32)}px;
                             border: {px(3)}px solid {theme.ACCENT}; border-radius: {px(10)}px;
                             padding: {px(4)}px; min-height: {px(48)}px; }}
    QLineEdit#staff-field[error="true"] {{ border: {px(5)}px solid #ff5c5c; }}
    QPushButton[role="primary"] QLabel {{ font-size: {px(36)}px; }}
    QPushButton[role="secondary"] QLabel {{ font-size: {px(34)}px; }}
    """


def big_button(role: str, run: Any) -> BigButton:
    b = BigButton("", role)
    b.clicked.connect(run)
    return b


def buttons_row(*buttons: QWidget) -> QGridLayout:
    return button_grid(buttons, columns=len(buttons))


class Step(Page):
    """One step of the wizard: a two-part page (side by side in landscape, one above the
    other in portrait); ``first`` and ``second`` are the parts."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.language = "vi"
        self.first = QVBoxLayout()
        self.second = QVBoxLayout()
        for part in (self.first, self.second):
            part.setSpacing(12)
        self.box.addLayout(self.first, 1)
        self.box.addLayout(self.second, 1)

    def retext(self, language: str) -> None:
        self.language = language
        self.texts(language)

    def texts(self, language: str) -> None:
        raise NotImplementedError

    def t(self, key: str, **values: object) -> str:
        return staff_text(key, self.language, **values)


class ConsentStep(Step):
    def __init__(self, act: Action, wizard: EnrolWizard) -> None:
        super().__init__(act)
        self.wizard = wizard
        self.title = label("subtitle")
        self.version = label("reading")
        # The consent text takes the room left in its column (a FitLabel would keep the
        # height it needed while the page was still narrow).
        self.text = label("reading")
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.prompt = label("notice", fit=True)
        self.listen = big_button("secondary", wizard.listen)
        self.listen.setObjectName("consent-listen")
        self.agree = big_button("primary", wizard.citizen_agrees)
        self.refuse = big_button("secondary", wizard.citizen_refuses)
        self.confirm = big_button("primary", wizard.admin_confirms)
        self.cancel = big_button("secondary", wizard.cancel)
        self.first.addWidget(self.title)
        self.first.addWidget(self.text, 1)
        # Under the text it reads, apart from the answers: no tap on "agree" by mistake.
        under = QHBoxLayout()
        under.setSpacing(12)
        under.addWidget(self.version, 1)
        under.addWidget(self.listen, 2)
        self.first.addLayout(under)
        self.second.addStretch(1)
        self.second.addWidget(self.prompt)
        for b in (self.agree, self.refuse, self.confirm, self.cancel):
            self.second.addWidget(b)
        self.second.addStretch(1)
        self.box.setStretch(0, 3)
        self.box.setStretch(1, 2)

    def show_state(self, agreed: bool) -> None:
        for b in (self.agree, self.refuse):
            b.setVisible(not agreed)
        for w in (self.prompt, self.confirm, self.cancel):
            w.setVisible(agreed)

    def texts(self, language: str) -> None:
        draft = self.wizard.draft
        self.title.setText(self.t("consent_title"))
        self.text.setText(consent_text(language))
        self.version.setText(self.t("consent_version",
                                    v=draft.consent_version if draft else ""))
        self.prompt.setText(self.t("consent_confirm_prompt",
                                   admin=draft.admin if draft else ""))
        self.agree.setText(self.t("consent_agree"))
        self.refuse.setText(self.t("consent_refuse"))
        self.confirm.setText(self.t("consent_confirm"))
        self.cancel.setText(self.t("cancel"))
        self.show_hearing()

    def show_hearing(self) -> None:
        """The listen button says what the reader does: listen, preparing, stop, or why
        the kiosk cannot be heard (tapping again tries again)."""
        reader = self.wizard.reader
        if reader is None or (reader.state == IDLE and self.wizard.hearing_failed):
            key = "consent_no_sound"
        elif reader.state == IDLE:
            key = "consent_listen"
        else:
            key = "consent_preparing" if reader.state == PREPARING else "consent_stop"
        self.listen.setText(self.t(key))


class IdentityStep(Step):
    def __init__(self, act: Action, wizard: EnrolWizard) -> None:
        super().__init__(act)
        self.wizard = wizard
        self.preview = PreviewLabel()
        self.hint = label("reading", fit=True)
        self.card = label("reading", fit=True)
        self.title = label("subtitle")
        self.name = self.field()
        self.id_number = self.field()
        self.dob = self.field()
        self.priority = PriorityGroup.NONE
        self.prio = big_button("secondary", self.next_priority)
        self.message = label("notice", fit=True)
        self.message.setVisible(False)
        self.keyboard = OnScreenKeyboard(vietnamese=True)
        self.keyboard.target = self.name
        self.keyboard.on_change = lambda: self.act("touch", None)
        self.cancel = big_button("secondary", wizard.cancel)
        self.next = big_button("primary", wizard.identity_done)
        #: the id number entered (the field shows it masked once it is complete)
        self.number = ""
        self.from_card = False
        self.sex: str | None = None  # from the card ("male"/"female"), for Ông/Bà
        self.first.addWidget(self.preview, 1)
        self.first.addWidget(self.hint)
        self.first.addWidget(self.card)
        self.first.addWidget(self.prio)
        self.second.addWidget(self.title)
        self.second.addWidget(self.name)
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(12)
        row.addWidget(self.id_number, 3)
        row.addWidget(self.dob, 3)
        self.second.addLayout(row)
        self.second.addWidget(self.message)
        self.second.addWidget(self.keyboard, 1)
        self.second.addLayout(buttons_row(self.cancel, self.next))

    def field(self) -> QLineEdit:
        f = QLineEdit()
        f.setObjectName("staff-field")
        f.installEventFilter(self)
        return f

    def arrange(self, portrait: bool) -> None:
        super().arrange(portrait)
        self.box.setStretch(0, 2 if portrait else 4)
        self.box.setStretch(1, 5)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt naming
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn) and \
                isinstance(obj, QLineEdit) and obj is not self.keyboard.target:
            if self.keyboard.target is self.id_number:
                self.mask_number()
            if obj is self.id_number and self.number:  # tapped again: type it anew
                self.number = ""
                self.from_card = False
                self.sex = None
                self.id_number.clear()
            self.keyboard.target = obj
            # Names in Vietnamese (Telex); numbers and dates as typed.
            self.keyboard.telex = obj is self.name
        return False

    def mask_number(self) -> None:
        """Keep the typed id number and show it masked, when it is a valid one."""
        typed = self.id_number.text()
        if self.number or not typed.strip():
            return
        try:
            self.number = validate_id_number(typed)
        except IdNumberError as exc:
            self.flag({"id_number": exc})
            return
        self.id_number.setText(mask_id_number(self.number))

    def next_priority(self) -> None:
        self.act("touch", None)
        i = PRIORITIES.index(self.priority)
        self.priority = PRIORITIES[(i + 1) % len(PRIORITIES)]
        self.texts(self.language)

    def fill_from_card(self, scan: CardScan) -> None:
        card = scan.card
        if card is None:
            self.card.setText(self.t("not_id_card") if scan.problem else "")
            return
        self.name.setText(card.full_name)
        self.number = card.id_number
        self.from_card = True
        self.sex = sex_from_text(card.sex)
        self.id_number.setText(mask_id_number(card.id_number))
        self.dob.setText(card.date_of_birth.strftime("%d/%m/%Y") if card.date_of_birth else "")
        self.card.setText(self.t("card_read"))
        self.flag({})

    def values(self) -> tuple[str, str, str]:
        return self.name.text(), self.number or self.id_number.text(), self.dob.text()

    def flag(self, problems: dict[str, str | IdNumberError]) -> None:
        """Mark the fields with a problem and say what it is (one line each)."""
        fields = {"name": self.name, "id_number": self.id_number, "dob": self.dob}
        lines = []
        for key, f in fields.items():
            bad = key in problems
            f.setProperty("error", "true" if bad else "false")
            f.style().unpolish(f)
            f.style().polish(f)
            if bad:
                why = problems[key]
                lines.append(self.t(f"err_id_{why.reason}", **why.params)
                             if isinstance(why, IdNumberError) else self.t(f"err_{why}"))
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))

    def clear(self) -> None:
        for f in (self.name, self.id_number, self.dob):
            f.clear()
        self.number = ""
        self.from_card = False
        self.sex = None
        self.priority = PriorityGroup.NONE
        self.card.setText("")
        self.keyboard.target = self.name
        self.keyboard.telex = True
        self.flag({})
        self.preview.clear()

    def texts(self, language: str) -> None:
        self.title.setText(self.t("id_title"))
        self.hint.setText(self.t("id_hint"))
        self.name.setPlaceholderText(self.t("full_name"))
        self.id_number.setPlaceholderText(self.t("id_number"))
        self.dob.setPlaceholderText(self.t("dob"))
        self.prio.setText(self.t("priority", group=self.t(f"prio_{self.priority}")))
        self.cancel.setText(self.t("cancel"))
        self.next.setText(self.t("next"))


class SamplesStep(Step):
    def __init__(self, act: Action, wizard: EnrolWizard) -> None:
        super().__init__(act)
        self.wizard = wizard
        self.preview = PreviewLabel()
        self.title = label("subtitle")
        self.guide = label("guide", fit=True)
        self.problem = label("reading", fit=True)
        self.count = label("reading", fit=True)
        self.back = big_button("secondary", wizard.back_to_identity)
        self.retake = big_button("secondary", wizard.retake)
        self.take = big_button("secondary", wizard.take_now)
        self.next = big_button("primary", wizard.samples_done)
        self.advice: Advice | None = None
        self.first.addWidget(self.preview, 1)
        self.second.addWidget(self.title)
        self.second.addStretch(1)
        self.second.addWidget(self.guide)
        self.second.addWidget(self.problem)
        self.second.addWidget(self.count)
        self.second.addStretch(1)
        self.second.addLayout(button_grid((self.take, self.retake, self.back, self.next)))

    def arrange(self, portrait: bool) -> None:
        super().arrange(portrait)
        self.box.setStretch(0, 5 if portrait else 4)
        self.box.setStretch(1, 4 if portrait else 3)

    def texts(self, language: str) -> None:
        draft = self.wizard.draft
        self.title.setText(self.t("samples_title"))
        wanted = draft.wanted() if draft else None
        advice = self.advice
        if self.wizard.camera is None:
            self.guide.setText(self.t("no_camera"))
        else:
            self.guide.setText(self.t(f"pose_{wanted}") if wanted else self.t("samples_enough"))
        if advice is None:
            self.problem.setText("")
        elif advice.taken:
            self.problem.setText("✔ " + self.t("sample_taken"))
        else:
            self.problem.setText(self.t(f"reason_{advice.reason or 'good'}"))
        samples = draft.samples if draft else []
        have = {s.pose for s in samples}
        poses = "  ".join(("✔ " if p in have else "· ") + self.t(f"pose_name_{p}")
                          for p in POSES)
        self.count.setText(self.t("samples_count", n=len(samples), most=MAX_SAMPLES,
                                  poses=poses))
        self.next.setEnabled(bool(draft and draft.ready()))
        self.take.setEnabled(bool(draft and not draft.full()))
        self.back.setText(self.t("back"))
        self.retake.setText(self.t("retake"))
        self.take.setText(self.t("take"))
        self.next.setText(self.t("next"))


class SummaryStep(Step):
    def __init__(self, act: Action, wizard: EnrolWizard) -> None:
        super().__init__(act)
        self.wizard = wizard
        self.title = label("subtitle")
        self.summary = label("info", fit=True)
        self.message = label("notice", fit=True)
        self.message.setVisible(False)
        self.back = big_button("secondary", wizard.back_to_samples)
        self.save = big_button("primary", wizard.save)
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.first.addStretch(1)
        self.first.addWidget(self.title)
        self.first.addWidget(self.summary)
        self.first.addWidget(self.message)
        self.second.addLayout(buttons_row(self.back, self.save))
        self.second.addStretch(1)

    def arrange(self, portrait: bool) -> None:
        pass  # one column in both orientations

    def texts(self, language: str) -> None:
        draft = self.wizard.draft
        ident = draft.identity if draft else None
        self.title.setText(self.t("summary_title"))
        if draft is not None and ident is not None:
            self.summary.setText(self.t(
                "summary", name=ident.full_name, id=ident.masked,
                dob=ident.date_of_birth.strftime("%d/%m/%Y") if ident.date_of_birth else "-",
                prio=self.t(f"prio_{ident.priority_group}"), n=len(draft.samples),
                v=draft.consent_version, admin=draft.admin))
        self.back.setText(self.t("back"))
        self.save.setText(self.t("save"))


class ResultStep(Step):
    def __init__(self, act: Action, wizard: EnrolWizard) -> None:
        super().__init__(act)
        self.wizard = wizard
        self.title = label("title", fit=True)
        self.detail = label("info", fit=True)
        self.done = big_button("primary", wizard.finish)
        self.again = big_button("secondary", wizard.again)
        self.outcome: SaveOutcome | None = None
        self.said = ("", "")  # (name, masked id) of the saved citizen
        self.box.setDirection(QBoxLayout.Direction.TopToBottom)
        self.first.addStretch(1)
        self.first.addWidget(self.title)
        self.first.addWidget(self.detail)
        self.second.addLayout(buttons_row(self.again, self.done))
        self.second.addStretch(1)

    def arrange(self, portrait: bool) -> None:
        pass

    def texts(self, language: str) -> None:
        o = self.outcome
        self.done.setText(self.t("done"))
        self.again.setText(self.t("enrol_another"))
        if o is None:
            return
        self.title.setText(self.t(f"result_{o.kind}"))
        name, masked = self.said
        if o.kind in ("created", "updated"):
            detail = self.t("result_saved", name=name, id=masked, n=o.templates)
        elif o.kind == "waiting":
            detail = self.t("result_waiting_why") + (f"\n{o.reason}" if o.reason else "")
        elif o.duplicate_of is not None:
            detail = self.t("result_duplicate", id=o.duplicate_of)
        else:
            detail = o.reason
        self.detail.setText(detail)


class EnrolWizard(Page):
    """The enrolment wizard: one staff page holding its steps."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.desk: RegistryDesk | None = None
        #: the app's CameraWorker (``latest()``, ``transform.mirror``); None: no camera
        self.camera: Any = None
        #: reads the consent text aloud (kiosk.adapters.consent_voice); None: no sound
        self.reader: ConsentReader | None = None
        self.hearing_failed = False  # the last reading could not be heard
        self.draft: EnrolmentDraft | None = None
        self.language = "vi"
        self._unit = 0.0
        self._seq = -1
        self._looking = False
        self._manual = False
        self.jobs = Jobs(self, self._failed)
        self._saving = False  # a save is in flight (staff mode does not lock under it)
        self.steps = QStackedWidget()
        self.consent = ConsentStep(self._touch, self)
        self.identity = IdentityStep(self._touch, self)
        self.samples = SamplesStep(self._touch, self)
        self.summary = SummaryStep(self._touch, self)
        self.result = ResultStep(self._touch, self)
        self.all_steps: tuple[Step, ...] = (self.consent, self.identity, self.samples,
                                            self.summary, self.result)
        for step in self.all_steps:
            self.steps.addWidget(step)
        self.box.addWidget(self.steps)
        self.live = QTimer(self)
        self.live.setInterval(LIVE_MS)
        self.live.timeout.connect(self._live)
        self.hearing = QTimer(self)
        self.hearing.setInterval(HEARING_MS)
        self.hearing.timeout.connect(self._hearing)

    # -- the page

    def _touch(self, name: str, value: object) -> None:
        self.act("touch", None)

    @property
    def step(self) -> Step:
        current = self.steps.currentWidget()
        assert isinstance(current, Step)
        return current

    def arrange(self, portrait: bool) -> None:
        for step in self.all_steps:
            step.arrange(portrait)

    def retext(self, language: str) -> None:
        if language != self.language:
            self.stop_reading()  # the text on the screen changes language
        self.language = language
        self.step.retext(language)

    def _go(self, step: Step) -> None:
        if step is not self.consent:
            self.stop_reading()
        step.retext(self.language)
        self.steps.setCurrentWidget(step)
        live = step in (self.identity, self.samples) and self.camera is not None
        if live:
            self._seq = -1
            self.live.start()
        else:
            self.live.stop()

    def resizeEvent(self, event: Any) -> None:  # Qt naming
        u = theme.unit(max(self.window().width(), 1), max(self.window().height(), 1))
        if abs(u - self._unit) > 1e-3:
            self._unit = u
            self.setStyleSheet(wizard_stylesheet(u))
        super().resizeEvent(event)

    # -- life

    def start(self, admin: str) -> None:
        """A new enrolment by ``admin`` (the signed-in account): the consent step."""
        self.discard()
        mirrored = bool(getattr(getattr(self.camera, "transform", None), "mirror", False))
        self.draft = EnrolmentDraft(admin, mirrored)
        self.identity.clear()
        self.samples.advice = None
        self.consent.show_state(False)
        self._go(self.consent)

    def discard(self) -> None:
        """Forget the enrolment in progress (nothing was stored): samples out of memory,
        answers still on their way dropped, the camera no longer read, the consent no
        longer read aloud."""
        self.stop_reading()
        self.live.stop()
        self.jobs.forget()
        self._looking = False
        self._manual = False
        if self.draft is not None:
            self.draft.discard()
            self.draft = None
        self.identity.clear()
        self.samples.preview.clear()
        self.samples.advice = None
        self.result.outcome = None

    def closed(self) -> None:
        """Staff mode locked or left mid-wizard: the enrolment is dropped, the registry
        released (the index is not kept twice while citizens use the kiosk)."""
        self.discard()
        if self.desk is not None:
            self.desk.close()

    def cancel(self) -> None:
        self.discard()
        self.act("enrol_done", None)

    def finish(self) -> None:
        self.discard()
        self.act("enrol_done", None)

    def again(self) -> None:
        admin = self.draft.admin if self.draft else ""
        self.start(admin)

    def _failed(self, exc: Exception) -> None:
        self._looking = False
        self.act("touch", None)
        if self.step is self.summary:
            self._saving = False
            self.summary.save.setEnabled(True)
            self.summary.message.setText(self.t("failed", why=f"{type(exc).__name__}: "
                                                f"{str(exc)[:160]}"))
            self.summary.message.setVisible(True)

    def t(self, key: str, **values: object) -> str:
        return staff_text(key, self.language, **values)

    # -- consent

    def listen(self) -> None:
        """The listen button: read the consent text aloud in the wizard's language, or stop
        the reading in progress."""
        self.act("touch", None)
        reader = self.reader
        if reader is None or self.draft is None:
            self.consent.show_hearing()
            return
        if reader.state != IDLE:
            self.stop_reading()
            return
        self.hearing_failed = False
        reader.listen(self.language, self.draft.consent_version, consent_text(self.language))
        self.hearing.start()
        self.consent.show_hearing()

    def stop_reading(self) -> None:
        self.hearing.stop()
        self.hearing_failed = False
        if self.reader is not None:
            self.reader.stop()
        self.consent.show_hearing()

    def _hearing(self) -> None:
        reader = self.reader
        if reader is None or reader.state == IDLE:
            self.hearing.stop()
            self.hearing_failed = reader is None or reader.problem is not None
        self.consent.show_hearing()

    def citizen_agrees(self) -> None:
        self.act("touch", None)
        if self.draft is None:
            return
        self.draft.citizen_agreed = True
        self.consent.show_state(True)
        self.consent.retext(self.language)

    def citizen_refuses(self) -> None:
        if self.draft is not None and self.desk is not None:
            self.desk.record_consent(self.draft, "refused")
        self.discard()
        self.act("enrol_refused", None)

    def admin_confirms(self) -> None:
        self.act("touch", None)
        if self.draft is None or not self.draft.citizen_agreed:
            return
        self.draft.admin_confirmed = True
        if self.desk is not None:
            self.desk.record_consent(self.draft, "given")
        self._go(self.identity)

    # -- identity

    def identity_done(self) -> None:
        self.act("touch", None)
        if self.draft is None or not self.draft.consented:
            return
        step = self.identity
        if step.keyboard.target is step.id_number:
            step.mask_number()
        name, number, dob = step.values()
        ident, problems = check_identity(name, number, dob, step.priority, step.from_card,
                                          step.sex)
        step.flag(problems)
        if ident is None:
            return
        self.draft.identity = ident
        self._go(self.samples)

    # -- samples

    def back_to_identity(self) -> None:
        self.act("touch", None)
        self._go(self.identity)

    def retake(self) -> None:
        self.act("touch", None)
        if self.draft is not None:
            self.draft.drop_samples()
        self.samples.advice = None
        self.samples.retext(self.language)

    def take_now(self) -> None:
        """"Chụp": the next good picture is kept whatever its pose (while there is room)."""
        self.act("touch", None)
        self._manual = True

    def samples_done(self) -> None:
        self.act("touch", None)
        if self.draft is not None and self.draft.ready():
            self.live.stop()
            self.summary.message.setVisible(False)
            self.summary.save.setEnabled(True)
            self._go(self.summary)

    def back_to_samples(self) -> None:
        self.act("touch", None)
        self._go(self.samples)

    def _live(self) -> None:
        """Every LIVE_MS: the newest frame to the preview, and to the desk when it is free
        (the QR reader on the identity step, the face analysis on the samples step)."""
        cam = self.camera
        frame = cam.latest() if cam is not None else None
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        step = self.step
        preview = self.identity.preview if step is self.identity else self.samples.preview
        preview.show_frame(frame.image, frame.seq)
        if self._looking or self.desk is None or self.draft is None:
            return
        self._looking = True
        if step is self.identity:
            self.jobs.run(self.desk, self.desk.scan_card, frame.image, done=self._card)
        elif step is self.samples:
            self.jobs.run(self.desk, self.desk.analyse, frame.image, done=self._analysed)

    def _card(self, scan: CardScan) -> None:
        self._looking = False
        if self.step is self.identity and (scan.found or scan.problem):
            self.act("touch", None)  # a card held up is the admin's doing
            self.identity.fill_from_card(scan)
            self.identity.retext(self.language)

    def _analysed(self, answer: tuple[Any, Any]) -> None:
        self._looking = False
        if self.draft is None or self.step is not self.samples:
            return
        rgb, analysis = answer
        advice = self.draft.offer(rgb, analysis, manual=self._manual)
        if advice.taken:
            self._manual = False
            self.act("touch", None)
        box = analysis.box.as_tuple() if analysis.box is not None else None
        self.samples.preview.set_face_box(box, advice.reason is None)
        self.samples.advice = advice
        self.samples.retext(self.language)

    # -- save

    def save(self) -> None:
        self.act("touch", None)
        draft = self.draft
        # A live analysis still on its way does not stop the save (the desk runs one job
        # after the other, and the analysis's answer is ignored off the samples step);
        # only a save already in flight does.
        if draft is None or self.desk is None or not draft.ready() or self._saving:
            return
        self.summary.save.setEnabled(False)
        self._saving = True
        self.summary.message.setText(self.t("saving"))
        self.summary.message.setVisible(True)
        self.jobs.run(self.desk, self.desk.save, draft, done=self._saved)

    def saving(self) -> bool:
        return self._saving and self.jobs.busy()

    def _saved(self, outcome: SaveOutcome) -> None:
        self._saving = False
        draft = self.draft
        ident = draft.identity if draft else None
        self.result.said = (ident.full_name, ident.masked) if ident else ("", "")
        if draft is not None:
            draft.drop_samples()  # saved or refused: the pictures are not needed any more
        self.result.outcome = outcome
        self._go(self.result)
        self.act("touch", None)
