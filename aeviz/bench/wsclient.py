"""A headless student for `python -m aeviz.bench load`: one Streamlit session driven over the websocket.

It speaks Streamlit's own browser protocol -- protobuf ``BackMsg`` up, ``ForwardMsg`` down, over
the websocket ``/_stcore/stream`` -- the way the 1.67 frontend (``streamlit/static/static/js/index.*.js``) does,
without a browser, so that many of them can load a server for a benchmark.

    import asyncio
    from aeviz.bench.wsclient import Student

    async def main():
        async with Student("http://127.0.0.1:8599", name="demo") as s:  # GET health, ws connect, first run
            print(s.page.texts())                                       # what the script rendered
            r = await s.set_widget("Animal", "dog")                     # selectbox -> rerun, timed
            print(r.elapsed_ms, r.errors, r.exceptions)
            await s.click("Go")                                         # st.button
            await s.switch_page("Second")                               # st.navigation page (title/url/hash)
            await s.upload("Upload a file", "a.bin", b"...", "application/octet-stream")

    asyncio.run(main())

What it reproduces of the frontend:

* connect: ``GET /_stcore/health`` (sets the ``_streamlit_xsrf`` cookie) and
  ``GET /_stcore/host-config`` like the frontend's ping, then the websocket with subprotocols
  ``["streamlit", <xsrf cookie value>]``, the cookie and a same-origin ``Origin`` header; then the
  first ``rerun_script`` BackMsg.
* every rerun carries the *whole* widget-state map the frontend keeps: each rendered widget
  registers its default (or ``set_value``) value on "mount" without a rerun; triggers (buttons)
  are sent once; states of widgets that left the page are dropped when a run finishes.
* the ForwardMsg cache: cacheable messages are kept by hash, their hashes are declared in
  ``ClientState.cached_message_hashes`` and ``ref_hash`` messages are resolved from it, with the
  frontend's age-based eviction.
* fragments (``fragment_id`` on reruns of widgets inside an ``st.fragment``) and
  ``st.fragment(run_every=...)`` auto-reruns (``auto_reruns=True``).
* file upload: ``file_urls_request`` BackMsg -> ``file_urls_response`` -> multipart ``PUT`` of
  each file to ``/_stcore/upload_file/{session_id}/{file_id}`` with cookie + ``X-Xsrftoken`` ->
  ``file_uploader_state_value`` in a rerun (old files of a single-file uploader are DELETEd).

Only ``websockets`` (a hard dependency of Streamlit 1.67) and Streamlit's protobuf classes are
used; HTTP is a minimal asyncio HTTP/1.1 client, so no threads per student.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect as ws_connect

__all__ = ["Node", "Page", "RunResult", "Student", "StudentError", "Widget"]

log = logging.getLogger("aeviz.bench.wsclient")

XSRF_COOKIE = "_streamlit_xsrf"
STREAM_PATH = "_stcore/stream"
HEALTH_PATH = "_stcore/health"
HOST_CONFIG_PATH = "_stcore/host-config"
# ClientState.context_info of a desktop browser tab (the url is added per rerun)
CONTEXT_INFO = dict(timezone="UTC", timezone_offset=0, locale="en-US", color_scheme="light", is_embedded=False)

# Element types whose proto is a widget (has an ``id`` the server keys widget state by).
WIDGET_TYPES = {
    "button",
    "download_button",
    "checkbox",
    "selectbox",
    "radio",
    "slider",
    "number_input",
    "button_group",
    "text_input",
    "text_area",
    "file_uploader",
    "multiselect",
    "color_picker",
    "date_input",
    "time_input",
    "date_time_input",
    "camera_input",
    "audio_input",
    "chat_input",
    "feedback",
    "menu_button",
    "pagination",
    "bidi_component",
}
# Uploader-like widgets (FileUploaderState value).
_UPLOADERS = {"file_uploader", "camera_input", "audio_input"}


class StudentError(RuntimeError):
    """Protocol-level failure (timeout, closed socket, unknown widget, bad HTTP status...)."""


# --------------------------------------------------------------------------- minimal async HTTP


async def _http_request(
    method: str, url: str, headers: dict[str, str] | None = None, body: bytes = b"", timeout: float = 30.0
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One HTTP/1.1 request on a fresh connection: (status, [(header, value)], body).

    Enough for Streamlit's health/host-config/upload endpoints (no TLS, no redirects; the body is
    only shown in errors, so a chunked one is left as it came).
    """
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http":
        raise StudentError(f"only http:// is supported, not {url}")
    path = (u.path or "/") + (f"?{u.query}" if u.query else "")
    hdrs = {"Host": u.netloc, "Connection": "close", "User-Agent": "aeviz-bench-student/1.0"}
    hdrs.update(headers or {})
    if body or method in ("PUT", "POST"):
        hdrs["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"

    async def run() -> tuple[int, list[tuple[str, str]], bytes]:
        reader, writer = await asyncio.open_connection(u.hostname, u.port or 80)
        try:
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
            raw = await reader.read()  # Connection: close -> read to EOF
        finally:
            writer.close()
        head_b, _, rest = raw.partition(b"\r\n\r\n")
        lines = head_b.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        resp_headers = [tuple(x.strip() for x in ln.split(":", 1)) for ln in lines[1:] if ":" in ln]
        return status, resp_headers, rest  # type: ignore[return-value]

    return await asyncio.wait_for(run(), timeout)


def _multipart(field: str, filename: str, data: bytes, mime: str) -> tuple[str, bytes]:
    """multipart/form-data body with one file part, as the browser's FormData builds it."""
    boundary = "----WebKitFormBoundary" + uuid.uuid4().hex[:16]
    q = lambda s: s.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")  # noqa: E731
    part_head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{q(field)}"; filename="{q(filename)}"\r\n'
        f"Content-Type: {mime or 'application/octet-stream'}\r\n\r\n"
    ).encode()
    return f"multipart/form-data; boundary={boundary}", part_head + data + f"\r\n--{boundary}--\r\n".encode()


