"""Every write of the Telegram app: link codes, linking and unlinking a chat, the state of a
conversation, and the record of updates already handled."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.notifications.models import ChannelName
from ryadom.notifications.selectors import preference_of
from ryadom.notifications.services import preference_set
from ryadom.telegram.conf import LINK_CODE_TTL, MAX_WRONG_CODES_PER_HOUR
from ryadom.telegram.models import LinkAttempt, LinkCode, ProcessedUpdate, Step, TelegramLink

# No 0/O, 1/I/L: the code is read off a screen and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Telegram gives up re-sending an update long before this.
PROCESSED_UPDATES_KEPT = datetime.timedelta(days=2)


def _code_hash(code: str) -> str:
    """Keyed with the site's secret: a copy of the table alone does not let anyone try codes."""
    normalised = code.strip().upper().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalised, hashlib.sha256).hexdigest()


def looks_like_code(text: str) -> bool:
    text = text.strip().upper()
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)


@transaction.atomic
def link_code_issue(*, actor: User) -> str:
    """A new one-time code for linking the actor's Telegram; earlier unused codes stop working."""
    LinkCode.objects.filter(user=actor, used_at__isnull=True).delete()
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    now = timezone.now()
    link_code = LinkCode.objects.create(
        user=actor, code_hash=_code_hash(code), created_at=now, expires_at=now + LINK_CODE_TTL
    )
    audit_record(actor=actor, action="telegram.code_issued", target=link_code)
    return code


def _channels_with(user: User, chat_id: str) -> None:
    """Telegram becomes one of the person's channels, with this chat as its address."""
    preference = preference_of(user=user)
    channels = [*preference.channels, ChannelName.TELEGRAM.value]
    preference_set(
        actor=user,
        user=user,
        channels=channels,
        quiet_from=preference.quiet_from,
        quiet_until=preference.quiet_until,
        telegram_chat_id=chat_id,
    )


def _channels_without(user: User) -> None:
    """No more messages to Telegram; e-mail if nothing else is left."""
    preference = preference_of(user=user)
    if preference.pk is None:
        return
    channels = [c for c in preference.channels if c != ChannelName.TELEGRAM]
    preference_set(
        actor=user,
        user=user,
        channels=channels or [ChannelName.EMAIL.value],
        quiet_from=preference.quiet_from,
        quiet_until=preference.quiet_until,
        telegram_chat_id="",
    )


def _wrong_code() -> ApplicationError:
    # The bot counts it with link_attempt_record() after this transaction has rolled back.
    return ApplicationError(
        _(
            "This code is wrong or has expired. Open your profile on the Ryadom site, press "
            "“Link Telegram” and send the new code here."
        ),
        field="code",
    )


def link_attempt_record(*, chat_id: str) -> None:
    """Count a wrong code sent from this chat."""
    LinkAttempt.objects.create(chat_id=chat_id)


@transaction.atomic
def telegram_link(*, chat_id: str, code: str) -> TelegramLink:
    """Link a private chat to the account whose one-time code it sent.

    The code is used up by a conditional UPDATE, so of two chats sending the same code at once
    exactly one links. A chat linked to someone else before is moved to the new account (the
    person proved they hold it); an account linked to another chat before moves to this one.
    """
    now = timezone.now()
    recent = LinkAttempt.objects.filter(chat_id=chat_id, at__gte=now - datetime.timedelta(hours=1))
    if recent.count() >= MAX_WRONG_CODES_PER_HOUR:
        raise ApplicationError(
            _("Too many wrong codes. Please try again in an hour."), field="code"
        )
    link_code = (
        LinkCode.objects.filter(
            code_hash=_code_hash(code), used_at__isnull=True, expires_at__gt=now
        )
        .select_related("user")
        .first()
    )
    if link_code is None or not link_code.user.is_active:
        raise _wrong_code()
    used = LinkCode.objects.filter(pk=link_code.pk, used_at__isnull=True).update(used_at=now)
    if used != 1:
        raise _wrong_code()
    user = link_code.user
    for previous in (
        TelegramLink.objects.select_related("user").filter(chat_id=chat_id).exclude(user=user)
    ):
        previous.delete()
        _channels_without(previous.user)
    TelegramLink.objects.filter(user=user).delete()
    link = TelegramLink.objects.create(user=user, chat_id=chat_id, linked_at=now)
    _channels_with(user, chat_id)
    audit_record(actor=user, action="telegram.linked", target=link)
    return link


@transaction.atomic
def telegram_unlink(*, actor: User, user: User) -> None:
    """The person stops using the bot: the chat no longer acts for them or gets their messages."""
    if actor.pk != user.pk:
        raise PermissionDeniedError(_("You may unlink only your own Telegram."))
    link = TelegramLink.objects.filter(user=user).first()
    if link is None:
        return
    audit_record(actor=actor, action="telegram.unlinked", target=link)
    link.delete()
    _channels_without(user)


def conversation_set(*, link: TelegramLink, step: str = Step.IDLE, **draft: Any) -> None:
    """Remember where the conversation is (the draft is replaced, not merged)."""
    link.step, link.draft = step, draft
    link.save(update_fields=["step", "draft"])


def update_claim(*, update_id: int) -> bool:
    """Record that this update is being handled; False if it was handled before.

    Call it inside the transaction that handles the update: if handling fails, the record
    rolls back with it and Telegram's next delivery is handled afresh.
    """
    try:
        with transaction.atomic():
            ProcessedUpdate.objects.create(update_id=update_id)
    except IntegrityError:
        return False
    ProcessedUpdate.objects.filter(received_at__lt=timezone.now() - PROCESSED_UPDATES_KEPT).delete()
    return True
