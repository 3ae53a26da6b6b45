"""Verifying the ledger and sealing its chain heads.

A lot's rows form a hash chain; editing any row breaks it. A seal digests the chain
heads of the lots that changed since the previous seal and chains to that seal, so
removing rows that a seal covered is detectable too.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from inventory.db import utcnow
from inventory.stock import domain
from inventory.stock.models import Lot, Movement, Seal, SealHead
from inventory.uow import unit_of_work

GENESIS_SEAL = "0" * 64


def seal_digest(prev_digest: str, heads: list[tuple[int, int, str]]) -> str:
    """Return the digest of a seal: the previous digest and the sorted (lot, seq, hash) heads."""
    lines = [prev_digest] + [f"{lot}:{seq}:{hash_}" for lot, seq, hash_ in sorted(heads)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def take_seal(session, *, kind: str = "on_demand", actor=None) -> Seal:
    """Seal the current chain heads of every lot that changed since the last seal."""
    with unit_of_work(session):
        last = session.scalar(select(Seal).order_by(Seal.id.desc()).limit(1))
        sealed = (
            select(SealHead.lot_id, func.max(SealHead.seq).label("seq"))
            .group_by(SealHead.lot_id)
            .subquery()
        )
        changed = session.execute(
            select(Lot.id, Lot.seq, Lot.head_hash)
            .outerjoin(sealed, sealed.c.lot_id == Lot.id)
            .where(Lot.seq > 0, (sealed.c.seq.is_(None)) | (sealed.c.seq != Lot.seq))
        ).all()
        heads = [(lot_id, seq, hash_) for lot_id, seq, hash_ in changed]
        prev = last.digest if last else GENESIS_SEAL
        totals = session.execute(select(func.count(Lot.id), func.coalesce(func.sum(Lot.seq), 0))
                                 .where(Lot.seq > 0)).one()
        seal = Seal(kind=kind, actor_id=actor.id if actor else None, lots_count=totals[0],
                    movements_count=int(totals[1]), prev_digest=prev,
                    digest=seal_digest(prev, heads), taken_at=utcnow())
        session.add(seal)
        session.flush()
        if heads:
            session.execute(
                SealHead.__table__.insert(),
                [{"seal_id": seal.id, "lot_id": lot, "seq": seq, "hash": h}
                 for lot, seq, h in heads],
            )
    return seal


def seal_if_due(session, interval: timedelta) -> Seal | None:
    """Take a daily seal when the last one is older than the interval."""
    last = session.scalar(select(Seal.taken_at).order_by(Seal.id.desc()).limit(1))
    if last is not None and utcnow() - last < interval:
        return None
    return take_seal(session, kind="daily")


#: what a finding of ``verify_ledger`` says is wrong, by kind (the pages translate them)
FINDING_KINDS = ("chain_gap", "broken_link", "edited", "negative", "balance", "on_hand",
                 "head", "orphan", "seal")


@dataclass(frozen=True)
class Finding:
    """One thing ``verify_ledger`` found wrong, naming the row (or lot, or seal) it is at."""

    kind: str
    text: str
    lot_id: int | None = None
    movement_id: int | None = None
    seal_id: int | None = None


@dataclass
class LedgerReport:
    lots_checked: int = 0
    movements_checked: int = 0
    seals_checked: int = 0
    problems: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_rows(self) -> list[int]:
        """The ids of the ledger rows a finding names, in order, each once."""
        return list(dict.fromkeys(f.movement_id for f in self.findings
                                  if f.movement_id is not None))

    def add(self, kind: str, text: str, **where) -> None:
        """Record a finding and its text."""
        self.findings.append(Finding(kind, text, **where))
        self.problems.append(text)


def verify_ledger(session, *, batch: int = 5000) -> LedgerReport:
    """Check every lot against its ledger rows and hash chain, and every seal.

    Reports (never raises on) balances that differ from the sum of the ledger, rows
    whose hash or chain link is wrong, gaps in a chain, and sealed heads that are gone.
    A row's balance may agree with the sum of the rows before it or with the balance the row
    before it stores, so that one edited row is named alone rather than with every later row
    of its lot; the lot's on-hand quantity is checked against the true sum.
    """
    report = LedgerReport()
    lots = {lot_id: (seq, quantity, head) for lot_id, seq, quantity, head in
            session.execute(select(Lot.id, Lot.seq, Lot.quantity, Lot.head_hash))}
    state: dict[int, tuple[int, int, int, str]] = {}  # lot -> (seq, sum, stored balance, hash)
    columns = {"id", "prev_hash", "hash", *domain.STORED_FIELDS}
    rows = session.execute(
        select(*(getattr(Movement, name) for name in sorted(columns)))
        .order_by(Movement.lot_id, Movement.seq)
        .execution_options(yield_per=batch)
    )
    for movement in rows:
        report.movements_checked += 1
        seq, total, stored, prev = state.get(movement.lot_id, (0, 0, 0, domain.GENESIS_HASH))
        where = f"lot {movement.lot_id} row {movement.id} (seq {movement.seq})"
        at = {"lot_id": movement.lot_id, "movement_id": movement.id}
        if movement.seq != seq + 1:
            report.add("chain_gap", f"{where}: chain gap, expected seq {seq + 1}", **at)
        if movement.prev_hash != prev:
            report.add("broken_link", f"{where}: prev_hash does not link to the previous row",
                       **at)
        if domain.movement_hash(movement.prev_hash, movement) != movement.hash:
            report.add("edited", f"{where}: hash does not match the row's contents (edited?)",
                       **at)
        expected = total + movement.quantity
        if expected < 0:
            report.add("negative", f"{where}: balance goes negative ({expected})", **at)
        if movement.balance_after not in (expected, stored + movement.quantity):
            report.add("balance", f"{where}: balance_after {movement.balance_after}, "
                       f"ledger sum {expected}", **at)
        state[movement.lot_id] = (movement.seq, total + movement.quantity,
                                  movement.balance_after, movement.hash)
    for lot_id, (seq, quantity, head) in lots.items():
        report.lots_checked += 1
        got_seq, total, _stored, got_head = state.get(lot_id, (0, 0, 0, domain.GENESIS_HASH))
        if quantity != total:
            report.add("on_hand", f"lot {lot_id}: on hand {quantity}, ledger sum {total}",
                       lot_id=lot_id)
        if seq != got_seq or head != got_head:
            report.add("head", f"lot {lot_id}: chain head is seq {seq}, ledger ends at seq "
                       f"{got_seq} (rows removed or added?)", lot_id=lot_id)
    for lot_id in state.keys() - lots.keys():
        report.add("orphan", f"ledger rows for lot {lot_id}, which does not exist",
                   lot_id=lot_id)
    _verify_seals(session, report)
    return report


def _verify_seals(session, report: LedgerReport) -> None:
    prev = GENESIS_SEAL
    for seal in session.scalars(select(Seal).order_by(Seal.id)):
        report.seals_checked += 1
        heads = session.execute(
            select(SealHead.lot_id, SealHead.seq, SealHead.hash).where(SealHead.seal_id == seal.id)
        ).all()
        if seal.prev_digest != prev:
            report.add("seal", f"seal {seal.id}: does not chain to the previous seal",
                       seal_id=seal.id)
        if seal_digest(seal.prev_digest, [tuple(h) for h in heads]) != seal.digest:
            report.add("seal", f"seal {seal.id}: digest does not match its heads",
                       seal_id=seal.id)
        prev = seal.digest
    missing = session.execute(
        select(SealHead.seal_id, SealHead.lot_id, SealHead.seq)
        .outerjoin(Movement, and_(Movement.lot_id == SealHead.lot_id,
                                  Movement.seq == SealHead.seq,
                                  Movement.hash == SealHead.hash))
        .where(Movement.id.is_(None))
    ).all()
    for seal_id, lot_id, seq in missing:
        report.add("seal", f"seal {seal_id}: sealed row seq {seq} of lot {lot_id} is missing "
                   "or altered", seal_id=seal_id, lot_id=lot_id)


def describe(report: LedgerReport, now: datetime | None = None) -> str:
    """Return the report as text for the command line."""
    now = now or utcnow()
    head = (f"Ledger check at {now:%Y-%m-%d %H:%M:%S}Z: {report.lots_checked} lots, "
            f"{report.movements_checked} rows, {report.seals_checked} seals")
    if report.ok:
        return head + " — all consistent."
    return "\n".join([head + f" — {len(report.problems)} problem(s):"]
                     + [f"  - {p}" for p in report.problems])
