"""Every Slack message and view the bot sends is built in this package, as plain dicts, one
module per feature:

- `ids`: the callback, block and action ids that builders and listeners share;
- `common`: mentions, dates, quoting, section/context blocks and Slack's limits;
- `elements`: buttons, form fields and modals;
- `delegation`, `checkins` (and `vendor_side`, the vendor's menu, Away… and questions),
  `reviews`, `summaries`, `digest`, `home`, `lifecycle`, `trials`, `spend`, `scorecards`
  (with `figures`, how a period's figures read).

User-supplied text always passes through `bot.slack_text.escape()` before it is placed in a
message, so it cannot ping `@channel` or a person (see bot.blocks.common).

New code imports from the feature module (`from bot.blocks.checkins import
checkin_message`). The names below keep `from bot import blocks; blocks.checkin_message(…)`
working for the modules that still read them that way.
"""

from __future__ import annotations

from bot.blocks.checkins import (
    CHECKIN_BUTTONS as CHECKIN_BUTTONS,
)
from bot.blocks.checkins import (
    MAX_CHECKIN_TASKS as MAX_CHECKIN_TASKS,
)
from bot.blocks.checkins import (
    checkin_escalation as checkin_escalation,
)
from bot.blocks.checkins import (
    checkin_message as checkin_message,
)
from bot.blocks.checkins import (
    checkin_reminder as checkin_reminder,
)
from bot.blocks.checkins import (
    owner_note_alert as owner_note_alert,
)
from bot.blocks.checkins import (
    owner_status_alert as owner_status_alert,
)
from bot.blocks.checkins import (
    status_note_modal as status_note_modal,
)
from bot.blocks.checkins import (
    vendor_unreachable_notice as vendor_unreachable_notice,
)
from bot.blocks.common import (
    Message as Message,
)
from bot.blocks.common import (
    channel_link as channel_link,
)
from bot.blocks.common import (
    format_due as format_due,
)
from bot.blocks.common import (
    mention as mention,
)
from bot.blocks.common import (
    plain_reply as plain_reply,
)
from bot.blocks.common import (
    problem_reply as problem_reply,
)
from bot.blocks.delegation import (
    announcement_failed_note as announcement_failed_note,
)
from bot.blocks.delegation import (
    delegate_modal as delegate_modal,
)
from bot.blocks.delegation import (
    help_reply as help_reply,
)
from bot.blocks.delegation import (
    pending_task_cancelled_reply as pending_task_cancelled_reply,
)
from bot.blocks.delegation import (
    pending_task_reply as pending_task_reply,
)
from bot.blocks.delegation import (
    task_announcement as task_announcement,
)
from bot.blocks.delegation import (
    task_change_for_owner as task_change_for_owner,
)
from bot.blocks.delegation import (
    task_changed_notice as task_changed_notice,
)
from bot.blocks.delegation import (
    task_changed_reply as task_changed_reply,
)
from bot.blocks.delegation import (
    task_created_reply as task_created_reply,
)
from bot.blocks.delegation import (
    task_handed_over_message as task_handed_over_message,
)
from bot.blocks.delegation import (
    task_list_reply as task_list_reply,
)
from bot.blocks.digest import (
    digest_message as digest_message,
)
from bot.blocks.figures import (
    figure_lines as figure_lines,
)
from bot.blocks.home import (
    home_outsider_view as home_outsider_view,
)
from bot.blocks.home import (
    home_view as home_view,
)
from bot.blocks.ids import (
    ACTION_SUFFIX as ACTION_SUFFIX,
)
from bot.blocks.ids import (
    ALL_ON_TRACK_ACTION as ALL_ON_TRACK_ACTION,
)
from bot.blocks.ids import (
    CANCEL_PENDING_TASK_ACTION as CANCEL_PENDING_TASK_ACTION,
)
from bot.blocks.ids import (
    CHECKIN_ACTION_PREFIX as CHECKIN_ACTION_PREFIX,
)
from bot.blocks.ids import (
    CHECKIN_NOTE_MODAL as CHECKIN_NOTE_MODAL,
)
from bot.blocks.ids import (
    DELEGATE_MODAL as DELEGATE_MODAL,
)
from bot.blocks.ids import (
    FIELD_ASSIGNEE as FIELD_ASSIGNEE,
)
from bot.blocks.ids import (
    FIELD_CHANGES as FIELD_CHANGES,
)
from bot.blocks.ids import (
    FIELD_DUE as FIELD_DUE,
)
from bot.blocks.ids import (
    FIELD_NOTE as FIELD_NOTE,
)
from bot.blocks.ids import (
    FIELD_RATING_COMMENT as FIELD_RATING_COMMENT,
)
from bot.blocks.ids import (
    FIELD_STANDARD as FIELD_STANDARD,
)
from bot.blocks.ids import (
    FIELD_TITLE as FIELD_TITLE,
)
from bot.blocks.ids import (
    FIELD_VENDOR as FIELD_VENDOR,
)
from bot.blocks.ids import (
    RATE_TASK_ACTION as RATE_TASK_ACTION,
)
from bot.blocks.ids import (
    RATING_FIELDS as RATING_FIELDS,
)
from bot.blocks.ids import (
    RATING_MODAL as RATING_MODAL,
)
from bot.blocks.ids import (
    REGISTER_AND_DELEGATE_ACTION as REGISTER_AND_DELEGATE_ACTION,
)
from bot.blocks.ids import (
    REVIEW_ACCEPT_ACTION as REVIEW_ACCEPT_ACTION,
)
from bot.blocks.ids import (
    REVIEW_CHANGES_ACTION as REVIEW_CHANGES_ACTION,
)
from bot.blocks.ids import (
    REVIEW_CHANGES_MODAL as REVIEW_CHANGES_MODAL,
)
from bot.blocks.ids import (
    TRIAL_ACTIONS as TRIAL_ACTIONS,
)
from bot.blocks.ids import (
    TRIAL_END_ACTION as TRIAL_END_ACTION,
)
from bot.blocks.ids import (
    TRIAL_EXTEND_ACTION as TRIAL_EXTEND_ACTION,
)
from bot.blocks.ids import (
    TRIAL_KEEP_ACTION as TRIAL_KEEP_ACTION,
)
from bot.blocks.ids import (
    checkin_action_id as checkin_action_id,
)
from bot.blocks.lifecycle import (
    holidays_reply as holidays_reply,
)
from bot.blocks.lifecycle import (
    vendor_added_reply as vendor_added_reply,
)
from bot.blocks.lifecycle import (
    vendor_list_reply as vendor_list_reply,
)
from bot.blocks.lifecycle import (
    vendor_paused_notice as vendor_paused_notice,
)
from bot.blocks.lifecycle import (
    vendor_paused_reply as vendor_paused_reply,
)
from bot.blocks.lifecycle import (
    vendor_removed_reply as vendor_removed_reply,
)
from bot.blocks.lifecycle import (
    vendor_restored_reply as vendor_restored_reply,
)
from bot.blocks.lifecycle import (
    vendor_updated_reply as vendor_updated_reply,
)
from bot.blocks.reviews import (
    changes_modal as changes_modal,
)
from bot.blocks.reviews import (
    changes_requested_notice as changes_requested_notice,
)
from bot.blocks.reviews import (
    delivery_review_message as delivery_review_message,
)
from bot.blocks.reviews import (
    message_metadata as message_metadata,
)
from bot.blocks.reviews import (
    rating_modal as rating_modal,
)
from bot.blocks.reviews import (
    rating_prompt as rating_prompt,
)
from bot.blocks.reviews import (
    review_reminder as review_reminder,
)
from bot.blocks.scorecards import (
    scorecard_chart_alt as scorecard_chart_alt,
)
from bot.blocks.scorecards import (
    scorecard_chart_title as scorecard_chart_title,
)
from bot.blocks.scorecards import (
    scorecard_message as scorecard_message,
)
from bot.blocks.scorecards import (
    scorecard_sent_reply as scorecard_sent_reply,
)
from bot.blocks.spend import (
    budget_alert as budget_alert,
)
from bot.blocks.spend import (
    cost_set_reply as cost_set_reply,
)
from bot.blocks.summaries import (
    feedback_prompt as feedback_prompt,
)
from bot.blocks.summaries import (
    report_sent_reply as report_sent_reply,
)
from bot.blocks.summaries import (
    summary_message as summary_message,
)
from bot.blocks.summaries import (
    summary_posted_reply as summary_posted_reply,
)
from bot.blocks.summaries import (
    summary_thread as summary_thread,
)
from bot.blocks.trials import (
    trial_prompt_message as trial_prompt_message,
)
