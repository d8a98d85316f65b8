import re
from typing import Any

from tests.factories.rooms import live_engagement, seat
from virtualtrip.rooms.protocol import CLOSE_TOO_MANY_HANDLES
from virtualtrip.rooms.seats import Seat, participant_seat
from virtualtrip.rooms.signaling import MAX_HANDLES, MAX_SESSIONS, Refusal, SignalingPolicy, sent_media_kinds
from virtualtrip.trips.enums import Role

AUDIO_VIDEO_OFFER = (
    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n"
)
AUDIO_ONLY_OFFER = (
    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=inactive\r\n"
)


def make_seat(role: str, in_lobby: bool = False) -> Seat:
    return Seat(7, 3, None, role, "Sam Reed — Daily Wire Service, United States", in_lobby)


def joined_policy(role: str, admitted: bool = True) -> SignalingPolicy:
    policy = SignalingPolicy(make_seat(role, in_lobby=not admitted), 555000111, "the-pin", "tok", admitted)
    policy.inbound({"janus": "create", "transaction": "c"})
    policy.outbound({"janus": "success", "transaction": "c", "data": {"id": 11}})
    policy.inbound(
        {"janus": "attach", "plugin": "janus.plugin.videoroom", "session_id": 11, "transaction": "a"}
    )
    policy.outbound({"janus": "success", "transaction": "a", "data": {"id": 22}})
    return policy


def message(body: dict, jsep: dict | None = None) -> dict:
    sent = {"janus": "message", "session_id": 11, "handle_id": 22, "transaction": "m", "body": body}
    return sent if jsep is None else {**sent, "jsep": jsep}


def test_join_gets_room_pin_and_display_from_the_server() -> None:
    policy = joined_policy(Role.PRESS)
    forwarded = policy.inbound(message({"request": "join", "ptype": "publisher"}))
    assert forwarded == message(
        {
            "request": "join",
            "ptype": "publisher",
            "room": 555000111,
            "pin": "the-pin",
            "display": "Sam Reed — Daily Wire Service, United States",
        }
    ) | {"token": "tok"}


def test_join_with_own_display_name_or_room_is_refused() -> None:
    policy = joined_policy(Role.COUNTERPART)
    refused = policy.inbound(message({"request": "join", "ptype": "publisher", "display": "The President"}))
    assert refused == Refusal(403, "not allowed in this request: display")


def test_press_publish_offer_is_refused() -> None:
    policy = joined_policy(Role.PRESS)
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    offer = {"type": "offer", "sdp": AUDIO_VIDEO_OFFER}
    assert policy.inbound(message({"request": "configure", "audio": True}, offer)) == Refusal(
        403, "the press role watches and listens: publishing is not allowed"
    )
    assert policy.inbound(message({"request": "publish"}, offer)) == Refusal(
        403, "the press role watches and listens: publishing is not allowed"
    )


def test_interpreter_publishes_audio_but_not_video() -> None:
    policy = joined_policy(Role.INTERPRETER)
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    audio_only = policy.inbound(
        message({"request": "configure", "audio": True}, {"type": "offer", "sdp": AUDIO_ONLY_OFFER})
    )
    assert not isinstance(audio_only, Refusal)
    with_video = policy.inbound(
        message({"request": "configure"}, {"type": "offer", "sdp": AUDIO_VIDEO_OFFER})
    )
    assert with_video == Refusal(403, "the interpreter role may not send media with 'configure'")


def test_room_management_requests_are_refused_for_everyone() -> None:
    for request in [
        "create",
        "destroy",
        "kick",
        "moderate",
        "enable_recording",
        "rtp_forward",
        "edit",
        "list",
    ]:
        policy = joined_policy(Role.PRINCIPAL)
        refused = policy.inbound(message({"request": request, "room": 1, "secret": "guess"}))
        assert refused == Refusal(
            403, f"the video room request '{request}' is not allowed for the principal role"
        )


def test_lobby_seat_cannot_join_before_admission() -> None:
    policy = joined_policy(Role.PRESS, admitted=False)
    refused = policy.inbound(message({"request": "join", "ptype": "subscriber", "feed": 9}))
    assert refused == Refusal(403, "you are waiting in the lobby until a host admits you")


def test_other_sessions_and_plugins_are_refused() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    assert policy.inbound({"janus": "keepalive", "session_id": 999, "transaction": "k"}) == Refusal(
        458, "no such session on this connection"
    )
    attach = {"janus": "attach", "plugin": "janus.plugin.streaming", "session_id": 11, "transaction": "x"}
    assert policy.inbound(attach) == Refusal(403, "only the video room is available")
    assert policy.inbound({"janus": "info", "transaction": "i"}) == Refusal(403, "'info' is not allowed here")


