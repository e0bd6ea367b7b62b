"""Users and their role assignments: (user, role, scope kind, scope id)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may see comes from their role assignments."""

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=[("ru", "Русский"), ("en", "English")], default="ru"
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ScopeKind(models.TextChoices):
    FEDERAL = "federal", _("Whole country")
    AGENCY = "agency", _("Agency")
    REGION = "region", _("Region")
    INSTITUTION = "institution", _("Institution")
    ORGANISATION = "organisation", _("NGO")
    SELF = "self", _("Own data")


class Role(models.TextChoices):
    FEDERAL_COORDINATOR = "federal_coordinator", _("Federal coordinator")
    AGENCY_OBSERVER = "agency_observer", _("Agency observer")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional coordinator")
    INSTITUTION_LIAISON = "institution_liaison", _("Institution liaison")
    NGO_MANAGER = "ngo_manager", _("NGO manager")
    VOLUNTEER = "volunteer", _("Volunteer")
    VETERAN = "veteran", _("Veteran")
    RELATIVE = "relative", _("Relative")


# Roles held for work with other people's data (as opposed to volunteers, veterans and
# relatives, who act for themselves): the second factor and API tokens are theirs.
STAFF_ROLES = frozenset(
    {
        Role.FEDERAL_COORDINATOR,
        Role.AGENCY_OBSERVER,
        Role.REGIONAL_COORDINATOR,
        Role.INSTITUTION_LIAISON,
        Role.NGO_MANAGER,
    }
)


# The one place that says which kind of scope each role is given. An agency observer watches
# the institutions of one agency across the country.
ROLE_SCOPE: dict[str, str] = {
    Role.FEDERAL_COORDINATOR: ScopeKind.FEDERAL,
    Role.AGENCY_OBSERVER: ScopeKind.AGENCY,
    Role.REGIONAL_COORDINATOR: ScopeKind.REGION,
    Role.INSTITUTION_LIAISON: ScopeKind.INSTITUTION,
    Role.NGO_MANAGER: ScopeKind.ORGANISATION,
    Role.VOLUNTEER: ScopeKind.SELF,
    Role.VETERAN: ScopeKind.SELF,
    Role.RELATIVE: ScopeKind.SELF,
}


def _role_scope_consistent() -> Q:
    q = Q()
    for role, kind in ROLE_SCOPE.items():
        needs_id = kind not in (ScopeKind.FEDERAL, ScopeKind.SELF)
        q |= Q(role=role, scope_kind=kind, scope_id__isnull=not needs_id)
    return q


class RoleAssignment(models.Model):
    """A user holds a role within a scope: a region, an institution, an NGO, an agency."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    scope_kind = models.CharField(_("scope kind"), max_length=20, choices=ScopeKind.choices)
    scope_id = models.BigIntegerField(_("scope id"), null=True, blank=True)
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=_role_scope_consistent(), name="accounts_role_scope_consistent"
            ),
            # Two partial unique indexes, because NULLs are distinct in a plain one.
            models.UniqueConstraint(
                fields=["user", "role", "scope_id"],
                condition=Q(scope_id__isnull=False),
                name="accounts_role_unique_scoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(scope_id__isnull=True),
                name="accounts_role_unique_unscoped",
            ),
        ]
        indexes = [models.Index(fields=["scope_kind", "scope_id"])]

    def __str__(self) -> str:
        scope = f" #{self.scope_id}" if self.scope_id is not None else ""
        return f"{self.user} — {self.get_role_display()} ({self.get_scope_kind_display()}{scope})"


class TokenKind(models.TextChoices):
    PERSON = "person", _("A person's own")
    INTEGRATION = "integration", _("Integration client")


# Roles a service account of an integration client may hold: a hospital's system posts for
# its wards as their liaison would; a regional system as the region's coordinator.
INTEGRATION_ROLES = frozenset({Role.INSTITUTION_LIAISON, Role.REGIONAL_COORDINATOR})


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once.

    A person's token acts as that person and shares their rate limits (the ask form's
    included). An integration client's token belongs to a service account (a user who cannot
    sign in to pages, with roles of INTEGRATION_ROLES only) and stands for a system, such as
    a hospital's or a region's; its POSTs count in the `integration` rate-limit bucket.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=TokenKind.choices,
        default=TokenKind.PERSON,
        help_text=_(
            "An integration client's token stands for a system (a hospital's, a region's) "
            "through a service account and has its own rate limit."
        ),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What it is used by."))
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class AddressKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class OneTimeCode(models.Model):
    """A short code sent to an e-mail address or a phone to prove the person holds it.

    Only a keyed hash of the code is stored. A code dies when used, when it expires, or
    after too many wrong guesses; issued codes also count towards the sending rate limit.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="one_time_codes", verbose_name=_("user")
    )
    address_kind = models.CharField(_("address kind"), max_length=10, choices=AddressKind.choices)
    # Normalised: e-mail lowercased, phone as +digits.
    address = models.CharField(_("address"), max_length=254)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="accounts_code_expires_after_creation",
            )
        ]
        # The rate limit counts an address's codes of the last hour; verification reads
        # the address's newest code.
        indexes = [models.Index(fields=["address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.address} ({self.created_at:%Y-%m-%d %H:%M})"
