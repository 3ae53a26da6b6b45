"""Stocktakes (盘点): count every lot of a depot, submit, approve; approval writes adjustments."""