# --------------------------------------------------------------------------- parsed page view


@dataclasses.dataclass
class Node:
    """One node of the rendered tree, addressed by its ``ForwardMsgMetadata.delta_path``.

    path[0] is the root container: 0 main, 1 sidebar, 2 event, 3 bottom.
    """

    path: tuple[int, ...]
    kind: str  # "element" | "block"
    type: str  # Element/Block oneof name: "markdown", "selectbox", "flex_container", ...
    proto: Any  # streamlit.proto Element or Block
    fragment_id: str
    active_script_hash: str  # which script (page or entrypoint) created it
    run_id: str  # script_run_id of the run that last sent it

    @property
    def body(self) -> Any:
        """The typed sub-message (e.g. the Selectbox proto for a selectbox element)."""
        return getattr(self.proto, self.type) if self.type else None

    @property
    def text(self) -> str:
        """Human-readable text of text-like elements ('' for others)."""
        b = self.body
        if self.type in ("markdown", "heading", "text", "alert", "json"):
            return b.body
        if self.type == "code":
            return b.code_text
        if self.type == "exception":
            return f"{b.type}: {b.message}"
        return ""


@dataclasses.dataclass
class Widget:
    """A widget found in the deltas, with what a benchmark needs to drive it."""

    id: str  # "$$ID-<hash>-<user key or None>": the WidgetState id
    type: str  # Element oneof name ("selectbox", "button_group", "checkbox", ...)
    kind: str  # friendlier: "toggle", "segmented_control", "pills", "select_slider", "form_submit_button"...
    label: str
    key: str | None  # the user key parsed from the id (None if the script gave none)
    options: list[str]  # wire strings of the options (selectbox, radio, multiselect, select_slider, button_group)
    value: Any  # the value this student currently holds for it (what the next rerun sends)
    form_id: str
    fragment_id: str
    proto: Any  # the typed widget proto (e.g. streamlit.proto.Selectbox)


class Page:
    """Snapshot view of the current tree (all containers, document order)."""

    def __init__(self, nodes: Iterable[Node], states: dict[str, WidgetState]):
        self.elements: list[Node] = [n for n in sorted(nodes, key=lambda n: n.path) if n.kind == "element"]
        self.widgets: list[Widget] = [_widget_view(n, states.get(_wid(n))) for n in self.elements if _wid(n)]

    def texts(self) -> list[str]:
        return [n.text for n in self.elements if n.text]

    @property
    def exceptions(self) -> list[dict]:
        """``Exception`` elements (uncaught script errors and ``st.exception``) as {"type", "message"}."""
        return [{"type": n.body.type, "message": n.body.message} for n in self.elements if n.type == "exception"]

    @property
    def errors(self) -> list[str]:
        """``st.error`` alerts (Alert format ERROR)."""
        return [n.body.body for n in self.elements if n.type == "alert" and n.body.format == 1]

    def widget(self, target: str) -> Widget:
        """Find a widget by id, user key, label (exact, then case-insensitive)."""
        for pick in (
            lambda w: w.id == target,
            lambda w: w.key == target,
            lambda w: w.label == target,
            lambda w: w.label.strip().lower() == target.strip().lower(),
        ):
            found = [w for w in self.widgets if pick(w)]
            if len(found) > 1:
                raise StudentError(
                    f"{len(found)} widgets match {target!r}; pass a key: {[(w.kind, w.label, w.key) for w in found]}"
                )
            if found:
                return found[0]
        raise StudentError(f"no widget {target!r} on the page; there are {[(w.kind, w.label, w.key) for w in self.widgets]}")


def _wid(n: Node) -> str:
    if n.kind != "element" or n.type not in WIDGET_TYPES:
        return ""
    return getattr(n.body, "id", "") or ""


