"""Every write of the domain. Views, the Telegram bot, consumers, tasks,
admin actions and commands call these functions and nothing else to change data.

Functions are keyword-only and named ``<entity>_<action>``; they raise
``ideation.exceptions`` errors on bad input and store nothing half.
"""

from ideation.services.analysis import analysis_snapshot_store
from ideation.services.answers import answer_save
from ideation.services.chats import chat_session_claim, chat_session_end, chat_session_update
from ideation.services.imports import (
    ImportedStatement,
    ImportedVote,
    consultation_import,
    consultation_import_polis,
)
from ideation.services.journey import participant_advance, participant_record_step
from ideation.services.moderation import (
    consultation_set_moderation_mode,
    statement_moderate,
    statements_moderate,
)
from ideation.services.participants import (
    participant_forget,
    participant_set_language,
    participant_set_profile,
    participant_set_quote_consent,
    participant_start,
)
from ideation.services.screen import screen_set
from ideation.services.setup import (
    consultation_save,
    consultation_upsert,
    question_save,
    question_upsert,
    vocabulary_upsert,
)
from ideation.services.statements import statement_seed, statement_submit, statement_update_seed
from ideation.services.themes import (
    SuggestedTheme,
    answer_set_themes,
    theme_add,
    theme_delete,
    theme_merge,
    theme_split,
    theme_update,
    themes_apply_keywords,
    themes_store_suggestion,
    theming_run_finish,
    theming_run_start,
    theming_run_update,
)
from ideation.services.votes import vote_cast

__all__ = [
    "ImportedStatement",
    "ImportedVote",
    "SuggestedTheme",
    "analysis_snapshot_store",
    "answer_save",
    "answer_set_themes",
    "chat_session_claim",
    "chat_session_end",
    "chat_session_update",
    "consultation_import",
    "consultation_import_polis",
    "consultation_save",
    "consultation_set_moderation_mode",
    "consultation_upsert",
    "participant_advance",
    "participant_forget",
    "participant_record_step",
    "participant_set_language",
    "participant_set_profile",
    "participant_set_quote_consent",
    "participant_start",
    "question_save",
    "question_upsert",
    "screen_set",
    "statement_moderate",
    "statement_seed",
    "statement_submit",
    "statement_update_seed",
    "statements_moderate",
    "theme_add",
    "theme_delete",
    "theme_merge",
    "theme_split",
    "theme_update",
    "themes_apply_keywords",
    "themes_store_suggestion",
    "theming_run_finish",
    "theming_run_start",
    "theming_run_update",
    "vocabulary_upsert",
    "vote_cast",
]
