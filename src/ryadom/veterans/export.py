"""A veteran's copy of everything Ryadom holds about them: JSON for machines, PDF for people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from ryadom.veterans import events
from ryadom.veterans.models import Veteran

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def veteran_export_data(*, veteran: Veteran) -> dict[str, Any]:
    """All personal data about one veteran, with the requests made for them and who saw them
    (those sections come from the apps that hold them: veterans/events.py)."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "addressed_as": veteran.addressed_as,
            "gender": veteran.gender,
            "home_region": veteran.home_region.name,
            "contact_route": veteran.contact_route,
            "phone": veteran.phone,
            "what_matters": veteran.what_matters,
            "communication_needs": veteran.communication_needs,
            "mobility_needs": veteran.mobility_needs,
            "preferred_helper_gender": veteran.preferred_helper_gender,
            "registered": _iso(veteran.created_at),
        },
        "stays": [
            {
                "institution": s.institution.name,
                "department": s.department.name if s.department else None,
                "admitted_on": _iso(s.admitted_on),
                "discharged_on": _iso(s.discharged_on),
            }
            for s in veteran.stays.select_related("institution", "department")
        ],
        "relatives": [
            {"name": p.user.display_name, "relation": p.relation, "may_act": p.may_act}
            for p in veteran.proxies.select_related("user")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_label": str(c.get_purpose_display()),
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in veteran.consents.all()
        ],
    }
    for section in events.veteran_data_requested.publish(veteran=veteran):
        data.update(section)
    return data


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def veteran_export_pdf(*, data: dict[str, Any]) -> bytes:
    """The same data as a readable document (Cyrillic through the DejaVu font)."""
    pdf = _Pdf()
    pdf.add_font("DejaVu", "", getattr(settings, "RYADOM_PDF_FONT", FONT))
    pdf.add_font("DejaVu", "B", getattr(settings, "RYADOM_PDF_FONT_BOLD", FONT_BOLD))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(width, 8, text)
        pdf.set_font("DejaVu", "", 10)

    def line(label: str, value: Any) -> None:
        pdf.multi_cell(width, 6, f"{label}: {value if value not in (None, '') else '—'}")

    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 10, _("My data in Ryadom"))
    pdf.set_font("DejaVu", "", 10)
    line(_("Prepared"), data["exported_at"])
    profile = data["profile"]
    heading(_("Profile"))
    line(_("How to address"), profile["addressed_as"])
    line(_("Home region"), profile["home_region"])
    line(_("Phone"), profile["phone"])
    line(_("What matters to me"), profile["what_matters"])
    line(_("Communication needs"), profile["communication_needs"])
    line(_("Mobility needs"), profile["mobility_needs"])
    heading(_("Stays"))
    for s in data["stays"]:
        line(s["institution"], f"{s['admitted_on']} — {s['discharged_on'] or _('now')}")
    heading(_("Relatives"))
    for p in data["relatives"]:
        line(p["name"], p["relation"])
    heading(_("Consents"))
    for c in data["consents"]:
        state = _("withdrawn %(at)s") % {"at": c["withdrawn_at"]} if c["withdrawn_at"] else ""
        line(c["purpose_label"], f"{c['given_at']} {state}".strip())
    heading(_("Requests"))
    for r in data["requests"]:
        line(f"#{r['id']} {r['service']}", f"{r['institution']}, {r['status']}, {r['created_at']}")
        if r["details"]:
            line(_("Details"), r["details"])
    heading(_("Who looked at my data"))
    for e in data["access_log"]:
        line(e["at"], f"{e['who']} ({e['role']}): {e['what']}")
    return bytes(pdf.output())
