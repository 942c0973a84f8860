"""Who may do what: editors annotate and import, moderators (staff) act on anyone's work."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

EDITORS_GROUP = "editors"


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_editor(user) -> bool:
    """Members of the editors group, and moderators, who can do all an editor can."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    # Cached on the user object: templates ask several times per page.
    if not hasattr(user, "_parallax_is_editor"):
        user._parallax_is_editor = user.groups.filter(name=EDITORS_GROUP).exists()
    return user._parallax_is_editor


def can_change(user, obj) -> bool:
    """Editors change their own annotations and claims; moderators anyone's."""
    if is_moderator(user):
        return True
    owner_id = getattr(obj, "author_id", None) or getattr(obj, "created_by_id", None)
    return is_editor(user) and owner_id == user.pk


def editor_required(view):
    """Anonymous users go to the login page; logged-in users who are not editors get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_editor(request.user):
            raise PermissionDenied("Only editors can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def moderator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_moderator(request.user):
            raise PermissionDenied("Only moderators can do this.")
        return view(request, *args, **kwargs)

    return wrapper
