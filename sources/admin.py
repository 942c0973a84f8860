from django.contrib import admin
from django.db.models import Count

from sources.models import Article, Outlet, Passage, Story


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
    model = Passage
    fields = ["ordinal", "kind", "depth", "start", "end", "excerpt"]
    readonly_fields = ["excerpt"]
    extra = 0

    @admin.display(description="Text")
    def excerpt(self, obj):
        text = obj.article.text[obj.start : obj.end]
        return text if len(text) <= 140 else text[:140] + "…"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "story", "published", "byline", "imported"]
    list_filter = ["outlet", "story", "raw_format", "language"]
    search_fields = ["title", "byline", "url", "text"]
    date_hierarchy = "imported"
    list_select_related = ["outlet", "story"]
    readonly_fields = ["content_hash", "imported", "updated", "source_name", "raw_format"]
    fieldsets = [
        (None, {"fields": ["title", "outlet", "story", "byline", "published", "url", "language"]}),
        ("Text", {"fields": ["text"]}),
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
    inlines = [PassageInline]
