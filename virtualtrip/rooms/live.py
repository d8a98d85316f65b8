"""The engagement rooms on Janus: create on demand, inspect, kick, destroy. Server side only: these
requests carry the room secret and the VideoRoom admin key."""

from pathlib import Path
from typing import Any

from virtualtrip.rooms.janus.client import JanusError, janus_client
from virtualtrip.rooms.janus.servers import server_at
from virtualtrip.rooms.models import Room

NO_SUCH_ROOM = 426
NO_SUCH_FEED = 428
MAX_PUBLISHERS = 24
AUDIO_ACTIVE_PACKETS = 25
"""Janus judges talking over this many audio packets: Opus sends one every 20 ms, so half a second
(Janus's default, 100, takes two seconds to notice someone speaking and two more to notice silence)."""
AUDIO_LEVEL_AVERAGE = 55
"""Talking when those packets' average level is louder than -55 dBov (RFC 6464: 0 is the loudest,
127 silence). Speech into a laptop microphone sits around -20 to -45 dBov and a quiet room, after
the browser's noise suppression, below -65; Janus's default (25) misses all but loud voices."""


async def ensure_janus_room(room: Room, description: str, record_to: Path | None = None) -> bool:
    """Create the room on its Janus unless it is there already (after a Janus restart it is not);
    True when it had to be created. With `record_to`, Janus records every publisher there."""
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        if (await janus.videoroom({"request": "exists", "room": room.janus_room})).get("exists"):
            return False
        await janus.videoroom(
            {
                "request": "create",
                "room": room.janus_room,
                "admin_key": server.room_admin_key,
                "secret": room.secret,
                "pin": room.pin,
                "description": description[:100],
                "is_private": True,
                "publishers": MAX_PUBLISHERS,
                "audiocodec": "opus",
                "videocodec": "vp8",
                "notify_joining": True,
                "audiolevel_event": True,
                "audio_active_packets": AUDIO_ACTIVE_PACKETS,
                "audio_level_average": AUDIO_LEVEL_AVERAGE,
                "permanent": False,
                **({"record": True, "rec_dir": str(record_to)} if record_to is not None else {}),
            }
        )
        return True


async def list_participants(room: Room) -> list[dict[str, Any]]:
    """The room's participants as Janus lists them (only the entries that are objects)."""
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        try:
            answer = await janus.videoroom({"request": "listparticipants", "room": room.janus_room})
        except JanusError as error:
            if error.code == NO_SUCH_ROOM:
                return []
            raise
    participants = answer.get("participants") if isinstance(answer, dict) else None
    if not isinstance(participants, list):
        return []
    return [p for p in participants if isinstance(p, dict)]


async def room_is_occupied(room: Room) -> bool:
    return bool(await list_participants(room))


async def kick(room: Room, janus_participant: int) -> None:
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        try:
            await janus.videoroom(
                {"request": "kick", "room": room.janus_room, "secret": room.secret, "id": janus_participant}
            )
        except JanusError as error:
            if error.code not in {NO_SUCH_ROOM, NO_SUCH_FEED}:  # already gone
                raise


async def destroy_janus_room(room: Room) -> None:
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        try:
            await janus.videoroom({"request": "destroy", "room": room.janus_room, "secret": room.secret})
        except JanusError as error:
            if error.code != NO_SUCH_ROOM:
                raise


OPUS_PAYLOAD_TYPE = 111
"""The payload type a forwarded voice carries, whatever the browser negotiated: the listener's SDP
names this one."""


SRTP_SUITE = 80
"""AES_CM_128_HMAC_SHA1_80: what the forwarded voice is encrypted and signed with."""


async def forward_audio(room: Room, feed: int, host: str, port: int, srtp_key: str) -> int:
    """Have Janus send publisher `feed`'s audio as SRTP, keyed with `srtp_key` (base64 of 30 bytes:
    the master key and salt, as SDES writes them), to `host`:`port`; the forwarder's id. Encrypted
    and signed, a voice can be neither overheard nor forged on the way, whatever network it crosses.
    It needs the room secret and the VideoRoom admin key (`lock_rtp_forward`): only the app can ask."""
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        answer = await janus.videoroom(
            {
                "request": "rtp_forward",
                "room": room.janus_room,
                "publisher_id": feed,
                "secret": room.secret,
                "admin_key": server.room_admin_key,
                "host": host,
                "host_family": "ipv4",
                "audio_port": port,
                "audio_pt": OPUS_PAYLOAD_TYPE,
                "srtp_suite": SRTP_SUITE,
                "srtp_crypto": srtp_key,
            }
        )
    # Janus 1.x answers the `audio_port` form (which needs no knowledge of the publisher's mids)
    # with `rtp_stream` and a deprecation warning; the `streams` form with `forwarders`.
    legacy = answer.get("rtp_stream", {})
    if isinstance(legacy.get("audio_stream_id"), int):
        return int(legacy["audio_stream_id"])
    forwarders = [f for f in answer.get("forwarders", []) if f.get("type") == "audio"]
    if not forwarders:
        raise JanusError(f"publisher {feed} sends no audio to forward")
    return int(forwarders[0]["stream_id"])


async def stop_forward(room: Room, feed: int, stream_id: int) -> None:
    """Stop a forwarder; one already gone with its publisher or its room is no error."""
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        try:
            await janus.videoroom(
                {
                    "request": "stop_rtp_forward",
                    "room": room.janus_room,
                    "publisher_id": feed,
                    "stream_id": stream_id,
                    "secret": room.secret,
                    "admin_key": server.room_admin_key,
                }
            )
        except JanusError as error:
            if error.code not in {NO_SUCH_ROOM, NO_SUCH_FEED}:
                raise
