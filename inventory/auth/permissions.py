"""Who may do what: the role rules in one place."""

from inventory.errors import Forbidden

#: roles that may read everything
READ_ALL = {"admin", "bureau", "keeper", "planner", "auditor"}
#: roles that keep the depots' details (name, capacity, handling time, …)
DEPOT_EDITORS = ("admin", "bureau")
#: roles that manage the reserves: targets, norms, agreements, shelters, carriers
MANAGERS = ("admin", "bureau")


def can_move_stock(user, depot) -> bool:
    """Admins move stock anywhere; keepers only at the depots assigned to them."""
    if user.role == "admin":
        return True
    return user.role == "keeper" and any(d.id == depot.id for d in user.depots)


def ensure_can_move_stock(user, depot) -> None:
    """:raise Forbidden: unless the user may move stock at the depot."""
    if not can_move_stock(user, depot):
        raise Forbidden(
            f"您无权在 {depot.name}（{depot.code}）办理出入库。",
            f"You may not move stock at {depot.name} ({depot.code}).",
        )


def can_edit_depots(user) -> bool:
    """The bureau and admins edit depots' details; keepers, planners and auditors read them."""
    return user.role in DEPOT_EDITORS


def can_plan_transfers(user, depot) -> bool:
    """Transfers are ordered (and drafts cancelled) by the bureau, an admin, or the source
    depot's keeper."""
    return user.role == "bureau" or can_move_stock(user, depot)


def ensure_can_plan_transfers(user, depot) -> None:
    """:raise Forbidden: unless the user may order a transfer out of the depot."""
    if user.role == "bureau":
        return
    ensure_can_move_stock(user, depot)


def ensure_role(user, *roles: str) -> None:
    """:raise Forbidden: unless the user has one of the roles."""
    if user.role not in roles:
        raise Forbidden("您的角色无权执行此操作。", "Your role does not allow this action.")
