"""The floor's forms. They take the input's shape; the rules (lengths, characters, duplicates,
whether registration is open) are the actions', which raise ValidationError by field, and
`add_problems` puts those next to their fields."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from virtualtrip.floor.accreditation import Registration, cleaned_registration, registration_problems
from virtualtrip.floor.invitations import GUEST_NAME_MAX_LENGTH
from virtualtrip.trips.validators import country_codes, country_name


def _countries() -> list[tuple[str, StrOrPromise]]:
    named = sorted(((code, country_name(code)) for code in country_codes()), key=lambda pair: pair[1])
    return [("", _("Choose a country"))] + [(code, f"{name} ({code})") for code, name in named]


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=400, strip=False)
    outlet = forms.CharField(label=_("Outlet"), max_length=400, strip=False)
    country = forms.ChoiceField(label=_("Country of your outlet"), choices=_countries)
    email = forms.EmailField(label=_("Email"), help_text=_("Your personal link is sent here."))
    question = forms.CharField(
        label=_("A question for the briefing (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        # The limit is MAX_QUESTION_CHARS, which the action checks.
        help_text=_("Up to 2,000 characters. The moderator sees it with your name and outlet."),
    )

    def clean(self) -> dict[str, Any]:
        """Every problem at once: the action's rules run on the fields even when another field is
        wrong (the action checks again when the registration is taken)."""
        cleaned = super().clean() or {}
        raw = {field: str(self.data.get(field, "")) for field in ("name", "outlet", "country", "question")}
        registration = cleaned_registration(Registration(email="", **raw))
        for field, problem in registration_problems(registration).items():
            if field not in self.errors:
                self.add_error(field, problem)
        return cleaned


class GuestForm(forms.Form):
    name = forms.CharField(
        label=_("Your name, as the room shows it"),
        max_length=GUEST_NAME_MAX_LENGTH * 4,
        strip=False,
        help_text=_("Up to 80 characters, on one line."),  # GUEST_NAME_MAX_LENGTH
    )


class InvitationForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("People who may join through it"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Leave it empty for no limit: the link then opens until it expires or is withdrawn."),
    )


class AnswerForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=600)
    question = forms.CharField(label=_("The question as asked"), widget=forms.Textarea(attrs={"rows": 4}))
    body = forms.CharField(
        label=_("The answer"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown. Saved as a draft: it goes through clearance before it is published."),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


def add_problems(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)
