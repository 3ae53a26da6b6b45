"""Transfers (调拨) between depots: draft, dispatched, received."""
