"""From plan to work: the orders a solved run becomes (draft transfers, call-offs, production
orders, purchase lists, rotation work orders) and the rotation orders' execution by scanning."""
