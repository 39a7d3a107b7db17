"""Enrolment and identification on top of the registry: what the CLI and the admin
screens call. Opens the kiosk database, loads the index, runs the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.context import KioskContext
from kiosk.crypto import FaceCipher, load_or_create_key
from kiosk.db import database_url
from kiosk.id_card import validate_id_number
from kiosk.registry import (
    CONSENT_TEXT_VERSION,
    CitizenRecord,
    NewTemplate,
    PriorityGroup,
    RegistryStore,
)
from kiosk.replica import Replica, encode_vector
from kiosk.schema import make_engine
from recognition.engine import FaceEngine
from recognition.images import ImageError, load_image
from recognition.index import TemplateIndex
from recognition.types import IdentifyResult

#: what ``enrol_photos`` takes: a photo file, or an RGB array (H, W, 3) uint8
Photo = str | Path | np.ndarray


@dataclass
class Rejected:
    """A photo that gave no template, and why (a quality reason or an error message)."""

    file: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass
class EnrolmentResult:
    """What `enrol` did: the citizen (None when refused), templates stored, photos rejected."""

    citizen: CitizenRecord | None
    created: bool = False
    stored: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    refused: str | None = None  # why nothing was stored
    #: through the server: the enrolment's client UUID in the kiosk's registry outbox
    queued: str | None = None
    #: refused because the face is already enrolled as this (other) citizen
    duplicate_of: int | None = None

    def to_json(self) -> dict[str, Any]:
        if self.queued is not None:
            return {"via_server": True, "client_uuid": self.queued, "templates": self.stored,
                    "photos_rejected": [r.to_json() for r in self.rejected],
                    "refused": self.refused}
        return {
            "citizen_id": self.citizen.id if self.citizen else None,
            "name": self.citizen.full_name if self.citizen else None,
            "id_number": self.citizen.id_number_masked if self.citizen else None,
            "created": self.created,
            "templates_stored": self.stored,
            "photos_rejected": [r.to_json() for r in self.rejected],
            "refused": self.refused,
        }


class Registry:
    """The registry of one kiosk: store + in-memory index + engine, kept in step."""

    def __init__(self, ctx: KioskContext) -> None:
        settings = ctx.settings
        self.ctx = ctx
        self.engine_db = make_engine(database_url(settings, ctx.data_dir))
        key_path = ctx.path(settings.storage.key_file or "face.key")
        self.store = RegistryStore(self.engine_db, FaceCipher(load_or_create_key(key_path)))
        rec = settings.recognition
        self.index = TemplateIndex(rec.ann_min_templates, rec.ann_probe_lists)
        self.store.load_index(self.index)
        self.engine = FaceEngine(rec, self.index)
        #: the match threshold for this registry's size (docs/registry.md)
        self.threshold = self.engine.fit_threshold()

    def close(self) -> None:
        self.engine_db.dispose()

    def load_photo(self, path: str | Path) -> np.ndarray:
        """A photo as RGB; raises ``ImageError`` with a clear message."""
        return load_image(path, self.ctx.settings.storage.max_photo_pixels)

    def _image(self, photo: Photo) -> np.ndarray:
        """The RGB image of a file, or an RGB array (H, W, 3) uint8 such as a camera
        sample, checked; raises ``ImageError``."""
        if isinstance(photo, np.ndarray):
            if photo.ndim != 3 or photo.shape[2] != 3 or photo.dtype != np.uint8:
                raise ImageError("not an RGB picture")
            return photo
        return self.load_photo(photo)

    def sample(self, photo: Photo, *, face_crop: bool = False,
               name: str | None = None) -> NewTemplate | Rejected:
        """One photo (a file or an RGB array) checked with the enrolment limits: its
        template, or why not (``name`` names it in the rejection; default the file)."""
        name = name or str(photo if not isinstance(photo, np.ndarray) else "sample")
        try:
            image = self._image(photo)
        except ImageError as exc:
            return Rejected(name, str(exc))
        analysis = self.engine.analyse_for_enrolment(image, face_crop=face_crop)
        if analysis.encoding is None or analysis.quality is None:
            return Rejected(name, str(analysis.reason))
        return NewTemplate(analysis.encoding, analysis.quality.figures())

    def enrol_photos(
        self,
        *,
        full_name: str,
        id_number: str,
        photos: Sequence[Photo],
        actor: str,
        date_of_birth: date | None = None,
        priority_group: PriorityGroup = PriorityGroup.NONE,
        display_name: str | None = None,
        face_crop: bool = False,
        outbox: Replica | None = None,
        channel: str = "kiosk",
        sex: str | None = None,
    ) -> EnrolmentResult:
        """Quality-check each photo (a file, or an RGB array such as a camera sample)
        with the enrolment limits and store the good ones.

        Refuses (stores nothing) when no photo is good, or when a face matches a
        *different* enrolled citizen (``duplicate_threshold``). ``face_crop`` takes each
        photo as an already-cropped face (ID-card photo, aligned crop).

        ``outbox`` (a kiosk with a queue server): the good templates are queued for the
        server, which makes the duplicate and same-person checks over the whole centre's
        registry; the result carries the client UUID (``queued``) to look the answer up.

        ``sex``: "male" or "female" from the ID card's field (``model.sex_from_text``), for
        the kiosk's "Ông"/"Bà"; None when the card does not say (never guessed).
        """
        if sex not in (None, "male", "female"):
            raise ValueError(f"sex must be male, female or None, not {sex!r}")
        id_number = validate_id_number(id_number, date_of_birth)
        existing = self.store.find_by_id_number(id_number) if outbox is None else None
        rejected: list[Rejected] = []
        good: list[NewTemplate] = []
        for number, photo in enumerate(photos, 1):
            name = f"sample {number}" if isinstance(photo, np.ndarray) else str(photo)
            sample = self.sample(photo, face_crop=face_crop, name=name)
            if isinstance(sample, Rejected):
                rejected.append(sample)
                continue
            for cand in [] if outbox is not None else self.index.search(
                    sample.vector, citizens=3):
                same = existing is not None and cand.citizen_id == existing.id
                if not same and cand.distance <= self.ctx.settings.recognition.duplicate_threshold:
                    other = self.store.get(cand.citizen_id)
                    who = f"citizen {cand.citizen_id}" + (
                        f" ({other.id_number_masked})" if other else ""
                    )
                    return EnrolmentResult(
                        citizen=None, rejected=rejected,
                        refused=f"{name}: this face is already enrolled as {who}",
                        duplicate_of=cand.citizen_id,
                    )
            good.append(sample)
        if not good:
            return EnrolmentResult(
                citizen=None, rejected=rejected, refused="no photo passed the quality check"
            )
        if outbox is not None:
            uid = outbox.queue_enrolment({
                "full_name": full_name, "id_number": id_number, "consent_by": actor,
                "consent_text_version": CONSENT_TEXT_VERSION, "channel": channel,
                "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
                "priority_group": str(priority_group), "display_name": display_name,
                **({"sex": sex} if sex else {}),
                "templates": [encode_vector(t.vector) for t in good],
            })
            return EnrolmentResult(citizen=None, stored=len(good), rejected=rejected,
                                   queued=uid)
        info, created, ids = self.store.enrol(
            full_name=full_name, id_number=id_number, templates=good, consent_by=actor,
            date_of_birth=date_of_birth, priority_group=priority_group,
            display_name=display_name, index=self.index, sex=sex,
        )
        return EnrolmentResult(citizen=info, created=created, stored=len(ids), rejected=rejected)

    def identify_photo(self, path: str | Path, *, face_crop: bool = False) -> IdentifyResult:
        """Identify the face in one photo; raises ``ImageError`` for unusable files."""
        return self.engine.identify_image(self.load_photo(path), face_crop=face_crop)
