"""The signaling policy: which Janus API messages from a browser reach Janus, and how they change.

A browser speaks the ordinary Janus protocol (janus.js) to the app; the app forwards a message only
when the seat's role allows it. It fills in the room, the pin and the display name itself, so the
browser never learns the room id, secret or pin and cannot rename itself; it refuses every VideoRoom
request that manages rooms (create, destroy, kick, moderate, recording, forwarding); and it refuses
an offer that sends a kind of media the seat may not publish, or that it cannot read for certain.
What a seat may publish is its role's right or a grant made during the meeting: the consumer reads
it from the database before every message that could publish (`wants_rights`) and sets `rights`.
Pure logic, no I/O: the consumer does the talking.
"""

import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

from virtualtrip.rooms import protocol
from virtualtrip.rooms.seats import Seat

Message = dict[str, Any]
PUBLISHER = "publisher"
SUBSCRIBER = "subscriber"

JOIN_KEYS = {PUBLISHER: set(), SUBSCRIBER: {"feed", "streams", "private_id"}}
PUBLISHER_CONFIGURE_KEYS = {"audio", "video", "data", "keyframe", "streams", "descriptions"}
SUBSCRIBER_CONFIGURE_KEYS = {"streams", "audio", "video", "data", "keyframe", "substream", "temporal"}
SUBSCRIBER_REQUESTS = {"start", "pause", "subscribe", "unsubscribe", "update", "switch"}
SESSION_VERBS = {"keepalive", "destroy", "attach"}
HANDLE_VERBS = {"message", "trickle", "detach", "hangup"}
MAX_SESSIONS = 4
"""janus.js makes one session per connection; a few more leave room for a page that starts over."""
MAX_HANDLES = 64
"""A publisher and the subscriptions to a full room's publishers (24), with room to spare."""
ID_FIELDS = ("session_id", "handle_id")
TRACKED_VERBS = {"attach", "detach", "destroy"}
"""Requests whose success changes which sessions and handles the connection owns."""
OWN_TRANSACTION = "vt-proxy-"
"""The proxy's own requests on the page's Janus session (an unpublish on a withdrawal) carry
transactions with this prefix; their answers go no further than the proxy."""


def _short(value: object) -> str:
    """A value a browser sent, short enough to quote in an error."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _shape_refusal(message: Message) -> "Refusal | None":
    """The envelope janus.js always sends: a string verb and transaction, and integer ids."""
    if not isinstance(message.get("janus"), str):
        return Refusal(400, "a Janus message needs 'janus': a string")
    transaction = message.get("transaction")
    if not isinstance(transaction, str) or not transaction:
        return Refusal(400, "a Janus message needs 'transaction': a string")
    for name in ID_FIELDS:
        value = message.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return Refusal(400, f"'{name}' must be an integer")
    return None


def recording_base(seat_key: str, at_ms: int) -> str:
    """Janus's file name for one publication of a recorded room; `recordings` reads it back."""
    return f"{seat_key}-{at_ms}"


@dataclass(frozen=True)
class Refusal:
    code: int
    reason: str
    close: int | None = None
    """The proxy answers, then closes the connection with this code (too many sessions or handles)."""


DIRECTIONS = {"sendrecv", "sendonly", "recvonly", "inactive"}
SENDING = {"sendrecv", "sendonly"}
MEDIA_KINDS = {"audio", "video", "application"}
M_LINE = re.compile(r"m=([A-Za-z]+) ([0-9]{1,5}) \S+( \S+)+")
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class UnclearOffer(ValueError):
    """An SDP offer that could be read more than one way: the proxy refuses it rather than guess
    what Janus will make of it."""


@dataclass(frozen=True)
class MediaSection:
    kind: str
    port: int
    direction: str
    """The section's one direction attribute, or sendrecv (SDP's default) when it has none."""
    bundle_only: bool
    first: bool

    @property
    def sends(self) -> bool:
        """Port 0 turns a section off, except with bundle-only (RFC 8843) and in the first section,
        which Janus keeps on whatever its port."""
        active = self.port != 0 or self.bundle_only or self.first
        return active and self.direction in SENDING