def test_browser_secrets_are_replaced_by_the_connection_token() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    forwarded = policy.inbound({"janus": "keepalive", "session_id": 11, "transaction": "k", "apisecret": "x"})
    assert forwarded == {"janus": "keepalive", "session_id": 11, "transaction": "k", "token": "tok"}


def test_room_id_and_pin_never_reach_the_browser() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    event = {"janus": "event", "plugindata": {"data": {"videoroom": "joined", "room": 555000111, "id": 4}}}
    assert policy.outbound(event)["plugindata"]["data"]["room"] == 7
    assert policy.scrub('{"error": "No such room (555000111) the-pin"}') == '{"error": "No such room (7) "}'


def test_sent_media_kinds_reads_ports_and_directions() -> None:
    assert sent_media_kinds(AUDIO_VIDEO_OFFER) == {"audio", "video"}
    assert sent_media_kinds(AUDIO_ONLY_OFFER) == {"audio"}
    recv_only = "v=0\r\nm=audio 9 RTP 111\r\na=recvonly\r\nm=video 9 RTP 96\r\na=recvonly\r\n"
    assert sent_media_kinds(recv_only) == set()


def test_display_name_uses_outlet_for_press(db) -> None:
    engagement = live_engagement()
    journalist = seat(engagement, Role.PRESS, name="Sam Reed", outlet="Daily Wire Service", country="US")
    minister = seat(engagement, Role.COUNTERPART, name="Lucía Ferrer", title="Foreign Minister", country="MX")
    assert participant_seat(journalist, ["press"]).display == "Sam Reed — Daily Wire Service, United States"
    assert participant_seat(minister, ["press"]).display == "Lucía Ferrer — Foreign Minister, Mexico"
    assert participant_seat(journalist, ["press"]).in_lobby
    assert not participant_seat(minister, ["press"]).in_lobby


def forwarded_body(policy: SignalingPolicy, sent: dict) -> dict:
    forwarded = policy.inbound(sent)
    assert isinstance(forwarded, dict), forwarded
    body: dict = forwarded["body"]
    return body


def test_recorded_room_names_each_publication_after_its_seat() -> None:
    policy = joined_policy(Role.COUNTERPART)
    policy.recorded = True
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    offer = {"type": "offer", "sdp": AUDIO_VIDEO_OFFER}
    body = forwarded_body(policy, message({"request": "configure", "audio": True}, offer))
    assert re.fullmatch(r"p3-\d{13}", body["filename"])
    assert "filename" not in forwarded_body(policy, message({"request": "configure", "audio": False}))


def test_unrecorded_room_and_browsers_never_set_a_recording_name() -> None:
    policy = joined_policy(Role.COUNTERPART)
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    offer = {"type": "offer", "sdp": AUDIO_VIDEO_OFFER}
    assert "filename" not in forwarded_body(policy, message({"request": "configure"}, offer))
    assert policy.inbound(message({"request": "configure", "filename": "../../etc/x"}, offer)) == Refusal(
        403, "not allowed in this request: filename"
    )
    assert policy.inbound(message({"request": "configure", "record": False})) == Refusal(
        403, "not allowed in this request: record"
    )


def test_a_publisher_join_refused_for_its_offer_leaves_the_handle_usable() -> None:
    policy = joined_policy(Role.COUNTERPART)
    offer = {"type": "offer", "sdp": AUDIO_VIDEO_OFFER}
    refused = policy.inbound(message({"request": "join", "ptype": "publisher"}, offer))
    assert refused == Refusal(403, "the counterpart role may not send media with 'join'")
    assert policy.handles == {22: None}
    assert forwarded_body(policy, message({"request": "join", "ptype": "publisher"}))["ptype"] == "publisher"
    assert policy.handles == {22: "publisher"}


def test_a_refused_subscriber_join_leaves_the_handle_unjoined() -> None:
    policy = joined_policy(Role.PRESS)
    refused = policy.inbound(message({"request": "join", "ptype": "subscriber", "display": "x"}))
    assert refused == Refusal(403, "not allowed in this request: display")
    assert policy.handles == {22: None}


