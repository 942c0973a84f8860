from parallax.permissions import is_editor, is_moderator


def roles(request):
    """`is_editor` and `is_moderator` for templates, evaluated only when used."""
    user = request.user
    return {"is_editor": lambda: is_editor(user), "is_moderator": lambda: is_moderator(user)}
