"""The provider's HTTP API: one method per endpoint (docs/client-methods.md).

Only this package knows the provider's paths (misspellings included, E-48), field
names and quirks. Bodies are form-encoded (§1.2); answers are JSON whatever their
content type (§1.4); `int(code) == 1` is success. Failures raise ProviderError:
permanent for a business answer, not permanent for transport trouble.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

import requests
from django.conf import settings

from .errors import ProviderError
from .token import TokenStore
from .types import (
    AccountProfile,
    Ack,
    FriendRequestRecord,
    GroupInfo,
    GroupMemberInfo,
    GroupQRCode,
    GroupSummary,
    ScanTask,
    parse_json_text,
    parse_members,
    payload_of,
    to_int,
    to_str,
)

logger = logging.getLogger("provider.client")

LOGIN_PATH = "/foreign/auth/login"

# message/send content types that can be sent (E-38); the others are receive-only.
SENDABLE_CONTENT_TYPES = frozenset({1, 2, 4, 5, 6, 15})
MOMENT_MEDIA_TYPES = frozenset({1, 2, 3})  # images, text, video (E-30: no link value)
FRIEND_REQUEST_STATUSES = frozenset({-1, 0, 1, 2})
MEDIA_SEPARATOR = "{#}"

# The seed documents no auth error shape (E-51); these words in `msg` mean "log in again".
AUTH_HINTS = ("token", "登录", "过期", "无效", "授权", "auth")

FormValue = str | int | Iterable[str | int] | None


def looks_like_auth_failure(msg: str) -> bool:
    """Whether a failure message points at the token (expired, invalid, not logged in)."""
    lowered = msg.lower()
    return any(hint in lowered for hint in AUTH_HINTS)


def join(values: FormValue) -> str:
    """Several values as one ASCII-comma-joined field (§1.2); a single value as text."""
    if values is None:
        return ""
    if isinstance(values, (str, int)):
        return str(values)
    return ",".join(str(value).strip() for value in values)


def is_group(identifier: str) -> bool:
    return identifier.strip().endswith("@chatroom")


def _opt(value: Any) -> str | None:
    """An optional parameter's text, or None (left out of the body) when it has no value."""
    if value is None:
        return None
    text = to_str(value)
    return text if text != "" else None


def _decode_json(content: bytes) -> Any:
    """The answer decoded as JSON whatever the declared content type (UTF-8, with or without BOM)."""
    for attempt in (content, content.decode("gb18030", "replace")):
        try:
            return json.loads(attempt)
        except (ValueError, UnicodeDecodeError):
            continue
    return None


