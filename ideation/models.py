"""The consultation domain's data.

Nothing here writes on its own: every write goes through ``ideation.services``
and every non-trivial read through ``ideation.selectors``. Models hold fields,
constraints and small, pure helpers.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
RTL_LANGUAGES = frozenset({"ar"})

STATEMENT_MAX_LENGTH = 280
ANSWER_MAX_LENGTH = 5000


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    TELEGRAM = "telegram", _("Telegram")
    IMPORT = "import", _("Import")


class Translatable(models.Model):
    """Texts in the main language, with optional translations.

    ``translations`` maps a language code to ``{field: text}``; a missing or
    empty translation falls back to the main text.
    """

    translated_fields: tuple[str, ...] = ()
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        language = language or get_language() or settings.LANGUAGE_CODE
        value = (self.translations or {}).get(language, {}).get(field)
        return value or getattr(self, field)


def default_languages() -> list[str]:
    return list(LANGUAGE_CODES)


class Consultation(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Moderation(models.TextChoices):
        STRICT = "strict", _("Strict: new statements wait for approval")
        OPEN = "open", _("Open: new statements show at once; moderators may reject them")

    translated_fields = ("title", "description", "organiser", "data_use")

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("What this consultation is about."))
    organiser = models.CharField(max_length=200, blank=True, help_text=_("Who runs this consultation."))
    data_use = models.TextField(
        blank=True, help_text=_("How the contributions will be used, shown to participants before they consent.")
    )
    languages = models.JSONField(default=default_languages, help_text=_('Language codes offered, e.g. ["en", "fr"].'))
    default_language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    moderation_mode = models.CharField(max_length=8, choices=Moderation.choices, default=Moderation.OPEN)
    evidence_floor = models.PositiveSmallIntegerField(
        _("evidence floor"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "How many people must have voted on a statement, overall and in each opinion group shown, "
            "before it is called consensus, majority or contention."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    def phase(self, now=None) -> str:
        """ "draft", "upcoming" (open but before opens_at), "open" or "closed" (closed, or past closes_at)."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status == self.Status.CLOSED or (self.closes_at and now >= self.closes_at):
            return "closed"
        if self.opens_at and now < self.opens_at:
            return "upcoming"
        return "open"

    def accepts_input(self, now=None) -> bool:
        return self.phase(now) == "open"

    @property
    def is_strict(self) -> bool:
        return self.moderation_mode == self.Moderation.STRICT


class Question(Translatable):
    translated_fields = ("title", "prompt", "context")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    prompt = models.TextField(blank=True, help_text=_("The question as participants read it."))
    context = models.TextField(blank=True, help_text=_("Background shown with the question."))

    class Meta:
        ordering = ["consultation", "order"]
        constraints = [models.UniqueConstraint(fields=["consultation", "order"], name="question_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Vocabulary(Translatable):
    """A per-consultation list of options (stakeholder groups, regions)."""

    translated_fields = ("name",)

    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["consultation", "order", "name"]

    def __str__(self) -> str:
        return self.name


class StakeholderGroup(Vocabulary):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="stakeholder_groups")

    class Meta(Vocabulary.Meta):
        constraints = [models.UniqueConstraint(fields=["consultation", "name"], name="stakeholder_group_unique")]


class Region(Vocabulary):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="regions")

    class Meta(Vocabulary.Meta):
        constraints = [models.UniqueConstraint(fields=["consultation", "name"], name="region_unique")]


