"""Server-rendered pages: log-in, counter console, display board (live over server-sent
events), survey, reports. Plain HTML forms and small ES5 scripts, so a cheap TV browser
and an old phone work."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.auth import SESSION_COOKIE, client_address, session_user_of, set_session_cookie
from server.board_feed import BoardStreamsFull
from server.domain.board import board_state, last_event_id
from server.models import (
    ROLE_MANAGER,
    ROLES,
    Service,
    Site,
    SurveyResponse,
    Ticket,
    User,
    utcnow,
)
from server.reports import COLUMNS, GROUP_COLUMNS, hour_chart, report_rows, report_summary
from server.sessions import LoginRefused, end_session, log_in
from server.staff_actions import report_scope
from server.state import state_of
from server.wording import ROLE_VI, STATUS_VI, vietnamese_first
from ticketing.status import FINAL_STATUSES

router = APIRouter(include_in_schema=False)

DIGITS_VI = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]

def render(request: Request, name: str, status_code: int = 200, **context: object
           ) -> HTMLResponse:
    state = state_of(request)
    return state.templates.TemplateResponse(
        request, name, {"status_vi": STATUS_VI, "role_vi": ROLE_VI, **context},
        status_code=status_code)


ERROR_TITLES = {
    400: "Yêu cầu không hợp lệ / Bad request",
    403: "Không có quyền / Not allowed",
    404: "Không tìm thấy / Not found",
    405: "Không mở được địa chỉ này / This address cannot be opened",
    409: "Không thực hiện được / Refused",
    413: "Dữ liệu quá lớn / Too large",
    422: "Dữ liệu không hợp lệ / Invalid input",
    503: "Tạm thời không phục vụ được / Temporarily unavailable",
}


def wants_html(request: Request) -> bool:
    """Whether an error on this request is answered with a page for people: everything
    but the API (``/api/``) and the static files."""
    return not request.url.path.startswith(("/api/", "/static/", "/openapi.json"))


def error_page(request: Request, status: int, message: str,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The HTML error page: a title for the status and the message, Vietnamese first."""
    title = ERROR_TITLES.get(status, f"Lỗi / Error {status}")
    response = render(request, "error.html", status, title=title, status=status,
                      message=vietnamese_first(message), user=optional_user(request))
    if headers:
        response.headers.update(headers)
    return response


def html_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    """An HTTP error of a page: log-in for 401, else the error page."""
    if exc.status_code == 401:
        back = request.url.path if request.method == "GET" else "/console"
        return RedirectResponse(f"/login?next={quote(back)}", 303)  # type: ignore[return-value]
    return error_page(request, exc.status_code, str(exc.detail),
                      headers=getattr(exc, "headers", None))


def spoken_number(number: str) -> str:
    """'A012' as Vietnamese speech says it: letters, then each digit."""
    parts = [DIGITS_VI[int(ch)] if ch.isdigit() else ch for ch in number if ch.isalnum()]
    return " ".join(parts)


def announcement(number: str, counter: int | None, recall: bool = False) -> dict[str, str]:
    """The call as shown on the board (``text``) and as words (``speech``); a recall
    starts with "Gọi lại"."""
    lead = "Gọi lại: " if recall else ""
    return {
        "text": f"{lead}Mời số {number} đến quầy {counter}",
        "speech": f"{lead}Mời số {spoken_number(number)}, đến quầy {counter}",
    }


def optional_user(request: Request) -> User | None:
    return session_user_of(request)


def page_user(request: Request, minimum: str = "staff") -> User:
    user = optional_user(request)
    if user is None:
        raise StarletteHTTPException(401, "log in first")
    if ROLES.index(user.role) < ROLES.index(minimum):
        raise StarletteHTTPException(
            403, "Trang này dành cho " + ("quản trị" if minimum == "admin" else "quản lý")
            + " / This page is for " + ("administrators" if minimum == "admin" else "managers")
            + " only.")
    return user


def check_csrf(request: Request, user: User, token: str | None) -> None:
    if not state_of(request).signer.check_csrf(user.id, token):
        raise StarletteHTTPException(
            403, "Biểu mẫu đã hết hạn; hãy tải lại trang rồi thử lại. / The form expired; "
            "reload the page and try again.")


