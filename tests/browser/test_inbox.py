"""The inbox in Chromium: a friend's message arrives without a reload, the operator replies with
Enter, the simulator gets exactly one send; a failed send shows its reason and succeeds on retry.
A real Celery worker sends the provider calls."""

import time

import pytest

from chats.models import Conversation, Message, QuickReply
from tests.helpers import log_in, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_message_arrives_live_the_operator_replies_and_a_failed_send_is_retried(
    page, console, sim, workers, operator, wechat_account, artifacts
):
    sim.control(
        "accounts",
        {"account": wechat_account.account, "wxid": wechat_account.wxid, "name": "大米", "friends": 5, "groups": 1},
    )
    workers()
    friends = sim.control(f"accounts/{wechat_account.account}")["account"]["friends"]
    first, second = friends[0]["account"], friends[1]["account"]
    QuickReply.objects.create(title="问候", body="{name} 您好，有什么可以帮您？")
    sim.control("message", {"my_account": wechat_account.account, "from": second, "content": "上周的订单到了吗？"})
    sim.control("message", {"my_account": wechat_account.account, "from": first, "content": "你好，在吗？"})
    chat = wait_until(lambda: Conversation.objects.filter(peer=first).first())
    wait_until(lambda: Conversation.objects.filter(peer=second).exists())

    base = console.url
    log_in(page, base, "bob", "pw-bob-123")
    page.goto(f"{base}/inbox/")
    page.locator(f"#conv-{chat.pk}").click()
    page.locator(f'[data-conversation="{chat.pk}"]').wait_for()
    page.evaluate("window.__noReload = 'still here'")
    page.wait_for_function(f"!document.querySelector('#conv-{chat.pk} .unread')")  # opening it read it

    # A friend's message arrives on the simulator and shows up in the open chat.
    started = time.monotonic()
    sim.control(
        "message",
        {"my_account": wechat_account.account, "from": first, "content": "我想问一下发货时间 https://example.com/o/1"},
    )
    page.locator("#messages").get_by_text("我想问一下发货时间").wait_for(timeout=5_000)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, elapsed
    assert page.locator('#messages a[href="https://example.com/o/1"]').count() == 1
    # The list re-sorted: this conversation is on top.
    page.wait_for_function(f"document.querySelector('#conversation-list li a')?.id === 'conv-{chat.pk}'", timeout=5_000)

    # Quick reply with "/", then Enter sends it.
    box = page.locator("#composer-text")
    box.click()
    box.press("/")
    page.locator("#qr-filter").press("Enter")
    assert "您好，有什么可以帮您？" in box.input_value()
    box.fill("明天发货 😀")
    box.press("Enter")
    page.locator("#messages .msg-out", has_text="明天发货").wait_for()
    page.locator('#messages .msg-out:has-text("明天发货") [data-status="sent"]').wait_for(timeout=10_000)
    sends = [m for m in sim.control("messages")["messages"] if m["to_account"] == first]
    assert [m["content"] for m in sends] == ["明天发货 😀"]
    page.screenshot(path=str(artifacts / "inbox-1-reply.png"))

    # A send the provider refuses shows the reason; Retry sends it.
    sim.fault("/foreign/message/send", "code0", msg="微信不在线: damibtc")
    box = page.locator("#composer-text")
    box.fill("稍等我查一下")
    box.press("Enter")
    failed = page.locator('#messages .msg-out:has-text("稍等我查一下")')
    failed.locator('[data-status="failed"]').wait_for(timeout=10_000)
    assert "微信不在线: damibtc" in failed.inner_text()
    page.screenshot(path=str(artifacts / "inbox-2-failed.png"))
    failed.get_by_role("button", name="Retry").click()
    failed.locator('[data-status="sent"]').wait_for(timeout=10_000)
    sends = [m["content"] for m in sim.control("messages")["messages"] if m["to_account"] == first]
    assert sends == ["明天发货 😀", "稍等我查一下"]
    assert page.evaluate("window.__noReload") == "still here"
    assert Message.objects.filter(conversation=chat, direction="out").count() == 2

    # Alt+Down moves to the next conversation.
    page.keyboard.press("Alt+ArrowDown")
    page.locator(f'[data-conversation]:not([data-conversation="{chat.pk}"])').wait_for()
    page.keyboard.press("Alt+ArrowUp")
    page.locator(f'[data-conversation="{chat.pk}"]').wait_for()
    page.screenshot(path=str(artifacts / "inbox-3-retried.png"))
