from django.contrib import admin

from annotations.editing import record_claim_change
from annotations.models import Annotation, Claim, Tag, TaggedAnnotation


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "colour", "definition"]
    search_fields = ["name", "definition"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["statement", "story", "status", "created_by", "updated"]
    list_filter = ["status", "story"]
    search_fields = ["statement", "slug"]
    list_select_related = ["story", "created_by"]
    readonly_fields = ["created", "updated"]

    def save_model(self, request, obj, form, change):
        before = Claim.objects.get(pk=obj.pk).snapshot() if change else None
        if not change:
            obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)
        record_claim_change(obj, request.user, before)


class TaggedAnnotationInline(admin.TabularInline):
    model = TaggedAnnotation
    extra = 0
    autocomplete_fields = ["tag"]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "article", "claim", "stance", "author", "modified"]
    list_filter = ["stance", "article__outlet", "article__story", "tags"]
    search_fields = ["exact", "note", "claim__statement"]
    list_select_related = ["article__outlet", "claim", "author"]
    raw_id_fields = ["article"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["created", "modified"]
    exclude = ["tags"]
    inlines = [TaggedAnnotationInline]

    @admin.display(description="Quote")
    def excerpt(self, obj):
        return obj.exact if len(obj.exact) <= 80 else obj.exact[:80] + "…"
