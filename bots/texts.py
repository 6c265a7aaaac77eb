"""What the bot says. Short, plain text (no markup), translated like the web pages.

Domain errors bring their own translated messages (``ideation.exceptions``).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

AGREE = _("Agree")
DISAGREE = _("Disagree")
PASS = _("Pass")
STOP = _("Stop")
ADD = _("Add a statement")
SKIP = _("Skip")
CONSENT = _("I agree and take part")
CONSENT_QUOTE = _("I agree, and you may quote me (no name)")
QUOTE_YES = _("Yes, you may quote me")
QUOTE_NO = _("No quotes, please")
QUOTE_ASK = _(
    "May the consultation's report quote your answers word for word, without any name? "
    "Only people who say yes are ever quoted."
)
QUOTE_STATUS_YES = _("Right now: your answers may be quoted, without any name.")
QUOTE_STATUS_NO = _("Right now: your answers are not quoted.")
QUOTE_SET_YES = _("Saved: your answers may be quoted, without any name.")
QUOTE_SET_NO = _("Saved: your answers will not be quoted.")
LANGUAGE = _("Language")
YES_DELETE = _("Yes, delete")
NO_KEEP = _("No, keep")

CHOOSE_CONSULTATION = _("Which consultation would you like to join?")
NO_CONSULTATION = _("There is no open consultation at the moment.")
DATA_USE = _("How your contributions are used:")
CONSENT_PROMPT = _("No name, phone number or username is stored. Tap below to take part.")
CHOOSE_LANGUAGE = _("Choose your language:")
LANGUAGE_SET = _("Language changed.")
WELCOME_BACK = _("Welcome back. Your earlier contributions are saved.")
GROUP_PROMPT = _("Optional: which of these describes you best?")
REGION_PROMPT = _("Optional: where are you based?")
QUESTION_HEADER = _("Question %(number)s of %(total)s")
YOUR_ANSWER = _("Your answer so far: %(answer)s")
ANSWER_PROMPT = _("Reply with your answer, or tap Skip.")
ANSWER_SAVED = _("Answer saved.")
VOTE_INTRO = _("Now, what do you think of these statements? Tap a button; /add to write your own.")
VOTE_HEADER = _("%(position)s of %(total)s")
ALL_VOTED = _("You have voted on every statement for now. /add writes your own, /results shows where you stand.")
ALREADY_VOTED = _("Already recorded.")
RESULTS_UPDATING = _(
    "The analysis is being updated with your latest votes. Your opinion group follows here in a moment."
)
OUT_OF_DATE = _("That button is from an earlier message. Please use the latest one.")
PAUSED = _("Paused. Everything you gave is saved. /vote to go on, /results to see where you stand.")
STATEMENT_PROMPT = _("Write your statement in one message (at most %(limit)s characters).")
STATEMENT_PENDING = _("Thank you! A moderator will review your statement before others can vote on it.")
STATEMENT_ADDED = _("Thank you! Your statement is now in the deck for others to vote on.")
USE_BUTTONS = _("Please use the buttons below the message.")
TEXT_ONLY = _("I can only read text messages. Please type your reply.")
UNKNOWN_COMMAND = _("I do not know that command. /help lists what I can do.")
NOT_STARTED = _("Send /start to take part.")
PRIVATE_ONLY = _("Please talk to me in a private chat.")
FORGET_CONFIRM = _(
    "Delete everything you gave in this consultation: profile, answers, votes and your statements? "
    "Statements others have voted on stay, without your name on them. This cannot be undone."
)
FORGET_KEPT = _("Nothing was deleted.")
FORGOTTEN = _("Deleted: %(answers)s answers, %(votes)s votes, %(statements)s statements. Goodbye, and thank you.")
RESULTS_NONE = _("Opinion groups appear once enough people have voted. Try /results again later.")
RESULTS_UNGROUPED = _("You are not in an opinion group yet: vote on a few more statements (at least seven).")
RESULTS_GROUP = _("You are in opinion group %(number)s of %(count)s.")
RESULTS_GROUP_HIDDEN = _(
    "Your opinion group has fewer than five people: to protect everyone's privacy, it is not shown."
)
VOTED = ngettext_lazy("%(counter)s person voted", "%(counter)s people voted", "counter")
RESULTS_GROUP_AGREES = _("People in your group tend to agree that:")
RESULTS_CONSENSUS = _("Across all groups, most people agree that:")
PEOPLE_SO_FAR = ngettext_lazy(
    "%(count)s person has taken part so far.", "%(count)s people have taken part so far.", "count"
)
HELP = _(
    "/start begin or carry on\n"
    "/vote vote on statements\n"
    "/add add your own statement\n"
    "/questions review your answers\n"
    "/results where you stand\n"
    "/language change the language\n"
    "/quote whether the report may quote you\n"
    "/forget delete what you gave\n"
    "/stop pause\n"
    "/help this list"
)
ERROR = _("Sorry, something went wrong on our side. Nothing was lost; please try again.")

# The bot's command menu (Telegram shows it beside the text box).
COMMANDS = (
    ("start", _("Begin or carry on")),
    ("vote", _("Vote on statements")),
    ("add", _("Add your own statement")),
    ("results", _("Where you stand")),
    ("language", _("Change the language")),
    ("quote", _("May the report quote you?")),
    ("help", _("What I can do")),
    ("forget", _("Delete what you gave")),
    ("stop", _("Pause")),
)