def _key_from_id(wid: str) -> str | None:
    # "$$ID-<32 hex>-<key>"; the key part is "None" when the script passed no key.
    parts = wid.split("-", 2)
    if len(parts) == 3 and parts[0] == "$$ID":
        return None if parts[2] == "None" else parts[2]
    return None


def _bg_option(opt) -> str:
    """ButtonGroup option -> wire string (frontend: `${content_icon} ${content}`.trim())."""
    return f"{opt.content_icon} {opt.content}".strip() if opt.HasField("content_icon") else opt.content


def _options(t: str, b) -> list[str]:
    if t == "button_group":
        return [_bg_option(o) for o in b.options]
    if t in ("selectbox", "radio", "multiselect") or (t == "slider" and b.type == 2):
        return list(b.options)
    return []


def _state_value(st: WidgetState | None) -> Any:
    """WidgetState -> python value (None if absent / no value)."""
    which = st.WhichOneof("value") if st is not None else None
    if which is None:
        return None
    v = getattr(st, which)
    return list(v.data) if which.endswith("_array_value") else v


def _widget_view(n: Node, st: WidgetState | None) -> Widget:
    t, b = n.type, n.body
    kind = t
    if t == "checkbox" and b.type == 1:
        kind = "toggle"
    elif t == "button_group":
        kind = "pills" if b.style == 1 else "segmented_control"
    elif t == "slider" and b.type == 2:
        kind = "select_slider"
    elif t == "button" and b.is_form_submitter:
        kind = "form_submit_button"
    return Widget(
        id=b.id,
        type=t,
        kind=kind,
        label=getattr(b, "label", ""),
        key=_key_from_id(b.id),
        options=_options(t, b),
        value=_state_value(st),
        form_id=getattr(b, "form_id", "") or "",
        fragment_id=n.fragment_id,
        proto=b,
    )


def _default_state(n: Node) -> WidgetState | None:
    """The WidgetState the frontend registers when it mounts this widget (no rerun).

    Mirrors getDefaultStateFromProto / getCurrStateFromProto (the latter when ``set_value``) of
    each widget in static/js; ``None`` for widgets that register nothing (buttons: triggers).
    """
    t, b = n.type, n.body
    ws = WidgetState(id=b.id)
    sv = getattr(b, "set_value", False)
    if t == "checkbox":
        ws.bool_value = b.value if sv else b.default
    elif t in ("selectbox", "radio"):
        if sv:
            if b.HasField("raw_value"):
                ws.string_value = b.raw_value
        elif b.HasField("default") and 0 <= b.default < len(b.options):
            ws.string_value = b.options[b.default]
    elif t == "multiselect":
        vals = list(b.raw_values) if sv else [b.options[i] for i in b.default if 0 <= i < len(b.options)]
        ws.string_array_value.data.extend(vals)
    elif t == "slider":
        if b.type == 2:  # SELECT_SLIDER: string_array_value of option strings
            vals = list(b.raw_value) if (sv and b.raw_value) else [b.options[int(i)] for i in (b.value if sv else b.default)]
            ws.string_array_value.data.extend(vals)
        else:
            ws.double_array_value.data.extend(list(b.value if sv else b.default))
    elif t == "number_input":
        v = (
            (b.value if b.HasField("value") else (b.default if b.HasField("default") else None))
            if sv
            else (b.default if b.HasField("default") else None)
        )
        if v is not None:
            if b.data_type == 0:  # INT -> int_value (FLOAT -> double_value)
                ws.int_value = int(v)
            else:
                ws.double_value = float(v)
    elif t == "button_group":
        vals = list(b.raw_values) if sv else [_bg_option(b.options[i]) for i in b.default if 0 <= i < len(b.options)]
        ws.string_array_value.data.extend(vals)
    elif t in ("text_input", "text_area"):
        v = (b.value if b.HasField("value") else None) if sv else (b.default if b.HasField("default") else None)
        if v is not None:
            ws.string_value = v
    elif t == "color_picker":
        ws.string_value = b.value if sv else b.default
    elif t in _UPLOADERS:
        ws.file_uploader_state_value.SetInParent()  # FileUploader mounts with an empty state
    else:
        return None  # buttons (triggers), chat_input, date/time, components...: nothing on mount
    return ws


def _chosen_options(w: Widget, value: Any) -> list[str]:
    """One option or a list of them, each checked against the widget's options."""
    vals = [value] if isinstance(value, str) else [str(v) for v in value]
    for v in vals:
        if v not in w.options:
            raise StudentError(f"{v!r} is not an option of {w.label!r}: {w.options}")
    return vals


