import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import slugify

from reading import addresses


def cut_slug(slug: str, length: int) -> str:
    """`slug` shortened to at most `length` characters at a hyphen, so no word is cut in
    two; a first word longer than `length` is cut, there being no other choice."""
    if len(slug) <= length:
        return slug
    if slug[length] == "-":
        return slug[:length].strip("-_")
    head = slug[:length]
    boundary = head.rfind("-")
    return (head[:boundary] if boundary > 0 else head).strip("-_")


def unique_slug(
    model, text: str, max_length: int = 80, taken=None, allow_unicode: bool = False
) -> str:
    """A slug for `text` that no row of `model` uses yet ("nato", "nato-2", …), at most
    `max_length` characters, shortened between words when it must be.

    `taken(slug)`, when given, also says whether a slug is in use elsewhere.
    """
    base = cut_slug(slugify(text, allow_unicode=allow_unicode).strip("-_"), max_length) or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists() or (taken and taken(slug)):
        n += 1
        suffix = f"-{n}"
        slug = cut_slug(base, max_length - len(suffix)) + suffix
    return slug


class Outlet(models.Model):
    """A publication: a newspaper, a site, an aggregator, a blog."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    site = models.URLField(blank=True, help_text="Home page of the publication.")
    country = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=20, blank=True, help_text="BCP 47 code, e.g. en, ru.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Outlet, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return addresses.outlet(self.slug)


class Story(models.Model):
    """The event coverage is about; groups articles and claims."""

    title = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "title"]
        verbose_name_plural = "stories"
        indexes = [
            # The newest stories first (the claims index's story filter), walked in order.
            models.Index(fields=["-created", "-id"], name="story_newest"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Story, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return addresses.story(self.slug)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Article(models.Model):
    """One piece by one outlet, its text exactly as published."""

    class Format(models.TextChoices):
        TEXT = "txt", "Plain text"
        HTML = "html", "HTML"
        JSON = "json", "JSON record"

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles")
    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=500)
    byline = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=20, blank=True)
    text = models.TextField(help_text="The text as published, typos included.")
    content_hash = models.CharField(max_length=64, editable=False)
    # The current text's number: 1 as imported, one more with each correction. The
    # earlier texts are kept as ArticleVersion rows (see sources.revisions.revise_text).
    text_version = models.PositiveIntegerField(default=1, editable=False)
    raw = models.TextField(blank=True, help_text="The input the article was imported from.")
    raw_format = models.CharField(max_length=4, choices=Format, default=Format.TEXT)
    source_name = models.CharField(max_length=300, blank=True, help_text="File it came from.")
    imported = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["published", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="article_unique_url_when_given"
            ),
            models.UniqueConstraint(
                fields=["outlet", "content_hash"], name="article_unique_text_per_outlet"
            ),
        ]
        indexes = [
            # A story's articles with their outlets, read from the index alone: the story
            # page's outlets, coverage grid and shared quotations each join a story's
            # articles (2,000 in the biggest), and a heap fetch per article was most of it.
            models.Index(fields=["story", "outlet", "id"], name="article_by_story"),
            # An outlet's articles by date: a tag page takes each outlet's first uses of a
            # tag in this order and stops after a few (reading.queries.TagUses).
            models.Index(fields=["outlet", "published", "id"], name="article_by_outlet_date"),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.title}"

    def save(self, *args, **kwargs):
        # The text has one owner once the article exists: sources.revisions.revise_text,
        # which keeps the earlier text and has passages and annotations follow. It sets
        # _revising_text for the one save it makes. Any other save that would change the
        # text is refused, and none writes the text columns: a copy loaded before a
        # correction cannot put the old text back.
        if getattr(self, "_revising_text", False) or self.pk is None or self._state.adding:
            if self.pk is not None and self._state.adding:
                self._refuse_text_change()
            self.content_hash = content_hash(self.text)
        else:
            self._refuse_text_change()
            kwargs["update_fields"] = self._fields_but_the_text(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self._remember_text()

    def get_absolute_url(self):
        return addresses.article(self.pk)

    @classmethod
    def from_db(cls, *args, **kwargs):
        article = super().from_db(*args, **kwargs)
        article._remember_text()
        return article

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_text()

    def _remember_text(self):
        # The text as stored, when it was loaded (not when deferred), so save() can
        # tell whether it changed without asking the database again.
        if "text" in self.__dict__:
            self._stored_text = self.text

    def _refuse_text_change(self):
        if "text" not in self.__dict__:
            return  # deferred and never set: save() will not write it
        if hasattr(self, "_stored_text"):
            changed = self.text != self._stored_text
        else:
            # Built by hand with the pk of a stored row: ask the database.
            stored = Article.objects.filter(pk=self.pk).values_list("content_hash", flat=True)
            changed = stored.first() not in (None, content_hash(self.text))
        if changed:
            raise TextChangeRefused(
                "An article's text changes only through sources.revisions.revise_text, "
                "which keeps the earlier version and re-anchors the annotations."
            )

    def _fields_but_the_text(self, update_fields) -> list[str]:
        if update_fields is None:
            deferred = self.get_deferred_fields()
            update_fields = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in deferred
            ]
        return [name for name in update_fields if name not in TEXT_FIELDS]


# The columns only revise_text writes on a stored article.
TEXT_FIELDS = {"text", "content_hash", "text_version"}


class TextChangeRefused(Exception):
    """Something other than revise_text tried to change a stored article's text."""


