"""Slack payloads, read once at the edge into small typed models.

Two steps. `refuse_malformed_payloads` (middleware, before any listener) answers 400 to a
payload whose shape Slack never sends: a list where an object belongs, a number where a
string belongs (`shape_problem`, checked against `_Shape`). Each listener then reads its
payload with the model of its kind (`SlashCommand`, `Click`, `FormSubmission`,
`EventCallback`): only the fields we use, `extra="ignore"`, and a field of the wrong type
read as missing, the way the `.get()` chains these replace did. Domain modules in `bot/`
get the typed values, never a payload.

`read` also sets `team_id` to the installing team (`team_of`): in a Slack Connect channel
the payload's own team_id can be the other organisation's, so it is only a fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Self

from pydantic import (
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictStr,
    ValidationError,
    create_model,
)
from slack_bolt import App, BoltContext, BoltResponse

from bot.blocks import ACTION_SUFFIX
from bot.channel_changes import CHANNEL_EVENTS, ChannelChange
from bot.checkin_replies import ThreadMessage
from bot.reviews import MessageRef

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------ the shape check

_Checked = StrictStr | None  # text when present; Slack sends null for some


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _keys(kind: Any, *keys: str) -> dict[str, Any]:
    """Pydantic field definitions: each key, when present, holds a `kind` (null allowed)."""
    return {key: (kind, None) for key in keys}


# The shape is data: which keys hold text, which an object (models made from these lists are
# `Any` to mypy; nothing but `shape_problem` uses them).
_ID_KEYS = ("id", "team_id", "channel_id", "message_ts", "callback_id", "private_metadata")
_Ids: Any = create_model("_Ids", __base__=_Strict, **_keys(_Checked, *_ID_KEYS))
_ShapeAction: Any = create_model(
    "_ShapeAction", __base__=_Strict, **_keys(_Checked, "action_id", "block_id", "value", "type")
)
_EVENT_TEXT = ("text", "ts", "thread_ts", "event_ts", "subtype", "bot_id", "channel_type")
_ShapeEvent: Any = create_model(
    "_ShapeEvent",
    __base__=_Ids,
    **_keys(_Checked, "type"),
    # An id, or an object with one: user_change sends the user, channel_rename the channel.
    **_keys(_Checked | _Ids, "user", "channel"),
    **_keys(_Checked, *_EVENT_TEXT),
)
# What every listener may rely on, whatever the payload's kind (in this order: the first
# problem found is the one named).
_OBJECTS = ("user", "channel", "container", "message", "view", "team")
_TOP_TEXT = ("type", "trigger_id", "team_id", "event_id", "user_id", "channel_id", "text")
_Shape: Any = create_model(
    "_Shape",
    __base__=_Strict,
    **_keys(_Ids | None, *_OBJECTS),
    **_keys(_ShapeEvent | None, "event"),
    **_keys(_Ids | None, "state"),
    **_keys(list[_ShapeAction] | None, "actions"),
    **_keys(_Checked, *_TOP_TEXT),
)


def shape_problem(body: Any) -> str | None:
    """What is wrong with the payload's shape, or None when listeners can read it."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    try:
        _Shape.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join("[]" if isinstance(p, int) else str(p) for p in first["loc"])
        where = where.replace(".[]", "[]")
        if where.startswith("actions") and first["type"] in ("list_type", "model_type"):
            return "`actions` is not a list of objects"
        if first["type"] == "model_type":
            return f"`{where}` is not an object"
        return f"`{where}` is not text"
    return None


def refuse_malformed_payloads(
    body: dict[str, Any], next: Callable[[], BoltResponse]
) -> BoltResponse:
    problem = shape_problem(body)
    if problem is not None:
        logger.warning("refused a malformed payload: %s", problem)
        return BoltResponse(status=400, body={"error": "malformed payload"})
    return next()


def register(app: App) -> None:
    app.use(refuse_malformed_payloads)


# ------------------------------------------------------------------ reading, leniently


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _object(value: object) -> object:
    return value if isinstance(value, dict | BaseModel) else {}


def _objects(value: object) -> list[object]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