def _encode(w: Widget, value: Any) -> WidgetState:
    """python value -> WidgetState exactly as the 1.67 frontend encodes it for this widget.

    A one-key dict is sent as it is ({"int_value": 10**9}), as a crafted client sends it.
    """
    ws = WidgetState(id=w.id)
    t, b = w.type, w.proto
    if isinstance(value, dict) and len(value) == 1:
        ((field, v),) = value.items()
        if field.endswith("array_value"):
            getattr(ws, field).data.extend(v)
        else:
            setattr(ws, field, v)
    elif t == "checkbox":
        ws.bool_value = bool(value)
    elif t in ("selectbox", "radio"):
        value = str(value)
        if value not in w.options and not (t == "selectbox" and getattr(b, "accept_new_options", False)):
            raise StudentError(f"{value!r} is not an option of {w.label!r}: {w.options}")
        ws.string_value = value
    elif t == "multiselect":
        ws.string_array_value.data.extend(str(v) for v in value)
    elif t == "slider" and b.type == 2:  # select_slider
        ws.string_array_value.data.extend(_chosen_options(w, value))
    elif t == "slider":
        ws.double_array_value.data.extend(float(v) for v in ([value] if isinstance(value, (int, float)) else value))
    elif t == "number_input":
        if b.data_type == 0:
            ws.int_value = int(value)
        else:
            ws.double_value = float(value)
    elif t == "button_group":
        vals = _chosen_options(w, value)
        if b.click_mode == 0 and len(vals) > 1:
            raise StudentError(f"{w.label!r} is single-select")
        ws.string_array_value.data.extend(vals)
    elif t in ("text_input", "text_area", "color_picker"):
        ws.string_value = str(value)
    else:
        raise StudentError(f"don't know how to set a {t}; pass {{field: value}}")
    return ws


# --------------------------------------------------------------------------- results


@dataclasses.dataclass
class RunResult:
    """One script run triggered by a BackMsg, timed from the send to its ``script_finished``."""

    action: str
    elapsed_ms: float = 0.0  # BackMsg sent -> script_finished received
    msgs: int = 0  # ForwardMsgs received in the window
    exceptions: list[dict] = dataclasses.field(default_factory=list)  # on the page after the run
    errors: list[str] = dataclasses.field(default_factory=list)  # st.error alerts after the run


class _Waiter:
    def __init__(self, action: str):
        self.result = RunResult(action)
        self.t0 = time.perf_counter()
        self.run_id: str | None = None
        self.fut: asyncio.Future = asyncio.get_running_loop().create_future()


# --------------------------------------------------------------------------- the student


