import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from reading import addresses
from reading.passages import mark_classes
from sources.models import Article, Outlet, Story, unique_slug
from sources.text.anchoring import quote_matches, quote_selector
from sources.text.query import fold

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give a colour as #rrggbb.")

# A claim is one sentence; the bound also keeps its case-insensitive unique index small.
CLAIM_STATEMENT_MAX_LENGTH = 500


def name_key(text: str) -> str:
    """What two names must share to be the same name: white space collapsed, case folded
    in every script (the database's own lower() folds only ASCII in SQLite)."""
    return " ".join(text.split()).casefold()


def tag_name_problem(name: str) -> str:
    """Why `name` cannot be a tag's name, or "" when it can."""
    if not any(char.isalnum() for char in name):
        return f"“{name}” is not a tag name: a tag needs at least one letter or digit."
    if len(name) > Tag.NAME_MAX_LENGTH:
        return f"Tag names are at most {Tag.NAME_MAX_LENGTH} characters: “{name[:40]}…”."
    return ""


class TagQuerySet(models.QuerySet):
    def vocabulary(self):
        """The accepted tags, in the moderators' order."""
        return self.filter(status=Tag.Status.ACCEPTED)


class Tag(TagBase):
    """A label from the curated vocabulary ("admission", "framing", …).

    Moderators curate and order the vocabulary. A name an editor types that is not in
    it becomes a proposed tag: usable at once, marked as proposed until a moderator
    accepts, merges or rejects it.
    """

    NAME_MAX_LENGTH = 100

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "In the vocabulary"
        PROPOSED = "proposed", "Proposed"

    definition = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#8a8a8a", validators=[colour_validator])
    # A tag made anywhere without saying otherwise is proposed: nothing grows the
    # vocabulary silently. Moderators accept (the admin and the vocabulary page).
    status = models.CharField(max_length=10, choices=Status, default=Status.PROPOSED)
    position = models.PositiveIntegerField(
        default=0, help_text="Place in the vocabulary: lower numbers come first."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    # Tag names are unique whatever their case: "Признание" is "признание".
    key = models.CharField(max_length=300, unique=True, editable=False)

    # taggit's natural-key manager (fixtures name tags), with our queries.
    objects = NaturalKeyManager.from_queryset(TagQuerySet)()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            # Every tag has a page, so every tag needs a slug its route can reverse.
            models.CheckConstraint(condition=~Q(slug=""), name="tag_slug_not_empty"),
        ]

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        if not self.slug:
            # Slugs keep every script ("признание"); the route accepts Unicode slugs.
            self.slug = unique_slug(
                Tag, self.name, max_length=self.NAME_MAX_LENGTH, allow_unicode=True
            )
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if problem := tag_name_problem(self.name or ""):
            raise ValidationError({"name": problem})

    def get_absolute_url(self):
        return addresses.tag(self.slug)

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED


class Claim(models.Model):
    """A canonical statement; its comparison page shows every outlet's wording of it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="claims")
    slug = models.SlugField(max_length=80, unique=True)
    statement = models.CharField(max_length=CLAIM_STATEMENT_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Counts changes; an edit made from an older version is refused (see annotations.editing).
    version = models.PositiveIntegerField(default=1, editable=False)
    # A digest of the statement's name_key(): statements are unique per story whatever
    # their case, and twenty editors naming the same new claim at once make one claim.
    statement_key = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["statement"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "statement_key"], name="claim_statement_unique_per_story"
            ),
        ]
        indexes = [
            # The claims index's page, in its order, read without sorting every claim.
            models.Index(fields=["status", "statement", "id"], name="claim_by_statement"),
            # The home page's latest published claims and its live comparison's candidates.
            models.Index(fields=["status", "-updated"], name="claim_recently_updated"),
        ]

    def __str__(self):
        return self.statement

    def save(self, *args, **kwargs):
        self.statement_key = self.key_for(self.statement)
        if not self.slug:
            self.slug = self.new_slug(self.statement)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return addresses.claim(self.slug)

    @staticmethod
    def key_for(statement: str) -> str:
        return hashlib.sha256(name_key(statement).encode("utf-8")).hexdigest()

    @classmethod
    def saying(cls, story_id: int, statement: str) -> models.QuerySet["Claim"]:
        """The story's claim with this statement, whatever its case and spacing (0 or 1)."""
        return cls.objects.filter(story=story_id, statement_key=cls.key_for(statement))

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def snapshot(self) -> dict:
        return {"statement": self.statement, "status": self.status}

    @staticmethod
    def new_slug(statement: str) -> str:
        """A slug used by no claim, now or in the past (old slugs keep redirecting)."""
        return unique_slug(
            Claim,
            statement,
            max_length=60,
            taken=lambda slug: ClaimAlias.objects.filter(slug=slug).exists(),
        )


class AnnotationQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(deleted__isnull=True)

    def anchored(self):
        """Those whose start/end/exact refer to the article's current text."""
        return self.filter(anchor_status=Annotation.AnchorStatus.ANCHORED)

    def in_review(self):
        """Those a correction could not place with confidence: an editor decides."""
        return self.filter(anchor_status=Annotation.AnchorStatus.REVIEW)

    def orphaned(self):
        """Those whose words are gone from the current text: kept, never deleted."""
        return self.filter(anchor_status=Annotation.AnchorStatus.ORPHANED)

    def with_details(self):
        """Everything an annotation's display needs, in three queries whatever the count."""
        return self.select_related("claim", "author").prefetch_related(
            Prefetch(
                "tagged_items",
                queryset=TaggedAnnotation.objects.select_related("tag").order_by("pk"),
                to_attr="tag_links",
            )
        )


class ClaimAlias(models.Model):
    """A slug a claim had before it was renamed or merged; its links redirect."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="aliases")
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        verbose_name_plural = "claim aliases"

    def __str__(self):
        return f"{self.slug} → {self.claim.slug}"


class ClaimRelation(models.Model):
    """How one claim stands to another: an admission contradicting an earlier denial, say."""

    class Kind(models.TextChoices):
        CONTRADICTS = "contradicts", "contradicts"
        PARAPHRASES = "paraphrases", "paraphrases"
        NARROWS = "narrows", "narrows"
        ESCALATES = "escalates", "escalates"
        EARLIER_VERSION = "earlier-version", "is an earlier version of"

    # How the relation reads from the other claim's side.
    INVERSE = {
        Kind.CONTRADICTS: "is contradicted by",
        Kind.PARAPHRASES: "is paraphrased by",
        Kind.NARROWS: "is narrowed by",
        Kind.ESCALATES: "is escalated by",
        Kind.EARLIER_VERSION: "is a later version of",
    }

    source = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=20, choices=Kind)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="claim_relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="claim_relation_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.get_kind_display()} {self.target}"

    @property
    def inverse_label(self) -> str:
        return self.INVERSE[self.kind]


class Annotation(models.Model):
    """A span of an article's text with what an editor says about it."""

    class Stance(models.TextChoices):
        ASSERTS = "asserts", "Asserts"
        REPORTS = "reports", "Reports"
        DISPUTES = "disputes", "Disputes"
        QUOTES = "quotes", "Quotes"
        OTHER = "other", "Other"

    class AnchorStatus(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        REVIEW = "review", "To review"
        ORPHANED = "orphaned", "Orphaned"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotations")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.TextField(blank=True)
    suffix = models.TextField(blank=True)
    # Where the annotation stands after the article's text was corrected (see
    # annotations.anchoring). In review or orphaned it keeps its old start/end/exact/
    # prefix/suffix, which refer to text version `anchored_version`, an earlier text;
    # only anchored ones refer to the current text.
    anchor_status = models.CharField(
        max_length=10,
        choices=AnchorStatus,
        default=AnchorStatus.ANCHORED,
        db_index=True,
        editable=False,
    )
    # In review: the place proposed in the current text (null when there is none).
    proposed_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    proposed_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The article text version its start/end/exact/prefix/suffix refer to.
    anchored_version = models.PositiveIntegerField(default=1, editable=False)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="annotations"
    )
    stance = models.CharField(max_length=10, choices=Stance, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations",
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    # Deleting keeps the row so a moderator can restore it; pages skip deleted ones.
    deleted = models.DateTimeField(null=True, blank=True, editable=False)
    # Counts changes; an edit made from an older version is refused (see annotations.editing).
    version = models.PositiveIntegerField(default=1, editable=False)
    # A key the annotate form sends with its selection: the same form sent twice (a double
    # click, a retry) finds the annotation the first one made instead of making another.
    submission = models.UUIDField(null=True, blank=True, editable=False)

    tags = TaggableManager(through="TaggedAnnotation", blank=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="annotation_start_before_end"
            ),
            models.UniqueConstraint(
                fields=["author", "submission"], name="annotation_unique_submission"
            ),
        ]
        indexes = [
            # A claim's live annotations, their articles and stances, read from the index
            # alone: the outlet counts of the claims a page shows (claims index, home page)
            # and the story page's grid of stances.
            models.Index(
                fields=["claim", "article", "stance"],
                condition=Q(deleted__isnull=True, claim__isnull=False),
                name="annotation_live_by_claim",
            ),
        ]

    def __str__(self):
        return f"“{self.exact[:60]}” in {self.article}"

    def get_absolute_url(self):
        return addresses.annotation(self.pk)

    def clean(self):
        super().clean()
        if self.article_id is None or self.start is None or self.end is None:
            return
        text = self.article.text
        # In review or orphaned, the quote refers to an earlier text (anchored_version).
        anchored = self.anchor_status == self.AnchorStatus.ANCHORED
        if anchored and not quote_matches(text, self.start, self.end, self.exact):
            found = text[self.start : self.end] if 0 <= self.start < self.end <= len(text) else ""
            raise ValidationError(
                {
                    "exact": (
                        f"The quote does not match the article text at {self.start}–{self.end}"
                        + (f" (the text there reads “{found[:80]}”)." if found else ".")
                    )
                }
            )
        if self.claim_id and self.claim.story_id != self.article.story_id:
            raise ValidationError({"claim": "The claim belongs to another story."})

    @property
    def tag_list(self) -> list["Tag"]:
        """Tags in the order they were added (prefetched by with_details())."""
        if hasattr(self, "tag_links"):
            return [link.tag for link in self.tag_links]
        return [link.tag for link in self.tagged_items.select_related("tag").order_by("pk")]

    @property
    def first_tag(self):
        tags = self.tag_list
        return tags[0] if tags else None

    @property
    def mark_classes(self) -> str:
        """The classes that colour this annotation's highlight by its tags."""
        return " ".join(mark_classes(self.tag_list))

    def snapshot(self) -> dict:
        """What an editor can change, as plain values, for the history."""
        return {
            "quote": self.exact,
            "start": self.start,
            "end": self.end,
            "tags": [tag.name for tag in self.tag_list],
            "claim": self.claim.statement if self.claim_id else "",
            "stance": self.stance,
            "note": self.note,
        }

    def set_quote_from_offsets(self):
        """Fill exact, prefix and suffix from the article text at start–end."""
        selector = quote_selector(self.article.text, self.start, self.end)
        self.exact, self.prefix, self.suffix = selector.exact, selector.prefix, selector.suffix


