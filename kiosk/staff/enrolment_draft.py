"""An enrolment being made at the kiosk by an admin: consent, identity, face samples.

Plain Python, no Qt: the wizard's screens show what this holds and ask it what is next.
Nothing here reaches the disk; the draft is saved through ``kiosk.enrolment.Registry`` (the
one save path) and ``discard()`` drops the face samples from memory when the admin
finishes, cancels or walks away (the staff idle lock).

Samples: 3 to 5 good faces (the engine's enrolment limits) with a little pose variety, one
looking straight, one turned a little to each side, checked from the landmarks
(``recognition.quality.signed_yaw``). The camera picture may be mirrored; the side is
the citizen's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from kiosk.consent import CONSENT_TEXT_VERSION
from kiosk.id_card import IdNumberError, mask_id_number, validate_id_number
from kiosk.priority import PriorityGroup
from recognition.quality import signed_yaw
from recognition.types import FaceAnalysis

MIN_SAMPLES, MAX_SAMPLES = 3, 5
#: below this turn (degrees) a face looks straight; from it up to the enrolment limit
#: (recognition.enrol_quality.max_yaw_deg, 20) it is turned "a little"
STRAIGHT_BELOW_DEG = 7.0


class Pose(StrEnum):
    """Which way the citizen looks, on their own side."""

    STRAIGHT = "straight"
    LEFT = "left"
    RIGHT = "right"


POSES = (Pose.STRAIGHT, Pose.LEFT, Pose.RIGHT)


def pose_of(landmarks: np.ndarray, mirrored: bool = False) -> Pose:
    """The pose of a face from its 68 landmarks (68, 2) pixels in the camera picture;
    ``mirrored``: the picture is flipped left-right (camera.mirror)."""
    yaw = signed_yaw(landmarks)
    if abs(yaw) < STRAIGHT_BELOW_DEG:
        return Pose.STRAIGHT
    # Positive: turned to their left in an unmirrored picture.
    return Pose.LEFT if (yaw > 0) != mirrored else Pose.RIGHT


@dataclass(frozen=True)
class Identity:
    """Who is enrolled, as read from the ID card or typed by the admin."""

    full_name: str
    id_number: str
    date_of_birth: dt.date | None = None
    priority_group: PriorityGroup = PriorityGroup.NONE
    from_card: bool = False
    #: "male"/"female" from the card's sex field (the kiosk's Ông/Bà); None when typed
    sex: str | None = None

    @property
    def masked(self) -> str:
        return mask_id_number(self.id_number)


def check_identity(full_name: str, id_number: str, date_of_birth: str = "",
                   priority_group: PriorityGroup = PriorityGroup.NONE,
                   from_card: bool = False,
                   sex: str | None = None,
                   ) -> tuple[Identity | None, dict[str, str | IdNumberError]]:
    """Validate typed fields: (identity, {}) or (None, {field: problem}). Fields:
    'name', 'id_number', 'dob' (``dd/mm/yyyy`` or ``yyyy-mm-dd``, optional). ``sex``
    (from the card only) is kept when the identity came from the card. A problem is the key
    of its staff text, or for the id number the ``IdNumberError`` (which part is wrong)."""
    problems: dict[str, str | IdNumberError] = {}
    name = " ".join(full_name.split())
    if len(name) < 2 or not any(c.isalpha() for c in name):
        problems["name"] = "name"
    elif len(name) > 200:
        problems["name"] = "name_long"
    dob = None
    text = date_of_birth.strip()
    if text:
        dob = parse_date(text)
        if dob is None or not dt.date(1900, 1, 1) <= dob <= dt.date.today():
            problems["dob"] = "dob"
            dob = None
    number = ""
    try:
        number = validate_id_number(id_number, dob)
    except IdNumberError as exc:
        problems["id_number"] = exc
    if problems:
        return None, problems
    return Identity(name, number, dob, priority_group, from_card,
                    sex if from_card else None), {}


def parse_date(text: str) -> dt.date | None:
    """``dd/mm/yyyy`` (as Vietnamese write it), ``dd-mm-yyyy`` or ``yyyy-mm-dd``."""
    text = text.strip().replace(".", "/").replace("-", "/")
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        if len(parts[0]) == 4:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


@dataclass
class Sample:
    """One face sample: the camera picture (RGB, kept only in memory) and its pose."""

    image_rgb: np.ndarray = field(repr=False)
    pose: Pose
    quality: dict[str, float]


@dataclass
class Advice:
    """What the samples step tells the admin and citizen about the newest picture:
    ``reason`` a quality problem (the engine's Reason value) or None; ``pose`` seen;
    ``wanted`` the pose still missing; ``taken`` a sample was just kept."""

    reason: str | None
    pose: Pose | None
    wanted: Pose | None
    taken: bool = False


class EnrolmentDraft:
    """Consent, identity and samples of one enrolment in progress."""

    def __init__(self, admin: str, mirrored: bool = False) -> None:
        self.admin = admin
        self.mirrored = mirrored
        self.consent_version = CONSENT_TEXT_VERSION
        self.citizen_agreed = False
        self.admin_confirmed = False
        self.identity: Identity | None = None
        self.samples: list[Sample] = []

    # -- consent

    @property
    def consented(self) -> bool:
        """The citizen tapped "Tôi đồng ý" and the admin confirmed it."""
        return self.citizen_agreed and self.admin_confirmed

    # -- samples

    def wanted(self) -> Pose | None:
        """The next pose to ask for (straight first), None when every pose has a sample."""
        have = {s.pose for s in self.samples}
        return next((p for p in POSES if p not in have), None)

    def ready(self) -> bool:
        """Enough samples to save: at least three, with every pose."""
        return len(self.samples) >= MIN_SAMPLES and self.wanted() is None

    def full(self) -> bool:
        return len(self.samples) >= MAX_SAMPLES

    def offer(self, image_rgb: np.ndarray, analysis: FaceAnalysis,
              manual: bool = False) -> Advice:
        """A picture and its enrolment analysis: kept as a sample when the face is good
        and shows a pose still missing (or, with ``manual``, any pose while there is room).
        """
        reason = None if analysis.reason is None else str(analysis.reason)
        pose = None
        if analysis.landmarks is not None and analysis.box is not None:
            pose = pose_of(analysis.landmarks, self.mirrored)
        wanted = self.wanted()
        good = reason is None and analysis.encoding is not None and pose is not None
        have = {s.pose for s in self.samples}
        take = good and not self.full() and (manual or pose not in have)
        if take:
            assert pose is not None and analysis.quality is not None
            self.samples.append(Sample(np.array(image_rgb, copy=True), pose,
                                       analysis.quality.figures()))
            wanted = self.wanted()
        return Advice(reason, pose, wanted, taken=take)

    def drop_samples(self) -> None:
        """Forget the samples (overwritten in memory first)."""
        for s in self.samples:
            s.image_rgb.fill(0)
        self.samples.clear()

    def discard(self) -> None:
        """Forget everything: samples, identity, consent."""
        self.drop_samples()
        self.identity = None
        self.citizen_agreed = self.admin_confirmed = False