def media_sections(sdp: str) -> list[MediaSection]:
    """Read an offer's media sections as strictly as Janus might read them loosely: lines split on
    LF with an optional CR, attribute names in any case, exactly one direction per section.
    UnclearOffer names the first line that could mean more than one thing."""
    sections: list[MediaSection] = []
    attributes: list[tuple[str, str | None]] | None = None
    m_line: re.Match[str] | None = None
    for number, raw in enumerate(sdp.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line:
            continue
        if CONTROL_CHARACTER.search(line) or len(line) < 3 or not ("a" <= line[0] <= "z" and line[1] == "="):
            raise UnclearOffer(f"line {number} is not an SDP line")
        if line[0] == "m":
            if m_line is not None and attributes is not None:
                sections.append(_section(m_line, attributes, first=not sections))
            m_line, attributes = M_LINE.fullmatch(line), []
            if m_line is None or m_line.group(1).lower() not in MEDIA_KINDS:
                raise UnclearOffer(f"line {number} is a media line this app does not read")
        elif line[0] == "a":
            name, colon, value = line[2:].partition(":")
            named = name.strip().lower()
            if named in DIRECTIONS and (colon or name != name.strip() or attributes is None):
                raise UnclearOffer(f"line {number} gives a direction that could be read two ways")
            if attributes is not None:
                attributes.append((named, value if colon else None))
    if m_line is not None and attributes is not None:
        sections.append(_section(m_line, attributes, first=not sections))
    return sections


def _section(m_line: re.Match[str], attributes: list[tuple[str, str | None]], first: bool) -> MediaSection:
    kind = m_line.group(1).lower()
    directions = [name for name, _ in attributes if name in DIRECTIONS]
    if len(directions) > 1:
        raise UnclearOffer(f"the {kind} section has {len(directions)} directions: {', '.join(directions)}")
    return MediaSection(
        kind=kind,
        port=int(m_line.group(2)),
        direction=directions[0] if directions else "sendrecv",
        bundle_only=any(name == "bundle-only" for name, _ in attributes),
        first=first,
    )


def sent_media_kinds(sdp: str) -> set[str]:
    """The kinds of media (audio, video, application) an SDP offer would send; UnclearOffer when
    that cannot be told for certain."""
    return {section.kind for section in media_sections(sdp) if section.sends}


@dataclass
class SignalingPolicy:
    seat: Seat
    janus_room: int
    pin: str
    token: str
    admitted: bool
    recorded: bool = False
    """The room is recorded: each publication gets a file name that says whose voice it holds."""
    sessions: set[int] = field(default_factory=set)
    handles: dict[int, str | None] = field(default_factory=dict)
    """Each handle this connection attached, and what it joined as (None before it joins)."""
    handle_sessions: dict[int, int] = field(default_factory=dict)
    pending: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    """Requests waiting for Janus's answer, by transaction: the verb and the id it is about."""
    rights: tuple[bool, bool] | None = None
    """(audio, video) the seat may publish, as the consumer last read them; None: the role's."""
    published: dict[int, set[str]] = field(default_factory=dict)
    """Each publisher handle's publication: the kinds of media its last offer sends."""
    own: set[str] = field(default_factory=set)
    """The proxy's own requests still waiting for Janus's answer."""
    _numbers: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    @property
    def allowed(self) -> set[str]:
        """The kinds of media the seat may send now."""
        audio, video = (
            self.rights
            if self.rights is not None
            else (
                self.seat.can.publishes_audio,
                self.seat.can.publishes_video,
            )
        )
        return {"application"} | ({"audio"} if audio else set()) | ({"video"} if video else set())

    @property
    def publishes(self) -> bool:
        return bool(self.allowed - {"application"})

    @staticmethod
    def wants_rights(message: Message) -> bool:
        """A message whose verdict depends on what the seat may publish: read the rights first."""
        body = message.get("body")
        request = body.get("request") if isinstance(body, dict) else None
        return message.get("janus") == "message" and (
            message.get("jsep") is not None or request in {"configure", "publish"}
        )

    def over_rights(self) -> list[int]:
        """Publisher handles publishing more than the seat may now: the proxy unpublishes them."""
        allowed = self.allowed
        return [handle for handle, kinds in self.published.items() if not kinds <= allowed]

    def unpublish(self, handle: int) -> Message:
        """The proxy's own `unpublish` of a publisher handle's publication (Janus hangs up its
        PeerConnection: whatever the page keeps sending goes nowhere). The handle stays listed as
        publishing until Janus hangs it up: an unpublish that comes before the PeerConnection is up
        fails, and the proxy tries again when Janus says the media started (`webrtcup`)."""
        transaction = f"{OWN_TRANSACTION}{next(self._numbers)}"
        self.own.add(transaction)
        return self._signed(
            {
                "janus": "message",
                "session_id": self.handle_sessions.get(handle),
                "handle_id": handle,
                "transaction": transaction,
                "body": {"request": "unpublish"},
            }
        )

    def is_own(self, message: Message) -> bool:
        """An answer to one of the proxy's own requests (an `ack` first, then the event)."""
        transaction = message.get("transaction")
        if not isinstance(transaction, str) or transaction not in self.own:
            return False
        if message.get("janus") != "ack":
            self.own.discard(transaction)
        return True

    # browser → Janus
    def inbound(self, message: Message) -> Message | Refusal:
        shape = _shape_refusal(message)
        if shape is not None:
            return shape
        verb = message["janus"]
        transaction = message["transaction"]
        if transaction in self.pending or transaction.startswith(OWN_TRANSACTION):
            return Refusal(400, "a request with this transaction is still waiting for its answer")
        if verb == "create":
            return self._create(transaction)
        if verb not in SESSION_VERBS | HANDLE_VERBS:
            return Refusal(403, f"'{_short(verb)}' is not allowed here")
        session = message.get("session_id")
        if session not in self.sessions:
            return Refusal(458, "no such session on this connection")
        handle = message.get("handle_id")
        if verb == "attach":
            refused = self._attach_refusal(message)
            if refused is not None:
                return refused
        elif verb in HANDLE_VERBS and (handle is None or self.handle_sessions.get(handle) != session):
            return Refusal(459, "no such handle on this connection")
        if verb == "message":
            return self._message(message)
        if verb in TRACKED_VERBS:
            self.pending[transaction] = (verb, handle if verb in HANDLE_VERBS else session)
        return self._signed(message)

    def _create(self, transaction: str) -> Message | Refusal:
        if len(self.sessions) + self._pending_count("create") >= MAX_SESSIONS:
            reason = f"at most {MAX_SESSIONS} Janus sessions on one connection"
            return Refusal(429, reason, close=protocol.CLOSE_TOO_MANY_HANDLES)
        self.pending[transaction] = ("create", None)
        return self._signed({"janus": "create", "transaction": transaction})

    def _attach_refusal(self, message: Message) -> Refusal | None:
        if message.get("plugin") != "janus.plugin.videoroom":
            return Refusal(403, "only the video room is available")
        if len(self.handles) + self._pending_count("attach") >= MAX_HANDLES:
            reason = f"at most {MAX_HANDLES} Janus handles on one connection"
            return Refusal(429, reason, close=protocol.CLOSE_TOO_MANY_HANDLES)
        return None

    def _pending_count(self, verb: str) -> int:
        return sum(1 for pending, _ in self.pending.values() if pending == verb)

    def _message(self, message: Message) -> Message | Refusal:
        body = message.get("body")
        if not isinstance(body, dict):
            return Refusal(400, "a message needs a body: a JSON object")
        request = body.get("request")
        if not isinstance(request, str):
            return Refusal(400, "a message's body needs a request: a string")
        handle = message["handle_id"]
        kind = self.handles.get(handle)
        jsep = message.get("jsep")
        rewritten: Message | Refusal
        if request == "join":
            joined = self._join(kind, body)
            if isinstance(joined, Refusal):
                return joined
            kind, rewritten = joined
        elif request in {"configure", "publish"} and kind == PUBLISHER:
            rewritten = self._publish(body, jsep)
        elif request == "configure" and kind == SUBSCRIBER:
            rewritten = self._only(body, SUBSCRIBER_CONFIGURE_KEYS)
        elif request in {"unpublish", "leave"} and kind is not None:
            rewritten = {"request": request}
            self.published.pop(handle, None)
        elif request in SUBSCRIBER_REQUESTS and kind == SUBSCRIBER:
            rewritten = self._only(body, {"streams", "feed", "substream", "temporal"})
        else:
            role = self.seat.role
            return Refusal(
                403, f"the video room request '{_short(request)}' is not allowed for the {role} role"
            )
        if isinstance(rewritten, Refusal):
            return rewritten
        if jsep is not None:
            refused = self._jsep_refusal(request, kind, jsep)
            if refused is not None:
                return refused
        if self.recorded and jsep is not None and kind == PUBLISHER:
            rewritten["filename"] = recording_base(self.seat.key, time.time_ns() // 1_000_000)
        # Only a request about to be forwarded changes what the connection knows.
        self.handles[handle] = kind
        if kind == PUBLISHER and jsep is not None:
            self.published[handle] = sent_media_kinds(jsep.get("sdp", ""))
        return self._signed({**message, "body": rewritten})

    def _join(self, kind: str | None, body: Message) -> tuple[str, Message] | Refusal:
        """The kind the handle joins as, and the join Janus gets; the caller records the kind only
        once the whole message is allowed."""
        ptype = body.get("ptype")
        if kind is not None:
            return Refusal(403, "this handle has already joined")
        if not isinstance(ptype, str) or ptype not in JOIN_KEYS:
            return Refusal(400, "ptype must be publisher or subscriber")
        if self.seat.in_lobby and not self.admitted:
            return Refusal(403, "you are waiting in the lobby until a host admits you")
        rewritten = self._only(
            {k: v for k, v in body.items() if k not in {"request", "ptype"}}, JOIN_KEYS[ptype]
        )
        if isinstance(rewritten, Refusal):
            return rewritten
        extra = {"display": self.seat.display} if ptype == PUBLISHER else {}
        return ptype, {
            "request": "join",
            "ptype": ptype,
            "room": self.janus_room,
            "pin": self.pin,
            **rewritten,
            **extra,
        }

    def _publish(self, body: Message, jsep: Any) -> Message | Refusal:
        sends_media = jsep is not None or body.get("request") == "publish"
        if sends_media and not self.publishes:
            return Refusal(403, f"the {self.seat.role} role watches and listens: publishing is not allowed")
        return self._only(body, PUBLISHER_CONFIGURE_KEYS)

    def _jsep_refusal(self, request: str, kind: str | None, jsep: Any) -> Refusal | None:
        refused = Refusal(403, f"the {self.seat.role} role may not send media with '{request}'")
        if not isinstance(jsep, dict) or not isinstance(jsep.get("sdp", ""), str):
            return Refusal(400, "a jsep is an object whose sdp is a string")
        if kind == SUBSCRIBER:
            return None if request == "start" and jsep.get("type") == "answer" else refused
        if kind != PUBLISHER or request not in {"configure", "publish"} or jsep.get("type") != "offer":
            return refused
        try:
            sent = sent_media_kinds(jsep.get("sdp", ""))
        except UnclearOffer as unclear:
            return Refusal(400, f"the offer is refused: {unclear}")
        return None if sent <= self.allowed else refused

    @staticmethod
    def _only(body: Message, allowed: set[str]) -> Message | Refusal:
        extra = sorted(set(body) - allowed - {"request"})
        if extra:
            return Refusal(403, f"not allowed in this request: {', '.join(extra)}")
        return dict(body)

    def _signed(self, message: Message) -> Message:
        clean = {k: v for k, v in message.items() if k not in {"apisecret", "token"}}
        return {**clean, "token": self.token}

    # Janus → browser
    def outbound(self, message: Message) -> Message:
        """Track the sessions and handles this connection owns, and hide the room id."""
        pending = self.pending.pop(str(message.get("transaction", "")), None)
        answered = message.get("janus")
        if pending is not None and answered in {"success", "error"}:
            self._settle(*pending, message if answered == "success" else None)
        elif answered in {"detached", "hangup"}:
            self.published.pop(message.get("sender"), None)  # type: ignore[arg-type]
            if answered == "detached":
                self._forget_handle(message.get("sender"))
        elif answered == "timeout":
            self._forget_session(message.get("session_id"))
        data = message.get("plugindata", {}).get("data")
        if isinstance(data, dict) and "room" in data:
            data["room"] = self.seat.engagement_id
        return message

    def _settle(self, verb: str, about: int | None, success: Message | None) -> None:
        """Janus answered a request: a new session or handle to own, or one that is gone."""
        if success is None:
            return
        if verb == "create":
            self.sessions.add(success["data"]["id"])
        elif verb == "attach" and about is not None:
            handle = success["data"]["id"]
            self.handles[handle] = None
            self.handle_sessions[handle] = about
        elif verb == "detach":
            self._forget_handle(about)
        elif verb == "destroy":
            self._forget_session(about)

    def _forget_handle(self, handle: Any) -> None:
        self.handles.pop(handle, None)
        self.published.pop(handle, None)
        self.handle_sessions.pop(handle, None)

    def _forget_session(self, session: Any) -> None:
        self.sessions.discard(session)
        for handle in [h for h, owner in self.handle_sessions.items() if owner == session]:
            self._forget_handle(handle)

    def scrub(self, text: str) -> str:
        """Last guard on the raw text: the room id and pin never leave the server."""
        return text.replace(str(self.janus_room), str(self.seat.engagement_id)).replace(self.pin, "")
