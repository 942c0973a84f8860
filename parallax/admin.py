"""Admin pages for the audit log, user accounts (whose changes it records) and failed logins."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from parallax import audit
from parallax.login import unlock_logins
from parallax.models import AuditEvent
from parallax.permissions import is_moderator


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for moderators; nobody, superusers included, adds, edits or deletes."""

    list_display = ["at", "by", "action", "target", "details"]
    list_filter = ["action"]
    search_fields = ["target", "actor_name", "details"]
    date_hierarchy = "at"
    fields = ["at", "by", "action", "target", "details"]
    readonly_fields = fields

    @admin.display(description="By", ordering="actor_name")
    def by(self, obj):
        return obj.actor_name or "no user (shell or script)"

    def has_module_permission(self, request):
        return is_moderator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AuditedUserAdmin(UserAdmin):
    """Django's user admin; role changes made here are logged with the moderator's name."""

    def changeform_view(self, request, *args, **kwargs):
        with audit.acting_as(request.user):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with audit.acting_as(request.user):
            return super().changelist_view(request, *args, **kwargs)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class FailedLoginAdmin(AccessAttemptAdmin):
    """django-axes' failed logins, for moderators, with an action to unlock.

    Rows are removed only by unlocking, which also clears the accounts' waits and is
    written to the audit log.
    """

    actions = ["unlock", *AccessAttemptAdmin.actions]

    @admin.action(
        description="Unlock: clear the failed logins of the selected rows", permissions=["unlock"]
    )
    def unlock(self, request, queryset):
        count = unlock_logins(queryset, request.user)
        self.message_user(
            request, f"Unlocked {count} account and address pair{'' if count == 1 else 's'}."
        )

    def has_unlock_permission(self, request):
        return is_moderator(request.user)

    def has_module_permission(self, request):
        return is_moderator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request.user)

    def has_delete_permission(self, request, obj=None):
        return False
