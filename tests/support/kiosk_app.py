"""Start the assembled kiosk app (`build_app`) in a shown window for pytest-qt tests."""

from __future__ import annotations

from typing import Any

from kiosk.assembly import build_app
from kiosk.context import KioskContext


def start_kiosk(qtbot: Any, ctx: KioskContext, size: tuple[int, int] = (1080, 1920),
                recognition: bool = True) -> Any:
    """Build, show and start the app; the caller ends it with ``app.shutdown()``."""
    app = build_app(ctx, recognition=recognition)
    qtbot.addWidget(app.window)
    app.window.resize(*size)
    app.window.show()
    app.start()
    return app
