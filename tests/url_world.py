"""Every URL pattern of the project, and a small world of rows to fill their arguments.

tests/test_permissions_table.py walks these patterns as five kinds of user. The patterns
come from the resolver at run time, so a route added anywhere (an app's urls.py, a model
registered in the admin) shows up here without anyone listing it.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag as TaggitTag

from annotations.models import Annotation, Claim, ClaimRelation, NameVariants, Tag
from parallax.models import APIToken, AuditEvent
from parallax.tokens import issue_token
from sources.models import Article, ImportJob, Quotation
from tests.conftest import EDITOR_PASSWORD
from tests.factories import make_annotation, make_article, make_claim

ROLES = ("anonymous", "reader", "owner", "other", "moderator")

# The URL the admin's catch-all answers (no model or page of that name).
ADMIN_CATCH_ALL_PATH = "no-such-page/"


@dataclass(frozen=True)
class Pattern:
    """One URL pattern, keyed by its namespaced name, or by its route when it has none."""

    key: str
    route: str
    name: str | None
    pattern: URLPattern = field(compare=False)

    @property
    def arguments(self) -> tuple[str, ...]:
        """The keyword arguments of the whole route, an include's prefix included."""
        found = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.route)
        return tuple(route_name or regex_name for route_name, regex_name in found)


def url_patterns() -> list[Pattern]:
    """Every pattern the resolver knows, the admin's and included apps' too, in order."""
    found = []

    def walk(patterns, route: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route + str(entry.pattern), inner)
            else:
                full = route + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else None
                found.append(Pattern(key=name or full, route=full, name=name, pattern=entry))

    walk(get_resolver().url_patterns, "", "")
    keys = [p.key for p in found]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"Two URL patterns share a name (reverse() finds one): {duplicates}"
    return found


def variants(pattern: Pattern) -> list[str]:
    """The URLs of a pattern worth checking: its main one (""), and for claims the
    published claim's too (the main one is a draft); for an admin app, one more app."""
    # The API's claim routes too (/api/v1/claims/<slug>/…): the same visibility.
    if pattern.route.removeprefix("api/v1/").startswith("claims/<slug:slug>/"):
        return ["", "published"]
    if pattern.name == "admin:app_list":
        return ["", "annotations"]
    return [""]


@dataclass
class World:
    """The rows the URLs point at. "owner" wrote the annotation, both claims, the relation
    and proposed the tag; "other" is an editor who wrote nothing here."""

    users: dict
    draft_claim: Claim
    published_claim: Claim
    relation: ClaimRelation
    tag: Tag
    article: Article
    annotation: Annotation
    admin_objects: dict[str, Model]

    def url(self, pattern: Pattern, variant: str = "") -> str:
        """The path that reaches `pattern` with this world's rows ("published" for the
        published claim instead of the draft, or an admin app label)."""
        kwargs = {name: self.argument(pattern, name, variant) for name in pattern.arguments}
        if pattern.name == "admin:autocomplete":
            # The claims an annotation's form offers: the view checks claim permissions.
            query = "app_label=annotations&model_name=annotation&field_name=claim&term=a"
            return f"{reverse(pattern.name)}?{query}"
        if pattern.name:
            return reverse(pattern.name, kwargs=kwargs)
        if pattern.route == "admin/(?P<url>.*)$":
            return "/admin/" + kwargs["url"]
        if not isinstance(pattern.pattern.pattern, RoutePattern) or "(?P" in pattern.route:
            raise LookupError(f"url_world cannot build an unnamed regex route: {pattern.route}")
        # "<path:object_id>" or "<id>" becomes the value.
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern.route)

    @cached_property
    def quotation(self) -> Quotation:
        """A quotation of the world's article, with its speaker."""
        return Quotation.objects.create(
            article=self.article,
            start=0,
            end=5,
            spans=[[0, 5]],
            text="two words",
            speaker="Ana Lind",
            speaker_slug="ana-lind",
            verb="said",
            key="0" * 32,
        )

    @cached_property
    def api_token(self) -> APIToken:
        """A live API token of the owner's."""
        return issue_token(self.users["owner"], "world token")[0]

    @cached_property
    def import_job(self) -> ImportJob:
        """A finished background import the owner started."""
        return ImportJob.objects.create(
            created_by=self.users["owner"], state=ImportJob.State.DONE, total=1, done=1
        )

    def argument(self, pattern: Pattern, name: str, variant: str):
        # The API's routes take the same arguments as the pages' (reading/api/).
        route = pattern.route.removeprefix("api/v1/")
        if name == "slug":
            if route.startswith("claims/"):
                claim = self.published_claim if variant == "published" else self.draft_claim
                return claim.slug
            if route.startswith("stories/"):
                return self.article.story.slug
            if route.startswith("outlets/"):
                return self.article.outlet.slug
            if route.startswith("tags/"):
                return self.tag.slug
            if route.startswith("speakers/"):
                return self.quotation.speaker_slug
        if name == "article_id":
            return self.article.pk
        if name == "key":
            return self.quotation.key
        if name == "token_id":
            return self.api_token.pk
        if name == "job_id":
            return self.import_job.pk
        if name == "annotation_id":
            return self.annotation.pk
        if name == "number":
            # An article's text version: the current one is always there.
            return self.article.text_version
        if name == "relation_id":
            return self.relation.pk
        if name == "content_type_id":
            return ContentType.objects.get_for_model(Claim).pk
        if name == "object_id" and route.startswith("admin/r/"):
            return self.draft_claim.pk
        if name in ("object_id", "id") and route.startswith("admin/"):
            # admin/<app_label>/<model_name>/<path:object_id>/...
            _, app_label, model_name, *_ = route.split("/")
            label = f"{app_label}.{model_name}"
            if label not in self.admin_objects:
                raise LookupError(f"url_world has no row of {label}: add one to admin_row()")
            return self.admin_objects[label].pk
        if name == "app_label":
            # Moderators see the audit log's app; the annotations app holds nothing for them.
            return variant or "parallax"
        if name == "url":
            return ADMIN_CATCH_ALL_PATH
        if name == "section":
            # A section of the sitemap (reading/sitemaps.py).
            return "claims"
        if name == "rest":
            # Any other address under /api/ (reading/api/urls.py).
            return "v1/no-such-thing/"
        raise LookupError(
            f"url_world does not know how to fill <{name}> in {route}: "
            "teach World.argument about it"
        )


