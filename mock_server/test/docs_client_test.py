#!/usr/bin/python3
"""A client written from docs/protocol.md and docs/mock-server.md alone, in another language, plays
a breakout story against the standalone mock server: the documents are complete enough to build
on, and true. Each step names the part of the documents it relies on; nothing here is read from
the C++ sources.

    docs_client_test.py MOCK_SERVER MEETING.yaml

Needs Debian's python3-websocket (scripts/setup.sh installs it).
"""
import json
import signal
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import websocket  # python3-websocket

WAIT = 10.0  # real seconds to wait for what the documents say will come


def fail(what):
    print(f"FAIL: {what}", file=sys.stderr)
    sys.exit(1)


def check(cond, what):
    if not cond:
        fail(what)


# mock-server.md, "Running it on its own": what it prints at start.
server = subprocess.Popen([sys.argv[1], "--scenario", sys.argv[2], "--listen", "127.0.0.1:0", "--no-steps"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
printed = {}
while "control" not in printed:
    line = server.stdout.readline()
    check(line, "the server printed no control line")
    word, _, rest = line.strip().partition(" ")
    printed[word] = rest
port = int(printed["port"])
meeting_link = printed["meeting"]
control_url, _, secret = printed["control"].partition(" secret ")
base = f"127.0.0.1:{port}"


def control(path, action=None):
    """mock-server.md, "The control endpoint": the secret header, JSON bodies."""
    data = None if action is None else json.dumps(action).encode()
    req = urllib.request.Request(f"http://{base}{path}", data=data, headers={"X-Control-Secret": secret})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=WAIT) as resp:
        return json.loads(resp.read())


def legs():
    return {leg["callId"]: (leg["participant"], leg["room"], leg["state"]) for leg in control("/legs")["legs"]}


class Client:
    """protocol.md, "Connecting" and "Requests": one WebSocket, JSON text frames, ids of our own."""

    def __init__(self, token):
        self.ws = websocket.create_connection(f"ws://{base}/signaling", header=[f"Authorization: Bearer {token}"], timeout=WAIT)
        self.next_id = 0
        self.pending = []  # notifications read while waiting for a response

    def receive(self):
        opcode, data = self.ws.recv_data()
        check(opcode == websocket.ABNF.OPCODE_TEXT, f"a frame that is not text: opcode {opcode}")
        return json.loads(data)

    def request(self, method, params):
        self.next_id += 1
        self.ws.send(json.dumps({"type": "request", "id": self.next_id, "method": method, "params": params}))
        # protocol.md, "Order": the answer comes before what the request caused.
        while True:
            m = self.receive()
            if m["type"] == "response" and m["id"] == self.next_id:
                return m
            self.pending.append(m)

    def ok(self, method, params):
        m = self.request(method, params)
        check("error" not in m, f"{method} {params} failed: {m}")
        return m["result"]

    def refused(self, method, params, code, message):
        m = self.request(method, params)
        check(m.get("error") == {"code": code, "subCode": 0, "message": message},
              f"{method} {params}: expected {code} '{message}', got {m}")

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + WAIT
        while True:
            for i, m in enumerate(self.pending):
                if predicate(m):
                    return self.pending.pop(i)
            check(time.monotonic() < deadline, f"no {what} (have: {self.pending})")
            self.pending.append(self.receive())


def details(m):
    return m["breakoutDetails"]["mainMeetingProperties"]["assignedBreakoutRooms"]


def thread_of(url):
    """protocol.md, "How the SDK reads a room": the URL-decoded segment after /l/meetup-join/."""
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.unquote(path[len("/l/meetup-join/"):].split("/")[0])


try:
    # An unknown token is refused before the upgrade with 401.
    try:
        websocket.create_connection(f"ws://{base}/signaling", header=["Authorization: Bearer not-a-token"], timeout=WAIT)
        fail("a bad token was accepted")
    except websocket.WebSocketBadStatusException as e:
        check(e.status_code == 401, f"a bad token got {e.status_code}")

    alice = Client("token-alice")  # mock-server.md: token-<id> unless the scenario gives one
    welcome = alice.receive()
    check(welcome["type"] == "welcome" and welcome["participantId"] == "alice" and welcome["displayName"] == "Alice", f"welcome {welcome}")

    # "The meeting link": the printed link, and the thread id in it.
    check(thread_of(meeting_link) == "19:meeting_main@thread.v2", f"the meeting link {meeting_link}")
    alice.refused("joinMeeting", {"meetingLink": "https://teams.microsoft.com/l/meetup-join/19%3aelsewhere%40thread.v2/0"},
                  404, "no meeting with this link")
    joined = alice.ok("joinMeeting", {"meetingLink": meeting_link})
    check(joined == {"callId": "alice-call-1", "threadId": "19:meeting_main@thread.v2", "callKind": "teamsMeeting",
                     "role": "Attendee", "breakoutRoomsEnabled": True}, f"joinMeeting's result {joined}")
    main_call = joined["callId"]
    alice.refused("joinMeeting", {"meetingLink": meeting_link}, 409, "already in the meeting")
    settings = alice.wait_for("conversationUpdate", lambda m: m["type"] == "conversationUpdate")
    check(settings["meetingDetails"]["breakoutDetails"]["breakoutRoomProperties"]["mainMeetingJoinUrl"] == meeting_link,
          "mainMeetingJoinUrl is not the meeting link")
    check(settings["additionalData"]["allowJoinBackToMainMeeting"] == "true", "the return is not allowed")
    roster = alice.wait_for("participantsUpdate", lambda m: m["type"] == "participantsUpdate" and m["callId"] == main_call)
    check(roster["added"] == [] and roster["removed"] == [], f"the first roster of the first to join {roster}")

    # Bob joins: Alice is told, in one batch.
    bob = Client("token-bob")
    bob.receive()
    bob.ok("joinMeeting", {"meetingLink": meeting_link})
    came = alice.wait_for("Bob in the roster", lambda m: m["type"] == "participantsUpdate" and m["added"])
    check(came["added"] == [{"id": "8:acs:bob", "displayName": "Bob"}], f"roster update {came}")

    # A room opens for Alice.
    control("/actions", {"action": "assign", "participant": "alice", "room": "room1"})
    control("/actions", {"action": "openRoom", "room": "room1"})
    update = alice.wait_for("the room open", lambda m: m["type"] == "localParticipantUpdate" and details(m) and details(m)[0]["isOpen"])
    room = details(update)[0]
    check(room["name"] == "Room 1", f"the room {room}")
    check(thread_of(room["meetingJoinUrl"]) == "19:breakout_room1@thread.v2", f"the room's URL {room['meetingJoinUrl']}")
    bob.refused("joinBreakoutRoom", {"joinUrl": room["meetingJoinUrl"]}, 403, "not assigned to this breakout room")

    # "Moving to a room and back": hold the main call, join the room.
    held = alice.ok("hold", {"callId": main_call})
    check(held == {}, f"hold's result {held!r}")
    check(alice.ok("hold", {"callId": main_call}) == {}, "holding a held call does not succeed")
    in_room = alice.ok("joinBreakoutRoom", {"joinUrl": room["meetingJoinUrl"]})
    check(in_room == {"callId": "alice-call-2", "threadId": "19:breakout_room1@thread.v2", "callKind": "teamsMeeting",
                      "role": "Attendee", "breakoutRoomsEnabled": True}, f"joinBreakoutRoom's result {in_room}")
    room_call = in_room["callId"]
    check(legs() == {main_call: ("alice", "", "LocalHold"), room_call: ("alice", "room1", "Connected"),
                     "bob-call-1": ("bob", "", "Connected")}, f"legs in the room {legs()}")

    # The room closes: Alice is told, the call stays until she hangs up; no one may join it now.
    control("/actions", {"action": "closeRoom", "room": "room1"})
    alice.wait_for("the room closed", lambda m: m["type"] == "localParticipantUpdate" and details(m) and not details(m)[0]["isOpen"])
    check(legs()[room_call] == ("alice", "room1", "Connected"), "the server ended the room call on close")
    alice.refused("joinBreakoutRoom", {"joinUrl": room["meetingJoinUrl"]}, 412, "the breakout room is closed")
    alice.ok("hangUp", {"callId": room_call})
    alice.ok("resume", {"callId": main_call})
    check(legs() == {main_call: ("alice", "", "Connected"), "bob-call-1": ("bob", "", "Connected")}, f"legs back {legs()}")
    alice.refused("hold", {"callId": room_call}, 404, "no such call")
    alice.refused("resume", {"callId": "bob-call-1"}, 404, "no such call")
    check(alice.ok("resume", {"callId": main_call}) == {}, "resuming a connected call does not succeed")

    # The room is deleted: it leaves the details; its URL is unknown.
    control("/actions", {"action": "deleteRoom", "room": "room1"})
    alice.wait_for("the room gone", lambda m: m["type"] == "localParticipantUpdate" and details(m) == [])
    alice.refused("joinBreakoutRoom", {"joinUrl": room["meetingJoinUrl"]}, 404, "no breakout room with this join URL")

    # A request that cannot be read: protocolError, with its id.
    alice.ws.send(json.dumps({"type": "request", "id": 99, "method": "hold", "params": {"callId": 7}}))
    error = alice.wait_for("protocolError", lambda m: m["type"] == "protocolError")
    check(error["code"] == 400 and error["requestId"] == 99 and "callId" in error["message"], f"protocolError {error}")

    # A failure on demand answers the next request as it was told.
    control("/actions", {"action": "failNext", "method": "hold", "participant": "alice", "code": 503, "subCode": 46260, "message": "injected"})
    m = alice.request("hold", {"callId": main_call})
    check(m.get("error") == {"code": 503, "subCode": 46260, "message": "injected"}, f"the injected failure {m}")

    # The meeting ends: every call is ended by the server.
    control("/actions", {"action": "endMeeting"})
    ended = alice.wait_for("callStateUpdate", lambda m: m["type"] == "callStateUpdate")
    check(ended == {"type": "callStateUpdate", "callId": main_call, "state": "Disconnected",
                    "callEndReason": {"code": 0, "subCode": 0, "message": "the meeting has ended"}}, f"the end {ended}")
    alice.refused("hold", {"callId": main_call}, 404, "no such call")

    # mock-server.md: SIGTERM closes every WebSocket with 1001.
    server.send_signal(signal.SIGTERM)
    close_code = None
    deadline = time.monotonic() + WAIT
    while close_code is None and time.monotonic() < deadline:
        opcode, frame = alice.ws.recv_data_frame(True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            close_code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else None
            break
    check(close_code == 1001, f"closed with {close_code}, not 1001")
    check(server.wait(timeout=WAIT) == 0, "the server did not exit 0 on SIGTERM")
    print("ok: a client written from the documents played the story")
finally:
    if server.poll() is None:
        server.kill()
