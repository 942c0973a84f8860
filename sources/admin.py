from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db.models import Count
from django.db.models.functions import Length
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from sources.models import Article, ArticleVersion, Outlet, Passage, Story
from sources.revisions import CorrectionRefused, create_passages, lay_out, revise_text


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "country", "language", "article_count"]
    search_fields = ["name", "site"]
    list_filter = ["country", "language"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "created", "article_count"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj):
        return obj.article_count


class PassageInline(admin.TabularInline):
    """Passages are cut from the text by its layout rules (sources.revisions): shown, never
    edited by hand, or they would cover other words than the text holds."""

    model = Passage
    fields = ["ordinal", "kind", "depth", "start", "end", "excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Text")
    def excerpt(self, obj):
        text = obj.article.text[obj.start : obj.end]
        return text if len(text) <= 140 else text[:140] + "…"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


class ArticleVersionInline(admin.TabularInline):
    """The article's earlier texts, kept by each correction."""

    model = ArticleVersion
    fields = ["number", "created", "created_by", "source", "length"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .defer("text")
            .annotate(text_length=Length("text"))
        )

    @admin.display(description="Characters")
    def length(self, obj):
        return f"{obj.text_length:,}"


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label="Corrected text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=(
            "The whole text as the outlet now publishes it. The current text is kept as an "
            "earlier version; annotations are placed again, and any that cannot be placed "
            "with confidence go to review."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The same bound as one imported file: a correction is no bigger than an upload.
        limit = settings.PARALLAX_MAX_UPLOAD_FILE_BYTES
        self.fields["text"].max_length = limit
        self.fields["text"].validators.append(MaxLengthValidator(limit))


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "story", "published", "byline", "imported"]
    list_filter = ["outlet", "story", "raw_format", "language"]
    search_fields = ["title", "byline", "url", "text"]
    date_hierarchy = "imported"
    list_select_related = ["outlet", "story"]
    readonly_fields = [
        "content_hash",
        "text_version",
        "imported",
        "updated",
        "source_name",
        "raw_format",
    ]
    fieldsets = [
        (None, {"fields": ["title", "outlet", "story", "byline", "published", "url", "language"]}),
        ("Text", {"fields": ["text", "text_version"]}),
        (
            "Provenance",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_name",
                    "raw_format",
                    "raw",
                    "content_hash",
                    "imported",
                    "updated",
                ],
            },
        ),
    ]
    inlines = [PassageInline, ArticleVersionInline]

    def get_readonly_fields(self, request, obj=None):
        # A stored article's text changes only through "Correct the text" (revise_text).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "text", "raw"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new article is laid out as an imported plain text file: same text, same passages.
        layout = lay_out(obj.text)
        obj.text = layout.text
        super().save_model(request, obj, form, change)
        create_passages(obj, layout)

    def get_urls(self):
        correct = path(
            "<path:object_id>/correct/",
            self.admin_site.admin_view(self.correct_text),
            name="sources_article_correct",
        )
        return [correct, *super().get_urls()]

    def correct_text(self, request, object_id):
        """The admin's way to correct an article's text, through revise_text."""
        article = get_object_or_404(Article.objects.select_related("outlet"), pk=object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = CorrectionForm(request.POST or None, initial={"text": article.text})
        if request.method == "POST" and form.is_valid():
            try:
                correction = revise_text(
                    article, form.cleaned_data["text"], user=request.user, source="admin"
                )
            except CorrectionRefused as refused:
                form.add_error("text", refused.message)
            else:
                if correction.changed:
                    messages.success(
                        request,
                        f"The text is now version {correction.new_version}: "
                        f"{correction.describe()}.",
                    )
                else:
                    messages.info(request, "The text is the same as before: nothing changed.")
                return redirect("admin:sources_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Correct the text of “{article.title}”",
            "opts": self.opts,
            "original": article,
            "form": form,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/sources/article/correct_text.html", context)
