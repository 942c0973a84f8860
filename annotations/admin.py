from django import forms
from django.contrib import admin
from django.db.models import Max
from taggit.models import Tag as TaggitTag

from annotations import vocabulary
from annotations.editing import record_claim_change
from annotations.models import (
    Annotation,
    Claim,
    NameVariants,
    Tag,
    TaggedAnnotation,
    name_key,
    tag_name_problem,
)

# Our tags are annotations.Tag; taggit's own table is unused, and its admin's "merge tags"
# page checks no permission at all (any staff user could create tags through it).
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug", "definition", "colour", "status", "position"]

    def clean_name(self):
        name = vocabulary.normalise_name(self.cleaned_data["name"])
        if problem := tag_name_problem(name):
            raise forms.ValidationError(problem)
        # The database refuses the duplicate too (Tag.key); this says so in words.
        same = Tag.objects.filter(key=name_key(name)).exclude(pk=self.instance.pk).first()
        if same is not None:
            raise forms.ValidationError(f"There is a tag “{same.name}” already.")
        return name


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Moderators curate the vocabulary here as on its page: accepting, reordering and
    deleting go through annotations.vocabulary, so annotations' histories record them."""

    form = TagAdminForm
    list_display = ["name", "status", "position", "colour", "proposed_by", "created"]
    list_editable = ["position"]
    list_filter = ["status"]
    list_select_related = ["proposed_by"]
    search_fields = ["name", "definition"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["proposed_by", "created"]
    actions = ["accept_selected"]

    def get_changeform_initial_data(self, request):
        # A tag added here joins the end of the vocabulary, not the front.
        last = Tag.objects.vocabulary().aggregate(last=Max("position"))["last"] or 0
        return {
            "position": last + 1,
            # A moderator adding a tag here adds it to the vocabulary.
            "status": Tag.Status.ACCEPTED,
            **super().get_changeform_initial_data(request),
        }

    @admin.action(description="Accept the selected proposed tags into the vocabulary")
    def accept_selected(self, request, queryset):
        accepted = 0
        for tag in queryset.filter(status=Tag.Status.PROPOSED).order_by("created", "pk"):
            try:
                vocabulary.accept_tag(tag, request.user)
            except vocabulary.VocabularyError:
                continue  # another moderator merged or rejected it meanwhile
            accepted += 1
        self.message_user(request, f"{accepted} tag{'' if accepted == 1 else 's'} accepted.")

    def delete_model(self, request, obj):
        vocabulary.delete_tag(obj, request.user)

    def delete_queryset(self, request, queryset):
        for tag in queryset:
            vocabulary.delete_tag(tag, request.user)


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
    list_display = ["excerpt", "article", "claim", "stance", "anchor_status", "author", "modified"]
    list_filter = ["anchor_status", "stance", "article__outlet", "article__story", "tags"]
    search_fields = ["exact", "note", "claim__statement"]
    list_select_related = ["article__outlet", "claim", "author"]
    raw_id_fields = ["article"]
    autocomplete_fields = ["claim"]
    # Where a correction left it; the review pages decide (annotations.anchoring).
    readonly_fields = [
        "created",
        "modified",
        "anchor_status",
        "proposed_start",
        "proposed_end",
        "anchored_version",
    ]
    exclude = ["tags"]
    inlines = [TaggedAnnotationInline]

    @admin.display(description="Quote")
    def excerpt(self, obj):
        return obj.exact if len(obj.exact) <= 80 else obj.exact[:80] + "…"


@admin.register(NameVariants)
class NameVariantsAdmin(admin.ModelAdmin):
    """The spellings search counts as one name: moderators add what their corpus needs."""

    list_display = ["name", "spellings_in_a_line"]
    search_fields = ["name", "spellings"]

    @admin.display(description="Spellings")
    def spellings_in_a_line(self, names):
        return ", ".join(names.all_spellings()[1:])
