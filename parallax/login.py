"""Throttled logins, on top of django-axes.

Two limits, each refusing a try without checking its password:

- Per account and address (django-axes): AXES_FAILURE_LIMIT failures for one username
  from one address lock that pair for AXES_COOLOFF_TIME. The same account from another
  address still logs in, so a stranger cannot lock an editor out; a moderator can unlock
  the pair from the admin ("Failed logins").
- Per account, from any address (AccountLoginDelay): past FREE_FAILURES failures for a
  username within WINDOW, each further failure makes the account wait before its next try,
  FIRST_WAIT doubling up to MAX_WAIT. This slows guessing spread over many addresses. It is
  a short wait, never a lockout: refused tries do not lengthen it, and an address the
  account logged in from lately (KNOWN_ADDRESS_AGE) skips it, so a stranger failing on
  purpose cannot keep the owner out.

A successful login clears both for that account (the lock only for its address).
"""

import ipaddress
from datetime import datetime, timedelta
from math import ceil

from asgiref.sync import sync_to_async
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone

from parallax import audit
from parallax.models import AccountLoginDelay, AuditEvent

FREE_FAILURES = 5
WINDOW = timedelta(hours=1)
FIRST_WAIT = timedelta(seconds=5)
MAX_WAIT = timedelta(seconds=60)
KNOWN_ADDRESS_AGE = timedelta(days=30)

LOCKED_CODE = "locked_out"
WAIT_CODE = "account_wait"


def account_wait(failures: int) -> timedelta:
    """How long an account waits after its `failures`-th failure within the window."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    # Capped before doubling so the number never grows without bound.
    doublings = min(failures - FREE_FAILURES - 1, 16)
    return min(MAX_WAIT, FIRST_WAIT * 2**doublings)


def client_address(request) -> str | None:
    """The client's IP address, which the per-address lock is keyed on.

    Behind proxies (NUM_PROXIES) it is the entry of X-Forwarded-For that the outermost
    trusted proxy appended, counted from the right; entries further left come from the
    client and could be anything. Without proxies it is the connection's address.
    """
    proxies = settings.PARALLAX_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",")]
        address = addresses[-min(proxies, len(addresses))]
    else:
        address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record_account_failure(username: str, when: datetime) -> AccountLoginDelay:
    """Count a failed login for `username` and set the wait its next try must respect."""
    # Rows past their window are forgotten, which also keeps the table small.
    AccountLoginDelay.objects.filter(last_failure__lt=when - WINDOW).delete()
    with transaction.atomic():
        delay, _ = AccountLoginDelay.objects.select_for_update().get_or_create(
            username=username, defaults={"window_start": when, "last_failure": when}
        )
        if delay.window_start < when - WINDOW:
            delay.failures, delay.window_start = 0, when
        delay.failures += 1
        delay.last_failure = when
        wait = account_wait(delay.failures)
        delay.not_before = when + wait if wait else None
        delay.save()
    return delay


def account_wait_until(username: str, address: str | None) -> datetime | None:
    """The time before which a try for `username` from `address` is refused, if any."""
    now = timezone.now()
    not_before = (
        AccountLoginDelay.objects.filter(username=username, not_before__gt=now)
        .values_list("not_before", flat=True)
        .first()
    )
    if not_before is None:
        return None
    known = AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=now - KNOWN_ADDRESS_AGE
    ).exists()
    return None if known else not_before


def lockout_minutes_left(username: str, address: str | None) -> int:
    """Whole minutes until the lock on `username` from `address` ends (at least 1)."""
    last = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
        last=Max("attempt_time")
    )["last"]
    cool_off = settings.AXES_COOLOFF_TIME
    left = cool_off if last is None else last + cool_off - timezone.now()
    return max(1, ceil(left.total_seconds() / 60))


def plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def locked_message(minutes: int) -> str:
    return (
        "Too many failed logins for this account from your address. "
        f"Try again in {plural(minutes, 'minute')}, or ask a moderator to unlock it."
    )


def wait_message(seconds: int) -> str:
    return (
        "Too many failed logins for this account in the last hour. "
        f"Wait {plural(seconds, 'second')} and try again."
    )


class LoginThrottleBackend(AxesStandaloneBackend):
    """First of AUTHENTICATION_BACKENDS: refuses a try from a locked account and address,
    or for an account that must wait. ModelBackend, next in line, checks the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Not a web login (the shell, the test client's login()): no address to go by.
            return None
        # Raises PermissionDenied, which stops authenticate(), when axes has locked the pair.
        super().authenticate(request, username, password, **kwargs)
        if settings.AXES_ENABLED and username:
            until = account_wait_until(username, request.axes_ip_address)
            if until is not None:
                # Read by the handler (not counted) and by the login form (the message).
                request.login_wait_until = until
                raise PermissionDenied("This account must wait before its next login.")
        return None

    async def aauthenticate(self, request, **credentials):
        # ModelBackend's own aauthenticate would skip the checks above.
        return await sync_to_async(self.authenticate)(request, **credentials)


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler, which also counts failures per account."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None or getattr(request, "login_wait_until", None):
            # Refused before its password was checked: not a guess, so not counted.
            return
        refused_as_locked = request.axes_locked_out
        super().user_login_failed(sender, credentials, request, **kwargs)
        username = get_client_username(request, credentials)
        if username and not refused_as_locked:
            record_account_failure(username, request.axes_attempt_time)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        AccountLoginDelay.objects.filter(username=user.get_username()).delete()


def unlock_logins(attempts, actor) -> int:
    """Clear the failed logins in `attempts` (AccessAttempt rows) and their accounts' waits.

    Returns how many account and address pairs were unlocked; each is written to the
    audit log with `actor`.
    """
    pairs = sorted(set(attempts.values_list("username", "ip_address")), key=str)
    with transaction.atomic():
        attempts.delete()
        AccountLoginDelay.objects.filter(username__in={username for username, _ in pairs}).delete()
        for username, address in pairs:
            audit.record(
                actor,
                AuditEvent.Action.LOGIN_UNLOCKED,
                username or "(no username)",
                f"from {address or 'an unknown address'}",
            )
    return len(pairs)


class LoginForm(AuthenticationForm):
    """Says why a try was refused, when it was refused rather than wrong."""

    retry_after: int | None = None

    def get_invalid_login_error(self):
        wait_until = getattr(self.request, "login_wait_until", None)
        if wait_until is not None:
            seconds = max(1, ceil((wait_until - timezone.now()).total_seconds()))
            self.retry_after = seconds
            return ValidationError(wait_message(seconds), code=WAIT_CODE)
        if getattr(self.request, "axes_locked_out", False):
            minutes = lockout_minutes_left(
                self.cleaned_data.get("username"), self.request.axes_ip_address
            )
            self.retry_after = minutes * 60
            return ValidationError(locked_message(minutes), code=LOCKED_CODE)
        return super().get_invalid_login_error()


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, LOCKED_CODE) or form.has_error(
            NON_FIELD_ERRORS, WAIT_CODE
        ):
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a try refused as locked.

    Our login page has said why already; any other way in gets the same words.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    username = get_client_username(request, credentials)
    minutes = lockout_minutes_left(username, getattr(request, "axes_ip_address", None))
    return HttpResponse(
        locked_message(minutes), status=429, content_type="text/plain; charset=utf-8"
    )
