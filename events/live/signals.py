"""Receivers that turn a published award page into a broadcast reveal (connected in EventsConfig.ready)."""


def connect():
    pass
