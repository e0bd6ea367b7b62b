"""/join/: sign up (or back in) with a code sent to an e-mail or a phone, then become a
volunteer. The code itself is accounts' (`code_send`, `code_verify`)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from ryadom.accounts.forms import AddressForm, CodeForm
from ryadom.accounts.models import User
from ryadom.accounts.services import code_send, code_verify
from ryadom.core.errors import ApplicationError
from ryadom.core.pages import safe_next
from ryadom.volunteers.models import Volunteer

JOIN_SESSION_KEY = "join_address"


def _after_sign_in(user: User) -> str:
    if Volunteer.objects.filter(user=user).exists():
        return reverse("volunteer-checklist")
    return reverse("join-profile")


def join(request: HttpRequest) -> HttpResponse:
    """Step 1: the address; a code goes there (at most a few an hour)."""
    if request.user.is_authenticated:
        return redirect(safe_next(request) or _after_sign_in(request.user))
    form = AddressForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            one_time = code_send(
                address=form.cleaned_data["address"], language=get_language() or "ru"
            )
        except ApplicationError as exc:
            form.add_error("address", exc.message)
            status = exc.status_code
        else:
            request.session[JOIN_SESSION_KEY] = one_time.address
            target = reverse("join-code")
            if nxt := safe_next(request):
                target += "?" + urlencode({"next": nxt})
            return redirect(target)
    return render(
        request, "accounts/join.html", {"form": form, "next": safe_next(request)}, status=status
    )


def join_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the message signs the person in."""
    address = request.session.get(JOIN_SESSION_KEY)
    if not address:
        return redirect("join")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = code_verify(address=address, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            # An explicit backend: the code, not a password, proved who this is.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(JOIN_SESSION_KEY, None)
            return redirect(safe_next(request) or _after_sign_in(user))
    return render(
        request,
        "accounts/join_code.html",
        {"form": form, "address": address, "next": safe_next(request)},
    )
