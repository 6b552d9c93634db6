from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import accounts_for

from .models import MAX_IMAGES, MomentMedia, MomentPost

MAX_TEXT = 2000
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


def image_max_bytes():
    return getattr(settings, "MOMENTS_IMAGE_MAX_BYTES", 10 * 1024 * 1024)


def video_max_bytes():
    return getattr(settings, "MOMENTS_VIDEO_MAX_BYTES", 20 * 1024 * 1024)


def sniff(upload):
    """The real type of an upload from its first bytes (never trust the name or the browser)."""
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return ""


def _check_image(upload):
    kind = sniff(upload)
    if kind not in IMAGE_TYPES:
        raise ValidationError(
            _("%(name)s is not a JPEG, PNG, GIF or WebP image.") % {"name": upload.name}, code="image_type"
        )
    if upload.size > image_max_bytes():
        raise ValidationError(
            _("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": image_max_bytes() // (1024 * 1024)},
            code="image_size",
        )
    upload.sniffed_type = kind
    return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [_check_image(super(MultipleImageField, self).clean(f, initial)) for f in files if f]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ComposeForm(forms.Form):
    """One moment for one or many accounts. Media as uploads or as addresses; `kind` says which fields matter."""

    accounts = forms.ModelMultipleChoiceField(
        label=_("Post from"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=MomentPost.Kind.choices, initial=MomentPost.Kind.TEXT, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("Text"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    images = MultipleImageField(
        label=_("Images"),
        required=False,
        help_text=_("Up to 9 images (JPEG, PNG, GIF or WebP, 10 MB each)."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    image_urls = forms.CharField(
        label=_("…or image addresses"),
        required=False,
        help_text=_("One address per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    video = forms.FileField(
        label=_("Video"),
        required=False,
        help_text=_("MP4, up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4"}),
    )
    video_url = forms.URLField(label=_("…or video address"), required=False, max_length=1000, assume_scheme="https")
    link_url = forms.URLField(label=_("Link address"), required=False, max_length=1000, assume_scheme="https")
    link_title = forms.CharField(label=_("Link title"), required=False, max_length=200)
    thumbnail = forms.FileField(
        label=_("Thumbnail"),
        required=False,
        help_text=_("An image (JPEG, PNG, GIF or WebP)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    thumb_url = forms.URLField(label=_("…or thumbnail address"), required=False, max_length=1000, assume_scheme="https")
    scheduled_at = forms.DateTimeField(
        label=_("Post at"),
        required=False,
        help_text=_("China time (Asia/Shanghai). Leave empty to post as soon as you confirm."),
        widget=DateTimeLocalInput(),
    )

    def __init__(self, *args, user, post=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        self.fields["accounts"].queryset = accounts_for(user).order_by("nickname", "account")

    def clean_image_urls(self):
        urls = [line.strip() for line in self.cleaned_data["image_urls"].splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for url in urls:
            try:
                validate(url)
            except ValidationError:
                raise ValidationError(_("%(url)s is not a web address.") % {"url": url[:80]}) from None
        return urls

    def clean_video(self):
        video = self.cleaned_data.get("video")
        if video:
            if sniff(video) != "video/mp4":
                raise ValidationError(_("The video must be an MP4 file."))
            if video.size > video_max_bytes():
                raise ValidationError(_("The video is larger than %(mb)s MB.") % {"mb": video_max_bytes() // 1048576})
            video.sniffed_type = "video/mp4"
        return video

    def clean_thumbnail(self):
        thumbnail = self.cleaned_data.get("thumbnail")
        return _check_image(thumbnail) if thumbnail else thumbnail

    def clean_scheduled_at(self):
        when = self.cleaned_data.get("scheduled_at")
        if when and when <= timezone.now():
            raise ValidationError(_("Choose a time in the future, or leave it empty to post now."))
        return when

    def _existing(self, role):
        return self.post.media.filter(role=role).count() if self.post is not None else 0

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == MomentPost.Kind.IMAGES:
            images = data.get("images") or []
            count = (len(images) or self._existing(MomentMedia.Role.IMAGE)) + len(data.get("image_urls") or [])
            if count == 0:
                self.add_error("images", _("Add at least one image, or an image address."))
            elif count > MAX_IMAGES:
                self.add_error("images", _("A moment has at most 9 images (this one has %(n)s).") % {"n": count})
        elif kind == MomentPost.Kind.VIDEO:
            if not (data.get("video") or data.get("video_url") or self._existing(MomentMedia.Role.VIDEO)):
                self.add_error("video", _("Add the video, or its address."))
            if not (data.get("thumbnail") or data.get("thumb_url") or self._existing(MomentMedia.Role.THUMB)):
                self.add_error("thumbnail", _("A video needs a thumbnail image, or its address."))
        elif kind == MomentPost.Kind.LINK and not data.get("link_url"):
            self.add_error("link_url", _("Enter the link address."))
        # Keep only what the kind uses, so a switched kind does not post leftovers.
        if kind != MomentPost.Kind.IMAGES:
            data["images"], data["image_urls"] = [], []
        if kind != MomentPost.Kind.VIDEO:
            data["video"], data["video_url"] = None, ""
        if kind not in (MomentPost.Kind.VIDEO, MomentPost.Kind.LINK):
            data["thumbnail"], data["thumb_url"] = None, ""
        if kind != MomentPost.Kind.LINK:
            data["link_url"], data["link_title"] = "", ""
        return data


class CommentForm(forms.Form):
    content = forms.CharField(label=_("Comment"), max_length=500)


class RefreshForm(forms.Form):
    more = forms.BooleanField(required=False)
    to_account = forms.CharField(required=False, max_length=128)
