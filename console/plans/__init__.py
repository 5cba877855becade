"""Pure plans for the wizards: compute, preview, apply (apply.py), journal, undo."""

from console.plans.base import Change, Plan, PlanResult, drift

__all__ = ["Change", "Plan", "PlanResult", "drift"]