class _AuthRejected(Exception):
    """The provider refused the token; carries the error to raise if renewal does not help."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(error.msg)
        self.error = error


class ProviderClient:
    """A client for one provider host and developer account."""

    def __init__(
        self,
        *,
        base_url: str,
        phone: str,
        password: str,
        connect_timeout: float = 3.05,
        read_timeout: float = 15.0,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.phone = phone
        self._password = password
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.session = session or requests.Session()
        self.tokens = TokenStore(
            base_url=self.base_url,
            phone=phone,
            login=self._login_request,
            lock_seconds=self.timeout[0] + self.timeout[1] + 5,
        )

    def __repr__(self) -> str:
        return f"<ProviderClient {self.base_url}>"

    # --- Transport ------------------------------------------------------------------

    def _scrub(self, text: str, token: str | None) -> str:
        """`text` with the password and the token blanked out, should the provider ever echo them."""
        for secret in (self._password, token):
            if secret and len(secret) >= 3:
                text = text.replace(secret, "***")
        return text

    def _failure_msg(self, answer: Mapping[str, Any], token: str | None) -> str:
        return self._scrub(to_str(answer.get("msg")) or f"provider answered code {answer.get('code')!r}", token)

    def _post(self, path: str, form: Mapping[str, str], token: str | None) -> dict[str, Any]:
        """One POST; the decoded answer object, or ProviderError for transport trouble.

        Raises _AuthRejected for HTTP 401/403 and auth-looking failures, so the caller can
        renew the token. A business failure (`code` != 1) is returned, not raised.
        """
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["token"] = token
        started = time.monotonic()

        def done(outcome: str, level: int = logging.INFO) -> None:
            logger.log(level, "provider %s %s in %.0f ms", path, outcome, (time.monotonic() - started) * 1000)

        try:
            response = self.session.post(self.base_url + path, data=dict(form), headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            done("timeout", logging.WARNING)
            raise ProviderError(f"provider timed out ({type(exc).__name__})", permanent=False, endpoint=path) from None
        except requests.RequestException as exc:
            done(f"network error {type(exc).__name__}", logging.WARNING)
            raise ProviderError(
                f"provider unreachable ({type(exc).__name__})", permanent=False, endpoint=path
            ) from None

        status = response.status_code
        if status in (401, 403):
            done(f"HTTP {status}", logging.WARNING)
            raise _AuthRejected(
                ProviderError(
                    f"provider refused the token (HTTP {status})", http_status=status, permanent=True, endpoint=path
                )
            )
        if status >= 500 or status in (408, 429):
            done(f"HTTP {status}", logging.WARNING)
            raise ProviderError(f"provider error (HTTP {status})", http_status=status, permanent=False, endpoint=path)

        answer = _decode_json(response.content)
        if not isinstance(answer, dict):
            done(f"HTTP {status} unreadable answer", logging.WARNING)
            # A 4xx page we cannot read is our mistake (wrong path); an unreadable 2xx may pass.
            raise ProviderError(
                f"provider answer is not a JSON object (HTTP {status})",
                http_status=status,
                permanent=400 <= status < 500,
                endpoint=path,
            )

        code = to_int(answer.get("code"))
        if code == 1:
            done("ok")
            return answer
        msg = self._failure_msg(answer, token)
        error = ProviderError(msg, code=code, http_status=status, permanent=True, endpoint=path, response=answer)
        if token is not None and looks_like_auth_failure(msg):
            done(f"code={code} (auth)", logging.WARNING)
            raise _AuthRejected(error)
        done(f"code={code} msg={msg[:120]!r}")
        return answer

    def _call(self, path: str, form: Mapping[str, FormValue], *, raise_failure: bool = True) -> dict[str, Any]:
        """POST with the token, renewing it once if the provider rejects it, then retrying once."""
        body = {name: join(value) for name, value in form.items() if value is not None}
        token = self.tokens.get()
        try:
            answer = self._post(path, body, token)
        except _AuthRejected as rejected:
            if self.tokens.recently_renewed(token):
                # A token this fresh is not the problem; the message is about something else.
                answer = self._unrenewable(rejected, raise_failure)
            else:
                logger.info("provider %s rejected the token; renewing it", path)
                token = self.tokens.renew(token)
                try:
                    answer = self._post(path, body, token)
                except _AuthRejected as again:
                    answer = self._unrenewable(again, raise_failure)
        if raise_failure and to_int(answer.get("code")) != 1:
            raise ProviderError(
                self._failure_msg(answer, token),
                code=to_int(answer.get("code")),
                permanent=True,
                endpoint=path,
                response=answer,
            )
        return answer

    @staticmethod
    def _unrenewable(rejected: _AuthRejected, raise_failure: bool) -> dict[str, Any]:
        """An auth-looking failure that a new token did not cure: an ordinary business failure."""
        if raise_failure or rejected.error.response is None:
            raise rejected.error from None
        return rejected.error.response

    def _ack(self, path: str, form: Mapping[str, FormValue]) -> Ack:
        return Ack.from_answer(self._call(path, form))

    def _login_request(self) -> str:
        try:
            answer = self._post(LOGIN_PATH, {"phone": self.phone, "password": self._password}, None)
        except _AuthRejected as rejected:  # HTTP 401/403 on login: the credentials are refused
            raise rejected.error from None
        if to_int(answer.get("code")) != 1:
            raise ProviderError(
                self._failure_msg(answer, None),
                code=to_int(answer.get("code")),
                permanent=True,
                endpoint=LOGIN_PATH,
            )
        data = parse_json_text(answer.get("data"))
        data = data if isinstance(data, Mapping) else {}
        token = answer.get("token") or data.get("token") or data.get("apikey")
        if not token:
            raise ProviderError("provider login answered without a token", permanent=False, endpoint=LOGIN_PATH)
        return to_str(token)

    # --- 2.1 Auth -------------------------------------------------------------------

    def login(self) -> str:
        """Log in with the developer credentials; cache and return the new token."""
        token = self._login_request()
        self.tokens.store(token)
        return token

    # --- 2.2 QR login, 2.3 callbacks, 2.4 account ------------------------------------

    def scan_new(self, *, callback_url: str, account: str | None = None, extend: str | None = None) -> ScanTask:
        """Ask for a login QR code (sent to callback_url). Pass `account` on every scan after the first (E-26)."""
        answer = self._call(
            "/foreign/message/scanNew",
            {"extend": _opt(extend), "account": _opt(account), "callback_url": callback_url},
        )
        return ScanTask.from_answer(answer)

    def set_url(
        self,
        *,
        callbackSend: str,
        delfriendlog: str,
        newfriendlog: str,
        messagelog: str,
        crowdlog: str,
        addfriendlog: str,
        wacatout: str,
        addgrouplog: str,
    ) -> Ack:
        """Configure all 8 global callback channels (always all of them, E-52)."""
        return self._ack(
            "/foreign/user/setUrl",
            {
                "callbackSend": callbackSend,
                "delfriendlog": delfriendlog,
                "newfriendlog": newfriendlog,
                "messagelog": messagelog,
                "crowdlog": crowdlog,
                "addfriendlog": addfriendlog,
                "wacatout": wacatout,
                "addgrouplog": addgrouplog,
            },
        )

    def logout(self, *, my_account: str) -> Ack:
        """Log a WeChat account out."""
        return self._ack("/foreign/wacat/out", {"my_account": my_account})

    def wx_status(self, *, my_account: str) -> bool:
        """Whether the account is online: code 1 online; any other non-auth answer offline or unknown (E-36)."""
        answer = self._call("/foreign/message/wxStatus", {"my_account": my_account}, raise_failure=False)
        return to_int(answer.get("code")) == 1

    # --- 2.5 Friends and labels -------------------------------------------------------

    def add_friends(
        self, *, my_account: str, accounts: Iterable[str] | str, content: str, extend: str | None = None
    ) -> Ack:
        """Send friend request(s) by WeChat ID or phone; the notice comes on callbackSend."""
        return self._ack(
            "/foreign/friends/add",
            {"extend": _opt(extend), "my_account": my_account, "account": join(accounts), "content": content},
        )

    def delete_friend(self, *, my_account: str, to_account: str, extend: str | None = None) -> Ack:
        """Delete a friend; C7 follows on delfriendlog."""
        return self._ack(
            "/foreign/friends/del", {"extend": _opt(extend), "my_account": my_account, "to_account": to_account}
        )

    def get_labels(self, *, my_account: str, tags: Iterable[str | int] | str | int = "") -> Ack:
        """Ask for the labels (C9 on callbackSend); `tags` is always sent, "" meaning all (E-20)."""
        return self._ack("/foreign/Wacat/getLables", {"my_account": my_account, "tags": join(tags)})

    def add_labels(self, *, my_account: str, names: Iterable[str] | str, callback_url: str) -> Ack:
        """Create label(s); the ids come to callback_url (C17)."""
        return self._ack(
            "/foreign/Wacat/addLable", {"my_account": my_account, "lables": join(names), "callback_url": callback_url}
        )

    def update_labels(
        self,
        *,
        my_account: str,
        accounts: Iterable[str] | str,
        label_ids: Iterable[str | int] | str | int,
        callback_url: str,
    ) -> Ack:
        """Set the given labels on the given friends (E-22)."""
        return self._ack(
            "/foreign/Wacat/updLable",
            {
                "account": join(accounts),
                "my_account": my_account,
                "lable_id": join(label_ids),
                "callback_url": callback_url,
            },
        )

    def delete_labels(self, *, my_account: str, label_ids: Iterable[str | int] | str | int, callback_url: str) -> Ack:
        """Delete label(s). At least one id is required: an empty list never means "all" (E-21)."""
        ids = join(label_ids)
        if not ids.strip(", "):
            raise ValueError("delete_labels needs at least one label id")
        return self._ack(
            "/foreign/Wacat/delLable", {"my_account": my_account, "lable_id": ids, "callback_url": callback_url}
        )

    def check_zombie(self, *, my_account: str, account: str, callback_url: str) -> Ack:
        """Check whether a friend deleted or blocked the account; the result comes to callback_url."""
        return self._ack(
            "/foreign/Friends/checkZombie", {"my_account": my_account, "account": account, "callback_url": callback_url}
        )

    def lookup_account(self, *, my_account: str, account: str, extend: str | None = None) -> Ack:
        """Look up a WeChat account's profile; the result comes as C8 on callbackSend."""
        return self._ack(
            "/foreign/wacat/newGetWacatInfo",
            {"extend": _opt(extend), "my_account": my_account, "account": account},
        )

    def friend_requests(self, *, my_account: str, status: int | str = -1) -> list[FriendRequestRecord]:
        """Incoming friend requests: status -1 all, 0 pending, 1 accepted, 2 expired (sent as text, E-40)."""
        number = to_int(status)
        if number not in FRIEND_REQUEST_STATUSES:
            raise ValueError(f"friend request status must be one of -1, 0, 1, 2, not {status!r}")
        answer = self._call("/foreign/friends/newFriendList", {"my_account": my_account, "status": str(number)})
        items = parse_json_text(answer.get("data"))
        if not isinstance(items, list):
            return []
        return [FriendRequestRecord.from_raw(item) for item in items if isinstance(item, Mapping)]

    def accept_friend(self, *, my_account: str, account: str) -> Ack:
        """Accept a friend request (the applicant's `account`); C3 follows."""
        return self._ack("/foreign/friends/passAddFriends", {"my_account": my_account, "account": account})

    def sync_friend_list(self, *, my_account: str, callback_url: str) -> Ack:
        """Ask for the full friend list, delivered to callback_url 100 per page (C12)."""
        return self._ack("/foreign/Friends/syncFriendList", {"my_account": my_account, "callback_url": callback_url})

    def wx_info(self, *, my_account: str) -> AccountProfile:
        """The logged-in account's profile."""
        return AccountProfile.from_answer(self._call("/foreign/message/wxInfo", {"my_account": my_account}))

    # --- 2.6 Messages ---------------------------------------------------------------

    def send_message(
        self,
        *,
        my_account: str,
        to_account: str,
        content: str,
        content_type: int = 1,
        file_name: str | None = None,
        img_md5: str | None = None,
        img_size: int | str | None = None,
    ) -> Ack:
        """Send text (1), image (2), voice (4, SILK), video (5), file (6) or animated image (15).

        Media `content` is a URL. Type 15 needs img_md5 and img_size. Groups (`…@chatroom`)
        are sent with `type` 2 (E-38).
        """
        kind = to_int(content_type)
        if kind not in SENDABLE_CONTENT_TYPES:
            raise ValueError(f"content_type {content_type!r} cannot be sent; use one of 1, 2, 4, 5, 6, 15")
        if kind == 15 and (not img_md5 or img_size in (None, "")):
            raise ValueError("an animated image (content_type 15) needs img_md5 and img_size")
        return self._ack(
            "/foreign/message/send",
            {
                "file_name": _opt(file_name),
                "my_account": my_account,
                "to_account": to_account,
                "content": content,
                "content_type": str(kind),
                "type": "2" if is_group(to_account) else "1",
                "img_md5": _opt(img_md5),
                "img_size": None if img_size in (None, "") else str(img_size),
            },
        )

    def send_card(self, *, my_account: str, to_account: str, card_name: str) -> Ack:
        """Send a personal or official-account contact card."""
        return self._ack(
            "/foreign/message/wacatCard",
            {
                "my_account": my_account,
                "to_account": to_account,
                "card_name": card_name,
                "type": "2" if is_group(to_account) else "1",
            },
        )

    def send_url(
        self,
        *,
        my_account: str,
        to_account: str,
        url: str,
        title: str,
        describe: str | None = None,
        thumb: str | None = None,
    ) -> Ack:
        """Send a link card."""
        return self._ack(
            "/foreign/message/sendUrl",
            {
                "thumb": _opt(thumb),
                "describe": _opt(describe),
                "my_account": my_account,
                "to_account": to_account,
                "url": url,
                "title": title,
                "type": "2" if is_group(to_account) else "1",
            },
        )

    def send_app(
        self,
        *,
        my_account: str,
        to_account: str,
        app_name: str,
        title: str,
        thumb_key: str,
        page_path: str | None = None,
        describe: str | None = None,
        thumb_url: str | None = None,
    ) -> Ack:
        """Send a mini-program card; `type` is always sent because it has no default (E-39)."""
        return self._ack(
            "/foreign/message/sendApp",
            {
                "page_path": _opt(page_path),
                "app_name": app_name,
                "title": title,
                "thumb_key": thumb_key,
                "my_account": my_account,
                "to_account": to_account,
                "describe": _opt(describe),
                "thumb_url": _opt(thumb_url),
                "type": "2" if is_group(to_account) else "1",
            },
        )

    # --- 2.7 Groups -----------------------------------------------------------------

    def set_group_notice(self, *, my_account: str, group: str, notice: str) -> Ack:
        """Set the group announcement."""
        return self._ack("/foreign/Group/setGroupNotic", {"my_account": my_account, "number": group, "notice": notice})

    def create_group(
        self,
        *,
        my_account: str,
        name: str,
        accounts: Iterable[str] | str,
        callback_url: str,
        extend: str | None = None,
    ) -> Ack:
        """Create a group; its number comes to callback_url (C15), always passed (E-54)."""
        return self._ack(
            "/foreign/group/found",
            {
                "group_name": name,
                "extend": _opt(extend),
                "my_account": my_account,
                "account": join(accounts),
                "callback_url": callback_url,
            },
        )

    def leave_group(self, *, my_account: str, group: str) -> Ack:
        """Leave a group."""
        return self._ack("/foreign/group/outGroup", {"g_number": group, "my_account": my_account})

    def rename_group(self, *, my_account: str, group: str, name: str) -> Ack:
        """Rename a group."""
        return self._ack("/foreign/group/setName", {"name": name, "my_account": my_account, "g_number": group})

    def add_group_members(self, *, my_account: str, group: str, accounts: Iterable[str] | str) -> Ack:
        """Add member(s) directly (groups of 40 or fewer; `account` is the members, E-3)."""
        return self._ack(
            "/foreign/group/addMember", {"account": join(accounts), "my_account": my_account, "g_number": group}
        )

    def remove_group_member(self, *, my_account: str, group: str, account: str) -> Ack:
        """Remove a member from a group."""
        return self._ack("/foreign/group/delMember", {"account": account, "my_account": my_account, "g_number": group})

    def group_at(self, *, my_account: str, group: str, at_users: Iterable[str] | str, content: str) -> Ack:
        """Send a group message mentioning members (`content` = "@nick text", E-37)."""
        return self._ack(
            "/foreign/group/groupAt",
            {"account": group, "my_account": my_account, "atUser": join(at_users), "content": content},
        )

    def group_qrcode(self, *, my_account: str, group: str, callback_url: str) -> GroupQRCode | None:
        """The group's QR code from the sync answer if it carries one, else None: it comes to callback_url (E-27)."""
        answer = self._call(
            "/foreign/group/qrcode", {"my_account": my_account, "g_number": group, "callback_url": callback_url}
        )
        data = parse_json_text(answer.get("data"))
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if isinstance(data, Mapping) and (data.get("qrcode") or data.get("group_number")):
            return GroupQRCode.from_raw(data, raw=answer)
        if answer.get("qrcode"):
            return GroupQRCode.from_raw(answer, raw=answer)
        return None

    def set_auto_join(self, *, my_account: str, enabled: bool) -> Ack:
        """Account-level switch: join groups from invitation links automatically (E-1)."""
        return self._ack("/foreign/group/groupSet", {"account": my_account, "status": "1" if enabled else "0"})

    def group_info(self, *, my_account: str, group: str) -> GroupInfo:
        """A group's details and members (E-2, E-34)."""
        return GroupInfo.from_answer(
            self._call("/foreign/group/getGroupInfo", {"my_account": my_account, "g_number": group})
        )

    def group_list(self, *, my_account: str, saved_only: bool = False) -> list[GroupSummary]:
        """All groups (`type` 1), or only those saved to contacts (`type` 2); `data` is the whole list (E-32)."""
        answer = self._call("/foreign/group/groupList", {"my_account": my_account, "type": "2" if saved_only else "1"})
        items = parse_json_text(answer.get("data"))
        if not isinstance(items, list):
            return []
        return [GroupSummary.from_raw(item) for item in items if isinstance(item, Mapping)]

    def group_owner(self, *, my_account: str, group: str) -> str:
        """The owner's WeChat account: top-level `author`, else `data.author` (E-33)."""
        answer = self._call("/foreign/group/owner", {"my_account": my_account, "g_number": group})
        owner = answer.get("author")
        if not owner:
            owner = payload_of(answer).get("author")
        return to_str(owner)

    def group_members(self, *, my_account: str, group: str, callback_url: str) -> list[GroupMemberInfo]:
        """Ask for the members (C13 to callback_url); returns them only if the sync answer has them (E-28)."""
        answer = self._call(
            "/foreign/Group/getAllMembers", {"number": group, "my_account": my_account, "callback_url": callback_url}
        )
        return list(parse_members(answer.get("info")))

    def invite_member(self, *, my_account: str, group: str, account: str) -> Ack:
        """Send a group invitation link (groups over 40 members, E-46); prefer the wxid."""
        return self._ack(
            "/foreign/group/invateMember", {"g_number": group, "my_account": my_account, "account": account}
        )

    # --- 2.8 Moments ----------------------------------------------------------------

    def post_moment(
        self,
        *,
        my_account: str,
        text: str,
        media_type: int,
        media_urls: Iterable[str] = (),
        callback_url: str | None = None,
        title: str | None = None,
    ) -> Ack:
        """Post to Moments: images (1, up to 9 URLs), text (2) or video (3, `video{#}thumb`).

        `media_url` is always sent, "" for a text post (E-30).
        """
        kind = to_int(media_type)
        if kind not in MOMENT_MEDIA_TYPES:
            raise ValueError(f"media_type must be 1 (images), 2 (text) or 3 (video), not {media_type!r}")
        urls = [media_urls] if isinstance(media_urls, str) else [str(url) for url in media_urls]
        if kind == 2:
            media_url = ""
        elif kind == 3:
            # Video is "url{#}thumb"; the separator stays even without a thumbnail.
            video, thumb = (urls + ["", ""])[:2]
            media_url = f"{video}{MEDIA_SEPARATOR}{thumb}"
        else:
            media_url = MEDIA_SEPARATOR.join(urls)
        return self._ack(
            "/foreign/FriendCircle/release",
            {
                "my_account": my_account,
                "text": text,
                "media_url": media_url,
                "media_type": str(kind),
                "callback_url": _opt(callback_url),
                "title": _opt(title),
            },
        )

    def moment_action(self, *, my_account: str, circle_id: str, point_type: int, content: str = "") -> Ack:
        """Like (point_type 1, content sent empty, E-31) or comment (2) on a post."""
        kind = to_int(point_type)
        if kind not in (1, 2):
            raise ValueError(f"point_type must be 1 (like) or 2 (comment), not {point_type!r}")
        return self._ack(
            "/foreign/FriendCircle/point",
            {
                "my_account": my_account,
                "circle_id": circle_id,
                "content": "" if kind == 1 else content,
                "point_type": str(kind),
            },
        )

    def get_moments(
        self,
        *,
        my_account: str,
        callback_url: str,
        load: int = 1,
        status_id: str | None = None,
        to_account: str | None = None,
        extend: str | None = None,
    ) -> Ack:
        """Ask for Moments (timeline, one user's album, or one post); they come to callback_url (C16)."""
        return self._ack(
            "/foreign/FriendCircle/getList",
            {
                "statusId": _opt(status_id),
                "extend": _opt(extend),
                "my_account": my_account,
                "to_account": _opt(to_account),
                "load": str(to_int(load, 1)),
                "callback_url": callback_url,
            },
        )


def get_client() -> ProviderClient:
    """A client configured from the current settings (read at each call, so overrides apply)."""
    return ProviderClient(
        base_url=settings.PROVIDER_BASE_URL,
        phone=settings.PROVIDER_PHONE,
        password=settings.PROVIDER_PASSWORD,
        connect_timeout=settings.PROVIDER_CONNECT_TIMEOUT,
        read_timeout=settings.PROVIDER_READ_TIMEOUT,
    )
