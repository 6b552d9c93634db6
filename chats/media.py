"""Uploaded files: limits, kinds, hashes, and SILK voice both ways (graiax-silkcoder).

graiax-silkcoder wraps the reference SILK v3 codec (a binary wheel, no compiler needed). It
reads WAV by itself. MP3, FLAC and Ogg Vorbis are decoded to WAV first with miniaudio (also a
binary wheel), so the common uploads convert without any system package; M4A/AAC and AMR need
an ffmpeg binary on PATH and are refused with a clear message when it is missing.
"""

import hashlib
import io
import mimetypes
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from .models import Attachment, ContentType

SILK_MAGIC = (b"#!SILK_V3", b"\x02#!SILK_V3")
IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
VIDEO_EXT = {".mp4", ".mov", ".m4v", ".3gp"}
AUDIO_EXT = {".silk", ".slk", ".wav", ".mp3", ".m4a", ".aac", ".ogg", ".amr", ".flac"}
BLOCKED_EXT = {".exe", ".bat", ".cmd", ".com", ".scr", ".msi", ".js", ".vbs", ".ps1"}
# Served inline to browsers; everything else downloads (never HTML or SVG inline).
INLINE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "video/mp4",
    "video/quicktime",
    "audio/wav",
    "audio/x-wav",
    "audio/mpeg",
}


def is_silk(data: bytes) -> bool:
    return data.startswith(SILK_MAGIC)


def kind_for(name, requested=""):
    """The content type to send a file as: from the operator's choice, else from its extension."""
    ext = Path(name).suffix.lower()
    if requested == "file":
        return ContentType.FILE
    if ext == ".gif":
        return ContentType.GIF
    if ext in IMAGE_EXT:
        return ContentType.IMAGE
    if ext in VIDEO_EXT:
        return ContentType.VIDEO
    if ext in AUDIO_EXT:
        return ContentType.VOICE
    return ContentType.FILE


def limit_for(kind):
    if kind in (ContentType.IMAGE, ContentType.GIF):
        return settings.CHAT_IMAGE_MAX_BYTES
    return settings.CHAT_FILE_MAX_BYTES


# Formats miniaudio decodes in-process; SILK wants mono 16-bit PCM, 24 kHz is WeChat's own rate.
MINIAUDIO_EXT = {".mp3", ".flac", ".ogg"}
SILK_SAMPLE_RATE = 24000


def decoded_to_wav(data: bytes) -> bytes:
    """MP3/FLAC/Vorbis bytes as a mono 16-bit WAV (miniaudio); ValueError when undecodable."""
    import wave

    import miniaudio

    try:
        sound = miniaudio.decode(
            data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SILK_SAMPLE_RATE
        )
    except miniaudio.DecodeError as exc:
        raise ValueError(str(exc)) from exc
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SILK_SAMPLE_RATE)
        wav.writeframes(sound.samples.tobytes())
    return out.getvalue()


def to_silk(data: bytes, name: str) -> bytes:
    """SILK bytes for a voice upload; ValidationError with a reason the operator can act on."""
    if is_silk(data):
        return data
    ext = Path(name).suffix.lower()
    from graiax import silkcoder

    if ext in MINIAUDIO_EXT and not shutil.which("ffmpeg"):
        try:
            data = decoded_to_wav(data)
        except ValueError as exc:
            raise ValidationError(_("This audio file could not be converted to SILK.")) from exc
        ext = ".wav"
    if ext != ".wav" and not shutil.which("ffmpeg"):
        raise ValidationError(
            _("Voice messages must be SILK, WAV, MP3, FLAC or OGG here (%(ext)s needs ffmpeg on the server).")
            % {"ext": ext or "?"}
        )
    try:
        return silkcoder.encode(data)
    except Exception as exc:
        raise ValidationError(_("This audio file could not be converted to SILK.")) from exc


def silk_to_wav(data: bytes) -> bytes | None:
    """WAV for the browser's player, or None when the bytes are not decodable SILK."""
    if not is_silk(data):
        return None
    from graiax import silkcoder

    try:
        return silkcoder.decode(data, audio_format="wav")
    except Exception:
        return None


def wav_seconds(wav: bytes) -> int:
    import wave

    try:
        with wave.open(io.BytesIO(wav)) as w:
            return max(1, round(w.getnframes() / float(w.getframerate())))
    except (wave.Error, EOFError, ZeroDivisionError):
        return 0


def store_upload(*, account, upload, kind, operator=None):
    """Check limits, convert voice to SILK, hash and store the file; return (attachment, kind, seconds)."""
    name = get_valid_filename(Path(upload.name or "file").name)[:200] or "file"
    ext = Path(name).suffix.lower()
    if ext in BLOCKED_EXT:
        raise ValidationError(_("Files of type %(ext)s cannot be sent.") % {"ext": ext})
    limit = limit_for(kind)
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s MB; the limit for this kind is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1048576, 1), "limit": limit // 1048576}
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("The file is empty."))
    seconds = 0
    if kind == ContentType.VOICE:
        silk = to_silk(data, name)
        wav = silk_to_wav(silk)
        seconds = wav_seconds(wav) if wav else 0
        data = silk
        name = f"{Path(name).stem}.silk"
        mime = "audio/silk"
    elif kind == ContentType.GIF:
        if not data.startswith((b"GIF87a", b"GIF89a")):
            raise ValidationError(_("%(name)s is not a GIF image.") % {"name": name})
        mime = "image/gif"
    else:
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == ContentType.IMAGE and not mime.startswith("image/"):
            raise ValidationError(_("%(name)s is not an image.") % {"name": name})
    attachment = Attachment(
        account=account,
        name=name,
        mime_type=mime,
        size=len(data),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=operator,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment, kind, seconds
