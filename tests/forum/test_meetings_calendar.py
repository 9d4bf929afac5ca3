"""The iCalendar feeds, read back as a calendar app would (icalendar and
recurring-ical-events): the same meetings as the site over a year, across daylight-saving
changes in Europe/Paris and America/Montreal, with cancelled (EXDATE) and moved
(RECURRENCE-ID) meetings; no place in the public feed; private links that work once made
and stop when replaced, revoked or when the account goes.

The clock is stopped on Tuesday 8 December 2026, 12:00 UTC."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from forum.accounts import data
from forum.meetings import calendar, display, forms, queries, recurrence, services, views
from models import (
    Board,
    CalendarKey,
    Frequency,
    MeetingChange,
    MeetingMode,
    MeetingSchedule,
    User,
    db,
)
from tests import factories

NOW = datetime(2026, 12, 8, 12, 0)
YEAR_END = NOW + timedelta(days=365)
PLACE = "Salle 3, 12 rue des Lilas; sonner deux fois"
LINK = re.compile(r'value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def frozen(monkeypatch):  # type: ignore[no-untyped-def]
    for module in (queries, display, views, forms, services, calendar):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def spec(**fields) -> MeetingSchedule:  # type: ignore[no-untyped-def]
    values = {
        "frequency": Frequency.WEEKLY,
        "weekday": 3,
        "week_of_month": None,
        "minute_of_day": 19 * 60,
        "duration_minutes": 90,
        "timezone": "Europe/Paris",
        "mode": MeetingMode.IN_PERSON,
        "place": PLACE,
        "starts_on": date(2026, 11, 1),
        "ends_on": None,
    }
    values.update(fields)
    return MeetingSchedule(**values)


def moved(day: date, to: datetime, place: str | None = None) -> services.Change:
    return services.Change(day=day, cancelled=False, moved_to=to, place=place)


@pytest.fixture
def boards(app, frozen):  # type: ignore[no-untyped-def]
    """ "Deuil, ensemble" (public, Paris): weekly on Thursdays until a new rhythm, every
    two weeks on Tuesdays, from 14 December; one cancelled, one moved. "Cercle" (members
    only, Montreal): the last Thursday of each month, one cancelled, one moved. Lou is a
    member."""
    with app.app_context():
        deuil = factories.board("deuil", name="Deuil, ensemble; le jeudi")
        cercle = factories.board("cercle", name="Cercle", members_only=True)
        factories.user("Lou")
        services.save_schedule(deuil, spec(), now=NOW)
        services.change_meeting(deuil, services.Change(date(2026, 12, 10), True), now=NOW)
        services.save_schedule(
            deuil,
            spec(
                frequency=Frequency.BIWEEKLY,
                weekday=1,
                minute_of_day=18 * 60 + 30,
                starts_on=date(2026, 12, 14),
            ),
            now=NOW,
        )
        services.change_meeting(
            deuil, moved(date(2027, 3, 23), datetime(2027, 3, 24, 20, 0), "Au café"), now=NOW
        )
        services.save_schedule(
            cercle,
            spec(
                frequency=Frequency.MONTHLY,
                week_of_month=-1,
                timezone="America/Montreal",
                mode=MeetingMode.VIDEO,
                place="https://visio.example/cercle",
                starts_on=date(2026, 12, 1),
                ends_on=date(2027, 11, 30),
            ),
            now=NOW,
        )
        services.change_meeting(cercle, services.Change(date(2027, 3, 25), True), now=NOW)
        services.change_meeting(
            cercle, moved(date(2027, 1, 28), datetime(2027, 1, 29, 18, 0)), now=NOW
        )
    return app


def site_meetings(app, slug: str) -> list[tuple[datetime, datetime]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        board = db.session.scalars(select(Board).where(Board.slug == slug)).one()
        found = queries.load([board.id])[board.id].between(NOW, YEAR_END)
        return [(m.start_utc, m.end_utc) for m in found if not m.cancelled]


def app_meetings(body: bytes) -> list[tuple[datetime, datetime]]:
    """What a calendar app shows over the year (UTC, naive, as the site's instants)."""
    parsed = Calendar.from_ical(body)
    events = recurring_ical_events.of(parsed).between(
        NOW - timedelta(days=2), YEAR_END + timedelta(days=2)
    )
    found = []
    for event in events:
        start = event["DTSTART"].dt.astimezone(UTC).replace(tzinfo=None)
        end = event["DTEND"].dt if "DTEND" in event else event["DTSTART"].dt + event["DURATION"].dt
        if NOW <= start < YEAR_END:
            found.append((start, end.astimezone(UTC).replace(tzinfo=None)))
    return sorted(found)


def test_the_public_feed_expands_to_the_sites_meetings_over_a_year(client, boards, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/boards/deuil/meetings.ics", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["X-Robots-Tag"] == "noindex"
    expected = site_meetings(app, "deuil")
    assert app_meetings(response.data) == expected
    starts = [start for start, _ in expected]
    assert datetime(2026, 12, 10, 18) not in starts  # cancelled
    assert datetime(2026, 12, 15, 17, 30) in starts  # Tuesday 18:30 in winter (UTC+1)
    assert datetime(2027, 4, 6, 16, 30) in starts  # and in summer (UTC+2)
    assert datetime(2027, 3, 24, 19) in starts and datetime(2027, 3, 23, 17, 30) not in starts
    body = response.get_data(as_text=True)
    assert "LOCATION" not in body and "Lilas" not in body and "café" not in body
    assert "SUMMARY:Rencontre\u00a0: Deuil\\, ensemble\\; le jeudi" in body  # French, escaped
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))  # folded


