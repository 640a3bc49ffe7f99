from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"))
    text = blocks.TextBlock(label=_("text"), required=False)
    page = blocks.PageChooserBlock(label=_("page"))
    button = blocks.CharBlock(label=_("button text"))

    class Meta:
        icon = "pick"
        template = "home/blocks/call_to_action.html"
        preview_value = {
            "heading": "Anmälan är öppen",
            "text": "Boka plats för dig och dina kollegor.",
            "button": "Till anmälan",
        }


class FactBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("figure"), help_text=_("e.g. “800” or “2 dagar”"))
    label = blocks.CharBlock(label=_("what it counts"))

    class Meta:
        icon = "order"
        preview_value = {"value": "800", "label": "deltagare"}


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("heading"), form_classname="title", template="home/blocks/heading.html", icon="title"
    )
    paragraph = blocks.RichTextBlock(
        label=_("paragraph"), features=["bold", "italic", "link", "ol", "ul", "h3"], icon="pilcrow"
    )
    image = ImageBlock(label=_("image"))
    quote = blocks.BlockQuoteBlock(label=_("quote"))
    facts = blocks.ListBlock(FactBlock(), label=_("facts"), template="home/blocks/facts.html", icon="order")
    call_to_action = CallToActionBlock(label=_("call to action"))

    class Meta:
        preview_value = [("heading", "Om konferensen"), ("paragraph", "<p>Två dagar om trygghet och säkerhet.</p>")]
