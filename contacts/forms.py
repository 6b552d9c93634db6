import re

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Friend, FriendRequest, Label, Sex

SPLIT = re.compile(r"[,，、;；\s]+")
NAME_SPLIT = re.compile(r"[,，\n]+")


def split_values(text, pattern=SPLIT):
    return list(dict.fromkeys(part.strip() for part in pattern.split(text or "") if part.strip()))


class FriendFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    label = forms.ModelChoiceField(
        label=_("Label"), queryset=Label.objects.none(), required=False, empty_label=_("Any label")
    )
    sex = forms.TypedChoiceField(
        label=_("Sex"), choices=[("", _("Any"))] + list(Sex.choices), coerce=int, empty_value=None, required=False
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("present", _("Friends")), ("zombies", _("Zombies")), ("removed", _("Removed")), ("all", _("All"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("nickname", _("Nickname")), ("remark", _("Remark")), ("recent", _("Recently added"))],
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].queryset = Label.objects.filter(account=account)


class BulkFriendsForm(forms.Form):
    ACTIONS = [
        ("add_label", _("Add label")),
        ("remove_label", _("Remove label")),
        ("zombie", _("Check for zombies")),
        ("delete", _("Delete friends")),
    ]
    friends = forms.ModelMultipleChoiceField(
        queryset=Friend.objects.none(), error_messages={"required": _("Select at least one friend.")}
    )
    action = forms.ChoiceField(choices=ACTIONS)
    label = forms.ModelChoiceField(queryset=Label.objects.none(), required=False)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["friends"].queryset = Friend.objects.filter(account=account).prefetch_related("labels")
        self.fields["label"].queryset = Label.objects.filter(account=account)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("add_label", "remove_label") and not data.get("label"):
            self.add_error("label", _("Choose a label."))
        return data


class FriendLabelsForm(forms.Form):
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"), queryset=Label.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labels"].queryset = Label.objects.filter(account=account)


class InviteForm(forms.Form):
    targets = forms.CharField(
        label=_("WeChat IDs or phone numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or many, separated by commas, spaces or new lines."),
        max_length=20000,
    )
    greeting = forms.CharField(label=_("Greeting"), max_length=200, initial="")

    def clean_targets(self):
        targets = split_values(self.cleaned_data["targets"])
        if not targets:
            raise forms.ValidationError(_("Enter at least one WeChat ID or phone number."))
        if len(targets) > 500:
            raise forms.ValidationError(_("At most 500 at a time."))
        too_long = [t for t in targets if len(t) > 128]
        if too_long:
            raise forms.ValidationError(_("Too long: %(value)s"), params={"value": too_long[0][:40]})
        return targets


class LabelCreateForm(forms.Form):
    names = forms.CharField(
        label=_("New labels"),
        max_length=2000,
        help_text=_("Several at once: separate them with commas or new lines."),
    )

    def clean_names(self):
        names = split_values(self.cleaned_data["names"], NAME_SPLIT)
        if not names:
            raise forms.ValidationError(_("Enter at least one label name."))
        if any(len(name) > 100 for name in names):
            raise forms.ValidationError(_("A label name has at most 100 characters."))
        return names


class LabelRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=100)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if "," in name or "，" in name:
            raise forms.ValidationError(_("A label name cannot contain a comma."))
        return name


class LookupForm(forms.Form):
    query = forms.CharField(label=_("WeChat ID or phone number"), max_length=128)


class AcceptRequestsForm(forms.Form):
    requests = forms.ModelMultipleChoiceField(
        queryset=FriendRequest.objects.none(), error_messages={"required": _("Select at least one request.")}
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = FriendRequest.objects.filter(
            account=account, status=FriendRequest.Status.PENDING
        ).select_related("accept_entry")


class ReconcileForm(forms.Form):
    status = forms.TypedChoiceField(
        label=_("Requests"),
        coerce=int,
        choices=[(-1, _("All")), (0, _("Pending")), (1, _("Accepted")), (2, _("Expired"))],
        initial=0,
    )
