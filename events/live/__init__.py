"""The live reveal of an award's winner at the banquet: the state, its broadcast, and the live page."""
