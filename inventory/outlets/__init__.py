"""The outlets register (轮换去向): where stock near its expiry goes before it is written off —
school canteens, drills, markets — with what each takes per month and the value recovered.
A rotation scenario copies the outlets it chooses into its own parameters."""