Text = Annotated[str, BeforeValidator(_text)]
OptionalText = Annotated[str | None, BeforeValidator(_text_or_none)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Ref(_Model):
    id: Text = ""


class User(_Model):
    id: Text = ""
    team_id: Text = ""  # the user's own team (Slack Connect included), in interactivity


class _Payload(_Model):
    team_id: Text = ""
    team: Annotated[Ref, BeforeValidator(_object)] = Ref()

    @classmethod
    def read(cls, body: Mapping[str, Any], context: BoltContext) -> Self:
        payload = cls.model_validate(body)
        return payload.model_copy(update={"team_id": team_of(context, payload)})


def team_of(context: BoltContext, payload: _Payload) -> str:
    """The installing team (from auth.test), else the payload's own."""
    result = context.authorize_result
    return str((result.team_id if result else None) or payload.team_id or payload.team.id)


class SlashCommand(_Payload):
    user_id: Text = ""
    channel_id: Text = ""
    text: Text = ""
    trigger_id: Text = ""


class Option(_Model):
    value: OptionalText = None


class Action(_Model):
    action_id: Text = ""
    block_id: Text = ""
    value: Text = ""
    selected_option: Annotated[Option | None, BeforeValidator(_object)] = None


class _Container(_Model):
    channel_id: Text = ""
    message_ts: Text = ""


class _Message(_Model):
    ts: Text = ""


class _Interaction(_Payload):
    """What a person did in Slack's interface (a click, a form sent): it names the person."""

    user: Annotated[User, BeforeValidator(_object)] = User()

    @property
    def user_id(self) -> str:
        return self.user.id


class Click(_Interaction):
    """A block_actions payload: a button or menu pressed."""

    actions: Annotated[list[Action], BeforeValidator(_objects)] = []
    trigger_id: Text = ""
    channel: Annotated[Ref, BeforeValidator(_object)] = Ref()
    container: Annotated[_Container, BeforeValidator(_object)] = _Container()
    posted: Annotated[_Message, BeforeValidator(_object)] = Field(
        default=_Message(), alias="message"
    )

    @property
    def action(self) -> Action:
        return self.actions[0] if self.actions else Action()

    @property
    def value(self) -> str:
        return self.action.value

    @property
    def selected_value(self) -> str:
        """The chosen option of an overflow menu, else the button's value."""
        option = self.action.selected_option
        return option.value if option is not None and option.value is not None else self.value

    @property
    def message(self) -> MessageRef | None:
        """The clicked message: `channel` and `message` as the check-in buttons have always
        read it, `container` (there for every surface) when they are missing."""
        channel = self.channel.id or self.container.channel_id
        ts = self.posted.ts or self.container.message_ts
        return MessageRef(channel, ts) if channel and ts else None

    @property
    def channel_id(self) -> str:
        return self.message.channel_id if self.message else ""

    @property
    def message_ts(self) -> str | None:
        return self.message.ts if self.message else None


class FormElement(_Model):
    """One input of a form, whatever its kind; what it does not have is empty."""

    value: Text = ""
    selected_date: Text = ""
    selected_conversation: Text = ""
    selected_user: Text = ""
    selected_option: Annotated[Option | None, BeforeValidator(_object)] = None

    @property
    def option(self) -> str | None:
        """The selected option's value; None when nothing (or nothing readable) is chosen."""
        return self.selected_option.value if self.selected_option is not None else None


class FormValues(RootModel[dict[str, Any]]):
    """A form's `view.state.values`: block id -> action id -> the input's state."""

    def element(self, block_id: str) -> FormElement:
        block = self.root.get(block_id)
        element = block.get(block_id + ACTION_SUFFIX) if isinstance(block, dict) else None
        return FormElement.model_validate(element) if isinstance(element, dict) else FormElement()

    def texts(self, block_ids: list[str]) -> list[str]:
        """The text typed in each of these inputs, in order ("" when missing)."""
        return [self.element(block_id).value for block_id in block_ids]

    @classmethod
    def of(cls, values: FormValues | Mapping[str, Any]) -> FormValues:
        return values if isinstance(values, FormValues) else cls(dict(values))


class FormSubmission(_Interaction):
    """A view_submission payload: a form sent; read from its `view`."""

    metadata: Text = Field("", validation_alias=AliasPath("view", "private_metadata"))
    form: Annotated[FormValues, BeforeValidator(_object)] = Field(
        FormValues({}), validation_alias=AliasPath("view", "state", "values")
    )


class _Tokens(_Model):
    bot: object = None


def _user_id(value: object) -> str:
    """An event's `user`: an id, or for user_change the user object, read as its id."""
    if isinstance(value, dict):
        value = value.get("id")
    return _text(value)


class Event(_Model):
    type: Text = ""
    user: Annotated[str, BeforeValidator(_user_id)] = ""
    channel: object = None  # an id, or for some channel events an object with one
    text: Text = ""
    ts: Text = ""
    thread_ts: Text = ""
    subtype: object = None
    bot_id: object = None
    bot_profile: object = None
    actor_id: Text = ""
    tab: Annotated[str, BeforeValidator(_text)] = "home"
    tokens: Annotated[_Tokens, BeforeValidator(_object)] = _Tokens()

    @classmethod
    def of(cls, event: Event | Mapping[str, Any]) -> Event:
        return event if isinstance(event, Event) else cls.model_validate(event)


class EventCallback(_Payload):
    event: Annotated[Event, BeforeValidator(_object)] = Event()
    event_id: OptionalText = None


# ------------------------------------------------------------------ what an event means

# Message subtypes that are still a person writing in the thread: a reply also sent to the
# channel, and a reply with a file attached. Every other subtype is something else: edits
# (message_changed, the new text nested under event.message), deletions, joins, bot posts.
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def read_thread_reply(
    event: Event | Mapping[str, Any], bot_user_id: str | None
) -> ThreadMessage | None:
    """A person's reply in some thread, from a `message` event; None for anything else.

    Bolt already drops most of the bot's own messages, but a message the bot posted
    through another path (or as a "bot_message" with only a bot_id) must not count
    as an answer either.
    """
    event = Event.of(event)
    subtype = event.subtype
    if event.type != "message" or not (subtype is None or isinstance(subtype, str)):
        return None  # (a malformed subtype, a list or an object, is no person either)
    if subtype not in _PERSON_SUBTYPES or event.bot_id or event.bot_profile:
        return None
    if not event.user or event.user == bot_user_id:
        return None
    channel = event.channel if isinstance(event.channel, str) else ""
    if not (channel and event.thread_ts and event.ts) or event.thread_ts == event.ts:
        return None  # not in a thread, or the thread's parent itself
    return ThreadMessage(
        channel_id=channel,
        thread_ts=event.thread_ts,
        message_ts=event.ts,
        user_id=event.user,
        text=event.text,
    )


def read_channel_change(
    event: Event | Mapping[str, Any], bot_user_id: str | None
) -> ChannelChange | None:
    """What a channel event means for the vendor in that channel, or None if nothing."""
    event = Event.of(event)
    reason = CHANNEL_EVENTS.get(event.type)
    channel = event.channel
    if isinstance(channel, dict):  # some events carry a channel object rather than an id
        channel = channel.get("id")
    if reason is None or not isinstance(channel, str) or not channel:
        return None
    if event.type == "member_left_channel" and (not bot_user_id or event.user != bot_user_id):
        return None  # a person left; check-ins carry on
    # channel_left names who removed the bot in actor_id; archive events name the archiver.
    actor = event.actor_id or (event.user if event.type.endswith("_archive") else None)
    return ChannelChange(
        channel_id=channel, reason=reason, actor_id=str(actor or bot_user_id or "slack")[:32]
    )


@dataclass(frozen=True)
class FactChange:
    """Which remembered Slack fact (bot.slack_facts) an event makes stale."""

    channel_id: str = ""
    user_id: str = ""


# Events after which what conversations.info said about the channel may be wrong: its
# name, archived or not, shared or not, the bot a member or not. Any member joining or
# leaving counts (cheap: the next command asks once more), not only the bot.
CHANNEL_FACT_EVENTS = frozenset(
    {
        "channel_rename",
        "group_rename",
        "channel_archive",
        "group_archive",
        "channel_unarchive",
        "group_unarchive",
        "channel_deleted",
        "group_deleted",
        "member_joined_channel",
        "member_left_channel",
        "channel_left",
        "group_left",
        "channel_shared",
        "channel_unshared",
    }
)
# Events after which a user's home team (users.info) may be wrong.
USER_FACT_EVENTS = frozenset({"user_change"})


def read_fact_change(event: Event | Mapping[str, Any]) -> FactChange | None:
    """What an event makes stale among the remembered Slack facts, or None."""
    event = Event.of(event)
    if event.type in USER_FACT_EVENTS:
        return FactChange(user_id=event.user) if event.user else None
    if event.type not in CHANNEL_FACT_EVENTS:
        return None
    channel = event.channel
    if isinstance(channel, dict):  # channel_rename and friends carry a channel object
        channel = channel.get("id")
    return FactChange(channel_id=channel) if isinstance(channel, str) and channel else None


@dataclass(frozen=True)
class Requester:
    """Who asked, wherever the request came from (the command, its form, a confirmation)."""

    team_id: str
    user_id: str
    channel_id: str
    text: str = ""  # what was typed after /delegate, kept for a confirmation button
