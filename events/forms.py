from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from events.selectors import colliding_sessions


def describe(session):
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    where = f", {session.room}" if session.room else ""
    return f"“{session.title}” ({start:%Y-%m-%d %H:%M}–{end:%H:%M}{where})"


class SessionAdminForm(WagtailAdminModelForm):
    """Refuses a session that would double-book its room or one of its speakers, naming the session it collides with."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_cancelled") or not (cleaned.get("starts_at") and cleaned.get("ends_at")):
            return cleaned
        when = {
            "edition": cleaned.get("edition"),
            "starts_at": cleaned["starts_at"],
            "ends_at": cleaned["ends_at"],
            "exclude": self.instance,
        }
        if cleaned.get("room") is not None:
            for other in colliding_sessions(room=cleaned["room"], **when):
                self.add_error(
                    "room", _("The room is already booked then for %(session)s.") % {"session": describe(other)}
                )
        for speaker in self._speakers():
            for other in colliding_sessions(speakers=[speaker], **when):
                self.add_error(
                    None,
                    _("%(speaker)s is already speaking then, in %(session)s.")
                    % {"speaker": speaker, "session": describe(other)},
                )
        return cleaned

    def _speakers(self):
        formset = self.formsets.get("speakers")
        if formset is None or not formset.is_valid():
            return []
        return [
            form.cleaned_data["speaker"]
            for form in formset.forms
            if form.cleaned_data.get("speaker") and not form.cleaned_data.get("DELETE")
        ]