def test_odd_types_in_the_envelope_or_body_are_refused() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    odd = {
        "session_id": [11],
        "handle_id": {"id": 22},
        "transaction": ["m"],
        "janus": {"message": 1},
    }
    assert [policy.inbound({**message({"request": "join"}), name: value}) for name, value in odd.items()] == [
        Refusal(400, "'session_id' must be an integer"),
        Refusal(400, "'handle_id' must be an integer"),
        Refusal(400, "a Janus message needs 'transaction': a string"),
        Refusal(400, "a Janus message needs 'janus': a string"),
    ]
    bodies: list[Any] = ["join", {"request": ["join"]}, {"request": "join", "ptype": ["publisher"]}]
    assert [policy.inbound(message(body)) for body in bodies] == [
        Refusal(400, "a message needs a body: a JSON object"),
        Refusal(400, "a message's body needs a request: a string"),
        Refusal(400, "ptype must be publisher or subscriber"),
    ]
    assert policy.handles == {22: None}


def create(policy: SignalingPolicy, transaction: str, session: int) -> object:
    verdict = policy.inbound({"janus": "create", "transaction": transaction})
    if not isinstance(verdict, Refusal):
        policy.outbound({"janus": "success", "transaction": transaction, "data": {"id": session}})
    return verdict


def attach(policy: SignalingPolicy, transaction: str, handle: int, session: int = 11) -> object:
    sent = {"janus": "attach", "plugin": "janus.plugin.videoroom", "session_id": session}
    verdict = policy.inbound({**sent, "transaction": transaction})
    if not isinstance(verdict, Refusal):
        policy.outbound({"janus": "success", "transaction": transaction, "data": {"id": handle}})
    return verdict


def test_sessions_on_one_connection_are_capped() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    for number in range(1, MAX_SESSIONS):
        assert not isinstance(create(policy, f"c{number}", 100 + number), Refusal)
    assert create(policy, "one-more", 999) == Refusal(
        429, "at most 4 Janus sessions on one connection", close=CLOSE_TOO_MANY_HANDLES
    )
    destroyed = policy.inbound({"janus": "destroy", "session_id": 101, "transaction": "d"})
    assert not isinstance(destroyed, Refusal)
    policy.outbound({"janus": "success", "session_id": 101, "transaction": "d"})
    assert not isinstance(create(policy, "again", 200), Refusal)


def test_unanswered_creates_count_against_the_cap() -> None:
    policy = SignalingPolicy(make_seat(Role.PRINCIPAL), 555000111, "the-pin", "tok", True)
    verdicts = [policy.inbound({"janus": "create", "transaction": f"c{n}"}) for n in range(MAX_SESSIONS + 1)]
    assert [isinstance(verdict, Refusal) for verdict in verdicts] == [False] * MAX_SESSIONS + [True]


def test_handles_on_one_connection_are_capped_and_freed_by_detach() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    for number in range(1, MAX_HANDLES):
        assert not isinstance(attach(policy, f"a{number}", 1000 + number), Refusal)
    assert attach(policy, "one-more", 9999) == Refusal(
        429, "at most 64 Janus handles on one connection", close=CLOSE_TOO_MANY_HANDLES
    )
    detach = {"janus": "detach", "session_id": 11, "handle_id": 1001, "transaction": "d"}
    assert not isinstance(policy.inbound(detach), Refusal)
    policy.outbound({"janus": "success", "session_id": 11, "transaction": "d"})
    policy.outbound({"janus": "detached", "session_id": 11, "sender": 1002})
    assert set(policy.handles) == {22} | {1000 + n for n in range(3, MAX_HANDLES)}
    assert not isinstance(attach(policy, "again", 3001), Refusal)
    assert not isinstance(attach(policy, "and-again", 3002), Refusal)
    assert isinstance(attach(policy, "full", 3003), Refusal)


def test_a_destroyed_session_takes_its_handles_with_it() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    policy.inbound({"janus": "destroy", "session_id": 11, "transaction": "d"})
    policy.outbound({"janus": "success", "session_id": 11, "transaction": "d"})
    assert (policy.sessions, policy.handles) == (set(), {})
    assert policy.inbound(message({"request": "join", "ptype": "publisher"})) == Refusal(
        458, "no such session on this connection"
    )


def test_a_handle_is_used_only_on_the_session_it_was_attached_to() -> None:
    policy = joined_policy(Role.PRINCIPAL)
    create(policy, "c2", 12)
    on_other_session = {**message({"request": "join", "ptype": "publisher"}), "session_id": 12}
    assert policy.inbound(on_other_session) == Refusal(459, "no such handle on this connection")


def test_a_transaction_still_waiting_for_its_answer_is_not_reused() -> None:
    policy = SignalingPolicy(make_seat(Role.PRINCIPAL), 555000111, "the-pin", "tok", True)
    assert not isinstance(policy.inbound({"janus": "create", "transaction": "same"}), Refusal)
    assert policy.inbound({"janus": "create", "transaction": "same"}) == Refusal(
        400, "a request with this transaction is still waiting for its answer"
    )