class TaggedAnnotation(TaggedItemBase):
    content_object = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_annotations")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_annotation_unique"
            ),
        ]


class Revision(models.Model):
    """One change to an annotation or a claim: who, when, what."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        RESTORED = "restored", "Restored"
        # A correction of the article's text moved it (its offsets or quote changed).
        REANCHORED = "reanchored", "Re-anchored after a correction"
        # A correction could not place it with confidence: sent to review.
        TO_REVIEW = "review", "Sent to review after a correction"
        # Its words are gone: by a correction (no user) or by an editor's decision.
        ORPHANED = "orphaned", "Orphaned"
        ACCEPTED = "accepted", "Proposed place accepted"
        MOVED = "moved", "Moved to a new place"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=Action)
    # Field name -> [before, after] for changes; the whole state for creations.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created", "-pk"]

    def __str__(self):
        who = self.user or "unknown"
        return f"{self.get_action_display()} by {who} at {self.created:%Y-%m-%d %H:%M}"

    # The order a revision's fields are shown and exported in, whatever order the database
    # keeps them in (PostgreSQL's jsonb sorts an object's keys by length): what was
    # changed first, then where, then what the editor wrote, then how a place was found.
    # A field not named here comes after these, by name.
    FIELD_ORDER = (
        "status",
        "statement",
        "quote",
        "start",
        "end",
        "text version",
        "proposed place",
        "tags",
        "claim",
        "stance",
        "note",
        "relation",
        "merged in",
        "found by",
        "score",
    )

    FIELD_RANK = {name: n for n, name in enumerate(FIELD_ORDER)}

    def ordered_changes(self) -> list[tuple[str, object]]:
        """The changes as (field, value) pairs, in FIELD_ORDER on every database."""
        rank, last = self.FIELD_RANK, len(self.FIELD_RANK)
        return sorted(self.changes.items(), key=lambda item: (rank.get(item[0], last), item[0]))

    def rows(self) -> list[tuple[str, object, object | None, bool]]:
        """(field, before or value, after, is_change) for the history page: a [before, after]
        pair is a change, except in a creation, which records the whole state."""
        rows = []
        for field, value in self.ordered_changes():
            pair = isinstance(value, list) and len(value) == 2
            if pair and self.action != self.Action.CREATED:
                rows.append((field, value[0], value[1], True))
            else:
                rows.append((field, value, None, False))
        return rows


class AnnotationRevision(Revision):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="revisions")


class ClaimRevision(Revision):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="revisions")


# At most this many names are read for one search: the table is meant to stay small.
MAX_NAME_VARIANTS = 2_000


class NameVariants(models.Model):
    """The spellings of one name across languages and transliterations ("Zelensky",
    "Zelenskyy", "Зеленский", "Зеленський"): a search for any of them finds them all."""

    name = models.CharField(
        max_length=200, unique=True, help_text="The name as this site writes it."
    )
    spellings = models.TextField(
        help_text="Its other spellings, one a line (in any script; case and accents do not matter)."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "name and its spellings"
        verbose_name_plural = "names and their spellings"

    def __str__(self):
        return self.name

    def all_spellings(self) -> list[str]:
        lines = [self.name, *self.spellings.splitlines()]
        return list(dict.fromkeys(line.strip() for line in lines if line.strip()))

    @classmethod
    def lookup(cls) -> dict[str, list[str]]:
        """Each one-word spelling, folded, to all the spellings of its name (one query)."""
        table: dict[str, list[str]] = {}
        for names in cls.objects.order_by("pk")[:MAX_NAME_VARIANTS]:
            spellings = names.all_spellings()
            for spelling in spellings:
                if len(spelling.split()) == 1:
                    table.setdefault(fold(spelling), spellings)
        return table


class TagOutletUse(models.Model):
    """How many live annotations on an outlet's articles carry a tag. Kept by database
    triggers in the same transaction as every write (annotations.counters); never
    written by the app. Rows at 0 stay: pages skip them."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="outlet_uses")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="tag_uses")
    uses = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "outlet"], name="tag_outlet_use_unique"),
        ]

    def __str__(self):
        return f"{self.tag_id} in outlet {self.outlet_id}: {self.uses}"


