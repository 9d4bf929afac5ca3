"""The crisis panel lists every line, the visitor's likely region first, from the browser's
language alone, and stores nothing."""

from __future__ import annotations

import re

import pytest

from forum.crisis_lines import first_regions
from tests import factories

FRANCE, BELGIUM, SWITZERLAND, QUEBEC, NORTH_AMERICA, EMERGENCIES = (
    "3114",
    "0800 32 123",
    "143",
    "1 866 APPELLE",
    "988",
    "112",
)
DEFAULT = [FRANCE, BELGIUM, SWITZERLAND, QUEBEC, NORTH_AMERICA, EMERGENCIES]


def lines(page: str) -> list[str]:
    """The first number of each line of the crisis panel, in the order shown."""
    panel = page[page.index('<section class="crisis"') :]
    panel = panel[: panel.index("</section>")]
    return [re.search(r"<strong>(.*?)</strong>", item)[1] for item in panel.split("<li>")[1:]]


@pytest.mark.parametrize(
    ("accept_language", "first"),
    [
        (None, [FRANCE]),
        ("fr-FR,fr;q=0.9,en;q=0.8", [FRANCE]),
        ("de-DE,de;q=0.9", [FRANCE]),
        ("fr-BE,fr;q=0.8,en-US;q=0.5", [BELGIUM]),
        ("nl-BE", [BELGIUM]),
        ("fr-CH,fr;q=0.9", [SWITZERLAND]),
        ("de-CH,de;q=0.9,fr;q=0.8", [SWITZERLAND]),
        ("it-CH", [SWITZERLAND]),
        ("fr-CA,fr;q=0.9,en-CA;q=0.8", [QUEBEC, NORTH_AMERICA]),
        ("en-US,en;q=0.9", [NORTH_AMERICA]),
        ("en-CA,en;q=0.9,fr-CA;q=0.8", [NORTH_AMERICA, QUEBEC]),
        ("fr-ch", [SWITZERLAND]),  # as Safari writes it
        ("en;q=0.5, fr-BE", [BELGIUM]),  # the best quality decides, not the order
        ("fr, fr-BE;q=0.9", [BELGIUM]),  # French, from Belgium
        ("fr, en-US;q=0.5", [FRANCE]),  # French, from anywhere
    ],
)
def test_the_visitors_likely_region_comes_first_and_every_line_stays(
    client, accept_language, first
):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/help", headers=headers)
    assert response.status_code == 200
    shown = lines(factories.text(response))
    others = [number for number in DEFAULT if number not in first]
    assert shown == first + others
    assert shown[-1] == EMERGENCIES


def test_nothing_is_stored_about_the_visitor(client):
    response = client.get("/help", headers={"Accept-Language": "fr-BE"})
    assert "Set-Cookie" not in response.headers
    # The next visit, from another browser language, is not influenced by the first.
    assert lines(factories.text(client.get("/help")))[0] == FRANCE


def test_the_lines_speak_the_page_language(client):
    french = factories.text(client.get("/help", headers={"Accept-Language": "fr-BE"}))
    assert "Belgique" in french and "Urgences" in french
    english = factories.text(client.get("/help", headers={"Accept-Language": "en-US"}))
    assert "Canada and the United States:" in english and "Emergencies:" in english


def test_every_panel_follows_the_visitor(client):
    # The charter shows the same panel as the help page.
    page = factories.text(client.get("/charter", headers={"Accept-Language": "de-CH"}))
    assert lines(page)[0] == SWITZERLAND


@pytest.mark.parametrize(
    ("languages", "regions"),
    [
        ([], ()),
        (["*"], ()),
        (["fr_BE"], ("BE",)),
        (["fr-Latn-CH"], ("CH",)),
        (["*", "fr-CA"], ("QC", "NA")),
        (["en", "en-GB", "en-US"], ()),
    ],
)
def test_first_regions_reads_language_tags(languages, regions):
    assert first_regions(languages) == regions
