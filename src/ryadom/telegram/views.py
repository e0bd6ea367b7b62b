"""The bot's webhook, linking a chat from the profile, the notification settings page and the
coordinators' page of messages that could not be delivered. Thin: parse, call, render."""

from __future__ import annotations

import hmac
import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.care.page_selectors import page_roles
from ryadom.core.errors import ConflictError
from ryadom.core.pages import attempt, domain_errors
from ryadom.notifications.models import Preference
from ryadom.notifications.selectors import (
    message_get_for_user,
    message_list_failed,
    preference_of,
)
from ryadom.notifications.services import message_resend, preference_set
from ryadom.telegram import bot
from ryadom.telegram.client import send_all
from ryadom.telegram.conf import LINK_CODE_TTL, telegram_settings
from ryadom.telegram.forms import PreferenceForm
from ryadom.telegram.models import TelegramLink
from ryadom.telegram.services import link_code_issue, telegram_unlink

FAILED_PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


# --- the webhook ---------------------------------------------------------------------------


def _secret_matches(secret: str) -> bool:
    """Constant-time, so the secret cannot be guessed a character at a time. No secret set:
    the bot is off and the address does not exist."""
    expected = telegram_settings().webhook_secret
    return bool(expected) and hmac.compare_digest(secret.encode(), expected.encode())


def _update(request: HttpRequest) -> dict[str, Any] | None:
    """The update the body carries: a JSON object, else None."""
    try:
        update = json.loads(request.body)
    except ValueError:
        return None
    return update if isinstance(update, dict) else None


@csrf_exempt  # Telegram calls it; the secret in the path is the authentication
@require_POST
def webhook(request: HttpRequest, secret: str) -> HttpResponse:
    """Receive one Bot API update and answer it through the Bot API."""
    if not _secret_matches(secret):
        raise Http404
    update = _update(request)
    if update is None:
        return HttpResponseBadRequest()
    # The answers go out after the update's transaction has committed.
    send_all(bot.update_handle(update=update))
    return JsonResponse({"ok": True})


# --- linking from the profile ------------------------------------------------------------


@login_required
@require_POST
def link_code(request: HttpRequest) -> HttpResponse:
    """Issue a one-time code and show it (once) with the bot's link."""
    code = link_code_issue(actor=_actor(request))
    username = telegram_settings().bot_username
    context = {
        "code": code,
        "bot_username": username,
        "deep_link": f"https://t.me/{username}?start={code}" if username else "",
        "minutes": int(LINK_CODE_TTL.total_seconds() // 60),
    }
    response = render(request, "telegram/link.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def unlink(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    telegram_unlink(actor=actor, user=actor)
    messages.success(request, _("Telegram is unlinked. The bot no longer acts for you."))
    return redirect("profile")


# --- notification settings ---------------------------------------------------------------


def _saved(form: PreferenceForm, actor: User, preference: Preference) -> Preference | None:
    """The settings saved from a valid form; None when the form or the service refused."""
    if not form.is_valid():
        return None
    # The Telegram chat is set by linking the bot only; kept as it is here.
    chat = preference.telegram_chat_id
    return attempt(
        form,
        lambda: preference_set(actor=actor, user=actor, telegram_chat_id=chat, **form.cleaned_data),
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose channels and quiet hours."""
    actor = _actor(request)
    preference = preference_of(user=actor)
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, initial=PreferenceForm.initial_of(preference))
    if _saved(form, actor, preference) is not None:
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-preferences")
    linked = TelegramLink.objects.filter(user=actor).exists()
    context = {"form": form, "telegram_linked": linked}
    return render(request, "telegram/preferences.html", context, status=400 if form.errors else 200)


# --- failed messages, for coordinators -------------------------------------------------------


def _coordinator_or_403(actor: User) -> None:
    if not page_roles(actor=actor).coordinator:
        raise PermissionDenied


@login_required
@require_GET
def failed_messages(request: HttpRequest) -> HttpResponse:
    """Messages that could not be delivered to people in the coordinator's regions."""
    actor = _actor(request)
    _coordinator_or_403(actor)
    page = Paginator(message_list_failed(actor=actor), FAILED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "telegram/failed_messages.html", {"page": page})


@login_required
@require_POST
@domain_errors
def failed_message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = _actor(request)
    _coordinator_or_403(actor)
    message = message_get_for_user(actor=actor, message_id=message_id)
    try:
        message_resend(actor=actor, message=message)
    except ConflictError as exc:  # someone resent it a moment ago
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The message to %(name)s will be sent again.")
            % {"name": message.recipient.display_name},
        )
    return redirect("failed-messages")
