"""The ids a view or message is built with and a listener reads back: callback ids of forms,
block ids of their fields, action ids of buttons and menus, and what their values hold.

Builders (the other modules of bot.blocks) and listeners (handlers/) both import them from
here, so a renamed id cannot leave a listener deaf.
"""

from __future__ import annotations

from storage.models import TaskUpdate, TrialDecision

# A form field's element has the field's block id plus this as its action id.
ACTION_SUFFIX = "_input"

# --------------------------------------------------------------------------- delegation

# The form `/delegate` opens with no text, and its fields.
DELEGATE_MODAL = "delegate_modal"
FIELD_VENDOR = "vendor"
FIELD_TITLE = "title"
FIELD_DUE = "due"
FIELD_STANDARD = "standard"
FIELD_ASSIGNEE = "assignee"

# A task for a channel that is not a vendor yet: both buttons' value carries the task.
REGISTER_AND_DELEGATE_ACTION = "pending_task_register"
CANCEL_PENDING_TASK_ACTION = "pending_task_cancel"

# --------------------------------------------------------------------------- check-ins

# The form an At risk / Blocked click opens; private_metadata holds the status update's id.
CHECKIN_NOTE_MODAL = "checkin_note_modal"
FIELD_NOTE = "note"

# Check-in buttons: one action id per status (ids must be unique within a block); the value
# is "<post id>:<task id>", the block id "task:<task id>".
CHECKIN_ACTION_PREFIX = "checkin_"
# The check-in's **All on track** button (value: the post id). Not under the prefix above,
# which the per-task listener owns.
ALL_ON_TRACK_ACTION = "all_on_track"


def checkin_action_id(status: TaskUpdate) -> str:
    return CHECKIN_ACTION_PREFIX + status.value


# The vendor's side of a check-in (bot.blocks.vendor_side). Not "checkin_…": that prefix
# belongs to the four status buttons' listener.
CHECKIN_MENU_ACTION = "vendor_side_menu"
CHECKIN_ANSWER_ACTION = "vendor_side_answer"
AWAY_MODAL = "checkin_away_modal"
QUESTIONS_MODAL = "vendor_questions_modal"
ANSWER_MODAL = "checkin_answer_modal"

# --------------------------------------------------------------------------- reviews, ratings

# A delivery's review, in the owner's DM: two buttons whose value is the delivery id.
REVIEW_ACCEPT_ACTION = "review_accept"
REVIEW_CHANGES_ACTION = "review_request_changes"
# "What should change?"; private_metadata is "<delivery id>:<channel>:<ts>" (the review
# message, to update in place), see bot.blocks.reviews.message_metadata().
REVIEW_CHANGES_MODAL = "review_changes_modal"
FIELD_CHANGES = "changes"
# The rating prompt's button (value: the task id) and the form it opens; private_metadata
# is "<task id>:<channel>:<ts>" (the prompt, to update in place).
RATE_TASK_ACTION = "rate_task"
RATING_MODAL = "task_rating_modal"
RATING_FIELDS: tuple[tuple[str, str], ...] = (
    ("quality", "Quality"),
    ("timeliness", "Timeliness"),
    ("communication", "Communication"),
)
FIELD_RATING_COMMENT = "comment"

# --------------------------------------------------------------------------- trials

# The trial prompt's buttons (a DM to whoever added the vendor); the value of each is
# "<vendor id>:<trial end date>", see bot.lifecycle.read_trial_value.
TRIAL_KEEP_ACTION = "trial_keep"
TRIAL_EXTEND_ACTION = "trial_extend"
TRIAL_END_ACTION = "trial_end"
TRIAL_ACTIONS: dict[str, TrialDecision] = {
    TRIAL_KEEP_ACTION: TrialDecision.KEEP,
    TRIAL_EXTEND_ACTION: TrialDecision.EXTEND,
    TRIAL_END_ACTION: TrialDecision.END,
}