class Participant(models.Model):
    """Someone taking part. No name, e-mail, phone number or IP address, ever."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="participants")
    stakeholder_group = models.ForeignKey(StakeholderGroup, null=True, blank=True, on_delete=models.SET_NULL)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    language = models.CharField(max_length=8)
    consented_at = models.DateTimeField()
    # Whether the synthesis report may quote this participant's answers, without any name.
    quote_consent = models.BooleanField(default=False)
    channels = models.JSONField(default=list, help_text=_("The channels this participant has used."))
    # Furthest step reached ("profile", "question:<order>", "vote", "done"), so
    # that any channel resumes where the participant left off.
    step = models.CharField(max_length=24, default="profile")
    # The participant id in a Pol.is export this participant was imported from.
    external_id = models.CharField(max_length=40, blank=True)
    # For chat channels: the keyed hash of the chat account (ChatSession.key), never the raw id.
    chat_key = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["consultation", "created"])]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "external_id"], condition=~Q(external_id=""), name="participant_external_unique"
            ),
            models.UniqueConstraint(
                fields=["consultation", "chat_key"], condition=~Q(chat_key=""), name="participant_chat_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"participant {self.uid.hex[:8]}"


class Answer(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(max_length=ANSWER_MAX_LENGTH)
    language = models.CharField(max_length=8, blank=True, help_text=_("Detected language of the text."))
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Set when a facilitator has checked this answer's themes: suggestions and keyword rules leave it alone.
    themes_confirmed = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"answer {self.pk} to {self.question_id}"


class Theme(models.Model):
    """A theme of a question's answers, in the facilitators' codebook.

    Suggested themes come from ``worker.themes``; facilitators rename, merge,
    split, delete and add them. ``keywords`` maps a language code (or "*" for
    any language) to words and phrases: an answer containing one gets the
    theme, including answers that arrive later. A curated theme survives a
    new suggestion run.
    """

    class Origin(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CURATED = "curated", _("Curated")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.CURATED)
    top_terms = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "name"], name="theme_name_unique")]

    def __str__(self) -> str:
        return self.name


class AnswerTheme(models.Model):
    """An answer coded with a theme: by the suggestion, a keyword rule, or a facilitator."""

    class Source(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        KEYWORD = "keyword", _("Keyword rule")
        CONFIRMED = "confirmed", _("Confirmed by a facilitator")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="answer_links")
    source = models.CharField(max_length=10, choices=Source.choices)
    weight = models.FloatField(default=1.0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "theme"], name="answer_theme_unique")]

    def __str__(self) -> str:
        return f"answer {self.answer_id} in theme {self.theme_id}"


class ThemingRun(models.Model):
    """One run of the theme suggestion for a consultation, with its progress for the facilitator page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="theming_runs")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)
    # Moved on by every progress report: a queued or running run not heard of for a while is taken as lost.
    updated = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"theming run {self.pk} of {self.consultation_id}"


class StatementQuerySet(models.QuerySet):
    def visible(self, consultation: Consultation) -> StatementQuerySet:
        """What participants may see: accepted, or in open mode anything not rejected."""
        qs = self.filter(consultation=consultation)
        if consultation.is_strict:
            return qs.filter(moderation=Statement.Moderation.ACCEPTED)
        return qs.exclude(moderation=Statement.Moderation.REJECTED)

    def votable_by(self, participant: Participant) -> StatementQuerySet:
        """What a participant may vote on: what they may see, but never their own statements."""
        return self.visible(participant.consultation).exclude(author=participant)


class Statement(Translatable):
    """A short statement participants vote on (a Pol.is "comment")."""

    class Moderation(models.IntegerChoices):
        # The values are Pol.is's `moderated` column.
        REJECTED = -1, _("Rejected")
        PENDING = 0, _("Not yet moderated")
        ACCEPTED = 1, _("Accepted")

    translated_fields = ("text",)

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(max_length=STATEMENT_MAX_LENGTH)
    # sha256 of the text normalised for duplicates (ideation.text): the same
    # statement cannot be submitted twice, even by two people at once.
    dedupe_key = models.CharField(max_length=64, editable=False)
    language = models.CharField(max_length=8, blank=True)
    author = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_seed = models.BooleanField(default=False)
    is_meta = models.BooleanField(
        default=False, help_text=_("About the conversation itself; left out of the analysis.")
    )
    moderation = models.SmallIntegerField(choices=Moderation.choices, default=Moderation.PENDING)
    moderation_reason = models.CharField(max_length=500, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The comment id in a Pol.is export this statement was imported from.
    external_id = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "dedupe_key"], name="statement_unique_text"),
            models.UniqueConstraint(
                fields=["consultation", "external_id"], condition=~Q(external_id=""), name="statement_external_unique"
            ),
        ]
        indexes = [models.Index(fields=["consultation", "moderation"])]

    def __str__(self) -> str:
        return self.text