def test_the_feed_says_it_as_rfc_5545_does(client, boards, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        old, new = db.session.scalars(select(MeetingSchedule).order_by(MeetingSchedule.id)).all()[
            :2
        ]
        uids = (f"meeting-{old.id}@localhost", f"meeting-{new.id}@localhost")
    parsed = Calendar.from_ical(client.get("/boards/deuil/meetings.ics").data)
    series = {str(e["UID"]): e for e in parsed.walk("VEVENT") if "RRULE" in e}
    assert set(series) == set(uids)
    first = series[uids[0]]
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"
    assert first["DTSTART"].dt == datetime(2026, 11, 5, 19, tzinfo=recurrence.zone("Europe/Paris"))
    rule = first["RRULE"]
    assert (rule["FREQ"], rule["BYDAY"]) == (["WEEKLY"], ["TH"])
    # Ended the day before the new first meeting (Tuesday 15 December), 23:59:59 in Paris, as UTC.
    assert rule["UNTIL"] == [datetime(2026, 12, 14, 22, 59, 59, tzinfo=UTC)]
    assert first["EXDATE"].params["TZID"] == "Europe/Paris"
    assert first["DURATION"].dt == timedelta(minutes=90)
    second = series[uids[1]]
    assert (second["RRULE"]["INTERVAL"], second["RRULE"]["BYDAY"]) == ([2], ["TU"])
    overrides = [e for e in parsed.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert [str(e["UID"]) for e in overrides] == [uids[1]]
    assert overrides[0]["RECURRENCE-ID"].dt == datetime(
        2027, 3, 23, 18, 30, tzinfo=recurrence.zone("Europe/Paris")
    )
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert all("DTSTAMP" in e for e in parsed.walk("VEVENT"))


def make_link(client, slug: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    response = client.post(f"/boards/{slug}/meetings/private-link")
    assert response.status_code == 200
    page = factories.text(response)
    match = LINK.search(page)
    assert match, page
    assert "Copy this link now" in page or "Copiez ce lien maintenant" in page
    return match.group(1).removeprefix("http://localhost"), match.group(2)


def test_a_private_link_carries_the_place_and_works_for_members_only_boards(
    client, boards, app
) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/boards/cercle/meetings.ics").status_code == 404
    assert client.post("/boards/cercle/meetings/private-link").status_code == 302  # sign in
    factories.login(client, "Lou")
    assert client.get("/boards/cercle/meetings.ics").status_code == 404  # even for members
    path, key = make_link(client, "cercle")
    # Shown once: neither the page nor a cookie keeps it.
    assert key not in factories.text(client.get("/boards/cercle/meetings"))
    calendar_app = app.test_client()  # no cookie, as a calendar app
    response = calendar_app.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Set-Cookie" not in response.headers
    parsed = Calendar.from_ical(response.data)
    locations = {str(e["LOCATION"]) for e in parsed.walk("VEVENT")}
    assert locations == {"https://visio.example/cercle"}
    assert app_meetings(response.data) == site_meetings(app, "cercle")
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["America/Montreal"]
    # Only the digest is kept.
    with app.app_context():
        (row,) = db.session.scalars(select(CalendarKey)).all()
        assert row.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in repr(factories.database(app))
    # The member's export says the link exists, never the key.
    export = client.get("/me/export")
    assert [link["board"] for link in export.get_json()["calendar_links"]] == ["cercle"]
    assert key not in export.get_data(as_text=True)


def test_the_private_feed_has_the_place_of_a_public_board_and_of_a_moved_meeting(
    client, boards, app
) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Lou")
    path, _key = make_link(client, "deuil")
    body = app.test_client().get(path).data
    parsed = Calendar.from_ical(body)
    places = {str(e["LOCATION"]) for e in parsed.walk("VEVENT")}
    assert places == {PLACE, "Au café"}
    assert app_meetings(body) == site_meetings(app, "deuil")


def test_a_replaced_or_revoked_link_stops_working(client, boards, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Lou")
    calendar_app = app.test_client()
    first, _ = make_link(client, "deuil")
    second, _ = make_link(client, "deuil")
    assert calendar_app.get(first).status_code == 404
    assert calendar_app.get(second).status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(CalendarKey)).all()) == 1
    page = factories.text(client.get("/boards/deuil/meetings", headers={"Accept-Language": "en"}))
    assert "You made a private link on" in page
    assert client.post("/boards/deuil/meetings/private-link/revoke").status_code == 302
    assert calendar_app.get(second).status_code == 404
    assert "Make my private link" in factories.text(
        client.get("/boards/deuil/meetings", headers={"Accept-Language": "en"})
    )


def test_a_deleted_account_takes_its_links_with_it(client, boards, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Lou")
    path, _ = make_link(client, "cercle")
    calendar_app = app.test_client()
    assert calendar_app.get(path).status_code == 200
    with app.app_context():
        data.erase(db.session.scalars(select(User).where(User.pseudonym == "Lou")).one())
        assert db.session.scalars(select(CalendarKey)).all() == []
    assert calendar_app.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/" + "a" * 43 + ".ics",  # well formed, unknown
        "/calendar/" + "a" * 5000 + ".ics",
        "/calendar/" + "é" * 43 + ".ics",
        "/calendar/%C3%A9%00%20.ics",
        "/calendar/..%2F..%2Fetc%2Fpasswd.ics",
        "/calendar/../../etc/passwd.ics",
        "/calendar/.ics",
        "/calendar/abc",
        "/boards/nowhere/meetings.ics",
        "/boards/cercle/meetings.ics",
    ],
)
def test_garbage_keys_and_hidden_feeds_are_not_found(client, boards, path) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_a_board_without_meetings_has_an_empty_feed(client, app, frozen) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.board("calme")
    parsed = Calendar.from_ical(client.get("/boards/calme/meetings.ics").data)
    assert list(parsed.walk("VEVENT")) == []


def test_changes_of_a_schedule_are_in_the_feed_only_while_they_match_a_meeting(app, frozen) -> None:  # type: ignore[no-untyped-def]
    """A stale change (its date no meeting any more) neither excludes nor adds anything."""
    with app.app_context():
        board = factories.board("vieux")
        row = services.save_schedule(board, spec(starts_on=date(2026, 12, 9)), now=NOW)
        db.session.add(
            MeetingChange(schedule_id=row.id, occurrence_on=date(2026, 12, 11), cancelled=True)
        )
        db.session.commit()
    body = app.test_client().get("/boards/vieux/meetings.ics").get_data(as_text=True)
    assert "EXDATE" not in body


def test_request_lines_lose_the_private_calendar_key():
    from forum import logs

    key = "k3Y_-abcDEF0123456789xyzXYZ0123456789abcdEFGH"
    lines = [
        (f"GET /calendar/{key}.ics HTTP/1.1", "GET /calendar/- HTTP/1.1"),
        (f"GET /login?next=%2Fcalendar%2F{key}.ics", "GET /login?next=%2Fcalendar%2F-"),
        ("GET /boards/deuil/meetings.ics HTTP/1.1", "GET /boards/deuil/meetings.ics HTTP/1.1"),
    ]
    for line, kept in lines:
        assert logs.without_url_secrets(line) == kept
