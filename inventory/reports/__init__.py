"""Period reports for the auditor's desk: stock summary (进销存), stock on hand at a past
moment, contract settlements."""
