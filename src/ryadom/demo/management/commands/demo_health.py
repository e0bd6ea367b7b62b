"""`ryadom demo-health`: the figures that say whether the demo in the database lives by the
rules, the same the small demo's tests assert; fails when one of them does not hold."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from ryadom.accounts.models import User
from ryadom.demo import health


class Command(BaseCommand):
    help = (
        "Check the demo in the database by the product's own rules and print the figures: "
        "suggested volunteers per region, a Moscow matching run (rolled back), the demo "
        "volunteer's requests, openings with applications, members' checks, and whether "
        "every historical assignee was eligible on the day. Run `ryadom demo-accounts` first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--per-region",
            type=int,
            default=None,
            help="ask for suggestions for only this many open requests of each region "
            "(the newest; default: all)",
        )
        parser.add_argument(
            "--after-the-ward",
            action="store_true",
            help="only the time after discharge: plans, reach of follow-up contacts, referral "
            "loops closed, and the dashboards' queries (minutes sooner on a country's demo)",
        )

    @no_translations  # an operator's report, in English like the other demo commands
    def handle(self, *args: Any, **options: Any) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=_ACCOUNTS)}
        if len(users) < len(_ACCOUNTS):
            raise CommandError("The demo accounts are missing: run `ryadom demo-accounts` first.")
        if options["after_the_ward"]:
            results = self._after_the_ward(users)
        else:
            results = self._report(users, options["per_region"]) + self._after_the_ward(users)
        failed = [name for name, ok in results if not ok]
        if failed:
            raise CommandError(f"The demo does not hold: {', '.join(failed)}.")
        self.stdout.write("The demo holds: every check passed.")

    def _report(self, users: dict[str, User], per_region: int | None) -> list[tuple[str, bool]]:
        results = []
        began = time.monotonic()
        regions = health.suggestions_by_region(
            actor=users[health.FEDERAL],
            per_region=per_region,
            progress=lambda line: self.stderr.write(f"  suggestions, region {line}"),
        )
        self.stdout.write(f"Suggested volunteers ({time.monotonic() - began:.0f} s):")
        self.stdout.write(f"  region  open  with >= {health.ENOUGH}  share")
        for code, figures in regions.items():
            share = figures.with_enough / max(1, len(figures.counts))
            mark = "" if figures.most else "  <- not most"
            counts = f"{len(figures.counts):>4}  {figures.with_enough:>9}"
            self.stdout.write(f"  {code:>6}  {counts}  {share:5.0%}{mark}")
        results.append(("most open requests of every region have suggestions", _all_most(regions)))
        proposals = health.moscow_proposals(actor=users[health.COORDINATOR])
        self.stdout.write(f"Matching run for Moscow proposes {proposals} assignments.")
        results.append(("a Moscow matching run proposes assignments", proposals > 0))
        takeable = health.volunteer_takeable(user=users[health.VOLUNTEER])
        self.stdout.write(f"The demo volunteer may take {takeable} requests now.")
        results.append(("the demo volunteer sees requests to take", takeable > 0))
        results += self._openings()
        results += self._checks()
        began = time.monotonic()
        takers = health.historical_takers()
        self.stdout.write(
            f"Taken requests: {takers.taken:,}; the eligibility rule refuses "
            f"{len(takers.refused):,} of their takers ({time.monotonic() - began:.0f} s)."
        )
        for pk, day, codes in takers.refused[:10]:
            self.stdout.write(f"  request {pk} on {day}: {', '.join(codes)}")
        results.append(("every historical assignee was eligible", not takers.refused))
        return results

    def _after_the_ward(self, users: dict[str, User]) -> list[tuple[str, bool]]:
        a = health.after_the_ward_figures()
        self.stdout.write(
            f"After the ward: {a.with_plan:,} of {a.discharges:,} discharges have a plan "
            f"({_share(a.with_plan, a.discharges)}), {a.handed_over:,} handed over home; "
            f"follow-up contacts reached {a.contacts_reached:,} of {a.contacts_closed:,} "
            f"({_share(a.contacts_reached, a.contacts_closed)}; the VA's Solid Start 71 %); "
            f"referral loops closed {a.loops_closed:,} of {a.referrals:,} "
            f"({_share(a.loops_closed, a.referrals)}); outcomes "
            + ", ".join(f"{outcome} {n:,}" for outcome, n in sorted(a.outcomes.items()))
        )
        results = [
            (
                "discharges have plans and contacts reach veterans",
                a.with_plan > 0 and a.contacts_reached > 0,
            ),
            ("referral loops close", a.loops_closed > 0),
        ]
        bounds = [health.FEDERAL_PAGE_QUERIES, health.REGION_PAGE_QUERIES]
        for cost, bound in zip(
            health.dashboard_costs(actor=users[health.FEDERAL]), bounds, strict=True
        ):
            self.stdout.write(
                f"{cost.path}: {cost.status}, {cost.queries} queries (bound {bound}), "
                f"{cost.seconds:.2f} s"
            )
            results.append(
                (
                    f"{cost.path} within {bound} queries",
                    cost.status == 200 and cost.queries <= bound,
                )
            )
        return results

    def _openings(self) -> list[tuple[str, bool]]:
        o = health.openings_figures()
        self.stdout.write(
            f"/openings/ lists {o.listed:,} openings in {len(o.regions)} regions; applications: "
            + ", ".join(f"{status} {n:,}" for status, n in sorted(o.applications.items()))
        )
        return [
            (
                "/openings/ has openings with applications",
                o.listed > 0 and o.applications.total() > 0,
            )
        ]

    def _checks(self) -> list[tuple[str, bool]]:
        c = health.checks_figures()
        self.stdout.write(
            f"Checks: {c.checks:,} ({c.audited:,} with an audit row); approved members "
            f"{c.members:,}, cleared for a pass-level institution {c.cleared:,}, a check "
            f"running out within 30 days {c.expiring:,}; screenings "
            + ", ".join(f"{status} {n:,}" for status, n in sorted(c.screening.items()))
        )
        return [
            ("every check has its audit row", c.audited == c.checks),
            ("most members are cleared", c.cleared > 0.7 * c.members),
        ]


_ACCOUNTS = (health.FEDERAL, health.COORDINATOR, health.VOLUNTEER)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _all_most(regions: dict[str, health.RegionSuggestions]) -> bool:
    return bool(regions) and all(figures.most for figures in regions.values())
