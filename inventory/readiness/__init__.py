"""Readiness: norms, targets, minimum stock per tier, travel times, adequacy and the dashboard."""
