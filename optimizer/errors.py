"""Named errors of the optimizer: bad input, no plan, a solver that failed."""


class InvalidInput(ValueError):
    """The input document breaks the schema; each error names the field path."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class NoPlan(Exception):
    """No plan exists (infeasible) or the solver found none within its time limit."""

    def __init__(self, status: str, message: str, stats: dict | None = None):
        self.status = status
        self.stats = stats or {}
        super().__init__(message)

    def to_dict(self) -> dict:
        """Return the result document a caller gets instead of a plan."""
        return {"status": self.status, "message": str(self), "stats": self.stats}


class SolverError(RuntimeError):
    """The solver itself failed (crashed, could not be run)."""
