"""The public nomination form: the candidate, the nominator, one required answer per criterion of the award, consent
to store the data, and a honeypot that people never see."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Nomination
from events.nominations import NOMINATION_FIELDS

CRITERION_PREFIX = "criterion_"
HONEYPOT = "website"
MAX_ANSWER_LENGTH = 6000


class NominationForm(forms.ModelForm):
    candidate_kind = forms.ChoiceField(
        label=_("The candidate is"),
        choices=[("person", _("A person")), ("people", _("Several people")), ("organisation", _("An organisation"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the candidate is a person, several people or an organisation")},
    )
    consent = forms.BooleanField(
        label=_("I agree that the information in this form is stored as described above"),
        help_text=_(
            "We store what you write here about the candidate and about yourself, so that the jury can consider the "
            "nomination and the organisers can contact you and the candidate. Only the organisers and the jury see "
            "it. We keep it until this year's round of the award is over, plus 12 months, and then delete it."
        ),
        error_messages={"required": _("Agree to the storing of the information, or the nomination cannot be sent")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Nomination
        fields = NOMINATION_FIELDS
        labels = {
            "candidate_name": _("Name of the candidate"),
            "candidate_organisation": _("The candidate's organisation"),
            "candidate_contact": _("How to reach the candidate"),
            "nominator_name": _("Your name"),
            "nominator_email": _("Your email address"),
            "nominator_organisation": _("Your organisation"),
        }
        help_texts = {
            "candidate_name": _("For several people, all their names. For an organisation, its name."),
            "candidate_organisation": _("For example a municipality, a region or a police area."),
            "candidate_contact": _("An email address or a phone number, for the organisers only."),
            "nominator_email": _("We send a confirmation with a copy of your answers here."),
        }
        error_messages = {
            "candidate_name": {"required": _("Enter the name of the candidate")},
            "nominator_name": {"required": _("Enter your name")},
            "nominator_email": {
                "required": _("Enter your email address"),
                "invalid": _("Enter an email address like name@example.org"),
            },
        }
        widgets = {
            "nominator_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "nominator_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "nominator_organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    candidate_names = ("candidate_kind", "candidate_name", "candidate_organisation", "candidate_contact")
    nominator_names = ("nominator_name", "nominator_email", "nominator_organisation")

    def __init__(self, *args, award, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = [shown for shown, _stored in award.criteria_pairs()]
        for criterion in self.criteria:
            self.fields[f"{CRITERION_PREFIX}{criterion.pk}"] = forms.CharField(
                label=criterion.title,
                help_text=criterion.guidance,
                max_length=MAX_ANSWER_LENGTH,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={
                    "required": gettext("Describe how the candidate meets the criterion “%(criterion)s”")
                    % {"criterion": criterion.title}
                },
            )
        # The page's order, so that the error summary lists the problems as the reader meets them.
        self.order_fields([*self.candidate_names, *self.nominator_names, *self.criterion_names, "consent"])

    @property
    def criterion_names(self):
        return [f"{CRITERION_PREFIX}{criterion.pk}" for criterion in self.criteria]

    def fieldsets(self):
        """The form's parts as the page shows them: a heading and its fields."""
        parts = [
            (_("The candidate"), self.candidate_names),
            (_("About you"), self.nominator_names),
            (_("How the candidate meets the criteria"), self.criterion_names),
            (_("Your information"), ["consent"]),
        ]
        return [{"legend": legend, "fields": [self[name] for name in names]} for legend, names in parts]

    def caught_in_honeypot(self):
        """Whether the field that people never see was filled in, as bots filling every field do."""
        return bool(self.data.get(HONEYPOT, "").strip())

    def nomination_data(self):
        return {name: self.cleaned_data[name] for name in NOMINATION_FIELDS}

    def answers(self):
        """Criterion id → answer, for this award's criteria only."""
        return {criterion.pk: self.cleaned_data[f"{CRITERION_PREFIX}{criterion.pk}"] for criterion in self.criteria}
