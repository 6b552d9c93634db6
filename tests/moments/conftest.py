"""Helpers for the moments tests: real little images, accounts, logged-in clients."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import WeChatAccount

HX = {"HTTP_HX_REQUEST": "true"}


def png_bytes(rgb=(7, 193, 96), size=32):
    """A real PNG of one colour (no Pillow needed)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * size
    raw = row * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png(name="a.png", rgb=(7, 193, 96)):
    return SimpleUploadedFile(name, png_bytes(rgb), content_type="image/png")


def mp4(name="clip.mp4", size=2048):
    return SimpleUploadedFile(name, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * size, content_type="video/mp4")


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def second_account(operator):
    account = WeChatAccount.objects.create(
        account="xiaomai", wxid="wxid_xm0002", nickname="小麦", status=WeChatAccount.Status.ONLINE
    )
    account.operators.add(operator)
    return account


@pytest.fixture
def foreign_account():
    return WeChatAccount.objects.create(account="notmine", wxid="wxid_nm0003", nickname="别人的号")


@pytest.fixture(autouse=True)
def moment_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MOMENTS_SPREAD_SECONDS = 0
