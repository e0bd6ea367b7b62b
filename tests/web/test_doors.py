"""Every page of the README's "Pages to try" is reached by clicking from the home page or the
menu, for each person of the demo cast: a crawl from `/` that follows only same-site GET links."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.accounts.scopes import scope_of
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.institutions.models import Institution
from ryadom.openings.services import opening_create

pytestmark = pytest.mark.django_db

# Pages reached only from outside the site: a link in a message, a downloaded file, a feed,
# the sign-in flow's second step, the API.
NOT_CRAWLED = re.compile(r"^/(s/|p/r/|calendar/.+\.ics|api/|admin/|static/|i18n/|logout/)")
MAX_PAGES = 400

# README "Pages to try": the page (as a pattern of its path) and who must reach it.
EVERYONE = ["anonymous", "federal", "observer", "coord-moscow", "coord-rostov", "liaison",
            "ngo", "volunteer", "veteran", "relative", "partner-employment"]  # fmt: skip
STAFF = ["federal", "observer", "coord-moscow", "coord-rostov", "liaison", "ngo",
         "partner-employment"]  # fmt: skip
SIGNED_IN = EVERYONE[1:]
PAGES: list[tuple[str, list[str]]] = [
    (r"/regions/", EVERYONE),
    (r"/regions/\d+/", EVERYONE),
    (r"/find/", EVERYONE),
    (r"/institutions/\d+/", EVERYONE),
    (r"/ask/", ["veteran", "relative"]),
    (r"/ward/\d+/\d+/poster/", ["liaison"]),
    (r"/queue/", ["coord-moscow", "liaison"]),
    (r"/requests/\d+/", ["coord-moscow", "liaison", "volunteer", "veteran", "relative"]),
    (r"/requests/new/", ["coord-moscow"]),
    (r"/matching/", ["coord-moscow"]),
    (r"/volunteer/", ["volunteer"]),
    (r"/my/", ["veteran", "relative"]),
    (r"/calendar/", ["volunteer", "liaison"]),
    (r"/profile/", SIGNED_IN),
    (r"/dashboard/", ["federal", "coord-moscow", "observer"]),
    (r"/dashboard/regions/\d+/", ["federal", "coord-moscow", "observer"]),
    (r"/dashboard/institutions/\d+/", ["liaison"]),
    (r"/dashboard/ngo/\d+/", ["ngo"]),
    (r"/account/2fa/setup/", STAFF),
    (r"/profile/notifications/", SIGNED_IN),
    (r"/queue/messages/failed/", ["coord-moscow"]),
    (r"/join/", ["anonymous"]),
    (r"/volunteer/checklist/", ["volunteer"]),
    (r"/ngo/members/", ["ngo"]),
    (r"/institution/volunteers/", ["liaison"]),
    (r"/openings/", EVERYONE),
    (r"/openings/new/", ["liaison", "ngo"]),
    (r"/openings/\d+/manage/", ["liaison", "ngo"]),
    (r"/volunteer/for-you/", ["volunteer"]),
    (r"/volunteer/record/", ["volunteer"]),
    (r"/ngo/wellbeing/", ["ngo"]),
    (r"/my/consents/", ["veteran", "relative"]),
    (r"/my/data/", ["veteran", "relative"]),
    (r"/my/access-log/", ["veteran", "relative"]),
    (r"/admissions/new/", ["coord-moscow", "liaison"]),
    (r"/admissions/claims/", ["coord-moscow", "liaison"]),
    (r"/my/relatives/", ["veteran", "relative"]),
    (r"/aftercare/", ["coord-moscow", "liaison"]),
    (r"/referrals/", ["coord-moscow"]),
    (r"/referrals/partners/", ["coord-moscow"]),
    (r"/referrals/new/", ["coord-moscow"]),
    (r"/partner/", ["partner-employment"]),
    (r"/entitlements/", ["veteran", "relative", "coord-moscow"]),
    (r"/my/entitlements/", ["veteran", "relative"]),
    (r"/privacy/deletions/", ["coord-moscow"]),
    (r"/audit/export/", ["coord-moscow"]),
]


class Links(HTMLParser):
    """The targets of <a href> on a page (forms are not followed: a crawl only reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "tel:")):
            self.hrefs.append(href)


def crawl(client: Client) -> dict[str, int]:
    """Paths reached from `/` by following same-site links, breadth first, with their status."""
    seen: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or NOT_CRAWLED.match(path):
            continue
        # A link that redirects takes the browser on, as it does a person.
        response = client.get(url, follow=True)
        seen[url] = response.status_code
        for hop, _status in response.redirect_chain:
            seen.setdefault(urlsplit(hop).path, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = urlsplit(urljoin(url, href))
            if target.netloc not in ("", "testserver"):
                continue  # another site
            # Each path once per query-less form; filters and pages of the same list add nothing.
            if target.query and not target.path.startswith("/volunteer/checklist/"):
                continue
            next_url = target.path + (f"?{target.query}" if target.query else "")
            if next_url not in seen:
                queue.append(next_url)
    return seen


@pytest.fixture
def demo_cast(db: None) -> dict[str, User]:
    """The demo accounts on an otherwise empty database, and an opening of each poster."""
    ensure_demo_accounts(today=timezone.localdate())
    users = {u.username: u for u in User.objects.all()}
    [institution_id] = scope_of(users["liaison"]).institution_ids
    institution = Institution.objects.get(pk=institution_id)
    # The first day after tomorrow with visiting hours, in its first window.
    days = (timezone.localdate() + datetime.timedelta(days=n) for n in range(2, 9))
    day, window = next(
        (day, window)
        for day in days
        for window in institution.visiting_hours.filter(weekday=day.weekday())[:1]
    )
    for poster in ("liaison", "ngo"):
        opening_create(
            actor=users[poster],
            title=f"Read aloud ({poster})",
            institution=institution,
            starts_on=day,
            start_time=window.starts,
            end_time=window.ends,
        )
    return users


@pytest.mark.parametrize("who", EVERYONE)
def test_every_readme_page_is_reached_by_clicking_from_the_home_page(
    who: str, demo_cast: dict[str, User], client: Client
) -> None:
    if who != "anonymous":
        client.force_login(demo_cast[who])
    reached = crawl(client)
    paths = {urlsplit(url).path for url, status in reached.items() if status == 200}
    missing = [
        pattern
        for pattern, people in PAGES
        if who in people and not any(re.fullmatch(pattern, path) for path in paths)
    ]
    assert missing == [], f"{who} cannot click their way to {missing}"
    broken = {url: status for url, status in reached.items() if status >= 500}
    assert broken == {}