class SeedStatement(Statement):
    """Seed statements, as facilitators manage them in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("seed statement")


class Vote(models.Model):
    class Choice(models.IntegerChoices):
        AGREE = 1, _("Agree")
        PASS = 0, _("Pass")
        DISAGREE = -1, _("Disagree")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    choice = models.SmallIntegerField(choices=Choice.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="vote_unique"),
            models.CheckConstraint(condition=Q(choice__in=[-1, 0, 1]), name="vote_choice_valid"),
        ]
        indexes = [
            models.Index(fields=["statement", "choice"]),
            # the analysis job reads the votes changed since its last run
            models.Index(fields=["updated"], name="vote_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.choice:+d} on {self.statement_id}"


class ModerationLogEntry(models.Model):
    """Who did what to which statement, when and why. Texts are copied so the log outlives edits."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RESET = "reset", _("Returned to the queue")
        MODE = "mode", _("Changed the moderation mode")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="moderation_log")
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    statement_text = models.CharField(max_length=STATEMENT_MAX_LENGTH, blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moderator_name = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    detail = models.CharField(max_length=100, blank=True, help_text=_("For mode changes: the new mode."))
    reason = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.moderator_name} {self.action} {self.statement_text[:40]}"


class AnalysisSnapshot(models.Model):
    """One analysis of a consultation's votes, versioned; the newest committed one is current.

    ``result`` is the whole analysis (worker.analysis), ``state`` what the next
    update warm-starts from. ``priorities``, ``summary`` and ``memberships`` are
    small extracts that pages read without loading ``result``.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    created = models.DateTimeField(default=timezone.now)
    votes_until = models.DateTimeField(null=True, blank=True, help_text=_("The newest vote included."))
    duration_ms = models.PositiveIntegerField(default=0)
    n_participants = models.PositiveIntegerField(default=0)
    n_votes = models.PositiveIntegerField(default=0)
    result = models.JSONField()
    state = models.JSONField()
    priorities = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    memberships = models.JSONField(default=dict)

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        constraints = [models.UniqueConstraint(fields=["consultation", "version"], name="snapshot_version_unique")]

    def __str__(self) -> str:
        return f"analysis {self.version} of {self.consultation_id}"


class ChatSession(models.Model):
    """Where someone is in a chat conversation (the Telegram bot), kept in the database.

    ``key`` is a keyed hash (HMAC) of the chat account id: the raw id is never
    stored. A restarted bot, or another bot process, carries on from here.
    ``recent_updates`` holds the last update ids handled, so an update
    delivered twice is handled once.
    """

    RECENT_UPDATES = 50

    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(max_length=64)
    consultation = models.ForeignKey(Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, blank=True)
    # What the next message or button answers: "language", "consent", "group",
    # "region", "question:<order>", "vote", "statement", "forget" or "" (idle).
    state = models.CharField(max_length=24, blank=True)
    # The statement on show in the voting message (a tap on any other is out of date).
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recent_updates = models.JSONField(default=list, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="chat_session_unique")]

    def __str__(self) -> str:
        return f"{self.channel} chat {self.key[:8]}"


class ScreenState(models.Model):
    """What the public event screen of a consultation shows, set by facilitators (presenter mode).

    ``pinned``: the statement under discussion, shown large (only while it is
    accepted); else ``view``. A page reload shows the same state.
    """

    class View(models.TextChoices):
        OVERVIEW = "overview", _("Overview")
        JOIN = "join", _("Join")
        RESULTS = "results", _("Results")

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, primary_key=True, related_name="screen_state"
    )
    view = models.CharField(max_length=10, choices=View.choices, default=View.OVERVIEW)
    pinned = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"screen of {self.consultation_id}: {self.view} {self.pinned_id or ''}".strip()
