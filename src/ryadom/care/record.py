"""A volunteer's record: verified hours by month and institution, services, feedback.

Verified hours are the checked-in to checked-out time of visits, as in `volunteer_hours`.
The record names no veteran: a volunteer shows the certificate to third parties.
Downloads: CSV (hours by month and institution) and a PDF certificate in DejaVu Sans, a
font with Cyrillic (fpdf2's built-in fonts have none).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ryadom.care.models import Feedback, Status, Visit
from ryadom.volunteers.models import Volunteer

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date  # the first day of the month
    institution: str
    visits: int
    hours: float


@dataclass(frozen=True)
class ServiceRow:
    day: datetime.date
    service: str
    institution: str
    hours: float
    confirmed: bool


@dataclass(frozen=True)
class FeedbackRow:
    day: datetime.date
    service: str
    rating: int | None
    respectful: bool
    comment: str


@dataclass
class VolunteerRecord:
    name: str
    months: list[MonthRow] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    feedback: list[FeedbackRow] = field(default_factory=list)

    @property
    def total_hours(self) -> float:
        return sum(m.hours for m in self.months)

    @property
    def first_day(self) -> datetime.date | None:
        return min((s.day for s in self.services), default=None)

    @property
    def last_day(self) -> datetime.date | None:
        return max((s.day for s in self.services), default=None)


def volunteer_record(*, volunteer: Volunteer) -> VolunteerRecord:
    """The volunteer's verified work (three queries however long the record is)."""
    visits = list(
        Visit.objects.filter(
            volunteer=volunteer, checked_in_at__isnull=False, checked_out_at__isnull=False
        )
        .select_related("request__service_type", "request__institution__region")
        .order_by("checked_in_at", "pk")
    )
    months: dict[tuple[datetime.date, str], list[float]] = defaultdict(list)
    services = []
    finished_at: dict[int, datetime.datetime] = {}
    for visit in visits:
        assert visit.checked_in_at is not None and visit.checked_out_at is not None  # noqa: S101 - filtered above
        request = visit.request
        local = visit.checked_in_at.astimezone(request.institution.region.zone)
        hours = (visit.checked_out_at - visit.checked_in_at).total_seconds() / 3600
        months[(local.date().replace(day=1), request.institution.name)].append(hours)
        services.append(
            ServiceRow(
                day=local.date(),
                service=request.service_type.name,
                institution=request.institution.name,
                hours=hours,
                confirmed=request.status == Status.CONFIRMED
                and request.volunteer_id == volunteer.pk,
            )
        )
        finished_at.setdefault(request.pk, visit.checked_out_at)
    # Feedback about the volunteer's work: given on their requests after they finished.
    feedback = [
        FeedbackRow(
            day=timezone.localdate(f.at),
            service=f.request.service_type.name,
            rating=f.rating,
            respectful=f.respectful,
            comment=f.comment,
        )
        for f in Feedback.objects.filter(request_id__in=list(finished_at))
        .select_related("request__service_type")
        .order_by("at", "pk")
        if f.at >= finished_at[f.request_id]
    ]
    rows = [
        MonthRow(month=m, institution=name, visits=len(h), hours=round(sum(h), 2))
        for (m, name), h in sorted(months.items())
    ]
    name = volunteer.user.get_full_name() or volunteer.user.username
    return VolunteerRecord(name=name, months=rows, services=services, feedback=feedback)


def hours_text(hours: float) -> str:
    return f"{hours:.1f}".rstrip("0").rstrip(".")


def record_csv(record: VolunteerRecord) -> str:
    """Hours by month and institution, one row each, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Month"), _("Institution"), _("Visits"), _("Hours")])
    for row in record.months:
        writer.writerow([f"{row.month:%Y-%m}", row.institution, row.visits, hours_text(row.hours)])
    return out.getvalue()


def _font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", FONT_DIR))


def record_pdf(record: VolunteerRecord, *, issued: datetime.date | None = None) -> bytes:
    """A one- or two-page certificate of the volunteer's verified hours."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    issued = issued or timezone.localdate()
    pdf = FPDF(format="A4")
    pdf.set_title(_("Certificate of volunteering"))
    pdf.set_author("Ryadom")
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    title = _("Certificate of volunteering")
    pdf.cell(0, 14, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 12)
    if record.first_day and record.last_day:
        period = _("from %(first)s to %(last)s") % {
            "first": formats.date_format(record.first_day, "j E Y"),
            "last": formats.date_format(record.last_day, "j E Y"),
        }
    else:
        period = ""
    pdf.multi_cell(
        0,
        7,
        _(
            "This certifies that %(name)s helped veterans in treatment as a volunteer "
            "%(period)s. Verified visits: %(hours)s h; services provided: %(services)d."
        )
        % {
            "name": record.name,
            "period": period,
            "hours": hours_text(record.total_hours),
            "services": len(record.services),
        },
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    widths = (28, 112, 20, 20)
    headers = (_("Month"), _("Institution"), _("Visits"), _("Hours"))
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 8, header, border=1)
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    for row in record.months:
        cells = (
            f"{row.month:%m.%Y}",
            row.institution[:60],
            str(row.visits),
            hours_text(row.hours),
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 7, text, border=1)
        pdf.ln()
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0,
        6,
        _("Hours are counted from check-in to check-out of each visit. Issued on %(date)s.")
        % {"date": formats.date_format(issued, "j E Y")},
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
