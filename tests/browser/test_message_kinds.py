"""One conversation holding a message of every kind the simulator sends, in the shapes real
accounts receive (simulator/content.py, after tests/fixtures/real_payloads/), read in Chromium
at desktop and phone sizes: every kind has its card, nothing shows raw XML. Screenshots land in
tests/artifacts/kinds-*.png."""

import pytest

from chats.models import Conversation, Message
from simulator.content import GROUP_ONLY, KINDS
from tests.helpers import log_in, wait_until
from tests.pages import raw_xml_leaks

pytestmark = pytest.mark.django_db(transaction=True)

PRIVATE_KINDS = [kind for kind in KINDS if kind not in GROUP_ONLY and kind != "revoke"]
# The template branch each kind is drawn with (chats/_message.html: msg-kind-<branch>).
BRANCH = {
    "text": "text",
    "image": "image",
    "emoji": "sticker",
    "voice": "voice",
    "video": "video",
    "file": "file",
    "file_uploading": "file",
    "link": "link",
    "music": "link",
    "card": "card",
    "miniprogram": "app",
    "quote": "quote",
    "chat_history": "history",
    "channels": "channels",
    "location": "location",
    "transfer": "money",
    "red_packet": "money",
    "pat": "system",
    "revoke": "system",
    "group_invite": "link",
    "group_join": "system",
    "group_kick": "system",
    "group_notice": "notice",
    "group_text": "system",
}


def test_every_kind_reads_like_wechat_on_desktop_and_phone(page, console, sim, operator, wechat_account, artifacts):
    account = wechat_account.account
    sim.control(
        "accounts", {"account": account, "wxid": wechat_account.wxid, "name": "大米", "friends": 3, "groups": 1}
    )
    detail = sim.control(f"accounts/{account}")["account"]
    friend = detail["friends"][0]["account"]
    group = detail["groups"][0]
    member = next(m for m in group["members"] if m["userName"] != wechat_account.wxid)["userName"]

    said = sim.control("message", {"my_account": account, "from": friend, "content": "这条我发错了"})
    for index, kind in enumerate(PRIVATE_KINDS):
        sim.control("message", {"my_account": account, "from": friend, "kind": kind, "seed": index})
    sim.control("message", {"my_account": account, "from": friend, "kind": "revoke", "revokes": said["msgid"]})
    for index, kind in enumerate(GROUP_ONLY):
        sim.control(
            "message", {"my_account": account, "from": member, "group": group["number"], "kind": kind, "seed": index}
        )

    chat = wait_until(lambda: Conversation.objects.filter(peer=friend).first())
    wait_until(lambda: chat.messages.count() == len(PRIVATE_KINDS) + 2, message="every private message stored")
    room = wait_until(lambda: Conversation.objects.filter(peer=group["number"]).first())
    wait_until(lambda: room.messages.count() == len(GROUP_ONLY), message="every group message stored")
    assert Message.objects.get(msgid=said["msgid"]).revoked_at is not None

    base = console.url
    log_in(page, base, "bob", "pw-bob-123", english=False)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/conversations/{chat.pk}/")
    page.locator(f'[data-conversation="{chat.pk}"]').wait_for()
    html = page.content()
    assert raw_xml_leaks(html) == []
    assert "${" not in page.inner_text("body") and "$names$" not in html
    for kind in [*PRIVATE_KINDS, "revoke"]:
        assert page.locator(f"#messages .msg-kind-{BRANCH[kind]}").count() >= 1, kind
    assert page.locator("#messages .msg.is-revoked", has_text="这条我发错了").count() == 1
    assert page.locator("#messages .msg-quote").count() == 1
    assert page.locator("#messages .msg-sticker").count() == 1
    page.screenshot(path=str(artifacts / "kinds-desktop.png"))
    # Every message at once, for a person to read through.
    page.set_viewport_size({"width": 1440, "height": 4200})
    for part, top in enumerate(range(0, 4200, 1400), start=1):
        page.screenshot(
            path=str(artifacts / f"kinds-desktop-all-{part}.png"),
            clip={"x": 360, "y": top, "width": 800, "height": 1400},
        )

    page.goto(f"{base}/conversations/{room.pk}/")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator(f'[data-conversation="{room.pk}"]').wait_for()
    assert raw_xml_leaks(page.content()) == []
    for kind in GROUP_ONLY:
        assert page.locator(f"#messages .msg-kind-{BRANCH[kind]}").count() >= 1, kind
    page.screenshot(path=str(artifacts / "kinds-group.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/conversations/{chat.pk}/")
    page.locator(f'[data-conversation="{chat.pk}"]').wait_for()
    overflow = page.evaluate(
        "[...document.querySelectorAll('#messages .bubble')].filter(b => b.scrollWidth > b.clientWidth + 1).length"
    )
    assert overflow == 0
    page.locator("#messages").screenshot(path=str(artifacts / "kinds-phone.png"))
