"""The notice's rules as pure functions and values: numbers, regions, trades, dates, names, statuses. No I/O."""