# --------------------------------------------------------------------------- home, log-in


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    with state_of(request).db.read_session() as s:
        sites = list(s.scalars(sa.select(Site).order_by(Site.id)))
    return render(request, "home.html", sites=sites, user=optional_user(request))


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for the API, its files served by this server (works offline)."""
    return render(request, "docs.html", user=optional_user(request))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/console"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str | None, Query(max_length=200)] = None
               ) -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    state = state_of(request)
    try:
        done = log_in(state.db, username, password, client_address(request),
                      state.settings.session_hours)
    except LoginRefused as exc:
        message = ("Sai tên đăng nhập hoặc mật khẩu / Wrong username or password"
                   if exc.status == 401 else
                   f"Đăng nhập sai quá nhiều lần, thử lại sau {exc.retry_after} giây / "
                   f"Too many failed log-ins: try again in {exc.retry_after} s")
        response = render(request, "login.html", exc.status, next=_safe_next(next),
                          error=message)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = RedirectResponse(_safe_next(next), 303)
    set_session_cookie(response, request, done.token)
    return response


@router.post("/logout")
def logout_submit(request: Request) -> Response:
    end_session(state_of(request).db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --------------------------------------------------------------------------- board


def _site(request: Request, code: str) -> Site:
    with state_of(request).db.read_session() as s:
        site = s.scalar(sa.select(Site).where(Site.code == code))
        if site is None:
            raise StarletteHTTPException(404, f"Không có điểm {code!r} / no site {code!r}")
        s.expunge(site)
        return site


def board_payload(request: Request, site: Site) -> dict:
    state = state_of(request)
    with state.db.read_session() as s:
        data = board_state(s, state.settings, site)
    for call in data["recent_calls"]:
        recall = call["kind"] == "recalled"
        call.update({"announce": announcement(call["number"], call["counter"], recall),
                     "recall": recall,
                     "audio": f"/board/{quote(site.code)}/announce/{call['event_id']}.wav"})
    data["events_url"] = f"/board/{quote(site.code)}/events"
    data["json_url"] = f"/board/{quote(site.code)}/state.json"
    data["sound_error"] = state.announcer.error
    return data


@router.get("/board", response_class=HTMLResponse)
def board_default(request: Request) -> Response:
    with state_of(request).db.read_session() as s:
        code = s.scalar(sa.select(Site.code).order_by(Site.id).limit(1))
    return RedirectResponse(f"/board/{code}", 307)


@router.get("/board/{site_code}", response_class=HTMLResponse)
def board_page(request: Request, site_code: str) -> HTMLResponse:
    site = _site(request, site_code)
    state_of(request).announcer.start_in_background()  # the voice pack, off the event loop
    data = board_payload(request, site)
    return render(request, "board.html", site=site, board=data)


@router.get("/board/{site_code}/state.json")
def board_json(request: Request, site_code: str) -> dict:
    """The board's state with each call's text and audio link (the polling fallback of
    browsers without EventSource)."""
    return board_payload(request, _site(request, site_code))


@router.get("/board/{site_code}/events")
async def board_events(request: Request, site_code: str) -> Response:
    """Server-sent events: the board's whole state each time something happens at the
    site (checked every 0.3 s by one poller per site and process, across every server
    process since it reads the database). 503 with Retry-After past the stream bounds
    (``board_streams_per_site``, ``board_streams_total``): the page then polls."""
    site = await run_in_threadpool(_site, request, site_code)
    state = state_of(request)

    def last_id() -> int:
        with state.db.read_session() as s:
            return last_event_id(s, site.id)

    def board_json() -> str:
        return json.dumps(board_payload(request, site), ensure_ascii=False)

    try:
        feed = state.board_hub.join(site.id, last_id, board_json)
    except BoardStreamsFull as exc:
        return JSONResponse({"detail": exc.message}, status_code=503,
                            headers={"Retry-After": str(exc.retry_after)})
    return state.board_hub.response(site.id, feed)


# --------------------------------------------------------------------------- survey


def _survey_ticket(request: Request, token: str) -> str:
    ticket_id = state_of(request).signer.ticket_from_survey_token(token)
    if ticket_id is None:
        raise StarletteHTTPException(404, "Liên kết không hợp lệ / This link is not valid.")
    return ticket_id


def _survey_context(request: Request, ticket_id: str) -> dict:
    with state_of(request).db.read_session() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise StarletteHTTPException(404, "Không tìm thấy phiếu / Ticket not found.")
        service = s.get(Service, ticket.service_id)
        site = s.get(Site, ticket.site_id)
        answered = s.scalar(sa.select(SurveyResponse).where(
            SurveyResponse.ticket_id == ticket_id))
        return {"ticket": ticket, "service": service, "site": site, "answered": answered}


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(request: Request, token: str) -> HTMLResponse:
    ctx = _survey_context(request, _survey_ticket(request, token))
    return render(request, "survey.html", token=token, error=None, **ctx)


@router.post("/s/{token}", response_class=HTMLResponse)
def survey_submit(
    request: Request, token: str,
    rating: Annotated[int, Form(ge=1, le=5)],
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    ticket_id = _survey_ticket(request, token)
    state = state_of(request)
    error = None
    with state.db.session() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise StarletteHTTPException(404, "Không tìm thấy phiếu / Ticket not found.")
        if ticket.status not in FINAL_STATUSES:
            error = ("Bạn có thể đánh giá sau khi được phục vụ xong. / You can rate the "
                     "service once it is done.")
        elif s.scalar(sa.select(SurveyResponse.id).where(SurveyResponse.ticket_id == ticket_id)):
            error = "Phiếu này đã được đánh giá. / This ticket was already rated."
        else:
            s.add(SurveyResponse(ticket_id=ticket_id, site_id=ticket.site_id,
                                 service_id=ticket.service_id, rating=rating,
                                 counter_id=ticket.counter_id, staff_id=ticket.staff_id,
                                 comment=comment.strip(), created_at=utcnow()))
    status = 409 if error else 200
    ctx = _survey_context(request, ticket_id)
    return render(request, "survey.html", status, token=token, error=error, thanks=not error,
                  **ctx)


# --------------------------------------------------------------------------- reports


MAX_REPORT_DAYS = 366


def _report_dates(raw_from: str | None, raw_to: str | None, today: dt.date
                  ) -> tuple[dt.date, dt.date, str | None]:
    """The report's days from the form's text, and what is wrong with them (None if all is
    well; the dates are then today's, so the page still shows something)."""
    if raw_from is None and raw_to is None:
        return today, today, None
    values = []
    for raw, name in ((raw_from, "Từ ngày / From"), (raw_to, "Đến ngày / To")):
        if not raw or not raw.strip():
            return today, today, f"Hãy chọn ngày ở ô «{name}». / Please fill in «{name}»."
        try:
            values.append(dt.date.fromisoformat(raw.strip()))
        except ValueError:
            return today, today, (f"Ngày ở ô «{name}» không hợp lệ: {raw[:20]!r}. / "
                                  f"«{name}» is not a date.")
    start, end = values
    if start > end:
        return today, today, ("«Từ ngày» phải trước hoặc bằng «Đến ngày». / «From» must not be "
                              "after «To».")
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        return today, today, (f"Mỗi báo cáo tối đa {MAX_REPORT_DAYS} ngày. / At most "
                              f"{MAX_REPORT_DAYS} days per report.")
    return start, end, None


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    date_from: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """The manager's report: totals, satisfaction, per service and day, per counter and
    staff member, load per hour (SVG drawn here), comments. Wrong dates are said on the
    page (status 422), next to the form that holds them."""
    user = page_user(request, ROLE_MANAGER)
    with state_of(request).db.read_session() as s:
        the_site, today, _ = report_scope(s, user, site, None, None)
        start, end, problem = _report_dates(date_from, date_to, today)
        rows = report_rows(s, the_site, start, end)
        summary = report_summary(s, the_site, start, end)
        s.expunge(the_site)
    return render(request, "reports.html", 422 if problem else 200, user=user,
                  site=the_site, start=start, end=end, rows=rows, columns=COLUMNS,
                  group_columns=GROUP_COLUMNS, problem=problem,
                  raw_from=date_from if problem else start.isoformat(),
                  raw_to=date_to if problem else end.isoformat(),
                  chart=hour_chart(summary["hours"]), **summary)
