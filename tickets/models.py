"""Ticket types, capacities, orders, payments and check-in live here (see DESIGN.md, "Buying" and "Check-in")."""
