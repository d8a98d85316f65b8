"""What the signaling policy reads in an offer: the kinds of media it sends, by the same rules Janus
uses, and a refusal of every offer that could be read more than one way."""

import pytest

from tests.rooms.test_signaling import joined_policy, message
from virtualtrip.rooms.signaling import (
    MediaSection,
    Refusal,
    SignalingPolicy,
    UnclearOffer,
    media_sections,
    sent_media_kinds,
)
from virtualtrip.trips.enums import Role

SESSION = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n"
)
AUDIO = (
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:a1b2\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
    "a=ice-options:trickle\r\na=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n{direction}"
    "a=msid:stream track-a\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
)
VIDEO = (
    "m=video {port} UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:a1b2\r\na=ice-pwd:0123456789abcdefghijklmn\r\na=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:1\r\n{direction}"
    "a=msid:stream track-v\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\n"
)


def offer(video_direction: str, port: int = 9, audio_direction: str = "a=sendonly\r\n") -> str:
    """A Chromium-shaped offer: audio, then video with these direction lines and port."""
    return (
        SESSION + AUDIO.format(direction=audio_direction) + VIDEO.format(port=port, direction=video_direction)
    )


FORGED_VIDEO_OFFERS = {
    "two directions": offer("a=recvonly\r\na=sendrecv\r\n"),
    "upper case": offer("a=SENDONLY\r\n"),
    "upper case after recvonly": offer("a=recvonly\r\na=SENDONLY\r\n"),
    "port 0, bundle-only": offer("a=bundle-only\r\na=sendrecv\r\n", port=0),
    "port 0, upper-case bundle-only": offer("a=BUNDLE-ONLY\r\na=sendonly\r\n", port=0),
    "no direction (sendrecv)": offer(""),
    "video with bare line feeds": offer("a=sendonly\r\n").replace("\r\n", "\n"),
}


def interpreter_with_handle() -> SignalingPolicy:
    policy = joined_policy(Role.INTERPRETER)
    assert not isinstance(policy.inbound(message({"request": "join", "ptype": "publisher"})), Refusal)
    return policy


def configure(policy: SignalingPolicy, sdp: str) -> dict | Refusal:
    return policy.inbound(message({"request": "configure", "audio": True}, {"type": "offer", "sdp": sdp}))


@pytest.mark.parametrize("sdp", FORGED_VIDEO_OFFERS.values(), ids=FORGED_VIDEO_OFFERS.keys())
def test_an_interpreter_offer_that_sends_video_is_refused(sdp: str) -> None:
    refused = configure(interpreter_with_handle(), sdp)
    assert isinstance(refused, Refusal)
    assert refused.code in {400, 403}


def test_the_forged_offers_are_refused_for_the_reason_each_deserves() -> None:
    policy = interpreter_with_handle()
    assert [configure(policy, sdp) for sdp in FORGED_VIDEO_OFFERS.values()] == [
        Refusal(400, "the offer is refused: the video section has 2 directions: recvonly, sendrecv"),
        Refusal(403, "the interpreter role may not send media with 'configure'"),
        Refusal(400, "the offer is refused: the video section has 2 directions: recvonly, sendonly"),
        *[Refusal(403, "the interpreter role may not send media with 'configure'")] * 4,
    ]


AUDIO_ONLY_OFFERS = {
    "video recvonly": offer("a=recvonly\r\n"),
    "video upper-case inactive": offer("a=INACTIVE\r\n"),
    "video port 0": offer("a=sendrecv\r\n", port=0),
    "video port 0, bundle-only, recvonly": offer("a=bundle-only\r\na=recvonly\r\n", port=0),
    "no video": SESSION + AUDIO.format(direction="a=sendonly\r\n"),
}


@pytest.mark.parametrize("sdp", AUDIO_ONLY_OFFERS.values(), ids=AUDIO_ONLY_OFFERS.keys())
def test_an_interpreter_offer_that_sends_only_audio_is_forwarded(sdp: str) -> None:
    forwarded = configure(interpreter_with_handle(), sdp)
    assert isinstance(forwarded, dict), forwarded
    assert forwarded["jsep"] == {"type": "offer", "sdp": sdp}


def test_sections_are_read_with_their_port_direction_and_bundle_only() -> None:
    assert media_sections(offer("a=bundle-only\r\na=recvonly\r\n", port=0)) == [
        MediaSection("audio", 9, "sendonly", bundle_only=False, first=True),
        MediaSection("video", 0, "recvonly", bundle_only=True, first=False),
    ]


def test_the_first_section_sends_even_on_port_0() -> None:
    """Janus turns port 0 into 9 for the first section: it is never off."""
    first_video = "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\nm=audio 0 RTP 111\r\n"
    assert sent_media_kinds(first_video) == {"video"}


UNCLEAR = {
    "two directions": (
        "v=0\r\nm=video 9 RTP 96\r\na=inactive\r\na=Inactive\r\n",
        "the video section has 2 directions: inactive, inactive",
    ),
    "a direction with a value": (
        "v=0\r\nm=video 9 RTP 96\r\na=sendonly:1\r\n",
        "line 3 gives a direction that could be read two ways",
    ),
    "a direction with a space": (
        "v=0\r\nm=video 9 RTP 96\r\na=recvonly \r\n",
        "line 3 gives a direction that could be read two ways",
    ),
    "a direction for the session": (
        "v=0\r\na=recvonly\r\nm=video 9 RTP 96\r\n",
        "line 2 gives a direction that could be read two ways",
    ),
    "an upper-case line type": (
        "v=0\r\nm=audio 9 RTP 111\r\nM=video 9 RTP 96\r\n",
        "line 3 is not an SDP line",
    ),
    "a carriage return inside a line": (
        "v=0\r\nm=video 9 RTP 96\r\na=recvonly\ra=sendrecv\r\n",
        "line 3 is not an SDP line",
    ),
    "a NUL": ("v=0\r\nm=video 9 RTP 96\r\na=recvonly\x00\r\n", "line 3 is not an SDP line"),
    "an unknown kind": ("v=0\r\nm=text 9 RTP 96\r\n", "line 2 is a media line this app does not read"),
    "an odd port": ("v=0\r\nm=video 0x9 RTP 96\r\n", "line 2 is a media line this app does not read"),
    "a short line": ("v=0\r\nm=video 9 RTP 96\r\na=\r\n", "line 3 is not an SDP line"),
}


@pytest.mark.parametrize(("sdp", "reason"), UNCLEAR.values(), ids=UNCLEAR.keys())
def test_an_offer_that_reads_two_ways_is_unclear(sdp: str, reason: str) -> None:
    with pytest.raises(UnclearOffer) as unclear:
        media_sections(sdp)
    assert str(unclear.value) == reason


def test_an_unclear_offer_is_refused_even_to_a_role_that_sends_everything() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    assert configure(policy, offer("a=sendonly\r\na=sendonly\r\n")) == Refusal(
        400, "the offer is refused: the video section has 2 directions: sendonly, sendonly"
    )
    assert isinstance(configure(policy, offer("a=sendonly\r\n")), dict)


def test_a_jsep_whose_sdp_is_not_text_is_refused() -> None:
    policy = interpreter_with_handle()
    sent = message({"request": "configure"}, {"type": "offer", "sdp": ["m=video 9 RTP 96"]})
    assert policy.inbound(sent) == Refusal(400, "a jsep is an object whose sdp is a string")
