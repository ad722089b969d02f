"""A browser tab without a browser: Streamlit's websocket protocol, spoken from Python.

The real server (`streamlit run`) talks to its page over `/_stcore/stream`: the page sends
`BackMsg` protobufs (`rerun_script` with the widget states of a click), the server answers
with `ForwardMsg`s (`new_session` at the start of a full run, `delta`s that build the
elements, `auto_rerun` for fragments that poll, `auth_redirect`, and `script_finished`).
`Tab` keeps the elements of the current screen by their delta path, so a load test can
find a button by its label and click it, as a person would, and time the click from the
`rerun_script` it sends to the run's `script_finished`.

A phone's ballot does not poll by rerunning: its watcher (app_pages/phone_watch.py, a few
lines of JavaScript in the page) asks a small HTTP route for the session's version and sends
its trigger, which reruns the ballot, only when the version changed. `Tab.poll` does what
that script does, over one keep-alive HTTP connection as a browser keeps one.

One request at a time per tab (`Tab.lock`): the browser, too, waits for a run to end
before its next click shows anything. Only 127.0.0.1 is ever contacted (the callers pass
the local server's address).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from app_pages import phone_watch

RUN_TIMEOUT_S = 60.0
FINISHED = ForwardMsg.ScriptFinishedStatus
ENDS_A_RUN = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class RunFailed(Exception):
    """A run did not end, or ended with an exception shown on the screen."""


@dataclass
class Run:
    """What one request cost, as the client saw it."""

    seconds: float
    bytes_in: int
    exceptions: list[str]


@dataclass
class Element:
    kind: str
    proto: object
    fragment_id: str
    run: int


@dataclass
class Tab:
    base_url: str  # http://127.0.0.1:PORT
    page: str = ""  # url path, e.g. "modules"
    query: str = ""
    cookie: str = ""
    elements: dict[tuple, Element] = field(default_factory=dict)
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> seconds
    redirect: str | None = None
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    process: str = ""  # behind `proxi serve`: the app process nginx chose (X-Proxi-Process)

    def __post_init__(self) -> None:
        self.lock = asyncio.Lock()
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._page_hash = ""
        self._run = 0
        self._running_fragment = ""
        self._request_fragment = ""
        self._cache: set[str] = set()
        self._done: asyncio.Future | None = None
        self._bytes = 0
        self._exceptions: list[str] = []
        self._http = KeptAlive(self.base_url)

    # Connection --------------------------------------------------------------------------
    async def open(self) -> Run:
        """Connect, then load the page as a browser would (the first full run)."""
        host = urlsplit(self.base_url).netloc
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self._socket = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            compression=None,
            open_timeout=RUN_TIMEOUT_S,
        )
        # Which process answered; behind a front proxy, each proxy on the way says its own.
        self.process = ", ".join(self._socket.response.headers.get_all("X-Proxi-Process"))
        self._reader = asyncio.create_task(self._read())
        self.first = await self.rerun()
        return self.first

    async def close(self) -> None:
        await self._http.close()
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    # Requests ----------------------------------------------------------------------------
    async def rerun(self, widgets=(), fragment_id: str = "", auto: bool = False) -> Run:
        """One `rerun_script`, awaited to its end (through any st.rerun() it triggers)."""
        async with self.lock:
            message = BackMsg()
            state = message.rerun_script
            state.query_string = self.query
            state.page_name = self.page
            state.page_script_hash = self.pages.get(self.page, self._page_hash)
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
            state.cached_message_hashes.extend(self._cache)
            for widget in widgets:
                state.widget_states.widgets.append(widget)
            loop = asyncio.get_running_loop()
            self._done = loop.create_future()
            self._bytes, self._exceptions = 0, []
            self._run += 1  # what this request does not draw again is dropped at its end
            self._request_fragment = fragment_id
            started = time.perf_counter()
            await self._socket.send(message.SerializeToString())
            try:
                await asyncio.wait_for(self._done, RUN_TIMEOUT_S)
            except TimeoutError as error:
                raise RunFailed(f"no script_finished within {RUN_TIMEOUT_S:.0f} s") from error
            run = Run(time.perf_counter() - started, self._bytes, self._exceptions)
        if run.exceptions:
            raise RunFailed("; ".join(run.exceptions))
        return run

    async def go(self, page: str, query: str = "") -> Run:
        """Navigate to another page of the app (the sidebar link)."""
        self.page, self.query = page, query
        self.elements.clear()
        return await self.rerun()

    async def click(self, label_start: str = "", id_part: str = "") -> Run:
        """Tap the first button whose label starts with `label_start` (or whose id has
        `id_part`: a widget's key is the end of its id)."""
        button = self.button(label_start, id_part)
        if button is None:
            raise RunFailed(f"no button {label_start or id_part!r} on {self.page}: {self.texts()}")
        trigger = _widget(button.proto.id, trigger_value=True)
        return await self.rerun([trigger], fragment_id=button.fragment_id)

    async def submit(self, fields: dict[str, str], button_label: str) -> Run:
        """Fill a form's text inputs by label, then press its submit button."""
        widgets = []
        for label, value in fields.items():
            found = self.find("text_input", lambda proto, label=label: proto.label == label)
            if found is None:
                raise RunFailed(f"no text input {label!r} on {self.page}")
            widgets.append(_widget(found.proto.id, string_value=value))
        button = self.button(button_label)
        if button is None:
            raise RunFailed(f"no button {button_label!r} on {self.page}")
        widgets.append(_widget(button.proto.id, trigger_value=True))
        return await self.rerun(widgets)

    async def poll(self) -> list[Run]:
        """What the page's timers send: one auto-rerun of each polling fragment, one check
        of each watcher (and the rerun it triggers when the version changed)."""
        runs = [await self.rerun(fragment_id=f, auto=True) for f in list(self.auto_reruns)]
        for watcher in self.watchers():
            runs += await self._check(watcher)
        return runs

    def polls(self) -> bool:
        return bool(self.auto_reruns or self.watchers())

    def poll_interval(self) -> float:
        """Seconds between two polls: the shortest timer on the page (2 s without one)."""
        every = [json.loads(w.proto.json)["every"] / 1000 for w in self.watchers()]
        return min([*self.auto_reruns.values(), *every], default=2.0)

    def watchers(self) -> list[Element]:
        return [
            e
            for e in list(self.elements.values())
            if e.kind == "bidi_component" and e.proto.component_name == phone_watch.NAME
        ]

    async def _check(self, watcher: Element) -> list[Run]:
        """The watcher's script: GET the version; a new one sends the trigger event."""
        data = json.loads(watcher.proto.json)
        headers = {data["header"]: data["pass"]}
        if self.cookie:  # as the browser's fetch: behind `proxi serve`, the same process
            headers["Cookie"] = self.cookie
        started = time.perf_counter()
        status, body = await self._http.get(data["path"], headers)
        runs = [Run(time.perf_counter() - started, len(body), [])]
        if status not in (200, 404):
            raise RunFailed(f"{data['path']}: HTTP {status}")
        seen = json.loads(body)["version"]
        if seen != data["version"]:
            payload = json.dumps([{"event": data["event"], "value": seen}])
            trigger = _widget(
                _make_trigger_id(watcher.proto.id, "events"), json_trigger_value=payload
            )
            runs.append(await self.rerun([trigger], fragment_id=watcher.fragment_id))
        return runs

    # Reading the screen ------------------------------------------------------------------
    def find(self, kind: str, matches) -> Element | None:
        for element in list(self.elements.values()):
            if element.kind == kind and matches(element.proto):
                return element
        return None

    def button(self, label_start: str = "", id_part: str = "") -> Element | None:
        def wanted(proto) -> bool:
            if id_part:
                return id_part in proto.id
            return proto.label.startswith(label_start)

        return self.find("button", wanted)

    def buttons(self, id_part: str = "") -> list[Element]:
        return [e for e in self.elements.values() if e.kind == "button" and id_part in e.proto.id]

    def texts(self) -> list[str]:
        """The visible text of markdown, alerts, headings and progress bars."""
        found = []
        for element in list(self.elements.values()):
            proto = element.proto
            if element.kind in {"markdown", "alert", "heading"}:
                found.append(proto.body)
            elif element.kind == "progress":
                found.append(proto.text)
        return found

    def shows(self, text: str) -> bool:
        return any(text in shown for shown in self.texts())

    # Messages from the server ------------------------------------------------------------
    async def _read(self) -> None:
        try:
            async for data in self._socket:
                self._bytes += len(data)
                message = ForwardMsg()
                message.ParseFromString(data)
                self._handle(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._done is not None and not self._done.done():
                self._done.set_exception(RunFailed("the server closed the connection"))

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":  # sent for fragment runs too
            self._page_hash = message.new_session.page_script_hash
            if not self._request_fragment:  # a full run registers its polling fragments again
                self._run += 1
                self.auto_reruns.clear()
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
            self._page_hash = message.navigation.page_script_hash or self._page_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "auth_redirect":
            self.redirect = message.auth_redirect.url
        elif kind == "delta":
            self._delta(message)
        elif kind == "script_finished":
            self._finished(message.script_finished)

    def _delta(self, message: ForwardMsg) -> None:
        if message.metadata.cacheable:
            self._cache.add(message.hash)
        delta = message.delta
        path = tuple(message.metadata.delta_path)
        self._running_fragment = delta.fragment_id or self._running_fragment
        if delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            proto = getattr(element, kind)
            if kind == "exception":
                self._exceptions.append(f"{proto.type}: {proto.message}")
            self.elements[path] = Element(kind, proto, delta.fragment_id, self._run)
        elif delta.WhichOneof("type") == "add_block":
            self.elements[path] = Element("block", delta.add_block, delta.fragment_id, self._run)

    def _finished(self, status) -> None:
        if status not in ENDS_A_RUN:
            return  # FINISHED_EARLY_FOR_RERUN: the next run follows on its own
        fragment = (
            self._running_fragment if status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY else ""
        )
        for path, element in list(self.elements.items()):
            stale = element.run != self._run and (not fragment or element.fragment_id == fragment)
            if stale:  # the browser, too, drops what the run did not draw again
                del self.elements[path]
        self._running_fragment = ""
        if self._done is not None and not self._done.done():
            self._done.set_result(None)


class KeptAlive:
    """One keep-alive HTTP/1.1 connection for a tab's small GETs (the watcher's checks)."""

    def __init__(self, base_url: str) -> None:
        self.netloc = urlsplit(base_url).netloc
        self.lock = asyncio.Lock()
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        async with self.lock:
            try:
                return await self._exchange(path, headers)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                await self.close()  # the server may have closed an idle connection: once more
                return await self._exchange(path, headers)

    async def _exchange(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._streams is None:
            host, port = self.netloc.rsplit(":", 1)
            self._streams = await asyncio.open_connection(host, int(port))
        reader, writer = self._streams
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), RUN_TIMEOUT_S)
        if not status_line:
            raise ConnectionError("closed")
        length, closing = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "connection":
                closing = "close" in value.lower()
        body = await reader.readexactly(length)
        if closing:
            await self.close()
        return int(status_line.split()[1]), body

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def _widget(widget_id: str, **value):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    widget = WidgetState(id=widget_id)
    for name, content in value.items():
        setattr(widget, name, content)
    return widget


def follow_login_redirect(base_url: str, path: str, cookie: str = "") -> str:
    """GET one of the app's cookie routes; the `Cookie` header its Set-Cookie asks for."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=RUN_TIMEOUT_S)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        cookies = [
            value
            for name, value in response.getheaders()
            if name.lower() == "set-cookie" and not value.startswith("proxi_process=")
        ]
    finally:
        connection.close()
    if response.status != 303 or not cookies:
        raise RunFailed(f"{path}: HTTP {response.status} without a session cookie")
    return "; ".join(cookie.split(";", 1)[0] for cookie in cookies)


async def logged_in_tab(
    base_url: str, identifier: str, password: str, page: str, query: str = "", cookie: str = ""
) -> Tab:
    """Log in through the login form and the cookie route, then open `page` with the
    cookie, in a new connection: what a browser does after the redirect. `cookie`: one the
    browser already holds (behind `proxi serve`, the proxy's process cookie)."""
    login = Tab(base_url, page="connexion", cookie=cookie)
    await login.open()
    try:
        await login.submit({"Identifiant": identifier, "Mot de passe": password}, "Se connecter")
        if login.redirect is None:  # the redirect is sent at the start of the next run
            await login.rerun()
        if login.redirect is None:
            raise RunFailed(f"login of {identifier} sent no redirect: {login.texts()}")
        session = await asyncio.to_thread(follow_login_redirect, base_url, login.redirect, cookie)
    finally:
        await login.close()
    tab = Tab(base_url, page=page, query=query, cookie="; ".join(filter(None, [cookie, session])))
    await tab.open()
    return tab
