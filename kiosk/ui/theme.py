"""Look of the kiosk: high contrast, big type, sizes scaled to the screen.

All sizes derive from one unit ``u = min(width, height) / 1080`` so 1080x1920 portrait and
1920x1080 landscape get the same type size; layouts switch orientation separately.
"""

from __future__ import annotations

BACKGROUND = "#0b1f3a"   # deep navy
PANEL = "#13315c"
TEXT = "#ffffff"
ACCENT = "#ffd21f"       # yellow: primary actions (black text on it, contrast > 12:1)
ACCENT_TEXT = "#111111"
WARN = "#ffb3b3"
OK = "#9dff9d"
DISABLED = "#c8b25a"     # a primary action not available yet (black text on it > 7:1)
CLOSED_TILE = "#9fb0c8"  # a service closed now: greyed (black text on it > 8:1)


def unit(width: int, height: int) -> float:
    """The scale unit for a window of ``width`` x ``height`` pixels."""
    return max(min(width, height), 360) / 1080.0


def stylesheet(u: float) -> str:
    """The Qt stylesheet for scale ``u``."""

    def px(v: float) -> int:
        return max(int(round(v * u)), 1)

    return f"""
    QWidget#kiosk {{ background: {BACKGROUND}; }}
    QWidget {{ color: {TEXT}; font-family: "DejaVu Sans"; font-size: {px(38)}px; }}
    QLabel {{ background: {BACKGROUND}; }}
    QLabel#title {{ font-size: {px(64)}px; font-weight: bold; }}
    QLabel#subtitle {{ font-size: {px(46)}px; }}
    QLabel#centre {{ font-size: {px(32)}px; font-weight: bold; color: {ACCENT}; }}
    QLabel#guidance {{ font-size: {px(60)}px; font-weight: bold; color: {ACCENT}; }}
    QLabel#number {{ font-size: {px(240)}px; font-weight: bold; color: {ACCENT}; }}
    QLabel#badge {{ font-size: {px(40)}px; font-weight: bold; color: {ACCENT_TEXT};
                    background: {ACCENT}; border-radius: {px(10)}px; padding: {px(6)}px; }}
    QLabel#notice {{ font-size: {px(38)}px; color: {ACCENT_TEXT}; background: {WARN};
                     border-radius: {px(12)}px; padding: {px(16)}px; }}
    QLabel#info {{ font-size: {px(40)}px; }}
    QLabel#status {{ font-size: {px(26)}px; color: #c9d6ea; }}
    QLabel#preview {{ background: #000000; border: {px(4)}px solid {PANEL}; }}
    QPushButton {{ border-radius: {px(18)}px; padding: {px(18)}px; min-height: {px(110)}px; }}
    QPushButton[role="primary"] {{ background: {ACCENT}; border: none; }}
    QPushButton[role="primary"] QLabel {{ color: {ACCENT_TEXT}; font-size: {px(44)}px;
                                          font-weight: bold; background: {ACCENT}; }}
    QPushButton[role="primary"]:disabled {{ background: {DISABLED}; }}
    QPushButton[role="primary"] QLabel:disabled {{ background: {DISABLED}; }}
    QPushButton[role="secondary"] {{ background: {PANEL}; border: {px(3)}px solid {TEXT}; }}
    QPushButton[role="secondary"]:disabled {{ border-color: #8fa3c4; }}
    QPushButton[role="secondary"] QLabel {{ font-size: {px(40)}px; background: {PANEL}; }}
    QPushButton[role="tile"] {{ background: #ffffff; border: none; }}
    QPushButton[role="tile"] QLabel {{ color: {ACCENT_TEXT}; font-size: {px(42)}px;
                                       font-weight: bold; background: #ffffff; }}
    QPushButton[role="tile"][compact="true"] QLabel {{ font-size: {px(32)}px; }}
    QPushButton[role="tile"]:disabled {{ background: {CLOSED_TILE}; }}
    QPushButton[role="tile"] QLabel:disabled {{ background: {CLOSED_TILE};
                                                font-weight: normal; }}
    QPushButton[role="lang"] {{ background: transparent; border: {px(3)}px solid {TEXT};
                                min-height: {px(80)}px; padding: {px(8)}px; }}
    QPushButton[role="lang"] QLabel {{ font-size: {px(32)}px; }}
    QPushButton[role="lang"][selected="true"] {{ background: {ACCENT}; border-color: {ACCENT}; }}
    QPushButton[role="lang"][selected="true"] QLabel {{ color: {ACCENT_TEXT}; background: {ACCENT};
                                                        font-weight: bold; }}
    QPushButton[role="key"] {{ background: {PANEL}; border: {px(3)}px solid {TEXT};
                               min-width: {px(150)}px; }}
    QPushButton[role="key"] QLabel {{ font-size: {px(56)}px; font-weight: bold;
                                      background: {PANEL}; }}
    QPushButton:pressed {{ background: #ffffff; }}
    """
