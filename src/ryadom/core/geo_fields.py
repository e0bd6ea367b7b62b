"""Coordinates inside Russia, enforced by the database as well as by validation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A generous bounding box of the Russian Federation. Chukotka crosses the 180th meridian,
# so longitudes from -180 to -168 (east of it) are inside as well.
LAT_MIN, LAT_MAX = 41.0, 82.0
LON_MIN, LON_MAX = 19.0, 180.0
LON_EAST_OF_180 = -168.0


def in_russia(lat: float, lon: float) -> bool:
    """Whether a point lies inside Russia's bounding box."""
    if not LAT_MIN <= lat <= LAT_MAX:
        return False
    return LON_MIN <= lon <= LON_MAX or -180.0 <= lon <= LON_EAST_OF_180


def validate_point(lat: float | None, lon: float | None) -> None:
    """Raise a field-level ValidationError when a point lies outside Russia."""
    if lat is None or lon is None:
        return
    if not in_russia(float(lat), float(lon)):
        raise ValidationError(
            {
                "lat": _(
                    "The coordinates %(lat)s, %(lon)s lie outside Russia. "
                    "Check the latitude and longitude (decimal degrees, east positive)."
                )
                % {"lat": lat, "lon": lon}
            }
        )


def point_in_russia_q(prefix: str = "") -> Q:
    """The same bounding box as a database check, for CheckConstraint."""
    lat, lon = f"{prefix}lat", f"{prefix}lon"
    return (
        Q(**{f"{lat}__gte": LAT_MIN, f"{lat}__lte": LAT_MAX})
        & (
            Q(**{f"{lon}__gte": LON_MIN, f"{lon}__lte": LON_MAX})
            | Q(**{f"{lon}__gte": -180.0, f"{lon}__lte": LON_EAST_OF_180})
        )
    ) | Q(**{f"{lat}__isnull": True}, **{f"{lon}__isnull": True})


class GeoPoint(models.Model):
    """A place with coordinates (WGS 84, decimal degrees) somewhere in Russia."""

    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=point_in_russia_q(), name="%(app_label)s_%(class)s_point_in_russia"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        validate_point(self.lat, self.lon)
