"""The facilitators' admin: consultations, questions, vocabularies and seed statements.

Participant contributions are read-only here: they change only through
``ideation.services`` (moderation has its own page, /moderate/<slug>/).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ideation import services
from ideation.exceptions import DomainError
from ideation.models import (
    Consultation,
    ModerationLogEntry,
    Participant,
    Question,
    Region,
    SeedStatement,
    StakeholderGroup,
    Statement,
)


def translation_form(model: type[models.Model], base: type[forms.ModelForm] = forms.ModelForm) -> type:
    """A ModelForm with one optional field per language and translated field, kept in ``translations``."""
    declared: dict[str, forms.Field] = {}
    for name in model.translated_fields:
        field = model._meta.get_field(name)
        long_text = isinstance(field, models.TextField)
        for code, language in settings.LANGUAGES:
            declared[f"{name}__{code}"] = forms.CharField(
                required=False,
                label=f"{field.verbose_name} ({language})",
                max_length=field.max_length,
                widget=forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput(attrs={"size": 60}),
            )

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        for code, values in (self.instance.translations or {}).items():
            for name, value in values.items():
                if f"{name}__{code}" in self.fields:
                    self.initial[f"{name}__{code}"] = value

    def translations(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for key in declared:
            name, code = key.split("__")
            value = (self.cleaned_data.get(key) or "").strip()
            if value:
                result.setdefault(code, {})[name] = value
        return result

    def clean(self):
        cleaned = base.clean(self)
        self.instance.translations = self.translations()
        return cleaned

    meta = type("Meta", (), {"model": model, "exclude": ["translations"]})
    attrs = {**declared, "__init__": __init__, "clean": clean, "translations": translations, "Meta": meta}
    return type(f"{model.__name__}Form", (base,), attrs)


def translation_fieldset(model: type[models.Model]) -> tuple:
    names = [f"{name}__{code}" for name in model.translated_fields for code, _language in settings.LANGUAGES]
    return (
        _("Translations (optional; empty ones fall back to the main text)"),
        {"fields": names, "classes": ["collapse"]},
    )


class ConsultationForm(translation_form(Consultation)):
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple, label=_("Languages offered")
    )

    def clean(self):
        cleaned = super().clean()
        languages = cleaned.get("languages") or []
        if cleaned.get("default_language") and cleaned["default_language"] not in languages:
            self.add_error("default_language", _("The default language must be one of the languages offered."))
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must come after the opening time."))
        return cleaned


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["order", "title"]
    extra = 0
    show_change_link = True


class StakeholderGroupInline(admin.TabularInline):
    model = StakeholderGroup
    form = translation_form(StakeholderGroup)
    extra = 0


class RegionInline(admin.TabularInline):
    model = Region
    form = translation_form(Region)
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    form = ConsultationForm
    list_display = ["title", "slug", "status", "moderation_mode", "links"]
    list_filter = ["status", "moderation_mode"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline, StakeholderGroupInline, RegionInline]
    fieldsets = [
        (None, {"fields": ["slug", "title", "description", "organiser", "data_use"]}),
        (_("Languages"), {"fields": ["languages", "default_language"]}),
        (
            _("Timing and moderation"),
            {"fields": ["status", "opens_at", "closes_at", "moderation_mode", "evidence_floor"]},
        ),
        translation_fieldset(Consultation),
    ]

    def save_model(self, request, obj, form, change):
        services.consultation_save(consultation=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is Question:  # questions through the service too; the vocabularies have no rules
            for question in formset.save(commit=False):
                services.question_save(question=question)
            for question in formset.deleted_objects:
                question.delete()
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("Pages"))
    def links(self, obj: Consultation) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("ideation:dashboard", kwargs={"slug": obj.slug}),
            _("dashboard"),
            reverse("ideation:landing", kwargs={"slug": obj.slug}),
            _("participant view"),
            reverse("ideation:moderation", kwargs={"slug": obj.slug}),
            _("moderation"),
        )


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = translation_form(Question)
    list_display = ["title", "consultation", "order"]
    list_filter = ["consultation"]
    fieldsets = [
        (None, {"fields": ["consultation", "order", "title", "prompt", "context"]}),
        translation_fieldset(Question),
    ]

    def save_model(self, request, obj, form, change):
        services.question_save(question=obj)


class SeedStatementForm(translation_form(SeedStatement)):
    """Saves through ``ideation.services`` so the admin obeys the same rules as every channel."""

    class Meta:
        model = SeedStatement
        fields = ["consultation", "text", "language", "is_meta"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language of the text"))
        if self.instance.pk:
            self.fields["consultation"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        translations = {code: values.get("text", "") for code, values in self.translations().items()}
        try:
            if self.instance.pk:
                statement = services.statement_update_seed(
                    statement=self.instance,
                    text=cleaned["text"],
                    language=cleaned["language"],
                    translations=translations,
                    is_meta=cleaned.get("is_meta", False),
                )
            else:
                statement = services.statement_seed(
                    consultation=cleaned["consultation"],
                    text=cleaned["text"],
                    language=cleaned["language"],
                    translations=translations,
                    author_user=self.user,
                    is_meta=cleaned.get("is_meta", False),
                )
        except DomainError as exc:
            raise ValidationError(str(exc)) from exc
        self.instance = statement
        return cleaned


@admin.register(SeedStatement)
class SeedStatementAdmin(admin.ModelAdmin):
    form = SeedStatementForm
    list_display = ["text", "consultation", "language", "moderation", "created"]
    list_filter = ["consultation", "language"]
    search_fields = ["text"]
    fieldsets = [
        (None, {"fields": ["consultation", "text", "language", "is_meta"]}),
        translation_fieldset(SeedStatement),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_seed=True)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Already saved by the service in ``SeedStatementForm.clean``."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["text", "consultation", "moderation", "is_seed", "channel", "created"]
    list_filter = ["consultation", "moderation", "is_seed", "channel"]
    search_fields = ["text"]
    exclude = ["author"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["uid", "consultation", "stakeholder_group", "region", "language", "created"]
    list_filter = ["consultation", "language"]


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created", "moderator_name", "action", "statement_text", "reason", "consultation"]
    list_filter = ["consultation", "action"]
