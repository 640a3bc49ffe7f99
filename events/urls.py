"""The conference's machine-readable addresses: programme exports and the live award stream."""

app_name = "events"
urlpatterns = []
