"""Domain errors. Services raise them; each adapter translates them.

Every error carries a ``code`` (stable, for programs and tests) and a
``message`` written for the participant, translated lazily so that the web
views and the Telegram bot show it in the participant's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    default_message = _("That did not work. Please try again.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        self.params = params
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message) % params if params else str(self.message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class ConsultationNotOpen(DomainError):
    code = "consultation_not_open"
    default_message = _("This consultation is not open for contributions right now.")


class ConsultationNotFound(DomainError):
    code = "consultation_not_found"
    default_message = _("There is no consultation with that name.")


class ConsentRequired(DomainError):
    code = "consent_required"
    default_message = _("Please confirm that you agree to take part before continuing.")


class UnknownLanguage(DomainError):
    code = "unknown_language"
    default_message = _("That language is not available in this consultation.")


class InvalidChoice(DomainError):
    code = "invalid_choice"
    default_message = _("Please choose Agree, Disagree or Pass.")


class StatementNotFound(DomainError):
    code = "statement_not_found"
    default_message = _("That statement is not available any more.")


class OwnStatement(DomainError):
    code = "own_statement"
    default_message = _("You wrote this statement: it already counts as your agreement.")


class EmptyText(DomainError):
    code = "empty_text"
    default_message = _("Please write something first.")


class TextTooLong(DomainError):
    code = "text_too_long"
    default_message = _("Please keep it to %(limit)s characters or fewer (you wrote %(length)s).")


class DuplicateStatement(DomainError):
    code = "duplicate_statement"
    default_message = _("This statement has already been submitted. You can vote on it instead.")


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = _("You have reached the limit for now. Please try again later.")


class UnknownChoice(DomainError):
    """A profile value (stakeholder group, region) that is not in the consultation's list."""

    code = "unknown_option"
    default_message = _("That option is not in the list. Please pick one of the choices shown.")


class UnknownQuestion(DomainError):
    code = "unknown_question"
    default_message = _("That question does not exist in this consultation.")


class InvalidModeration(DomainError):
    code = "invalid_moderation"
    default_message = _("That moderation action is not possible.")


class AlreadyHandled(DomainError):
    """A chat update that was handled before (delivered twice): nothing more to do."""

    code = "already_handled"
    default_message = _("Already recorded.")


class UnknownTheme(DomainError):
    code = "unknown_theme"
    default_message = _("That theme does not exist (any more) for this question.")


class ThemeNameTaken(DomainError):
    code = "theme_name_taken"
    default_message = _("This question already has a theme of that name.")


class InvalidKeywords(DomainError):
    code = "invalid_keywords"
    default_message = _(
        "Keywords must be given per language of the consultation (or * for any language), "
        "at most 50 of them, each at most 100 characters."
    )


class ThemingBusy(DomainError):
    code = "theming_busy"
    default_message = _("Themes are already being suggested for this consultation. Please wait for that run.")


class InvalidScreenChange(DomainError):
    """Presenter mode: a change of the event screen that is not possible (nothing is stored)."""

    code = "invalid_screen_change"
    default_message = _("Choose one change of the screen: pin a statement, unpin, or a view.")


class UnknownScreenView(InvalidScreenChange):
    code = "unknown_screen_view"
    default_message = _("The screen has no such view. Choose overview, join or results.")


class StatementNotPinnable(InvalidScreenChange):
    code = "statement_not_pinnable"
    default_message = _("Only an accepted statement of this consultation can be shown on the event screen.")
