"""Journey 4: federal staff open the dashboard, colour the map by another measure and take
the tables away as XLSX."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from tests.browser.conftest import Visit, with_browser_password
from tests.browser.test_journey_ask import t
from tests.browser.test_journey_coordinator import _ask, _completed_without_respect
from tests.browser.test_journey_volunteer import sign_in_staff
from tests.conftest import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_federal_staff_read_the_dashboard_and_export_it(
    care_cast: Cast, open_visit, language: str
) -> None:
    _ask(care_cast, "tech.letter")
    _completed_without_respect(care_cast)
    call_command("analytics_rebuild", verbosity=0)

    with_browser_password(care_cast.federal)
    v: Visit = open_visit(language, "federal")
    page = v.page
    sign_in_staff(v, care_cast.federal, then="/dashboard/")
    v.axe()
    v.shot("1-dashboard")
    assert page.locator("main svg").count() > 0
    # Each figure's table is a list of cards on a phone (checked by Visit.axe on every page).
    assert page.locator("main table.ry-table-cards").count() > 0

    measure = page.get_by_label(t(v, "Colour the map by"))
    options = measure.locator("option")
    assert options.count() > 1
    second = options.nth(1).get_attribute("value")
    measure.select_option(second)
    with page.expect_navigation():
        page.get_by_role("button", name=t(v, "Show")).click()
    assert f"measure={second}" in page.url
    assert page.get_by_label(t(v, "Colour the map by")).input_value() == second
    v.axe()
    v.shot("2-measure")

    with page.expect_download() as download:
        page.get_by_role("link", name=t(v, "All tables as XLSX")).click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    with_region = care_cast.institution_a.region
    assert any(with_region.name_ru in c or with_region.name_en in c for c in cells)
