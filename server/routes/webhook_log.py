"""The webhook's delivery log for staff (/webhooks): each notification, its tries and the
receiver's last answer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.routes.pages import page_user, render
from server.state import state_of
from server.webhooks import recent_deliveries

router = APIRouter(include_in_schema=False)


@router.get("/webhooks", response_class=HTMLResponse)
def webhook_log(request: Request) -> HTMLResponse:
    """Newest 200 notifications of the user's site (every site for an admin of all)."""
    user = page_user(request)
    state = state_of(request)
    with state.db.read_session() as s:
        rows = recent_deliveries(s, user.site_id)
    return render(request, "webhooks.html", user=user, rows=rows,
                  url=state.settings.webhook_url, enabled=state.webhooks.enabled)