class TagStoryUse(models.Model):
    """How many live annotations on a story's articles carry a tag; kept like
    TagOutletUse."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="story_uses")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="tag_uses")
    uses = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "story"], name="tag_story_use_unique"),
        ]
        indexes = [
            # A tag page's story filter: the stories using the tag most, from the index alone.
            models.Index(fields=["tag", "-uses", "story"], name="tag_story_use_ranking"),
        ]

    def __str__(self):
        return f"{self.tag_id} in story {self.story_id}: {self.uses}"


class ClaimOutletUse(models.Model):
    """How many live annotations on an outlet's articles carry a claim; kept like
    TagOutletUse (annotations.counters), with ClaimCount and StoryOutletClaims rolled up
    from these rows."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="outlet_uses")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="claim_uses")
    uses = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "outlet"], name="claim_outlet_use_unique"),
        ]

    def __str__(self):
        return f"{self.claim_id} in outlet {self.outlet_id}: {self.uses}"


class ClaimCount(models.Model):
    """A claim's live annotations and the outlets they are in: a story page ranks its
    claims by them. Kept by database triggers (annotations.counters)."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="counts"
    )
    annotations = models.IntegerField(default=0)
    outlets = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.claim_id}: {self.annotations} in {self.outlets} outlets"


class StoryOutletClaims(models.Model):
    """How many of a story's claims an outlet carries (has a live annotation under), and
    how many of those are published: the story page shows first the outlets carrying
    most. Kept by database triggers (annotations.counters)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="outlet_claims")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="story_claims")
    claims = models.IntegerField(default=0)
    published = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "outlet"], name="story_outlet_claims_unique"),
        ]

    def __str__(self):
        return f"outlet {self.outlet_id} in story {self.story_id}: {self.claims} claims"