class ArticleVersion(models.Model):
    """An earlier text of an article, kept when a correction replaced it.

    Holds earlier texts only; the current one is Article.text, numbered
    Article.text_version.
    """

    class Source(models.TextChoices):
        IMPORT = "import", "Import"
        READER = "reader", "Article page"
        ADMIN = "admin", "Admin"
        SHELL = "shell", "Shell"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    # The version number this text had while it was the article's text.
    number = models.PositiveIntegerField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64, editable=False)
    # When this text was replaced, by whom and through which way in.
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_version_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.article_id} version {self.number}"

    def save(self, *args, **kwargs):
        self.content_hash = content_hash(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return addresses.article_version(self.article_id, self.number)


class Passage(models.Model):
    """A paragraph-sized slice of an article's text; its kind decides how it is shown."""

    class Kind(models.TextChoices):
        BODY = "body", "Body"
        HEADLINE = "headline", "Headline"
        PREFACE = "preface", "Editor's preface"
        CAPTION = "caption", "Caption"
        COMMENT = "comment", "Reader comment"
        BOILERPLATE = "boilerplate", "Boilerplate"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="passages")
    ordinal = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.BODY)
    # Nesting depth of a reader comment (0 for top-level comments and other kinds).
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["article", "ordinal"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="passage_start_before_end"
            ),
            models.UniqueConstraint(fields=["article", "ordinal"], name="passage_unique_ordinal"),
        ]

    def __str__(self):
        return f"{self.article_id} #{self.ordinal} ({self.kind})"

    @property
    def text(self) -> str:
        return self.article.text[self.start : self.end]


class Trace(models.Model):
    """Quotations of different articles that render the same words (sources.quotations)."""

    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Trace {self.pk}"