def admin_row(label: str, world_rows: dict) -> Model:
    """One row of an admin-registered model, for its change, delete and history pages."""
    if label in world_rows:
        return world_rows[label]
    if label == "auth.group":
        return Group.objects.get_or_create(name="editors")[0]
    if label == "taggit.tag":
        return TaggitTag.objects.create(name="taggit tag", slug="taggit-tag")
    if label == "axes.accesslog":
        return AccessLog.objects.create(username="owner", ip_address="192.0.2.1", user_agent="t")
    if label == "axes.accessfailurelog":
        return AccessFailureLog.objects.create(
            username="owner", ip_address="192.0.2.1", user_agent="t"
        )
    if label == "axes.accessattempt":
        return AccessAttempt.objects.create(
            username="owner",
            ip_address="192.0.2.1",
            user_agent="t",
            failures_since_start=1,
        )
    if label == "annotations.namevariants":
        return NameVariants.objects.get_or_create(name="Zelensky")[0]
    if label == "django_tasks_database.dbtaskresult":
        # The queue of background tasks (django-tasks-db's admin, read-only).
        return DBTaskResult.objects.create(
            args_kwargs={"args": [1], "kwargs": {}},
            task_path="sources.tasks.import_job",
            backend_name="default",
            run_after=timezone.now(),
        )
    if label == "parallax.auditevent":
        return AuditEvent.objects.create(action=AuditEvent.Action.STAFF_ON, target="owner")
    raise LookupError(f"url_world has no row of {label}: add one to admin_row()")


def build_world() -> World:
    User = get_user_model()
    editors = Group.objects.get_or_create(name="editors")[0]
    users = {"anonymous": None}
    users["reader"] = User.objects.create_user("reader", password=EDITOR_PASSWORD)
    for name in ("owner", "other"):
        users[name] = User.objects.create_user(name, password=EDITOR_PASSWORD)
        users[name].groups.add(editors)
    # A moderator is staff (parallax/permissions.py), not a superuser, and holds no model
    # permissions: the admin pages of most models are closed to them.
    users["moderator"] = User.objects.create_user(
        "moderator", password=EDITOR_PASSWORD, is_staff=True
    )
    owner = users["owner"]

    article = make_article()
    draft = make_claim(story=article.story, statement="The barrier failed", created_by=owner)
    published = make_claim(
        story=article.story,
        statement="The memo was internal",
        created_by=owner,
        status=Claim.Status.PUBLISHED,
    )
    annotation = make_annotation(article, "memo shows", claim=published, author=owner)
    relation = ClaimRelation.objects.create(
        source=draft, target=published, kind=ClaimRelation.Kind.CONTRADICTS, created_by=owner
    )
    tag = Tag.objects.create(
        name="proposed spin", slug="proposed-spin", status=Tag.Status.PROPOSED, proposed_by=owner
    )
    annotation.tags.add(tag)

    world_rows = {
        "sources.outlet": article.outlet,
        "sources.story": article.story,
        "sources.article": article,
        "annotations.tag": tag,
        "annotations.claim": draft,
        "annotations.annotation": annotation,
        "auth.user": owner,
    }
    # Every model the admin serves (AdminSite keeps no public list of them).
    admin_objects = {
        model._meta.label_lower: admin_row(model._meta.label_lower, world_rows)
        for model in admin.site._registry
    }
    return World(
        users=users,
        draft_claim=draft,
        published_claim=published,
        relation=relation,
        tag=tag,
        article=article,
        annotation=annotation,
        admin_objects=admin_objects,
    )
