"""Every sentence the kiosk shows, by key, in English (Vietnamese in ``kiosk/i18n/vi.ts``).

English is Qt Linguist's source language; ``text(key)`` returns the translation for the
installed language. Keys come from the flow (guidance keys, message keys) and the screens.
``QT_TRANSLATE_NOOP`` marks each sentence for ``pyside6-lupdate``.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "Kiosk"

TEXTS: dict[str, str] = {
    # idle
    "welcome": QT_TRANSLATE_NOOP("Kiosk", "Welcome"),
    "look_prompt": QT_TRANSLATE_NOOP("Kiosk", "Look at the camera to take your number"),
    "take_without_face": QT_TRANSLATE_NOOP("Kiosk", "Take a number without face recognition"),
    "card_prompt": QT_TRANSLATE_NOOP(
        "Kiosk", "Or hold the QR code of your chip ID card up to the camera"),
    "card_prompt_only": QT_TRANSLATE_NOOP(
        "Kiosk", "Hold the QR code of your chip ID card up to the camera to take your number"),
    "not_id_card": QT_TRANSLATE_NOOP(
        "Kiosk", "This QR code is not a chip ID card. Please hold up the QR code on your ID "
        "card."),
    "no_camera": QT_TRANSLATE_NOOP(
        "Kiosk", "The camera is not available. You can still take a number."),
    "camera_reconnecting": QT_TRANSLATE_NOOP("Kiosk", "Reconnecting the camera…"),
    "no_recognition": QT_TRANSLATE_NOOP("Kiosk", "Face recognition is off on this kiosk."),
    "printer_down_idle": QT_TRANSLATE_NOOP(
        "Kiosk", "The ticket printer is out of order. You can still take a number: it is "
        "shown on the screen, please note it down. Staff have been told."),
    "out_of_order": QT_TRANSLATE_NOOP(
        "Kiosk", "This kiosk is out of order at the moment. Please see the staff."),
    # guidance keys (from kiosk.flow.GUIDANCE_KEYS)
    "look_at_camera": QT_TRANSLATE_NOOP("Kiosk", "Please look at the camera"),
    "come_closer": QT_TRANSLATE_NOOP("Kiosk", "Please come a little closer"),
    "center_face": QT_TRANSLATE_NOOP("Kiosk", "Please move to the middle of the picture"),
    "hold_still": QT_TRANSLATE_NOOP("Kiosk", "Please hold still"),
    "more_light": QT_TRANSLATE_NOOP("Kiosk", "It is too dark: please step into the light"),
    "less_light": QT_TRANSLATE_NOOP("Kiosk", "Too much light behind you: please turn a little"),
    "look_straight": QT_TRANSLATE_NOOP("Kiosk", "Please look straight at the camera"),
    "one_person": QT_TRANSLATE_NOOP("Kiosk", "Only one person in front of the camera, please"),
    "checking": QT_TRANSLATE_NOOP("Kiosk", "Checking your face…"),
    # greeting and guest
    "hello_name": QT_TRANSLATE_NOOP("Kiosk", "Hello, {name}!"),
    "hello_male": QT_TRANSLATE_NOOP("Kiosk", "Hello, Mr {name}!"),
    "hello_female": QT_TRANSLATE_NOOP("Kiosk", "Hello, Ms {name}!"),
    "hello_neutral": QT_TRANSLATE_NOOP("Kiosk", "Hello, dear visitor {name}!"),
    "show_my_tickets": QT_TRANSLATE_NOOP("Kiosk", "Show my numbers of today ({n})"),
    "card_line": QT_TRANSLATE_NOOP(
        "Kiosk", "ID card {number} · your face is not used"),
    "daily_cap_greeting": QT_TRANSLATE_NOOP(
        "Kiosk", "You have taken the most numbers allowed today ({cap}). You can print one "
        "of them again; for a new number please ask the staff."),
    "confirm_priority": QT_TRANSLATE_NOOP(
        "Kiosk", "Priority is for the elderly, people with disabilities, pregnant women and "
        "people with a small child. The counter will check your papers. Do you need it?"),
    "priority_yes": QT_TRANSLATE_NOOP("Kiosk", "Yes, I need priority"),
    "priority_no": QT_TRANSLATE_NOOP("Kiosk", "No"),
    "seconds_left": QT_TRANSLATE_NOOP(
        "Kiosk", "Back to the start in {n} s. Touch the screen to stay."),
    "priority_note": QT_TRANSLATE_NOOP("Kiosk", "You will be served with priority."),
    "your_tickets": QT_TRANSLATE_NOOP("Kiosk", "Your numbers today (tap to print again):"),
    "reprint_ticket": QT_TRANSLATE_NOOP("Kiosk", "Print {number} again · {service}"),
    "take_number": QT_TRANSLATE_NOOP("Kiosk", "Take a number"),
    "cancel": QT_TRANSLATE_NOOP("Kiosk", "Cancel"),
    "not_recognised": QT_TRANSLATE_NOOP("Kiosk", "We could not recognise you."),
    "guest_title": QT_TRANSLATE_NOOP("Kiosk", "Welcome!"),
    "guest_body": QT_TRANSLATE_NOOP(
        "Kiosk", "You can take a number as a guest. Your face is not stored: it is only "
        "compared today, so that each person takes one number."),
    "continue_guest": QT_TRANSLATE_NOOP("Kiosk", "Continue as guest"),
    # services
    "choose_service": QT_TRANSLATE_NOOP("Kiosk", "Choose a service"),
    "tile_waiting": QT_TRANSLATE_NOOP("Kiosk", "Waiting: {n}"),
    "ask_priority": QT_TRANSLATE_NOOP("Kiosk", "I need priority"),
    "priority_on": QT_TRANSLATE_NOOP("Kiosk", "Priority: yes"),
    "priority_asked": QT_TRANSLATE_NOOP(
        "Kiosk", "Priority asked: the counter will check your papers."),
    "daily_cap": QT_TRANSLATE_NOOP(
        "Kiosk", "You have taken the most numbers allowed today. Please ask the staff."),
    "issue_failed": QT_TRANSLATE_NOOP(
        "Kiosk", "Sorry, no number could be issued. Please try again or ask the staff."),
    "issuing": QT_TRANSLATE_NOOP("Kiosk", "Issuing your number…"),
    # ticket
    "your_number": QT_TRANSLATE_NOOP("Kiosk", "Your number"),
    "priority_badge": QT_TRANSLATE_NOOP("Kiosk", "PRIORITY"),
    "people_ahead": QT_TRANSLATE_NOOP("Kiosk", "People ahead of you: {n}"),
    "counters": QT_TRANSLATE_NOOP("Kiosk", "Counter: {counters}"),
    "printing": QT_TRANSLATE_NOOP("Kiosk", "Printing your ticket…"),
    "take_ticket": QT_TRANSLATE_NOOP("Kiosk", "Please take your ticket and wait to be called."),
    "reprinted": QT_TRANSLATE_NOOP(
        "Kiosk", "You already have this number for this service today: it is printed again."),
    "done": QT_TRANSLATE_NOOP("Kiosk", "Done"),
    # printer failure
    "print_failed_title": QT_TRANSLATE_NOOP("Kiosk", "The ticket could not be printed"),
    "note_number": QT_TRANSLATE_NOOP(
        "Kiosk", "Please note your number. Staff have been told."),
    "print_again": QT_TRANSLATE_NOOP("Kiosk", "Print again"),
    "paper_out": QT_TRANSLATE_NOOP("Kiosk", "The printer is out of paper."),
    "offline": QT_TRANSLATE_NOOP("Kiosk", "The printer is not connected."),
    "cover_open": QT_TRANSLATE_NOOP("Kiosk", "The printer cover is open."),
    "printer_timeout": QT_TRANSLATE_NOOP("Kiosk", "The printer does not answer."),
    "printer_error": QT_TRANSLATE_NOOP("Kiosk", "The printer has a problem."),
    # technician
    "tech_exit": QT_TRANSLATE_NOOP("Kiosk", "Exit"),
    # opening hours: the closed screen, a service closed now
    "closed_title": QT_TRANSLATE_NOOP("Kiosk", "The centre is closed"),
    "closed_hours": QT_TRANSLATE_NOOP("Kiosk", "Opening hours today: {opens} – {closes}"),
    "reopens_today": QT_TRANSLATE_NOOP("Kiosk", "We open at {time} today."),
    "reopens_on": QT_TRANSLATE_NOOP("Kiosk", "Opens again: {weekday} {date}, {time}"),
    "closed_day_off": QT_TRANSLATE_NOOP("Kiosk", "Today is not a working day."),
    "closed_no_number": QT_TRANSLATE_NOOP(
        "Kiosk", "No numbers are given outside opening hours. Thank you for coming."),
    "service_closed": QT_TRANSLATE_NOOP(
        "Kiosk", "This service is closed now: please choose another one or come back "
        "during its hours."),
    "tile_closed": QT_TRANSLATE_NOOP("Kiosk", "Closed · open {opens} – {closes}"),
    # estimated wait (shown only when known)
    "tile_wait": QT_TRANSLATE_NOOP("Kiosk", "about {n} min"),
    "estimated_wait": QT_TRANSLATE_NOOP("Kiosk", "Estimated wait: about {n} minutes"),
}


def text(key: str, **values: object) -> str:
    """The sentence for ``key`` in the current language, with ``{placeholders}`` filled.

    An unknown key is shown as itself (a visible bug rather than a crash).
    """
    source = TEXTS.get(key)
    if source is None:
        return key
    translated = QCoreApplication.translate(CONTEXT, source)
    try:
        return translated.format(**values) if values else translated
    except (KeyError, IndexError, ValueError):
        return source.format(**values) if values else source