class Quotation(models.Model):
    """Words an article quotes, with who said them and the verb it put in front of them.

    Found in the text by sources.text.quotations at import, at every correction and by
    `manage.py extract_quotations`; derived data, made again from the text each time. An
    editor's corrections are QuotationDecision rows, which each extraction applies again.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotations")
    # From the first quoted word to the last, in the current text; `spans` holds each
    # part, [[start, end], …], when attribution or a paragraph break interrupts it.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    spans = models.JSONField(default=list)
    text = models.TextField()
    speaker = models.CharField(max_length=200, blank=True)
    # The speaker's page: every quotation of one name, whatever its case or accents.
    speaker_slug = models.SlugField(max_length=200, blank=True, allow_unicode=True)
    # The attribution's own words when the speaker was found through them ("he").
    speaker_as_written = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=100, blank=True)
    # The quoted words' identity within the article, the same in every extraction of the
    # same words (sources.quotations.quotation_key): decisions are kept by it.
    key = models.CharField(max_length=32)
    trace = models.ForeignKey(
        Trace, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotations"
    )

    class Meta:
        ordering = ["article", "start", "pk"]
        indexes = [
            models.Index(fields=["article", "start"]),
            models.Index(fields=["speaker_slug", "article"]),
            # A story's shared words (reading.queries.most_quoted): its articles' traced
            # quotations, read from the index alone.
            models.Index(
                fields=["article", "trace"],
                condition=Q(trace__isnull=False),
                name="quotation_traced_by_article",
            ),
        ]

    def __str__(self):
        return f"{self.speaker or 'Unattributed'}: “{self.text[:60]}”"

    def get_absolute_url(self):
        # By the words' key, not the row: every extraction makes the rows again.
        return addresses.quotation(self.article_id, self.key)


class QuotationShingle(models.Model):
    """One hashed run of a quotation's words: tracing looks up the quotations that share
    runs with a new one in this table's B-tree index, then compares their words."""

    hash = models.BigIntegerField()
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["hash", "quotation"], name="quotation_shingle_lookup")]

    def __str__(self):
        return f"{self.hash} in {self.quotation_id}"


class QuotationDecision(models.Model):
    """An editor's decision about quotations, which every later extraction keeps: a
    quotation's speaker or verb corrected, or two quotations kept apart or traced together.
    Rows are only added: together they are the history, and the latest decision about the
    same thing stands."""

    class Kind(models.TextChoices):
        SPEAKER = "speaker", "Speaker corrected"
        VERB = "verb", "Verb corrected"
        APART = "apart", "Kept apart"
        TOGETHER = "together", "Traced together"

    kind = models.CharField(max_length=10, choices=Kind)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    # For apart and together: the other quotation.
    other_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_key = models.CharField(max_length=32, blank=True)
    # For speaker and verb: the corrected value.
    value = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["article", "key"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article_id}/{self.key}"


class ImportJob(models.Model):
    """A browser upload imported in the background (sources.jobs): its files, its
    progress and, file by file, what became of them.

    The outcome rows are the progress: a worker killed mid-import leaves its task
    "running" for ever in the queue, so a job whose heartbeat stops is resumed from
    the first file without a row (ImportJob.objects.stale()).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped by an error"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    # The outlet and story typed beside the files, for files that name none.
    outlet = models.CharField(max_length=200, blank=True)
    story = models.CharField(max_length=300, blank=True)
    # Files to read (a zip archive or a JSON list is one, whatever it holds) and read so far.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Counted as the outcome rows are written, so the progress line reads no rows.
    imported = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Set by the worker at its start and after every file: a running job whose heartbeat
    # is old has lost its worker.
    heartbeat = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # How many times a worker started on it: more than one means it was resumed.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why the job stopped, when it failed.
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            # "My imports": an editor's jobs, newest first.
            models.Index(fields=["created_by", "-created", "-id"], name="import_job_owner"),
            # Stale jobs: the running ones, by heartbeat.
            models.Index(fields=["state", "heartbeat"], name="import_job_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="import_job_done"),
        ]

    def __str__(self):
        return f"Import {self.pk} ({self.state})"

    def get_absolute_url(self):
        from sources.jobs import job_address

        return job_address(self.pk)

    @property
    def finished_work(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ImportFile(models.Model):
    """One uploaded file of a job, kept in the default storage until the job is done, so a
    worker on another machine reads it too."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="import_file_position"),
        ]

    def __str__(self):
        return self.name


class ImportOutcome(models.Model):
    """What became of one file or record of a job: a row of its report.

    (entry, sequence) is the importer's file number and the record's place in that file;
    a resumed job writes no row twice.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="outcomes")
    entry = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    name = models.TextField()
    status = models.CharField(max_length=10)
    reason = models.TextField(blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["job", "entry", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "entry", "sequence"], name="import_outcome_place"
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.status}"
