"""Receivers that turn a published award page into a broadcast reveal (connected in EventsConfig.ready).

Whatever publishes the award page (the editor's Publish button, the admin's "Reveal the winner", the
`announce_winner` command, a scheduled publication) sends Wagtail's `page_published`; a nominee page that comes or
goes changes the list the live pages show. Either way the award's new state is broadcast once the transaction
commits, and never if it rolls back.
"""

from wagtail.signals import page_published, page_unpublished


def connect():
    page_published.connect(page_changed, dispatch_uid="live-reveal-page-published")
    page_unpublished.connect(page_changed, dispatch_uid="live-reveal-page-unpublished")


def page_changed(sender, instance, **kwargs):
    from events.live.broadcast import broadcast_on_commit
    from events.models import AwardPage, NomineePage

    if isinstance(instance, AwardPage):
        broadcast_on_commit(instance.round_page().pk)
    elif isinstance(instance, NomineePage):
        award = instance.get_parent().specific
        if isinstance(award, AwardPage):
            broadcast_on_commit(award.round_page().pk)
