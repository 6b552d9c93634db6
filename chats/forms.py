from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Conversation, QuickReply

MAX_TEXT = 4000


class InboxFilterForm(forms.Form):
    SHOW = (
        ("all", _("All")),
        ("unread", _("Unread")),
        ("open", _("Open")),
        ("pending", _("Pending")),
        ("done", _("Done")),
    )
    KIND = (("", _("Friends and groups")), ("private", _("Friends")), ("group", _("Groups")))

    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND, required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    account = forms.IntegerField(label=_("Account"), required=False, widget=forms.HiddenInput)

    def cleaned(self):
        if not self.is_valid():
            return {"q": "", "show": "all", "kind": "", "mine": False}
        data = self.cleaned_data
        return {"q": data["q"].strip(), "show": data["show"] or "all", "kind": data["kind"], "mine": data["mine"]}


class SendForm(forms.Form):
    """One composer for every kind; `kind` says which fields matter."""

    KINDS = ("text", "upload", "card", "link", "app")

    kind = forms.ChoiceField(choices=[(k, k) for k in KINDS], initial="text")
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Message"), required=False, max_length=MAX_TEXT, strip=False)
    # Group chats: wxids picked in the @-mention picker (groups.mentions keeps those still in the text).
    at_users = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    upload = forms.FileField(label=_("File"), required=False)
    send_as = forms.ChoiceField(
        label=_("Send as"), required=False, choices=(("auto", _("Automatic")), ("file", _("File")))
    )
    card_name = forms.CharField(label=_("WeChat ID on the card"), required=False, max_length=128)
    url = forms.URLField(label=_("Link address"), required=False, max_length=1000, assume_scheme="https")
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    describe = forms.CharField(label=_("Description"), required=False, max_length=500)
    thumb = forms.URLField(label=_("Thumbnail URL"), required=False, max_length=1000, assume_scheme="https")
    app_name = forms.CharField(label=_("Mini-program id"), required=False, max_length=200)
    thumb_key = forms.CharField(label=_("Preview image key"), required=False, max_length=500)
    page_path = forms.CharField(label=_("Page path"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        need = {
            "text": ("text",),
            "upload": ("upload",),
            "card": ("card_name",),
            "link": ("url", "title"),
            "app": ("app_name", "title", "thumb_key"),
        }.get(kind, ())
        for name in need:
            value = data.get(name)
            if not value or (isinstance(value, str) and not value.strip()):
                self.add_error(name, ValidationError(_("This field is required."), code="required"))
        return data


class RetryForm(forms.Form):
    pass


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = operators


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=Conversation.State.choices)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Private note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class QuickReplyForm(forms.ModelForm):
    class Meta:
        model = QuickReply
        fields = ["title", "body", "position"]
        help_texts = {"body": _("Placeholders: {name} (the contact's name), {account} (the WeChat account's name).")}
