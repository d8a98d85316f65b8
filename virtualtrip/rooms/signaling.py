"""The signaling policy: which Janus API messages from a browser reach Janus, and how they change.

A browser speaks the ordinary Janus protocol (janus.js) to the app; the app forwards a message only
when the seat's role allows it. It fills in the room, the pin and the display name itself, so the
browser never learns the room id, secret or pin and cannot rename itself; it refuses every VideoRoom
request that manages rooms (create, destroy, kick, moderate, recording, forwarding); and it refuses
an offer that sends a kind of media the role may not publish. Pure logic, no I/O: the consumer does
the talking.
"""

import re
import time
from dataclasses import dataclass, field
from typing import Any

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


def recording_base(seat_key: str, at_ms: int) -> str:
    """Janus's file name for one publication of a recorded room; `recordings` reads it back."""
    return f"{seat_key}-{at_ms}"


@dataclass(frozen=True)
class Refusal:
    code: int
    reason: str


def sent_media_kinds(sdp: str) -> set[str]:
    """The kinds of media (audio, video) an SDP offer would send: m-lines with a port that are not
    recvonly or inactive."""
    kinds: set[str] = set()
    for section in re.split(r"\r?\n(?=m=)", sdp)[1:]:
        kind, port = section[2:].split(" ", 2)[:2]
        direction = re.search(r"^a=(sendrecv|sendonly|recvonly|inactive)\s*$", section, re.MULTILINE)
        if port != "0" and (direction is None or direction.group(1) in {"sendrecv", "sendonly"}):
            kinds.add(kind)
    return kinds


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
    pending: dict[str, str] = field(default_factory=dict)

    # browser → Janus
    def inbound(self, message: Message) -> Message | Refusal:
        verb = message.get("janus")
        transaction = str(message.get("transaction", ""))
        if verb == "create":
            self.pending[transaction] = "create"
            return self._signed({"janus": "create", "transaction": transaction})
        if verb not in SESSION_VERBS | HANDLE_VERBS:
            return Refusal(403, f"'{verb}' is not allowed here")
        if message.get("session_id") not in self.sessions:
            return Refusal(458, "no such session on this connection")
        if verb == "attach":
            if message.get("plugin") != "janus.plugin.videoroom":
                return Refusal(403, "only the video room is available")
            self.pending[transaction] = "attach"
        elif verb in HANDLE_VERBS and message.get("handle_id") not in self.handles:
            return Refusal(459, "no such handle on this connection")
        if verb == "message":
            return self._message(message)
        return self._signed(message)

    def _message(self, message: Message) -> Message | Refusal:
        body = message.get("body")
        if not isinstance(body, dict):
            return Refusal(400, "a message needs a body")
        handle = message["handle_id"]
        kind = self.handles.get(handle)
        request = body.get("request")
        jsep = message.get("jsep")
        if request == "join":
            rewritten = self._join(handle, kind, body)
        elif request in {"configure", "publish"} and kind == PUBLISHER:
            rewritten = self._publish(body, jsep)
        elif request == "configure" and kind == SUBSCRIBER:
            rewritten = self._only(body, SUBSCRIBER_CONFIGURE_KEYS)
        elif request in {"unpublish", "leave"} and kind is not None:
            rewritten = {"request": request}
        elif request in SUBSCRIBER_REQUESTS and kind == SUBSCRIBER:
            rewritten = self._only(body, {"streams", "feed", "substream", "temporal"})
        else:
            role = self.seat.role
            return Refusal(403, f"the video room request '{request}' is not allowed for the {role} role")
        if isinstance(rewritten, Refusal):
            return rewritten
        if jsep is not None and not self._jsep_allowed(request, kind, jsep):
            return Refusal(403, f"the {self.seat.role} role may not send media with '{request}'")
        return self._signed({**message, "body": rewritten})

    def _join(self, handle: int, kind: str | None, body: Message) -> Message | Refusal:
        ptype = body.get("ptype")
        if kind is not None:
            return Refusal(403, "this handle has already joined")
        if ptype not in JOIN_KEYS:
            return Refusal(400, "ptype must be publisher or subscriber")
        if self.seat.in_lobby and not self.admitted:
            return Refusal(403, "you are waiting in the lobby until a host admits you")
        rewritten = self._only(
            {k: v for k, v in body.items() if k not in {"request", "ptype"}}, JOIN_KEYS[ptype]
        )
        if isinstance(rewritten, Refusal):
            return rewritten
        self.handles[handle] = ptype
        extra = {"display": self.seat.display} if ptype == PUBLISHER else {}
        return {
            "request": "join",
            "ptype": ptype,
            "room": self.janus_room,
            "pin": self.pin,
            **rewritten,
            **extra,
        }

    def _publish(self, body: Message, jsep: Any) -> Message | Refusal:
        sends_media = jsep is not None or body.get("request") == "publish"
        if sends_media and not self.seat.can.publishes:
            return Refusal(403, f"the {self.seat.role} role watches and listens: publishing is not allowed")
        rewritten = self._only(body, PUBLISHER_CONFIGURE_KEYS)
        if self.recorded and jsep is not None and not isinstance(rewritten, Refusal):
            rewritten["filename"] = recording_base(self.seat.key, time.time_ns() // 1_000_000)
        return rewritten

    def _jsep_allowed(self, request: str, kind: str | None, jsep: Any) -> bool:
        if not isinstance(jsep, dict):
            return False
        if kind == SUBSCRIBER:
            return request == "start" and jsep.get("type") == "answer"
        if kind != PUBLISHER or request not in {"configure", "publish"} or jsep.get("type") != "offer":
            return False
        allowed = {"application"}
        if self.seat.can.publishes_audio:
            allowed.add("audio")
        if self.seat.can.publishes_video:
            allowed.add("video")
        return sent_media_kinds(str(jsep.get("sdp", ""))) <= allowed

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
        verb = self.pending.pop(str(message.get("transaction", "")), None)
        if verb is not None and message.get("janus") == "success":
            created = message["data"]["id"]
            if verb == "create":
                self.sessions.add(created)
            else:
                self.handles[created] = None
        data = message.get("plugindata", {}).get("data")
        if isinstance(data, dict) and "room" in data:
            data["room"] = self.seat.engagement_id
        return message

    def scrub(self, text: str) -> str:
        """Last guard on the raw text: the room id and pin never leave the server."""
        return text.replace(str(self.janus_room), str(self.seat.engagement_id)).replace(self.pin, "")