class Student:
    """One simulated browser tab (= one Streamlit session)."""

    def __init__(
        self,
        base_url: str,
        *,
        page: str = "",  # URL path of the first page ("" = default page), like opening /<page>
        query_string: str = "",
        auto_reruns: bool = False,  # honour st.fragment(run_every=...) like the browser
        timeout: float = 60.0,
        name: str = "student",
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.initial_page = page.strip("/")
        self.query_string = query_string.lstrip("?")
        self.auto_reruns = auto_reruns
        self.timeout = timeout
        self.name = name

        self.cookies: dict[str, str] = {}
        self.ws = None
        self.session_id = ""  # NewSession.initialize.session_id (needed for uploads)
        self.main_script_hash = ""
        self.page_script_hash = ""  # current page (NewSession.page_script_hash)
        self.app_pages: list[Any] = []  # AppPage protos (navigation.app_pages, or new_session.app_pages)
        self.script_run_id = ""
        self.run_fragment_ids: list[str] = []
        self.on_auto_rerun: Callable[[RunResult], None] | None = None  # told of every timed fragment run

        self._has_navigation = False  # an st.navigation app: its pages come in `navigation`, not `new_session`
        self._max_cached_message_age = 2
        self._nodes: dict[tuple[int, ...], Node] = {}
        self._states: dict[str, WidgetState] = {}  # the frontend's WidgetStateManager map
        self._form_states: dict[str, dict[str, WidgetState]] = {}  # pending values inside st.form
        self._cache: dict[str, list] = {}  # hash -> [serialized msg, run count, fragment id]
        self._cache_runs = 0
        self._waiter: _Waiter | None = None
        self._file_url_futs: dict[str, asyncio.Future] = {}
        self._reader_task: asyncio.Task | None = None
        self._auto_tasks: dict[str, asyncio.Task] = {}
        self._lock = asyncio.Lock()  # one action at a time per student
        self._closed_exc: BaseException | None = None

    # ---- context manager
    async def __aenter__(self) -> Student:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # ---- connection
    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _store_cookies(self, headers: list[tuple[str, str]]) -> None:
        for k, v in headers:
            if k.lower() == "set-cookie":
                name, _, val = v.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = val.strip()

    async def connect(self) -> RunResult:
        """HTTP ping (XSRF cookie), websocket handshake, then the first script run."""
        status, headers, body = await _http_request("GET", self.base_url + HEALTH_PATH, self._cookie_header())
        if status != 200:
            raise StudentError(f"health check: HTTP {status} {body[:200]!r}")
        self._store_cookies(headers)
        # nothing in the answer is needed: the request is part of what a tab costs the server
        await _http_request("GET", self.base_url + HOST_CONFIG_PATH, self._cookie_header())
        await self._open_ws()
        return await self.rerun(action="connect")

    async def _open_ws(self) -> None:
        u = urllib.parse.urlsplit(self.base_url)
        self.ws = await ws_connect(
            f"ws://{u.netloc}{u.path}{STREAM_PATH}",
            # the frontend's second subprotocol is its auth token: the XSRF cookie when it has one
            subprotocols=["streamlit", self.cookies.get(XSRF_COOKIE) or "PLACEHOLDER_AUTH_TOKEN"],  # type: ignore[list-item]
            origin=f"{u.scheme}://{u.netloc}",  # type: ignore[arg-type]
            additional_headers=self._cookie_header(),
            max_size=None,  # the server may send up to server.maxMessageSize
            ping_interval=None,  # browsers never ping; the server pings and we pong automatically
            open_timeout=self.timeout,
        )
        if self.ws.subprotocol != "streamlit":
            raise StudentError(f"server selected subprotocol {self.ws.subprotocol!r}")
        self._closed_exc = None
        self._reader_task = asyncio.create_task(self._reader(), name=f"student-{self.name}-reader")

    async def close(self) -> None:
        for t in self._auto_tasks.values():
            t.cancel()
        self._auto_tasks.clear()
        if self.ws is not None:
            await self.ws.close()
        if self._reader_task is not None:
            try:
                await asyncio.wait_for(self._reader_task, 5)
            except (TimeoutError, asyncio.CancelledError):
                self._reader_task.cancel()
        self.ws = None
        self._reader_task = None

    # ---- sending
    def _page_url(self, page_hash: str | None = None) -> str:
        url_path = ""
        for p in self.app_pages:
            if p.page_script_hash == (page_hash or self.page_script_hash) and not p.is_default:
                url_path = p.url_pathname
        if not self.app_pages:
            url_path = self.initial_page
        return self.base_url + url_path + (f"?{self.query_string}" if self.query_string else "")

    async def _send(self, bm: BackMsg) -> None:
        if self.ws is None:
            raise StudentError("not connected")
        if self._closed_exc is not None:
            raise StudentError(f"websocket closed: {self._closed_exc!r}")
        await self.ws.send(bm.SerializeToString())

    async def _send_rerun(
        self,
        action: str,
        widget_states: Iterable[WidgetState] | None = None,
        *,
        fragment_id: str = "",
        page_script_hash: str | None = None,
        is_auto_rerun: bool = False,
        timeout: float | None = None,
    ) -> RunResult:
        """Send ``BackMsg.rerun_script`` (a ClientState) and wait for its ``script_finished``."""
        bm = BackMsg()
        cs = bm.rerun_script
        cs.query_string = self.query_string
        cs.widget_states.SetInParent()  # the frontend always sends the (maybe empty) WidgetStates
        states = list(self._states.values()) if widget_states is None else list(widget_states)
        cs.widget_states.widgets.extend(states)
        if page_script_hash is None:
            page_script_hash = self.page_script_hash
        if page_script_hash:
            cs.page_script_hash = page_script_hash
        else:  # first run: page from the URL path, like the frontend (pageName = path after base)
            cs.page_name = self.initial_page
        if fragment_id:
            cs.fragment_id = fragment_id
        if is_auto_rerun:
            cs.is_auto_rerun = True
        cs.cached_message_hashes.extend(self._cache.keys())
        for k, v in dict(CONTEXT_INFO, url=self._page_url(page_script_hash)).items():
            setattr(cs.context_info, k, v)

        waiter = _Waiter(action)
        if self._waiter is not None and not self._waiter.fut.done():
            self._waiter.fut.cancel()
        self._waiter = waiter
        await self._send(bm)
        # triggers are sent once (frontend deletes pendingTriggerIds after the flush)
        for s in states:
            if s.WhichOneof("value") in ("trigger_value", "string_trigger_value", "json_trigger_value", "chat_input_value"):
                self._states.pop(s.id, None)
        try:
            await asyncio.wait_for(asyncio.shield(waiter.fut), timeout or self.timeout)
        except TimeoutError:
            raise StudentError(
                f"{action}: no script_finished within {timeout or self.timeout}s (run {waiter.run_id}, {waiter.result.msgs} msgs)"
            ) from None
        finally:
            if self._waiter is waiter:
                self._waiter = None
        return waiter.result

    # ---- public actions
    @property
    def page(self) -> Page:
        """Parsed view of everything currently rendered (all containers)."""
        return Page(self._nodes.values(), self._states)

    async def rerun(self, action: str = "rerun") -> RunResult:
        """A plain rerun with the current widget states (like pressing R)."""
        async with self._lock:
            return await self._send_rerun(action)

    def pages(self) -> list[dict]:
        """The app's pages (st.navigation's app_pages or the pages/ directory), as {"title": ...}."""
        return [{"title": p.page_name} for p in self.app_pages]

    async def switch_page(self, name: str) -> RunResult:
        """Go to a page by title, url path or page_script_hash, as a click in the page nav does.

        Frontend onPageChange: rerun with page_script_hash of the target and only the widget
        states of elements that stay (those created by the entrypoint script, e.g. a sidebar).
        """
        target = None
        for p in self.app_pages:
            if name in (p.page_script_hash, p.url_pathname, p.page_name) or name.lower() == p.page_name.lower():
                target = p
                break
        if target is None:
            raise StudentError(f"no page {name!r}; pages: {self.pages()}")
        keep_ids = {_wid(n) for n in self._nodes.values() if n.active_script_hash == self.main_script_hash and _wid(n)}
        states = [s for i, s in self._states.items() if i in keep_ids]
        async with self._lock:
            self.query_string = ""
            return await self._send_rerun(f"switch_page:{target.page_name}", states, page_script_hash=target.page_script_hash)

    async def set_widget(self, target: str, value: Any) -> RunResult | None:
        """Set a widget's value (by key, label or id) and rerun, as the user changing it would.

        Widgets inside an st.fragment rerun only that fragment (fragment_id); widgets inside an
        st.form only store the value until the form's submit button is clicked (returns None).
        """
        w = self.page.widget(target)
        return await self._commit(w, _encode(w, value), f"set:{w.kind}:{w.label}")

    async def _commit(self, w: Widget, ws: WidgetState, action: str) -> RunResult | None:
        if w.form_id:
            self._form_states.setdefault(w.form_id, {})[w.id] = ws
            return None
        self._states[w.id] = ws
        if getattr(w.proto, "ignore_rerun", False):
            return None  # on_change="ignore"-style widgets: the frontend sends no rerun
        async with self._lock:
            return await self._send_rerun(action, fragment_id=w.fragment_id)

    async def click(self, target: str) -> RunResult:
        """Click a button / download_button / form_submit_button (trigger_value, sent once)."""
        w = self.page.widget(target)
        if w.type not in ("button", "download_button"):
            raise StudentError(f"{w.label!r} is a {w.kind}, not a button")
        ws = WidgetState(id=w.id, trigger_value=True)
        async with self._lock:
            if w.type == "button" and w.proto.is_form_submitter:
                # submitForm: the form's pending values join the main map, plus the trigger
                for s in self._form_states.pop(w.form_id, {}).values():
                    self._states[s.id] = s
            self._states[w.id] = ws
            return await self._send_rerun(f"click:{w.label}", fragment_id=w.fragment_id)

    async def _request_file_urls(self, file_names: Sequence[str]) -> list[FileURLs]:
        """BackMsg.file_urls_request -> ForwardMsg.file_urls_response (one FileURLs per name)."""
        req_id = uuid.uuid4().hex
        fut = asyncio.get_running_loop().create_future()
        self._file_url_futs[req_id] = fut
        bm = BackMsg()
        bm.file_urls_request.request_id = req_id
        bm.file_urls_request.session_id = self.session_id
        bm.file_urls_request.file_names.extend(file_names)
        await self._send(bm)
        try:
            resp = await asyncio.wait_for(fut, self.timeout)
        finally:
            self._file_url_futs.pop(req_id, None)
        if resp.error_msg:
            raise StudentError(f"file_urls_response error: {resp.error_msg}")
        return list(resp.file_urls)

    def _http_url(self, server_path: str) -> str:
        """An upload/delete URL of file_urls_response (a server path) on this student's server."""
        u = urllib.parse.urlsplit(self.base_url)
        return f"{u.scheme}://{u.netloc}{server_path}"

    def _xsrf_headers(self) -> dict[str, str]:
        h = self._cookie_header()
        if XSRF_COOKIE in self.cookies:
            h["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        h["Origin"] = self.base_url.rstrip("/")
        return h

    async def upload(
        self,
        target: str,
        filename: str | None = None,
        data: bytes | None = None,
        mime: str = "application/octet-stream",
        *,
        files: Sequence[tuple[str, bytes, str]] | None = None,
    ) -> RunResult | None:
        """Upload file(s) to an st.file_uploader as the browser does, then rerun.

        ``files`` = [(name, bytes, mime), ...] for accept_multiple_files uploaders (added to
        what is already there); a single-file uploader's previous file is DELETEd and replaced.
        """
        w = self.page.widget(target)
        if w.type not in _UPLOADERS:
            raise StudentError(f"{w.label!r} is a {w.kind}, not a file uploader")
        files = list(files or [(filename, data, mime)])
        urls = await self._request_file_urls([f[0] for f in files])
        infos = []
        for (name, blob, ftype), fu in zip(files, urls, strict=False):
            ctype, body = _multipart(name, name, blob, ftype)
            status, _, resp = await _http_request(
                "PUT", self._http_url(fu.upload_url), dict(self._xsrf_headers(), **{"Content-Type": ctype}), body, self.timeout
            )
            if status not in (200, 204):
                raise StudentError(f"upload {name}: HTTP {status} {resp[:300]!r}")
            infos.append(UploadedFileInfo(file_id=fu.file_id, name=name, size=len(blob), file_urls=fu))
        st = FileUploaderState()
        old_infos = self._uploaded(w.id)
        if getattr(w.proto, "multiple_files", False):
            st.uploaded_file_info.extend(old_infos)
        else:
            for oi in old_infos:  # the replaced file is deleted from the server, as the browser does
                await self._delete_uploaded(oi)
        st.uploaded_file_info.extend(infos)
        ws = WidgetState(id=w.id)
        ws.file_uploader_state_value.CopyFrom(st)
        return await self._commit(w, ws, f"upload:{w.label}")

    def _uploaded(self, wid: str) -> list[UploadedFileInfo]:
        """The files this student holds in an uploader's state."""
        old = self._states.get(wid)
        if old is None or old.WhichOneof("value") != "file_uploader_state_value":
            return []
        return list(old.file_uploader_state_value.uploaded_file_info)

    async def _delete_uploaded(self, info: UploadedFileInfo) -> None:
        await _http_request("DELETE", self._http_url(info.file_urls.delete_url), self._xsrf_headers())

    async def clear_uploads(self, target: str) -> RunResult | None:
        """Remove all files from an uploader (DELETE each, then an empty FileUploaderState)."""
        w = self.page.widget(target)
        for oi in self._uploaded(w.id):
            await self._delete_uploaded(oi)
        ws = WidgetState(id=w.id)
        ws.file_uploader_state_value.SetInParent()
        return await self._commit(w, ws, f"clear_uploads:{w.label}")

    # ---- receiving
    async def _reader(self) -> None:
        try:
            async for data in self.ws:
                if isinstance(data, str):
                    raise StudentError("text frame from server")
                self._on_frame(data)
        except Exception as e:
            self._closed_exc = e
            log.debug("reader ended: %r", e)
        finally:
            if self._closed_exc is None:
                self._closed_exc = ConnectionError("websocket closed")
            w = self._waiter
            if w is not None and not w.fut.done():
                w.fut.set_exception(StudentError(f"websocket closed during {w.result.action}: {self._closed_exc!r}"))
            for f in self._file_url_futs.values():
                if not f.done():
                    f.set_exception(StudentError("websocket closed"))

    def _on_frame(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if self._waiter is not None:
            self._waiter.result.msgs += 1
        # ForwardMessageCache.processMessagePayload
        if msg.WhichOneof("type") == "ref_hash":
            entry = self._cache.get(msg.ref_hash)
            if entry is None:
                raise StudentError(f"Cached ForwardMsg MISS [hash={msg.ref_hash}]")
            entry[1] = self._cache_runs  # a hit refreshes its age
            full = ForwardMsg()
            full.ParseFromString(entry[0])
            full.metadata.CopyFrom(msg.metadata)
            msg = full
        elif msg.metadata.cacheable and msg.hash and msg.hash not in self._cache:
            self._cache[msg.hash] = [data, self._cache_runs, msg.delta.fragment_id if msg.HasField("delta") else ""]
        self._handle(msg)

    def _handle(self, msg: ForwardMsg) -> None:
        t = msg.WhichOneof("type")
        if t == "new_session":
            self._on_new_session(msg)
        elif t == "delta":
            self._apply_delta(msg)
        elif t == "script_finished":
            self._on_script_finished(msg)
        elif t == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif t == "navigation":
            self._has_navigation = True
            self.app_pages = list(msg.navigation.app_pages)
            if msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
        elif t == "file_urls_response":
            fut = self._file_url_futs.get(msg.file_urls_response.response_id)
            if fut is not None and not fut.done():
                fut.set_result(msg.file_urls_response)
        elif t == "auto_rerun":
            if self.auto_reruns:
                self._start_auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif t == "stop_auto_rerun":
            self._stop_auto_reruns(list(msg.stop_auto_rerun.fragment_ids))
        # the other types (session_event, page_config_changed, heartbeat_ack, ...) change nothing a
        # student reads or sends

    def _on_new_session(self, msg: ForwardMsg) -> None:
        """A run starts: the session's ids and pages; the waiting action learns its run id."""
        ns = msg.new_session
        if ns.initialize.session_id:
            self.session_id = ns.initialize.session_id
        self.main_script_hash = ns.main_script_hash
        self.page_script_hash = ns.page_script_hash
        if ns.app_pages and not self._has_navigation:  # pages/-dir apps; st.navigation apps: see navigation
            self.app_pages = list(ns.app_pages)
        self._max_cached_message_age = ns.config.max_cached_message_age or self._max_cached_message_age
        self.script_run_id = msg.metadata.run.script_run_id
        self.run_fragment_ids = list(msg.metadata.run.fragment_ids)
        w = self._waiter
        if not self.run_fragment_ids:
            self._stop_auto_reruns(None)  # frontend: cleanupAutoReruns on a full run
            if w is not None and w.result.action == "auto_rerun" and w.run_id is None and not w.fut.done():
                # the server drops a fragment rerun whose fragment a full run has removed: no
                # script_finished will come for it, and waiting would hold this student's lock
                w.fut.set_exception(StudentError("auto rerun superseded by a full run"))
                self._waiter = None
                return
        if w is not None and w.run_id is None:
            w.run_id = self.script_run_id

    def _on_script_finished(self, msg: ForwardMsg) -> None:
        """A run ends: stale nodes and states go; the action waiting for this run gets its result."""
        status = msg.script_finished
        run_id = msg.metadata.run.script_run_id or self.script_run_id
        if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self._finish_run(run_id, list(msg.metadata.run.fragment_ids) or self.run_fragment_ids)
        w = self._waiter
        if w is not None and w.run_id is not None and run_id == w.run_id and not w.fut.done():
            r = w.result
            r.elapsed_ms = (time.perf_counter() - w.t0) * 1000
            page = self.page
            r.exceptions, r.errors = page.exceptions, page.errors
            w.fut.set_result(r)

    def _apply_delta(self, msg: ForwardMsg) -> None:
        """ForwardMsg.delta at metadata.delta_path -> the tree (AppRoot.applyDelta, simplified)."""
        path = tuple(msg.metadata.delta_path)
        d = msg.delta
        which = d.WhichOneof("type")
        common = dict(fragment_id=d.fragment_id, active_script_hash=msg.metadata.active_script_hash, run_id=self.script_run_id)
        if which == "new_element":
            old = self._nodes.get(path)
            if old is not None and old.kind == "block":  # an element replaces a block with its children
                for p in [p for p in self._nodes if p[: len(path)] == path and p != path]:
                    del self._nodes[p]
            el = d.new_element
            node = Node(path, "element", el.WhichOneof("type") or "", el, **common)
            self._nodes[path] = node
            wid = _wid(node)
            if wid:  # the widget "mounts": register its default / set_value state (no rerun)
                st = _default_state(node)
                if (getattr(node.body, "set_value", False) or wid not in self._states) and st is not None:
                    self._states[wid] = st
        elif which == "add_block":
            blk = d.add_block
            self._nodes[path] = Node(path, "block", blk.WhichOneof("type") or "", blk, **common)
        # new_transient (spinners, toasts in status areas) is not kept in the view

    def _finish_run(self, run_id: str, fragment_ids: list[str]) -> None:
        """script_finished: clearStaleNodes, removeInactiveWidgetState, cache run count."""
        if fragment_ids:
            stale = [p for p, n in self._nodes.items() if n.run_id != run_id and n.fragment_id in fragment_ids]
        else:
            stale = [p for p, n in self._nodes.items() if n.run_id != run_id]
        for p in stale:
            del self._nodes[p]
        active = {_wid(n) for n in self._nodes.values() if _wid(n)}
        for wid in [i for i in self._states if i not in active]:
            del self._states[wid]
        for fs in self._form_states.values():
            for wid in [i for i in fs if i not in active]:
                del fs[wid]
        # ForwardMessageCache.incrementRunCount(maxCachedMessageAge, fragmentIds)
        self._cache_runs += 1
        for h in list(self._cache):
            _data, runs, frag = self._cache[h]
            if fragment_ids and (not frag or frag not in fragment_ids):
                continue
            if self._cache_runs - runs > self._max_cached_message_age:
                del self._cache[h]

    # ---- st.fragment(run_every=...)
    def _start_auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        self._stop_auto_reruns([fragment_id])

        async def tick():  # fixed rate like setInterval(..., interval * 1000)
            loop = asyncio.get_running_loop()
            due = loop.time()
            while True:
                due += interval
                await asyncio.sleep(max(0.0, due - loop.time()))
                async with self._lock:  # never overlaps a user action of this student
                    if self._closed_exc is not None or self.ws is None:
                        return  # the student has left
                    try:  # a short wait: the server may drop a rerun of a fragment that has just gone
                        r = await self._send_rerun("auto_rerun", fragment_id=fragment_id, is_auto_rerun=True, timeout=5)
                        if self.on_auto_rerun is not None:
                            self.on_auto_rerun(r)
                    except (StudentError, OSError) as e:
                        log.info("auto rerun %s: %s", fragment_id, e)
                        return

        self._auto_tasks[fragment_id] = asyncio.create_task(tick())

    def _stop_auto_reruns(self, fragment_ids: list[str] | None) -> None:
        for fid in list(self._auto_tasks) if fragment_ids is None else fragment_ids:
            t = self._auto_tasks.pop(fid, None)
            if t is not None:
                t.cancel()
