"""Presentation-attack videos made from still photos, as an attacker would present them:
a printed photo or a phone screen held in front of the kiosk camera with a hand's slight
movement, moved closer (zoom), tilted, seen at an angle (perspective), with glare, screen
moire and a phone bezel in view. Used by ``scripts/bench_liveness.py`` and the tests.

The picture is a flat card in 3-D (a pinhole camera, focal ``f``); each frame places the
card with a small rotation and translation and warps the photo onto a background by the
resulting homography, then adds the effects and sensor noise. Frames are BGR uint8.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

ATTACKS = (
    "shake", "zoom", "tilt", "perspective", "glare", "moire", "bezel", "still", "close",
)


@dataclass(frozen=True)
class AttackSpec:
    """One synthetic attack: its kind, length and camera size."""

    kind: str
    frames: int = 45
    size: tuple[int, int] = (640, 480)  # (width, height)
    fps: float = 30.0
    seed: int = 0


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    base = rng.uniform(60, 200, size=3)
    grad = np.linspace(0.7, 1.2, height)[:, None, None]
    img = np.clip(base[None, None, :] * grad * np.ones((height, width, 3)), 0, 255)
    blobs = cv2.GaussianBlur(rng.uniform(-40, 40, (height // 16, width // 16, 3)), (0, 0), 2)
    img += cv2.resize(blobs, (width, height))
    return np.clip(img, 0, 255).astype(np.uint8)


def _card(photo_bgr: np.ndarray, kind: str) -> np.ndarray:
    """The photo as printed (white border) or on a phone (black bezel), BGR uint8."""
    h, w = photo_bgr.shape[:2]
    if kind == "bezel":
        pad = max(8, w // 12)
        card = np.full((h + 4 * pad, w + 2 * pad, 3), 15, np.uint8)
        card[2 * pad : 2 * pad + h, pad : pad + w] = photo_bgr
        cv2.circle(card, (card.shape[1] // 2, pad), max(2, pad // 4), (40, 40, 40), -1)
        return card
    pad = max(4, w // 25)
    card = np.full((h + 2 * pad, w + 2 * pad, 3), 235, np.uint8)
    card[pad : pad + h, pad : pad + w] = photo_bgr
    return card


def _pose(kind: str, t: float, rng: np.random.Generator) -> tuple[float, float, float, float,
                                                                   float, float]:
    """(yaw, pitch, roll) in degrees, (dx, dy) in card widths, distance factor, at time t s."""
    wob = 0.8 * np.sin(2 * np.pi * 1.3 * t + rng.uniform(0, 6))
    yaw, pitch, roll, dx, dy, dist = wob, 0.5 * wob, 0.5 * wob, 0.01 * wob, 0.01 * wob, 1.0
    if kind == "shake":
        dx += 0.04 * np.sin(2 * np.pi * 2.1 * t)
        dy += 0.03 * np.sin(2 * np.pi * 1.7 * t + 1)
        roll += 3 * np.sin(2 * np.pi * 1.1 * t)
    elif kind == "zoom":
        dist = 1.3 - 0.5 * min(t / 1.5, 1.0)
    elif kind == "tilt":
        yaw += 20 * np.sin(2 * np.pi * 0.7 * t)
        roll += 6 * np.sin(2 * np.pi * 0.9 * t)
    elif kind == "perspective":
        pitch += 25 * np.sin(2 * np.pi * 0.6 * t)
        yaw += 10
    elif kind == "close":
        dx += 0.01 * np.sin(2 * np.pi * 1.5 * t)
        dy += 0.01 * np.sin(2 * np.pi * 1.1 * t)
    elif kind == "still":
        yaw, pitch, roll, dx, dy = 0.1 * wob, 0.1 * wob, 0.0, 0.0, 0.0
    else:  # glare, moire, bezel: a hand's movement
        dx += 0.02 * np.sin(2 * np.pi * 1.5 * t)
        yaw += 5 * np.sin(2 * np.pi * 0.8 * t)
    return yaw, pitch, roll, dx, dy, dist


def _homography(card_size: tuple[int, int], frame_size: tuple[int, int],
                pose: tuple[float, float, float, float, float, float],
                fill: float) -> np.ndarray:
    cw, ch = card_size
    fw, fh = frame_size
    yaw, pitch, roll, dx, dy, dist = pose
    f = 1.1 * fw
    half_w = 0.5
    half_h = 0.5 * ch / cw
    corners = np.array([[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0],
                        [-half_w, half_h, 0]], dtype=np.float64)
    r, _ = cv2.Rodrigues(np.radians([pitch, yaw, roll]).astype(np.float64))
    # The card fills ``fill`` of the frame height at distance 1.
    z0 = f * (2 * half_h) / (fill * fh)
    pts = corners @ r.T + np.array([dx, dy, z0 * dist])
    proj = np.stack([f * pts[:, 0] / pts[:, 2] + fw / 2, f * pts[:, 1] / pts[:, 2] + fh / 2], 1)
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float64)
    return cv2.getPerspectiveTransform(src.astype(np.float32), proj.astype(np.float32))


def attack_frames(photo_bgr: np.ndarray, spec: AttackSpec) -> Iterator[np.ndarray]:
    """The frames (H, W, 3) BGR uint8 of ``spec.kind`` shown with ``photo_bgr``."""
    rng = np.random.default_rng(spec.seed)
    fw, fh = spec.size
    background = _background(rng, fw, fh)
    card = _card(photo_bgr, spec.kind)
    ch, cw = card.shape[:2]
    fill = 0.75 if ch >= cw else 0.6
    if spec.kind == "close":  # held so close that no border is in view
        fill = 1.5
    mask_src = np.full((ch, cw), 255, np.uint8)
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    for i in range(spec.frames):
        t = i / spec.fps
        m = _homography((cw, ch), (fw, fh), _pose(spec.kind, t, rng), fill)
        warped = cv2.warpPerspective(card, m, (fw, fh), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(mask_src, m, (fw, fh)) > 127
        frame = background.copy()
        frame[mask] = warped[mask]
        out = frame.astype(np.float32)
        if spec.kind == "moire":
            pattern = 1.0 + 0.10 * np.sin(0.9 * xx + 0.35 * yy + 0.4 * i)
            out[mask] *= pattern[mask][:, None]
            out[mask] = out[mask] * 0.9 + np.array([25.0, 10.0, 0.0])
        if spec.kind == "glare":
            cx = fw * (0.4 + 0.2 * np.sin(t * 2)) + rng.normal(0, 2)
            cy = fh * 0.35
            spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (fw * 0.08) ** 2))
            out[mask] += 170.0 * spot[mask][:, None]
        out += rng.normal(0, 3.0, out.shape)
        frame = np.clip(out, 0, 255).astype(np.uint8)
        ok, jpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        yield cv2.imdecode(jpg, cv2.IMREAD_COLOR) if ok else frame


def face_photo(image_bgr: np.ndarray, box: tuple[int, int, int, int],
               margin: float = 1.2) -> np.ndarray:
    """A portrait crop around a face box (top, right, bottom, left): the picture an
    attacker prints or shows, about 3:4 with the face in its upper middle."""
    top, right, bottom, left = box
    h, w = image_bgr.shape[:2]
    side = max(right - left, bottom - top)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half_w = side * margin
    x0, x1 = int(max(0, cx - half_w)), int(min(w, cx + half_w))
    y0, y1 = int(max(0, cy - side * margin * 1.1)), int(min(h, cy + side * margin * 1.5))
    return image_bgr[y0:y1, x0:x1].copy()
