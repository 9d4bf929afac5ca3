"""A board's meetings: the moderators' schedule and one-off changes (every bad input gets
its message and writes nothing), who may do what, the place kept from visitors, past
meetings kept when the rhythm changes, and the next meeting on the board and home pages.

The clock is stopped on Tuesday 8 December 2026, 12:00 UTC."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from forum.meetings import calendar, display, forms, queries, recurrence, services, views
from models import Board, Frequency, MeetingChange, MeetingMode, MeetingSchedule, db
from tests import factories

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}
NOW = datetime(2026, 12, 8, 12, 0)
PLACE = "Salle 3, 12 rue des Lilas"


@pytest.fixture
def frozen(monkeypatch):  # type: ignore[no-untyped-def]
    for module in (queries, display, views, forms, services, calendar):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def group(app, frozen):  # type: ignore[no-untyped-def]
    """A public board "deuil" and a members-only board "cercle", both moderated by
    Veilleuse; Lou is a member."""
    with app.app_context():
        factories.board("deuil", name="Deuil")
        factories.board("cercle", name="Cercle", members_only=True)
        factories.user("Veilleuse")
        factories.user("Lou")
        factories.moderator("deuil", "Veilleuse")
        factories.moderator("cercle", "Veilleuse")
    return app


def plain(response) -> str:  # type: ignore[no-untyped-def]
    """The page as a reader sees its words: no tags, no-break spaces read as spaces."""
    words = re.sub(r"<[^>]+>", " ", factories.text(response).replace("\u00a0", " "))
    return re.sub(r"\s+", " ", words).replace(" ,", ",").replace(" .", ".")


def form(**fields: str) -> dict[str, str]:
    data = {
        "frequency": "weekly",
        "week_of_month": "1",
        "weekday": "3",  # Thursday
        "time": "19:00",
        "duration": "90",
        "timezone": "Europe/Paris",
        "mode": "in_person",
        "place": PLACE,
        "starts_on": "2026-12-01",
        "ends_on": "",
    }
    data.update(fields)
    return data


def board_id(slug: str) -> int:
    return db.session.scalars(select(Board.id).where(Board.slug == slug)).one()


def set_schedule(client, slug: str = "deuil", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"/boards/{slug}/meetings/schedule", data=form(**fields), headers=EN)


def schedules(app, slug: str = "deuil") -> list[MeetingSchedule]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.scalars(
            select(MeetingSchedule)
            .where(MeetingSchedule.board_id == board_id(slug))
            .order_by(MeetingSchedule.starts_on)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_a_moderator_sets_the_schedule_and_members_see_the_meetings(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    response = set_schedule(client)
    assert response.status_code == 302
    (row,) = schedules(app)
    assert (row.weekday, row.minute_of_day, row.duration_minutes) == (3, 19 * 60, 90)
    assert (row.timezone, row.place, row.starts_on) == ("Europe/Paris", PLACE, date(2026, 12, 1))
    page = plain(client.get("/boards/deuil/meetings", headers=EN))
    assert "Every week, on Thursday, at 7 pm" in page
    assert "Thursday 10 December, 7 pm" in page
    assert "Thursday 3 December, 7 pm" in page  # already held: a past meeting
    assert "In person · 1 h 30 min" in page
    assert PLACE in page


def test_the_form_offers_the_groups_countries_first_and_every_zone(client, group) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    page = factories.text(client.get("/boards/deuil/meetings/schedule", headers=FR))
    assert page.index("France (Paris)") < page.index("Québec (Montréal)") < page.index("Asia/Tokyo")
    assert '<option selected value="Europe/Paris">' in page
    assert page.count('value="Europe/Paris"') == 1


BAD_SCHEDULES = [
    ({"starts_on": "2027-02-30"}, "starts_on", "This date does not exist"),
    ({"starts_on": "demain soir"}, "starts_on", "Please enter a date such as 2026-12-11."),
    ({"starts_on": "9" * 5000}, "starts_on", "Please enter a date such as 2026-12-11."),
    ({"starts_on": "9999-12-31"}, "starts_on", "between a year ago and two years from now"),
    ({"starts_on": ""}, "starts_on", "Please enter a date"),
    ({"time": "25:00"}, "time", "This time does not exist"),
    ({"time": "19h75"}, "time", "This time does not exist"),
    ({"time": "sept heures"}, "time", "Please enter a time such as 19:30."),
    ({"timezone": "Europe/Atlantis"}, "timezone", "This time zone does not exist"),
    ({"timezone": "../../../etc/passwd"}, "timezone", "This time zone does not exist"),
    ({"timezone": "Europe/Paris\x00"}, "timezone", "This time zone does not exist"),
    ({"frequency": "daily"}, "frequency", "Please choose one of the options offered."),
    ({"weekday": "9"}, "weekday", "Please choose one of the options offered."),
    ({"week_of_month": "5"}, "week_of_month", "Please choose one of the options offered."),
    ({"mode": "telepathy"}, "mode", "Please choose one of the options offered."),
    ({"duration": "5"}, "duration", "from 15 to 480"),
    ({"duration": "100000"}, "duration", "from 15 to 480"),
    ({"duration": "-90"}, "duration", "from 15 to 480"),
    ({"place": "x" * 501}, "place", "too long: 501 characters"),
    ({"ends_on": "2026-11-30"}, "ends_on", "The last date comes before the first one."),
    ({"ends_on": "2036-12-02"}, "ends_on", "at most 10 years after the first one"),
    ({"ends_on": "2026-12-02"}, "ends_on", "No meeting falls between the first and the last date."),
    (
        {"weekday": "6", "time": "02:30"},
        "time",
        "On Sunday 28 March 2027, 2:30 am does not exist in Paris: the clocks go forward",
    ),
    (
        {"weekday": "6", "time": "02:15", "timezone": "America/Montreal"},
        "time",
        "On Sunday 14 March 2027, 2:15 am does not exist in Montreal",
    ),
]


@pytest.mark.parametrize(("fields", "name", "message"), BAD_SCHEDULES)
def test_a_bad_schedule_says_why_and_writes_nothing(
    client, group, app, fields, name, message
) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    before = factories.database(app)
    response = set_schedule(client, **fields)
    assert response.status_code == 400
    assert message in plain(response)
    assert f'id="{name}-errors"' in factories.text(response)  # told beside the field
    assert factories.database(app) == before


def test_the_gap_is_named_in_french(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    before = factories.database(app)
    response = client.post(
        "/boards/deuil/meetings/schedule", data=form(weekday="6", time="2:30"), headers=FR
    )
    assert response.status_code == 400
    assert (
        "Le dimanche 28 mars 2027, 2 h 30 n'existe pas à Paris (passage à l'heure d'été)"
        in plain(response)
    )
    assert factories.database(app) == before


def test_members_and_visitors_cannot_manage_meetings(client, group, app) -> None:  # type: ignore[no-untyped-def]
    before = factories.database(app)
    posts = {
        "/boards/deuil/meetings/schedule": form(),
        "/boards/deuil/meetings/changes": {"day": "2026-12-10", "action": "cancel"},
        "/boards/deuil/meetings/changes/undo": {"day": "2026-12-10"},
        "/boards/deuil/meetings/stop": {},
    }
    for url, data in posts.items():  # a visitor is sent to sign in
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert client.get("/boards/deuil/meetings/schedule").status_code == 302
    assert client.get("/boards/cercle/meetings").status_code == 403  # the members-only door
    factories.login(client, "Lou")
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
    assert client.get("/boards/deuil/meetings/schedule").status_code == 403
    assert client.get("/boards/deuil/meetings/changes").status_code == 403
    assert client.get("/boards/nowhere/meetings/schedule").status_code == 404
    assert client.get("/boards/cercle/meetings").status_code == 200
    page = plain(client.get("/boards/deuil/meetings", headers=EN))
    assert "Set the schedule" not in page
    assert factories.database(app) == before


def test_the_place_is_for_signed_in_members_only(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    set_schedule(client)
    moved = {"day": "2026-12-17", "action": "move", "moved_on": "2026-12-18", "moved_at": "20:00"}
    client.post("/boards/deuil/meetings/changes", data={**moved, "place": "Au café du coin"})
    client.post("/logout")
    visitor = plain(client.get("/boards/deuil/meetings", headers=EN))
    assert "Thursday 10 December, 7 pm" in visitor
    assert "Friday 18 December, 8 pm" in visitor
    assert PLACE not in visitor and "café du coin" not in visitor
    assert "Signed-in members see where the group meets." in visitor
    factories.login(client, "Lou")
    member = plain(client.get("/boards/deuil/meetings", headers=EN))
    assert PLACE in member and "Au café du coin" in member


def test_past_meetings_stay_listed_when_the_rhythm_changes(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    assert set_schedule(client, starts_on="2026-11-01").status_code == 302
    # Held: Thursdays 5 November to 3 December. From Tuesday 15 December, every two weeks.
    new = form(frequency="biweekly", weekday="1", time="18:30", starts_on="2026-12-14")
    assert client.post("/boards/deuil/meetings/schedule", data=new).status_code == 302
    old, current = schedules(app)
    assert old.ends_on == date(2026, 12, 14)  # the day before the new first meeting
    assert (current.starts_on, current.ends_on, current.weekday) == (date(2026, 12, 14), None, 1)
    page = plain(client.get("/boards/deuil/meetings", headers=EN))
    upcoming, past = page.split("Past meetings")[:2]
    for day in ("5 November", "12 November", "19 November", "26 November", "3 December"):
        assert f"Thursday {day}, 7 pm" in past
    assert upcoming.index("Thursday 10 December, 7 pm") < upcoming.index(
        "Tuesday 15 December, 6:30 pm"
    )
    assert "Tuesday 29 December, 6:30 pm" in upcoming
    assert "Thursday 17 December" not in upcoming
    # A new rhythm cannot start before a meeting already held: it would rewrite the past.
    before = factories.database(app)
    response = client.post(
        "/boards/deuil/meetings/schedule",
        data=form(weekday="2", starts_on="2026-12-01"),
        headers=EN,
    )
    assert response.status_code == 400
    assert "after the last meeting held (Thursday 3 December 2026)" in plain(response)
    assert factories.database(app) == before


def test_a_schedule_not_yet_begun_is_replaced_and_details_change_in_place(
    client, group, app
) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    set_schedule(client, starts_on="2026-12-09")
    (first,) = schedules(app)
    set_schedule(client, weekday="4", starts_on="2026-12-09")  # not begun: replaced
    (replaced,) = schedules(app)
    assert (replaced.id, replaced.weekday) == (first.id, 4)
    # Begun (starts 1 December, held 3 December): a new place is a detail, in place.
    set_schedule(client, starts_on="2026-12-01")
    set_schedule(client, starts_on="2026-12-10", place="Nouvelle salle")
    (row,) = schedules(app)
    assert (row.starts_on, row.place) == (date(2026, 12, 1), "Nouvelle salle")
    # The form offers the next meeting as the first date once meetings were held.
    page = factories.text(client.get("/boards/deuil/meetings/schedule"))
    assert 'value="2026-12-10"' in page


def test_stopping_keeps_the_past_and_plans_nothing_more(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    set_schedule(client, starts_on="2026-11-01")
    assert client.post("/boards/deuil/meetings/stop").status_code == 302
    (row,) = schedules(app)
    assert row.ends_on == date(2026, 12, 3)
    page = plain(client.get("/boards/deuil/meetings", headers=EN))
    assert "No meeting is planned for now." in page
    assert "Thursday 3 December, 7 pm" in page
    board = plain(client.get("/boards/deuil", headers=EN))
    assert "Next meeting:" not in board


def change(client, **data: str):  # type: ignore[no-untyped-def]
    return client.post("/boards/deuil/meetings/changes", data=data, headers=EN)


def test_cancel_move_and_undo_one_meeting(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    set_schedule(client)
    note = "La salle est fermée pour les fêtes"
    assert change(client, day="2026-12-10", action="cancel", note=note).status_code == 302
    moved = change(client, day="2026-12-17", action="move", moved_on="2026-12-18", moved_at="20:30")
    assert moved.status_code == 302
    page = plain(client.get("/boards/deuil/meetings", headers=EN))
    assert "Thursday 10 December, 7 pm" in page and "cancelled" in page and note in page
    assert "Friday 18 December, 8:30 pm" in page and "moved" in page
    assert "Planned for Thursday 17 December, 7 pm" in page
    board = plain(client.get("/boards/deuil", headers=EN))
    assert "Next meeting: Friday 18 December, 8:30 pm" in board  # the cancelled one is skipped
    assert (
        client.post("/boards/deuil/meetings/changes/undo", data={"day": "2026-12-10"}).status_code
        == 302
    )
    board = plain(client.get("/boards/deuil", headers=EN))
    assert "Next meeting: Thursday 10 December, 7 pm" in board


BAD_CHANGES = [
    ({"day": "2026-12-11", "action": "cancel"}, "There is no meeting on Friday 11 December 2026."),
    ({"day": "2026-12-03", "action": "cancel"}, "This meeting has already taken place."),
    ({"day": "2027-02-30", "action": "cancel"}, "This date does not exist"),
    ({"day": "x" * 10000, "action": "cancel"}, "Please enter a date such as"),
    ({"day": "2026-12-10", "action": "explode"}, "Please choose one of the options offered."),
    ({"day": "2026-12-10", "action": "cancel", "note": "n" * 201}, "too long: 201 characters"),
    (
        {"day": "2026-12-10", "action": "move", "moved_on": "2026-12-07", "moved_at": "19:00"},
        "This new time has already passed.",
    ),
    (
        {"day": "2026-12-10", "action": "move", "moved_on": "2027-06-01", "moved_at": "19:00"},
        "A meeting can move by 60 days at most.",
    ),
    (
        {"day": "2026-12-10", "action": "move", "moved_on": "2026-12-31", "moved_at": "24:00"},
        "This time does not exist",
    ),
    (
        {"day": "2026-12-10", "action": "move", "moved_on": "", "moved_at": "19:00"},
        "Please enter a date such as",
    ),
    (
        {"day": "2027-03-25", "action": "move", "moved_on": "2027-03-28", "moved_at": "02:30"},
        "On Sunday 28 March 2027, 2:30 am does not exist in Paris",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_CHANGES)
def test_a_bad_change_says_why_and_writes_nothing(client, group, app, data, message) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    set_schedule(client)
    before = factories.database(app)
    response = change(client, **data)
    assert response.status_code == 400
    assert message in plain(response)
    assert factories.database(app) == before


def test_the_101st_change_is_refused_and_nothing_is_written(client, group, app) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, "Veilleuse")
    set_schedule(client)
    with app.app_context():
        board = db.session.get_one(Board, board_id("deuil"))
        (row,) = db.session.scalars(select(MeetingSchedule)).all()
        dates = [
            m.original_on
            for m in recurrence.occurrences(row, [], NOW, datetime(2029, 1, 1))[
                : recurrence.MAX_CHANGES_PER_SCHEDULE + 1
            ]
        ]
        for day in dates[:-1]:
            services.change_meeting(board, services.Change(day=day, cancelled=True), now=NOW)
    before = factories.database(app)
    response = change(client, day=dates[-1].isoformat(), action="cancel")
    assert response.status_code == 400
    assert "already has 100 one-off changes" in plain(response)
    assert factories.database(app) == before
    # Changing a date already changed adds nothing: still possible.
    moved = change(client, day="2026-12-10", action="move", moved_on="2026-12-11", moved_at="19:00")
    assert moved.status_code == 302
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(MeetingChange))
        assert count == recurrence.MAX_CHANGES_PER_SCHEDULE


def test_next_meeting_on_the_board_and_home_pages_in_french_and_english(client, group, app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.board("montreal", name="Montréal")
        factories.moderator("montreal", "Veilleuse")
    factories.login(client, "Veilleuse")
    set_schedule(client)
    set_schedule(client, "cercle", time="19:30")
    set_schedule(client, "montreal", timezone="America/Montreal", weekday="1")
    client.post("/logout")

    board_fr = plain(client.get("/boards/deuil", headers=FR))
    assert "Prochaine rencontre : jeudi 10 décembre, 19 h" in board_fr
    assert 'href="/boards/deuil/meetings"' in factories.text(client.get("/boards/deuil"))
    board_en = plain(client.get("/boards/deuil", headers=EN))
    assert "Next meeting: Thursday 10 December, 7 pm" in board_en
    montreal = plain(client.get("/boards/montreal", headers=FR))
    assert "Prochaine rencontre : mardi 8 décembre, 19 h (heure de Montréal)" in montreal
    assert "Tuesday 8 December, 7 pm (Montreal time)" in plain(
        client.get("/boards/montreal", headers=EN)
    )

    home = plain(client.get("/", headers=FR))
    assert "Prochaine rencontre : jeudi 10 décembre, 19 h" in home
    assert "mardi 8 décembre, 19 h (heure de Montréal)" in home
    assert "19 h 30" not in home  # the members-only board's meetings are for members
    factories.login(client, "Lou")
    home = plain(client.get("/", headers=EN))
    assert "Next meeting: Thursday 10 December, 7:30 pm" in home
    cercle = plain(client.get("/boards/cercle", headers=FR))
    assert "Prochaine rencontre : jeudi 10 décembre, 19 h 30" in cercle


def test_the_home_page_reads_every_boards_next_meeting_in_one_query(
    client, app, frozen, count_queries
) -> None:  # type: ignore[no-untyped-def]
    def home_queries() -> tuple[int, int]:
        """All the page's statements, and those that read meetings."""
        before = count_queries.count
        assert client.get("/").status_code == 200
        statements = count_queries.statements[before:]
        return len(statements), sum("meeting_schedules" in s for s in statements)

    with app.app_context():
        factories.board("b0")
    client.get("/")
    without = home_queries()
    with app.app_context():
        for n in range(1, 7):
            board = factories.board(f"b{n}")
            spec = MeetingSchedule(**_spec(weekday=n % 7))
            services.save_schedule(board, spec, now=NOW)
    page = plain(client.get("/", headers=EN))
    assert page.count("Next meeting:") == 6
    assert home_queries() == without
    assert without[1] == 1


def _spec(**fields) -> dict:  # type: ignore[no-untyped-def]
    values = {
        "frequency": Frequency.WEEKLY,
        "weekday": 3,
        "week_of_month": None,
        "minute_of_day": 19 * 60,
        "duration_minutes": 90,
        "timezone": "Europe/Paris",
        "mode": MeetingMode.VIDEO,
        "place": "",
        "starts_on": date(2026, 12, 1),
        "ends_on": None,
    }
    values.update(fields)
    return values
